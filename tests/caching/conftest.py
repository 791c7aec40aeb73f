"""Fixtures for the caching tests: an isolated home folder (the default cache storage lives in
`<home_dir>/storage`), child Python processes importing this checkout, and a moto S3 server."""
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest

import prefect_classic
from prefect_classic.utilities.configuration import set_temporary_config

CHECKOUT = os.path.dirname(os.path.abspath(list(prefect_classic.__path__)[0]))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh home folder for this process (config `home_dir`) and for child processes (HOME),
    with the refresh and checkpointing settings at their defaults."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    for name in ("PREFECT__TASKS__REFRESH_CACHE", "PREFECT__FLOWS__CHECKPOINTING", "PREFECT__HOME_DIR"):
        monkeypatch.delenv(name, raising=False)
    with set_temporary_config({"home_dir": str(folder / ".prefect"), "tasks.refresh_cache": False,
                               "flows.checkpointing": False}):
        yield folder


@pytest.fixture
def storage_dir(home: Path) -> Path:
    """The default cache storage folder."""
    return home / ".prefect" / "storage"


@pytest.fixture
def run_python(tmp_path: Path) -> Callable[..., "subprocess.CompletedProcess[str]"]:
    """Run a script in a new Python process that imports prefect_classic from this checkout.

    Returns `run(source, *args, env=None) -> CompletedProcess`; a non-zero exit fails the test.
    """

    def run(source: str, *args: str, env: Dict[str, str] = None) -> "subprocess.CompletedProcess[str]":
        script = tmp_path / f"script_{uuid.uuid4().hex[:8]}.py"
        script.write_text(source)
        proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                              env=child_env(env), timeout=120)
        assert proc.returncode == 0, f"child failed:\n{proc.stdout}\n{proc.stderr}"
        return proc

    return run


def child_env(extra: Dict[str, str] = None) -> Dict[str, str]:
    """The environment of a child process: ours, plus this checkout on PYTHONPATH."""
    env = dict(os.environ)
    env.update(extra or {})
    env["PYTHONPATH"] = os.pathsep.join([CHECKOUT, os.environ.get("PYTHONPATH", "")])
    return env


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
    """A moto S3 server on a free loopback port."""
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
def s3_bucket(s3_kwargs: Dict[str, Any]) -> str:
    """A fresh, empty bucket on the moto server."""
    import boto3

    name = f"cache-{uuid.uuid4().hex[:12]}"
    boto3.session.Session().client("s3", **s3_kwargs).create_bucket(Bucket=name)
    return name
