"""The documentation site builds with `mkdocs build --strict` (no warnings: every page in the
nav exists, every link resolves, every API reference target imports and its docstrings parse)."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("mkdocs", "material", "mkdocstrings_handlers.python")),
    reason="mkdocs, mkdocs-material and mkdocstrings[python] are not installed (the docs extra)",
)


def test_mkdocs_build_strict(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in ("index.html", "migration/index.html", "out-of-scope/index.html",
                 "concepts/caching/index.html", "api/tasks/index.html"):
        assert (site / page).is_file(), page
    reference = (site / "api" / "tasks" / "index.html").read_text(encoding="utf-8")
    assert "ShellTask" in reference and "EnvVarSecret" in reference
    assert "stream_output" in reference  # parameters rendered from the docstrings
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home  # works offline: no remote fonts

