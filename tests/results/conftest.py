"""Real local endpoints for the result backends: a moto S3 server and a GCS emulator, both bound
to 127.0.0.1 and started once per test session."""
import uuid
from typing import Any, Dict, Iterator

import pytest


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
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
    name = f"test-{uuid.uuid4().hex[:12]}"
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
    name = f"test-{uuid.uuid4().hex[:12]}"
    gcs_client.create_bucket(name)
    return name
