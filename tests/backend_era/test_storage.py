"""Flow storage: every Prefect 1 storage class constructs with Prefect 1's arguments and records
flows; Local and Module storage really store and load flows; remote storage refuses to upload or
download with a BackendOnlyError that says what to do instead."""

import os
import socket
import sys
import textwrap
import types

import pytest

import prefect_classic
from prefect_classic import Flow, task
from prefect_classic.engine.results import GCSResult, LocalResult, S3Result
from prefect_classic.exceptions import BackendOnlyError, ClientError
from prefect_classic.storage import (
    GCS,
    S3,
    Azure,
    Bitbucket,
    CodeCommit,
    Docker,
    Git,
    GitHub,
    GitLab,
    Local,
    Module,
    Storage,
    Webhook,
    get_default_storage_class,
)
from prefect_classic.utilities.configuration import set_temporary_config


@task
def double(x):
    return 2 * x


def small_flow(name="store-me"):
    with Flow(name) as flow:
        double(21)
    return flow


# --- the base class ------------------------------------------------------------------------------


def test_storage_is_abstract_and_subclasses_must_implement_add_flow():
    with pytest.raises(TypeError):
        Storage()

    class Partial(Storage):
        pass

    with pytest.raises(TypeError):
        Partial()


def test_labels_merge_default_labels_unless_turned_off(tmp_path):
    host = socket.gethostname()
    assert sorted(Local(directory=str(tmp_path), labels=["a", host]).labels) == sorted(["a", host])
    assert Local(directory=str(tmp_path), labels=["a"], add_default_labels=False).labels == ["a"]
    assert GitHub(repo="o/r", path="f.py", labels=["x"]).labels == ["x"]  # no default labels


def test_add_default_labels_follows_the_config_when_not_given(tmp_path):
    with set_temporary_config({"flows.defaults.storage.add_default_labels": False}):
        storage = Local(directory=str(tmp_path))
    assert storage.add_default_labels is False
    assert socket.gethostname() not in storage.labels
    assert Local(directory=str(tmp_path)).add_default_labels is True


def test_only_flow_names_are_contained(tmp_path):
    storage = Local(directory=str(tmp_path))
    flow = small_flow()
    storage.add_flow(flow)
    assert flow.name in storage
    assert flow not in storage and 1 not in storage and "other" not in storage


def test_build_warns_about_retried_tasks_whose_upstream_has_no_result(tmp_path):
    @task(max_retries=1, retry_delay=__import__("datetime").timedelta(0))
    def retried(x):
        return x

    with Flow("retries") as flow:
        retried(double(1))
    storage = Module("anything")
    storage.add_flow(flow)
    with pytest.warns(
        UserWarning, match="retry settings but some upstream dependencies do not have result"
    ):
        assert storage.build() is storage


# --- default storage class ----------------------------------------------------------------------------


def test_default_storage_class_is_local_and_follows_the_config():
    assert get_default_storage_class() is Local
    with set_temporary_config(
        {"flows.defaults.storage.default_class": "prefect_classic.storage.S3"}
    ):
        assert get_default_storage_class() is S3
    # a Prefect 1 config file names the same classes under `prefect.`
    with set_temporary_config({"flows.defaults.storage.default_class": "prefect.storage.Docker"}):
        assert get_default_storage_class() is Docker
    with set_temporary_config({"flows.defaults.storage.default_class": GCS}):
        assert get_default_storage_class() is GCS


def test_an_unimportable_default_storage_class_warns_and_falls_back_to_local():
    with set_temporary_config({"flows.defaults.storage.default_class": "no.such.Storage"}):
        with pytest.warns(UserWarning, match="Could not import no.such.Storage"):
            assert get_default_storage_class() is Local


# --- Local -----------------------------------------------------------------------------------------


def test_local_defaults_to_home_dir_flows_with_a_local_result_there(tmp_path):
    with set_temporary_config({"home_dir": str(tmp_path / "home")}):
        storage = Local(secrets=["AUTH"])
    assert storage.directory == str(tmp_path / "home" / "flows")
    assert os.path.isdir(storage.directory)
    # as in Prefect 1, a LocalResult in a folder inside the home folder stores in <home>/results
    assert isinstance(storage.result, LocalResult)
    assert storage.result.dir == str(tmp_path / "home" / "results")
    assert storage.secrets == ["AUTH"]


def test_local_makes_relative_directories_absolute_unless_validate_is_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Local(directory="flows").directory == str(tmp_path / "flows")
    windows = "C:\\Users\\me\\.prefect\\flows"
    unvalidated = Local(directory=windows, validate=False)
    assert unvalidated.directory == windows and unvalidated.result.dir == windows
    assert not os.path.exists(windows)


def test_local_pickles_a_flow_and_loads_it_back_runnable(tmp_path):
    storage = Local(directory=str(tmp_path))
    flow = small_flow()
    location = storage.add_flow(flow)
    assert location.startswith(str(tmp_path / "store-me"))
    assert storage.flows == {"store-me": location}
    loaded = storage.get_flow("store-me")
    assert loaded is not flow and loaded.name == flow.name
    assert sorted(t.name for t in loaded.tasks) == sorted(t.name for t in flow.tasks)
    state = loaded.run()
    assert state.is_successful()
    assert [s.result for s in state.result.values() if s.result == 42] == [42]


def test_local_refuses_a_second_flow_of_the_same_name_and_unknown_names(tmp_path):
    storage = Local(directory=str(tmp_path))
    storage.add_flow(small_flow())
    with pytest.raises(ValueError, match='name "store-me" is already present'):
        storage.add_flow(small_flow())
    with pytest.raises(ValueError, match="not contained"):
        storage.get_flow("other")


def test_local_cleans_flow_names_for_file_names(tmp_path):
    location = Local(directory=str(tmp_path)).add_flow(Flow("What?! A ~weird~ name, déjà vu!!"))
    assert os.path.basename(os.path.dirname(location)) == "what-a-weird-name-deja-vu"


def test_local_pickles_into_an_explicit_path(tmp_path):
    path = tmp_path / "exact" / "flow.bin"
    storage = Local(directory=str(tmp_path), path=str(path))
    assert storage.add_flow(small_flow()) == str(path)
    assert storage.get_flow("store-me").name == "store-me"


def test_local_script_storage_needs_a_path_and_loads_the_named_flow_from_it(tmp_path):
    script = tmp_path / "flows.py"
    script.write_text(
        textwrap.dedent("""
        from prefect_classic import Flow, task

        @task
        def one():
            return 1

        with Flow("first") as first:
            one()
        second = Flow("second")
    """)
    )
    with pytest.raises(ValueError, match="A `path` must be provided"):
        Local(stored_as_script=True).add_flow(Flow("first"))
    storage = Local(stored_as_script=True, path=str(script))
    assert storage.add_flow(Flow("first")) == str(script)
    storage.add_flow(Flow("second"))
    assert storage.get_flow("second").name == "second"
    assert storage.get_flow("first").run().is_successful()


def test_local_loads_a_flow_recorded_as_a_module_path(tmp_path, monkeypatch):
    module = types.ModuleType("stored_flows_module")
    module.flow = small_flow("from-module")
    monkeypatch.setitem(sys.modules, "stored_flows_module", module)
    storage = Local(directory=str(tmp_path), stored_as_script=True, path="stored_flows_module")
    storage.add_flow(Flow("from-module"))
    assert storage.get_flow("from-module") is module.flow


def test_local_build_returns_the_storage(tmp_path):
    storage = Local(directory=str(tmp_path))
    assert storage.build() is storage
    storage.add_flow(small_flow())
    assert storage.build() is storage


# --- Module ---------------------------------------------------------------------------------------


@pytest.fixture
def flows_module(monkeypatch):
    module = types.ModuleType("my_flows_package")
    monkeypatch.setitem(sys.modules, "my_flows_package", module)
    return module


def test_module_storage_imports_the_flow_from_its_module(flows_module):
    flows_module.flow = small_flow("in-module")
    storage = Module("my_flows_package")
    assert storage.add_flow(Flow("in-module")) == "my_flows_package"
    assert storage.get_flow("in-module") is flows_module.flow
    with pytest.raises(ValueError, match="Name conflict"):
        storage.add_flow(Flow("in-module"))


def test_module_storage_names_a_missing_flow(flows_module):
    flows_module.flow = small_flow("some-other-flow")
    storage = Module("my_flows_package")
    storage.add_flow(Flow("wanted"))
    with pytest.raises(ValueError, match="Failed to find flow 'wanted'"):
        storage.get_flow("wanted")


# --- remote storage -------------------------------------------------------------------------------

REMOTE = [
    (lambda: S3(bucket="bucket", key="k"), "S3"),
    (lambda: GCS(bucket="bucket"), "Google Cloud Storage"),
    (lambda: Azure(container="c"), "Azure"),
    (
        lambda: Webhook(
            build_request_kwargs={"url": "http://x"},
            build_request_http_method="PUT",
            get_flow_request_kwargs={"url": "http://x"},
            get_flow_request_http_method="GET",
        ),
        "HTTP",
    ),
    (lambda: Docker(image_name="img", image_tag="1"), "Docker image"),
]


@pytest.mark.parametrize("make, service", REMOTE)
def test_remote_storage_refuses_to_upload_with_a_backend_only_error(make, service):
    storage = make()
    if not isinstance(storage, Docker):  # a Docker build always builds an image
        assert storage.build() is storage  # nothing added: nothing to upload
    storage.add_flow(small_flow())
    with pytest.raises(BackendOnlyError) as info:
        storage.build()
    message = str(info.value)
    assert f"`{type(storage).__name__}.build()`" in message and service in message
    assert "prefect-classic run FILE.py" in message
    assert isinstance(info.value, ClientError)


@pytest.mark.parametrize(
    "storage, service",
    [
        (S3(bucket="b"), "S3"),
        (GCS(bucket="b"), "Google Cloud Storage"),
        (Azure(container="c"), "Azure"),
        (GitHub(repo="o/r", path="flows/f.py"), "GitHub"),
        (GitLab(repo="o/r", path="f.py"), "GitLab"),
        (Bitbucket(project="P", repo="r", path="f.py"), "Bitbucket"),
        (CodeCommit(repo="r", path="f.py"), "CodeCommit"),
        (Git(flow_path="f.py", repo="o/r"), "git repository"),
    ],
)
def test_remote_storage_refuses_to_download_a_flow(storage, service):
    with pytest.raises(ValueError, match="not contained"):
        storage.get_flow("store-me")
    storage.add_flow(small_flow())
    with pytest.raises(BackendOnlyError, match=service):
        storage.get_flow("store-me")


def test_bucket_storage_records_keys_and_uses_a_bucket_result():
    s3 = S3(
        bucket="bkt", client_options={"region_name": "eu-west-1"}, upload_options={"ACL": "private"}
    )
    assert isinstance(s3.result, S3Result) and s3.result.bucket == "bkt"
    assert s3.result.boto3_kwargs == {"region_name": "eu-west-1"}
    key = s3.add_flow(small_flow())
    name, stamp = key.split("/")
    assert name == "store-me" and stamp[:4].isdigit()
    assert S3(bucket="bkt", key="fixed/key").add_flow(small_flow()) == "fixed/key"
    gcs = GCS(bucket="g", project="proj")
    assert isinstance(gcs.result, GCSResult) and gcs.project == "proj"
    assert Azure(container="c", blob_name="blob").add_flow(small_flow()) == "blob"


def test_script_bucket_storage_needs_a_key_or_a_local_script():
    storage = S3(bucket="b", stored_as_script=True)
    storage.add_flow(small_flow())
    with pytest.raises(ValueError, match="key must be provided"):
        storage.build()
    keyed = S3(bucket="b", key="flows/etl.py", stored_as_script=True)
    keyed.add_flow(small_flow())
    assert keyed.build() is keyed  # the script is already in the bucket: nothing to upload


def test_local_script_path_defaults_from_context():
    with prefect_classic.context(local_script_path="/src/flow.py"):
        assert S3(bucket="b").local_script_path == "/src/flow.py"
        assert GCS(bucket="b", local_script_path="/other.py").local_script_path == "/other.py"


def test_git_hosted_storage_records_the_file_path_and_builds_without_uploading():
    github = GitHub(
        repo="o/r",
        path="flows/etl.py",
        ref="main",
        access_token_secret="TOKEN",
        base_url="https://ghe.example/api/v3",
    )
    assert github.add_flow(small_flow()) == "flows/etl.py"
    assert github.build() is github
    git = Git(flow_path="flows/etl.py", repo="org/repo", branch_name="dev")
    assert git.git_token_username == "org" and git.add_flow(small_flow()) == "flows/etl.py"


def test_git_hosted_storage_validates_its_arguments_as_prefect_1_did():
    with pytest.raises(ValueError, match="`workspace` is for Bitbucket Cloud"):
        Bitbucket(project="P", repo="r", workspace="w", access_token_secret="T")
    with pytest.raises(ValueError, match="only one of"):
        Git(flow_path="f.py", repo="o/r", branch_name="a", tag="b")
    with pytest.raises(ValueError, match="Either `repo` or `git_clone_url_secret_name`"):
        Git(flow_path="f.py")


def test_docker_storage_constructs_without_the_docker_sdk():
    sys.modules.pop("docker", None)
    storage = Docker(
        registry_url="reg.io/team",
        image_name="etl",
        image_tag="1.0",
        python_dependencies=["pandas"],
        files={"/abs/src.py": "/modules/src.py"},
        build_kwargs={"rm": False, "nocache": True},
    )
    assert "docker" not in sys.modules
    assert storage.name == "reg.io/team/etl:1.0"
    assert storage.python_dependencies == ["pandas", "wheel"]
    assert storage.env_vars["PREFECT__USER_CONFIG_PATH"] == "/opt/prefect/config.toml"
    assert storage.build_kwargs == {"nocache": True} and storage.rm_build_kwarg is False
    assert storage.base_image.startswith("python:") or storage.base_image.startswith(
        "prefecthq/prefect:"
    )
    assert storage.add_flow(Flow("My Flow")) == "/opt/prefect/flows/my-flow.prefect"
    with pytest.raises(ValueError, match="missing required fields"):
        _ = Docker().name


def test_docker_storage_validates_its_arguments():
    with pytest.raises(ValueError, match="Only one of `base_image` and `dockerfile`"):
        Docker(base_image="python:3.11", dockerfile="Dockerfile")
    with pytest.raises(ValueError, match="not absolute"):
        Docker(files={"relative.py": "/x.py"})


def test_webhook_accepts_only_known_http_methods_and_keeps_one_flow():
    with pytest.raises(RuntimeError, match="HTTP method 'FETCH' not recognized"):
        Webhook(
            build_request_kwargs={},
            build_request_http_method="FETCH",
            get_flow_request_kwargs={},
            get_flow_request_http_method="GET",
        )
    storage = Webhook(
        build_request_kwargs={},
        build_request_http_method="POST",
        get_flow_request_kwargs={},
        get_flow_request_http_method="GET",
    )
    storage.add_flow(small_flow("a"))
    storage.add_flow(small_flow("b"))
    assert storage.flows == {"b": "b"}
