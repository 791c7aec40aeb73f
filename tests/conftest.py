"""Shared fixtures: a clean output cache and run context for every test, a log helper, child
Python processes importing this checkout, and real local storage endpoints (a moto S3 server and
a GCS emulator, bound to 127.0.0.1 and started once per test session - once per pytest-xdist
worker - with a fresh bucket per test).

Also the `slow` marker of the fast lane (`scripts/test` runs `-m "not slow"`): see
`pytest_collection_modifyitems` below."""

import inspect
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import prefect_classic
from prefect_classic.utilities import context as context_module

#: the folder holding the `prefect_classic` package under test
CHECKOUT = os.path.dirname(os.path.abspath(list(prefect_classic.__path__)[0]))


# ---------------------------------------------------------------------------------------
# the fast lane: which tests are `slow`
# ---------------------------------------------------------------------------------------

#: fixtures that start servers, clusters or child processes (and those built on them)
SLOW_FIXTURES = frozenset(
    {
        "moto_url",
        "s3_kwargs",
        "s3_client",
        "s3_bucket",  # the S3 server
        "gcs_url",
        "gcs_env",
        "gcs_client",
        "gcs_bucket",  # the GCS emulator
        "inproc_cluster",
        "process_cluster",  # dask.distributed LocalClusters (tests/executors)
        "run_python",
        "child_env",
        "run_example",
        "example_env",
        "emulator_env",  # child processes
    }
)
#: parameter values naming backends that start clusters, process pools or servers: the executors
#: of tests/executors, and the S3/GCS stores of parametrized storage tests
SLOW_PARAMS = frozenset(
    {"dask-processes", "distributed-inproc", "distributed-processes", "s3", "gcs"}
)
#: what code calls when it starts a child process, a process pool or a cluster
SLOW_CALLS = re.compile(
    r"subprocess\.|sys\.executable|Popen|multiprocessing\.|ProcessPool|os\.fork|"
    r"LocalCluster|local_cluster\(|\bDaskExecutor\(|distributed\.Client|\bClient\(|"
    r"LocalDaskExecutor\(\s*(scheduler\s*=\s*)?[\"']processes"
)
_FIXTURE_LOOKUP = re.compile(r"getfixturevalue\(\s*[\"'](\w+)")
#: files whose tests are slow for reasons the rules do not see (node-id prefixes)
SLOW_PATHS = (
    "tests/test_docs_build.py",  # builds the documentation site
    "tests/compat/test_pth_hook.py",  # builds and installs a wheel
)
_slow_helpers: Dict[str, frozenset] = {}


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _module_slow_helpers(module: Any) -> frozenset:
    """Names of the module's own non-test functions whose source starts processes or clusters."""
    name = getattr(module, "__name__", "")
    if name not in _slow_helpers:
        _slow_helpers[name] = frozenset(
            attr
            for attr, obj in vars(module).items()
            if inspect.isfunction(obj)
            and obj.__module__ == name
            and not attr.startswith("test")
            and SLOW_CALLS.search(_source(obj))
        )
    return _slow_helpers[name]


def _starts_something(source: str, helpers: frozenset) -> bool:
    if SLOW_CALLS.search(source):
        return True
    if any(lookup in SLOW_FIXTURES for lookup in _FIXTURE_LOOKUP.findall(source)):
        return True
    return any(re.search(rf"\b{re.escape(helper)}\(", source) for helper in helpers)


def _is_slow(item: pytest.Item) -> bool:
    if item.nodeid.startswith(SLOW_PATHS):
        return True
    if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    if callspec is not None and any(
        isinstance(v, str) and v in SLOW_PARAMS for v in callspec.params.values()
    ):
        return True
    function = getattr(item, "function", None)
    module = getattr(item, "module", None)
    if function is None or module is None:
        return False
    helpers = _module_slow_helpers(module)
    if _starts_something(_source(function), helpers):
        return True
    # fixtures that look up slow fixtures or start processes themselves (a parametrized fixture
    # is judged by its parameter instead: only some of its values may be slow)
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info is not None else ():
        if defs[-1].params is not None:
            continue
        fixture = defs[-1].func
        fixture_module = sys.modules.get(getattr(fixture, "__module__", ""), None)
        fixture_helpers = (
            _module_slow_helpers(fixture_module) if fixture_module is not None else frozenset()
        )
        if _starts_something(_source(fixture), fixture_helpers):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Mark `slow` the tests that start servers, clusters, process pools or child processes: by
    the fixtures they use (directly or through `getfixturevalue`), their parameters (executor,
    storage), what their own source, their fixtures' or their module's helper functions call, or
    their file.
    A test can also say so itself with `@pytest.mark.slow`."""
    slow = pytest.mark.slow
    for item in items:
        if _is_slow(item):
            item.add_marker(slow)


@pytest.fixture(autouse=True)
def clear_output_caches() -> Iterator[None]:
    """Empty the process-wide output caches (`context.caches`) before and after each test.

    The dict is cleared in place: every thread's base context layer holds the same object.
    """
    context_module.CACHES.clear()
    yield
    context_module.CACHES.clear()


class PrefectLogs:
    """Records of the `prefect` logger tree captured during a test."""

    def __init__(self, caplog: pytest.LogCaptureFixture):
        self._caplog = caplog

    @property
    def records(self) -> List[logging.LogRecord]:
        """Every captured record from a `prefect.*` logger."""
        return [
            r for r in self._caplog.records if r.name == "prefect" or r.name.startswith("prefect.")
        ]

    @property
    def messages(self) -> List[str]:
        """The formatted messages of the captured records."""
        return [r.getMessage() for r in self.records]

    def contains(self, text: str) -> bool:
        """Whether some captured message contains `text`."""
        return any(text in m for m in self.messages)


@pytest.fixture
def prefect_logs(caplog: pytest.LogCaptureFixture) -> PrefectLogs:
    """Capture the `prefect` loggers at DEBUG level for the test."""
    caplog.set_level(logging.DEBUG, logger="prefect")
    return PrefectLogs(caplog)


# ---------------------------------------------------------------------------------------
# child processes
# ---------------------------------------------------------------------------------------


def _child_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    env["PYTHONPATH"] = os.pathsep.join([CHECKOUT, os.environ.get("PYTHONPATH", "")])
    return env


@pytest.fixture
def child_env() -> Callable[..., Dict[str, str]]:
    """`child_env(extra=None)`: the environment for a child process — ours, plus `extra`, plus
    this checkout on PYTHONPATH."""
    return _child_env


@pytest.fixture
def run_python(tmp_path: Path) -> Callable[..., "subprocess.CompletedProcess[str]"]:
    """Run a script in a new Python process that imports prefect_classic from this checkout.

    Returns `run(source, *args, env=None) -> CompletedProcess`; a non-zero exit fails the test
    with the child's output.
    """

    def run(
        source: str, *args: str, env: Optional[Dict[str, str]] = None
    ) -> "subprocess.CompletedProcess[str]":
        script = tmp_path / f"script_{uuid.uuid4().hex[:8]}.py"
        script.write_text(source)
        proc = subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            env=_child_env(env),
            timeout=120,
        )
        assert proc.returncode == 0, f"child failed:\n{proc.stdout}\n{proc.stderr}"
        return proc

    return run


# ---------------------------------------------------------------------------------------
# S3 (moto server)
# ---------------------------------------------------------------------------------------


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy AWS credentials; no user config files and no instance metadata lookups."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """A moto S3 server on a free loopback port, shared by the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_kwargs(moto_url: str, aws_env: None) -> Dict[str, Any]:
    """`boto3_kwargs` pointing S3Result at the moto server."""
    return {"endpoint_url": moto_url, "region_name": "us-east-1"}


@pytest.fixture
def s3_client(s3_kwargs: Dict[str, Any]) -> Any:
    """A plain boto3 client on the moto server, for checking what S3Result stored."""
    import boto3

    return boto3.session.Session().client("s3", **s3_kwargs)


@pytest.fixture
def s3_bucket(s3_client: Any) -> str:
    """A fresh, empty bucket on the moto server."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


# ---------------------------------------------------------------------------------------
# GCS (gcp-storage-emulator)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gcs_url() -> Iterator[str]:
    """An in-memory gcp-storage-emulator on a free loopback port, shared by the whole session."""
    from gcp_storage_emulator.server import create_server

    server = create_server("127.0.0.1", 0, in_memory=True)
    server.start()
    port = server._api._httpd.server_address[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def gcs_env(gcs_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point google-cloud-storage at the emulator, with no real credentials around."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_url)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "test-project")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    return gcs_url


@pytest.fixture
def gcs_client(gcs_env: str) -> Any:
    """A plain google-cloud-storage client on the emulator, for checking what GCSResult stored."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project="test-project", credentials=AnonymousCredentials())


@pytest.fixture
def gcs_bucket(gcs_client: Any) -> str:
    """A fresh, empty bucket on the emulator."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    gcs_client.create_bucket(name)
    return name
