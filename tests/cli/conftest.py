"""Fixtures for the `prefect-classic` CLI tests."""
import textwrap
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner

from prefect_classic import compat


@pytest.fixture(autouse=True)
def no_shim_leaks() -> Iterator[None]:
    """`prefect-classic run` installs the shim for legacy files; remove it after each test."""
    yield
    compat.uninstall()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def flow_file(tmp_path) -> Callable[[str], str]:
    """Write a flow module into tmp_path and return its path."""

    def write(source: str, name: str = "flow_file.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write
