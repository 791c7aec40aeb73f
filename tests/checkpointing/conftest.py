"""Fixtures for checkpointing tests. Child processes (`run_python`) and the local storage
endpoints (`s3_bucket`, `gcs_bucket`, ...) come from the top-level tests/conftest.py."""

from pathlib import Path

import pytest


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
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bucket Results retry failed transfers after 10 ms instead of 0.25 s (then 20 ms, ...)."""
    from prefect_classic.engine.results._bucket import BucketResult

    monkeypatch.setattr(BucketResult, "retry_backoff", 0.01)
