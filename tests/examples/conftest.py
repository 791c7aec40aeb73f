"""Fixtures for running the examples as subprocesses: a clean environment, a results folder,
and the environment pointing them at the local S3 (moto) and GCS (gcp-storage-emulator) servers
of the top-level tests/conftest.py."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def example_env(tmp_path: Path) -> Dict[str, str]:
    """The environment the examples run in: no user config, no shim, results under tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT", "AWS_", "STORAGE_EMULATOR", "EXAMPLE_"))
    }
    env["PREFECT__USER_CONFIG_PATH"] = str(tmp_path / "no-config.toml")
    env["PREFECT__HOME_DIR"] = str(tmp_path / "home")
    env["PREFECT_CLASSIC_EXAMPLE_RESULTS"] = str(tmp_path / "results")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def run_example(example_env: Dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    """Run `examples/<name>` with this interpreter, or `prefect-classic <args> examples/<name>`
    when `cli` is given; return the finished process."""

    def run(
        name: str,
        cli: Optional[Sequence[str]] = None,
        env: Optional[Dict[str, str]] = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess:
        path = str(EXAMPLES / name)
        command = (
            [sys.executable, path]
            if cli is None
            else [sys.executable, "-m", "prefect_classic.cli", *cli, path]
        )
        return subprocess.run(
            command,
            cwd=str(ROOT),
            env={**example_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def emulator_env(moto_url: str, gcs_url: str, tmp_path: Path) -> Dict[str, str]:
    """Environment variables pointing the cloud example at the emulators, with dummy AWS keys."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "STORAGE_EMULATOR_HOST": gcs_url,
        "GOOGLE_CLOUD_PROJECT": "test-project",
        "EXAMPLE_S3_BUCKET": f"examples-{uuid.uuid4().hex[:12]}",
        "EXAMPLE_GCS_BUCKET": f"examples-{uuid.uuid4().hex[:12]}",
    }
