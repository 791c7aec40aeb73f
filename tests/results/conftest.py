"""Fixtures for result tests. S3 (moto) and GCS (emulator) endpoints come from tests/conftest.py;
Azure Blob Storage is Azurite, started here on 127.0.0.1.

Azurite is an npm package. The fixture uses an `azurite-blob` found on PATH, else one installed
into a cache folder (`$PREFECT_CLASSIC_TEST_CACHE`, default `~/.cache/prefect-classic-tests`),
installing it there with npm on first use. Without node/npm (or network for the first install)
the Azurite-backed tests are skipped, saying why; the Azure error-path tests run regardless.
"""

import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Iterator, Optional

import pytest

#: the last Azurite release that runs on node 20 (later ones need node 22)
AZURITE_VERSION = "3.35.0"
#: Azurite's well-known development account (public; documented by Microsoft)
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

_LISTENING = "successfully listens on "


def _cache_dir() -> Path:
    default = Path.home() / ".cache" / "prefect-classic-tests"
    return (
        Path(os.environ.get("PREFECT_CLASSIC_TEST_CACHE", default)) / f"azurite-{AZURITE_VERSION}"
    )


def _find_or_install_azurite() -> "tuple[Optional[str], str]":
    """The path of an `azurite-blob` executable, or None and the reason there is none."""
    on_path = shutil.which("azurite-blob")
    if on_path:
        return on_path, ""
    folder = _cache_dir()
    binary = folder / "node_modules" / ".bin" / "azurite-blob"
    if binary.exists():
        return str(binary), ""
    if not (shutil.which("node") and shutil.which("npm")):
        return None, "node and npm are needed to install Azurite"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(folder),
                f"azurite@{AZURITE_VERSION}",
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"installing azurite@{AZURITE_VERSION} with npm failed: {exc}"
    if not binary.exists():
        return None, f"npm installed azurite@{AZURITE_VERSION} but {binary} is missing"
    return str(binary), ""


@pytest.fixture(scope="session")
def azurite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An in-memory Azurite blob service on a free loopback port, shared by the whole session:
    its account URL (`http://127.0.0.1:PORT/devstoreaccount1`)."""
    binary, why = _find_or_install_azurite()
    if binary is None:
        pytest.skip(f"Azurite is not available: {why}")
    workspace = tmp_path_factory.mktemp("azurite")
    proc = subprocess.Popen(
        [
            binary,
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            "0",
            "--inMemoryPersistence",
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--loose",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=str(workspace),
    )
    found: dict = {}
    ready = threading.Event()

    def read_output() -> None:
        # reads every line Azurite prints (its request log too), so its pipe never fills up
        assert proc.stdout is not None
        for line in proc.stdout:
            if ready.is_set():
                continue
            found.setdefault("output", []).append(line)
            if _LISTENING in line:
                found["url"] = line.split(_LISTENING, 1)[1].strip()
                ready.set()
        ready.set()  # the process ended

    threading.Thread(target=read_output, daemon=True).start()
    try:
        if not ready.wait(timeout=120) or "url" not in found:
            raise RuntimeError("Azurite did not start:\n" + "".join(found.get("output", [])))
        yield f"{found['url'].rstrip('/')}/{DEV_ACCOUNT}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def azure_connection_string(azurite_url: str) -> str:
    """A connection string (with the account key) for the Azurite account."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
        f"BlobEndpoint={azurite_url};"
    )


@pytest.fixture
def azure_service(azure_connection_string: str):
    """A plain BlobServiceClient on Azurite, for checking what AzureResult stored."""
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(azure_connection_string)


@pytest.fixture
def azure_container(azure_service) -> str:
    """A fresh, empty container on Azurite."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    azure_service.create_container(name)
    return name


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bucket Results retry failed transfers after 10 ms instead of 0.25 s (then 20 ms, ...)."""
    from prefect_classic.engine.results._bucket import BucketResult

    monkeypatch.setattr(BucketResult, "retry_backoff", 0.01)


@pytest.fixture
def fault_proxy_to():
    """`fault_proxy_to(upstream_url) -> FaultProxy`: a fault-injecting proxy in front of a local
    storage server, closed after the test."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fault_proxy", Path(__file__).with_name("fault_proxy.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    proxies = []

    def start(upstream: str):
        proxy = module.FaultProxy(upstream)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.close()
