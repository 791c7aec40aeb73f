"""`Flow(storage=..., run_config=...)`, `flow.register(...)` (one warning, returns None, prepares
the flow as Prefect 1 did, registers nothing) and `flow.serialize(build=...)` with storage."""

import logging
import socket

import pytest

import prefect_classic
from prefect_classic import Flow, task
from prefect_classic.engine.results import LocalResult, S3Result
from prefect_classic.exceptions import BackendOnlyError
from prefect_classic.run_configs import KubernetesRun, LocalRun, UniversalRun
from prefect_classic.serialization.flow import FlowSchema
from prefect_classic.storage import S3, Docker, Local, Module
from prefect_classic.utilities.configuration import set_temporary_config


@task
def one():
    return 1


def register_warnings(caplog):
    return [r for r in caplog.records if "was not registered" in r.getMessage()]


@pytest.fixture
def home(tmp_path):
    with set_temporary_config({"home_dir": str(tmp_path)}):
        yield tmp_path


def test_register_logs_one_warning_and_returns_none(caplog, home):
    caplog.set_level(logging.WARNING, logger="prefect")
    flow = Flow("etl", tasks=[one])
    assert (
        flow.register(project_name="prod", labels=["a"], set_schedule_active=False, no_url=True)
        is None
    )
    (record,) = register_warnings(caplog)
    assert record.levelno == logging.WARNING and record.name == "prefect.etl"
    message = record.getMessage()
    assert (
        "'etl' was not registered" in message
        and "flow.run()" in message
        and "prefect-classic run" in message
    )
    assert "test_flow_register_and_serialize.py" in message  # the file that called register


def test_register_prepares_the_flow_as_prefect_1_did_without_building_storage(home):
    flow = Flow("etl", tasks=[one], run_config=LocalRun(labels=["mine"]))
    flow.register(labels=["extra"])
    assert isinstance(flow.storage, Local) and flow.storage.directory == str(home / "flows")
    assert flow.storage.flows == {}  # nothing was added or built
    assert flow.run_config.labels == {"mine", "extra", socket.gethostname()}
    assert flow.result is flow.storage.result and isinstance(flow.result, LocalResult)
    assert flow.run().is_successful()


def test_register_uses_the_configured_default_storage_with_its_kwargs(home):
    flow = Flow("etl")
    with set_temporary_config({"flows.defaults.storage.default_class": "prefect.storage.Docker"}):
        flow.register("project", registry_url="reg", image_name="img", image_tag="t", no_url=True)
    assert isinstance(flow.storage, Docker) and flow.storage.name == "reg/img:t"
    assert isinstance(flow.run_config, UniversalRun) and flow.run_config.labels == set()


def test_register_keeps_an_explicit_result_and_storage(home):
    result = LocalResult(dir=str(home / "mine"))
    storage = S3(bucket="b")
    flow = Flow("etl", storage=storage, result=result)
    flow.register()
    assert flow.storage is storage and flow.result is result
    unset = Flow("etl2", storage=S3(bucket="b"))
    unset.register()
    assert isinstance(unset.result, S3Result)


def test_register_inside_the_flow_block_is_an_error():
    with pytest.raises(ValueError, match="from within a `Flow` context manager"):
        with Flow("etl") as flow:
            flow.register()


def test_register_while_a_flow_file_is_loading_only_warns(caplog):
    caplog.set_level(logging.WARNING, logger="prefect")
    flow = Flow("etl")
    with prefect_classic.context(loading_flow=True):
        assert flow.register() is None
    assert flow.storage is None and flow.run_config is None
    assert len(register_warnings(caplog)) == 1


def test_serialize_includes_storage_and_run_config():
    flow = Flow(
        "etl", tasks=[one], storage=Module("pkg.flows"), run_config=KubernetesRun(image="img")
    )
    data = flow.serialize()
    assert data["storage"]["type"] == "Module" and data["storage"]["module"] == "pkg.flows"
    assert data["run_config"]["type"] == "KubernetesRun" and data["run_config"]["image"] == "img"
    assert Flow("bare").serialize()["storage"] is None


def test_serialized_flows_load_back_with_storage_and_run_config():
    flow = Flow(
        "etl", tasks=[one], storage=S3(bucket="b", key="k"), run_config=LocalRun(labels=["x"])
    )
    loaded = FlowSchema().load(flow.serialize())
    assert isinstance(loaded.storage, S3) and loaded.storage.key == "k"
    assert isinstance(loaded.run_config, LocalRun) and loaded.run_config.labels == {"x"}


def test_serialize_with_build_adds_the_flow_to_local_storage(tmp_path):
    flow = Flow("etl", tasks=[one], storage=Local(directory=str(tmp_path)))
    before = flow.serialize()
    assert "etl" not in flow.storage and before["storage"]["flows"] == {}
    built = flow.serialize(build=True)
    assert "etl" in flow.storage and built["storage"]["flows"] == flow.storage.flows
    assert flow.storage.get_flow("etl").name == "etl"
    with pytest.warns(UserWarning, match="already contained in storage"):
        flow.serialize(build=True)


def test_serialize_with_build_needs_storage_and_remote_storage_refuses():
    with pytest.raises(ValueError, match="no storage to build"):
        Flow("etl").serialize(build=True)
    with pytest.raises(BackendOnlyError, match="uploads flows to S3"):
        Flow("etl", storage=S3(bucket="b")).serialize(build=True)


def test_serialized_hash_is_stable_and_follows_storage_builds(tmp_path):
    flow = Flow("etl", tasks=[one], storage=Local(directory=str(tmp_path)))
    before = flow.serialized_hash()
    assert before == flow.copy().serialized_hash() and len(before) == 64
    built = flow.serialized_hash(build=True)
    assert built != before  # the storage now records the flow
    assert flow.serialized_hash() == built == flow.copy().serialized_hash()
    assert Flow("other").serialized_hash() != Flow("etl").serialized_hash()


def test_run_agent_needs_a_backend_and_says_how_to_run_the_flow():
    with pytest.raises(
        BackendOnlyError, match=r"`flow.run_agent\(\)` needs a Prefect Cloud/Server backend"
    ) as info:
        Flow("etl").run_agent()
    assert "prefect-classic run" in str(
        info.value
    ) and "test_flow_register_and_serialize.py" in str(info.value)
