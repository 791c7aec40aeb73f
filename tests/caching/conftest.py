"""Fixtures for the caching tests: an isolated home folder (the default cache storage lives in
`<home_dir>/storage`). Child processes (`run_python`, `child_env`) and the moto S3 server
(`s3_kwargs`, `s3_bucket`) come from the top-level tests/conftest.py."""

from pathlib import Path
from typing import Iterator

import pytest

from prefect_classic.utilities.configuration import set_temporary_config


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh home folder for this process (config `home_dir`) and for child processes (HOME),
    with the refresh and checkpointing settings at their defaults."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    for name in (
        "PREFECT__TASKS__REFRESH_CACHE",
        "PREFECT__FLOWS__CHECKPOINTING",
        "PREFECT__HOME_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    with set_temporary_config(
        {
            "home_dir": str(folder / ".prefect"),
            "tasks.refresh_cache": False,
            "flows.checkpointing": False,
        }
    ):
        yield folder


@pytest.fixture
def storage_dir(home: Path) -> Path:
    """The default cache storage folder."""
    return home / ".prefect" / "storage"
