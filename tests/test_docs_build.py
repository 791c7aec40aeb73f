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
    any(
        importlib.util.find_spec(m) is None
        for m in ("mkdocs", "material", "mkdocstrings_handlers.python")
    ),
    reason=(
        "mkdocs, mkdocs-material and mkdocstrings[python] are not installed (the docs extra; the test "
        "extra installs them on Python 3.11+, where their current releases agree with each other)"
    ),
)


def test_mkdocs_build_strict(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in (
        "index.html",
        "migration/index.html",
        "out-of-scope/index.html",
        "concepts/caching/index.html",
        "api/tasks/index.html",
    ):
        assert (site / page).is_file(), page
    reference = (site / "api" / "tasks" / "index.html").read_text(encoding="utf-8")
    assert "ShellTask" in reference and "EnvVarSecret" in reference
    assert "stream_output" in reference  # parameters rendered from the docstrings
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home  # works offline: no remote fonts


# each API page and the names its rendered reference must contain
API_PAGES = {
    "api/cache-policies": [
        "prefect_classic.cache_policies",
        "CacheKeyFnPolicy",
        "prefect_classic.transactions",
        "get_transaction",
        "stable_hash",
    ],
    "api/schedules": [
        "IntervalClock",
        "CronClock",
        "RRuleClock",
        "between_times",
        "next_weekday",
        "run_on_schedule",
    ],
    "api/serialization": [
        "prefect_classic.serialization.state",
        "StateSchema",
        "FlowSchema",
        "check_version",
    ],
    "api/executors": ["LocalDaskExecutor", "DaskExecutor", "cluster_kwargs", "batch_size"],
    "api/tasks": ["ShellTask", "PrefectSecret", "EnvVarSecret"],
    "api/backend-era": [
        "get_default_storage_class",
        "KubernetesRun",
        "BackendOnlyError",
        "slack_notifier",
        "create_link_artifact",
        "StartFlowRun",
    ],
}
CONCEPT_PAGES = [
    "concepts/cache-policies",
    "concepts/schedules",
    "concepts/serialization",
    "concepts/executors",
    "performance",
]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site


@pytest.mark.parametrize("page", sorted(API_PAGES))
def test_api_reference_pages_render_their_modules(built_site, page):
    html = (built_site / page / "index.html").read_text(encoding="utf-8")
    missing = [name for name in API_PAGES[page] if name not in html]
    assert not missing, f"{page} does not mention {missing}"


@pytest.mark.parametrize("page", CONCEPT_PAGES)
def test_concept_pages_are_built_and_in_the_navigation(built_site, page):
    assert (built_site / page / "index.html").is_file()
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert f'href="{page}/"' in home  # linked from the navigation of every page
