"""Run configs construct with Prefect 1's arguments, normalise them the Prefect 1 way (label
sets, string CPU/memory, parsed templates) and round-trip through Prefect 1's schema."""

import os
import sys

import pytest
import yaml

from prefect_classic.run_configs import (
    DockerRun,
    ECSRun,
    KubernetesRun,
    LocalRun,
    RunConfig,
    UniversalRun,
    VertexRun,
)
from prefect_classic.serialization.run_config import RunConfigSchema, RunConfigSchemaBase

JOB = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"labels": {"team": "data"}}}
TASK_DEFINITION = {
    "containerDefinitions": [{"name": "flow", "environment": [{"name": "A", "value": "1"}]}]
}


def test_every_run_config_keeps_env_and_a_label_set():
    for cls in (UniversalRun, LocalRun, DockerRun, KubernetesRun, ECSRun, VertexRun):
        empty = cls()
        assert empty.env is None and empty.labels == set()
        config = cls(env={"K": "V"}, labels=["b", "a", "a"])
        assert config.env == {"K": "V"} and config.labels == {"a", "b"}
        assert isinstance(config, RunConfig)


def test_run_configs_take_keyword_arguments_only():
    with pytest.raises(TypeError):
        LocalRun({"K": "V"})  # type: ignore[misc]


def test_local_run_makes_the_working_dir_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert LocalRun(working_dir="sub/dir").working_dir == str(tmp_path / "sub" / "dir")
    assert LocalRun().working_dir is None


def test_docker_and_vertex_keep_their_arguments():
    docker = DockerRun(image="img:1", ports=[8080], host_config={"mem_limit": "1g"})
    assert (docker.image, docker.ports, docker.host_config) == (
        "img:1",
        [8080],
        {"mem_limit": "1g"},
    )
    vertex = VertexRun(
        image="img",
        scheduling={"timeout": "3600s"},
        service_account="sa",
        network="net",
        worker_pool_specs=[{"machineSpec": {}}],
    )
    assert vertex.machine_type == "e2-standard-4" and vertex.worker_pool_specs == [
        {"machineSpec": {}}
    ]


@pytest.mark.parametrize("prefix", ["", "file://", "local://"])
def test_kubernetes_reads_a_local_job_template_now(tmp_path, prefix):
    if prefix and sys.platform == "win32":
        pytest.skip("schemes need POSIX paths")
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(JOB))
    config = KubernetesRun(job_template_path=prefix + str(path))
    assert config.job_template == JOB and config.job_template_path is None


def test_kubernetes_keeps_a_remote_job_template_path_and_parses_yaml_text():
    remote = KubernetesRun(job_template_path="s3://bucket/job.yaml")
    assert remote.job_template_path == "s3://bucket/job.yaml" and remote.job_template is None
    assert KubernetesRun(job_template=yaml.safe_dump(JOB)).job_template == JOB
    assert KubernetesRun(job_template=JOB).job_template == JOB


def test_kubernetes_normalises_resources_and_secrets():
    config = KubernetesRun(
        cpu_limit=0.5, cpu_request=1, memory_limit="1Gi", image_pull_secrets=("a", "b")
    )
    assert (config.cpu_limit, config.cpu_request, config.memory_limit) == ("0.5", "1", "1Gi")
    assert config.image_pull_secrets == ["a", "b"]
    assert KubernetesRun(image_pull_secrets=[]).image_pull_secrets == []


def test_kubernetes_rejects_two_templates_and_unknown_pull_policies():
    with pytest.raises(ValueError, match="Cannot provide both"):
        KubernetesRun(job_template={}, job_template_path="/x.yaml")
    with pytest.raises(ValueError, match="Invalid image_pull_policy 'Sometimes'"):
        KubernetesRun(image_pull_policy="Sometimes")
    assert KubernetesRun(image_pull_policy="IfNotPresent").image_pull_policy == "IfNotPresent"


def test_ecs_takes_one_task_definition_and_string_resources(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text(yaml.safe_dump(TASK_DEFINITION))
    local = ECSRun(task_definition_path=str(path), cpu=1024, memory="2 GB")
    assert local.task_definition == TASK_DEFINITION and local.task_definition_path is None
    assert (local.cpu, local.memory) == ("1024", "2 GB")
    assert ECSRun(task_definition_path="s3://b/t.yaml").task_definition_path == "s3://b/t.yaml"
    with pytest.raises(ValueError, match="Can only provide one of"):
        ECSRun(task_definition={}, task_definition_arn="arn")
    with pytest.raises(ValueError, match="`task_definition_arn` and `image`"):
        ECSRun(task_definition_arn="family:1", image="img")


CONFIGS = [
    UniversalRun(env={"A": "1"}, labels=["x"]),
    LocalRun(env={"A": "1"}, working_dir=os.sep + "srv", labels=["b", "a"]),
    DockerRun(image="img", ports=[1, 2], host_config={"k": "v"}),
    KubernetesRun(
        job_template=JOB,
        image="img",
        cpu_limit=2,
        memory_request="1G",
        service_account_name="sa",
        image_pull_secrets=["s"],
        image_pull_policy="Always",
        labels=["k8s"],
    ),
    KubernetesRun(job_template_path="gcs://bucket/job.yaml"),
    ECSRun(
        task_definition=TASK_DEFINITION,
        cpu="1 vcpu",
        task_role_arn="r",
        execution_role_arn="e",
        run_task_kwargs={"cluster": "c"},
    ),
    ECSRun(task_definition_arn="family:3"),
    VertexRun(image="img", machine_type="n1", scheduling={"timeout": "60s"}),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: type(c).__name__)
def test_run_configs_round_trip_through_prefect_1_json(config):
    data = config.serialize()
    assert data["type"] == type(config).__name__ and data["labels"] == sorted(config.labels)
    loaded = RunConfigSchema().load(data)
    assert type(loaded) is type(config)
    assert vars(loaded) == vars(config)
    assert loaded == config


def test_labels_are_written_sorted():
    assert RunConfigSchemaBase().dump({"labels": {"c", "a", "b"}})["labels"] == ["a", "b", "c"]
    assert LocalRun(labels=["a"]) != LocalRun(labels=["b"])
