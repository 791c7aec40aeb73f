"""Fixtures for checkpointing tests: child Python processes that import this checkout, and real
local storage endpoints (a moto S3 server and a GCS emulator on 127.0.0.1, one per session)."""
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

import pytest

import prefect_classic

CHECKOUT = os.path.dirname(os.path.abspath(list(prefect_classic.__path__)[0]))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home folder, so that the seed examples' `LocalResult(dir="~/.prefect")` writes
    under the test's tmp_path (in this process and in child processes)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("PREFECT__FLOWS__CHECKPOINTING", raising=False)
    return folder


@pytest.fixture
def run_python(tmp_path: Path) -> Callable[..., "subprocess.CompletedProcess[str]"]:
    """Run a script in a new Python process that imports prefect_classic from this checkout.

    Returns a function `(source, env=None) -> CompletedProcess`; a non-zero exit fails the test
    with the child's output.
    """

    def run(source: str, env: Optional[Dict[str, str]] = None) -> "subprocess.CompletedProcess[str]":
        script = tmp_path / f"script_{uuid.uuid4().hex[:8]}.py"
        script.write_text(source)
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env["PYTHONPATH"] = os.pathsep.join([CHECKOUT, os.environ.get("PYTHONPATH", "")])
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, env=full_env, timeout=120
        )
        assert proc.returncode == 0, f"child failed:\n{proc.stdout}\n{proc.stderr}"
        return proc

    return run


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
def s3_client(s3_kwargs: Dict[str, Any]) -> Any:
    """A plain boto3 client on the moto server, for checking what S3Result stored."""
    import boto3

    return boto3.session.Session().client("s3", **s3_kwargs)


@pytest.fixture
def s3_bucket(s3_client: Any) -> str:
    """A fresh, empty bucket on the moto server."""
    name = f"ckpt-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def gcs_url() -> Iterator[str]:
    """An in-memory gcp-storage-emulator on a free loopback port."""
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
    name = f"ckpt-{uuid.uuid4().hex[:12]}"
    gcs_client.create_bucket(name)
    return name
