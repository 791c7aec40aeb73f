"""Fixtures for the `prefect` import shim tests: every test leaves the interpreter without it."""

from typing import Iterator

import pytest

from prefect_classic import compat


@pytest.fixture(autouse=True)
def no_shim_leaks() -> Iterator[None]:
    """Remove the shim (finder and `prefect*` aliases) after each test, whatever it did."""
    compat.uninstall()
    yield
    compat.uninstall()


@pytest.fixture
def shim() -> Iterator[None]:
    """The shim, installed for the test."""
    compat.install()
    yield
    compat.uninstall()


@pytest.fixture
def fake_prefect_dist(tmp_path, monkeypatch) -> str:
    """A directory on sys.path holding the dist-info of a 'real' Prefect 1.4.1 install."""
    site_dir = tmp_path / "site"
    dist_info = site_dir / "prefect-1.4.1.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: prefect\nVersion: 1.4.1\n")
    monkeypatch.syspath_prepend(str(site_dir))
    return str(site_dir)
