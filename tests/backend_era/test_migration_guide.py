"""The migration guide's "what changes" table names every backend-era API and what it does here."""

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "migration.md"


@pytest.fixture(scope="module")
def table_rows():
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Backend-era code: what changes", 1)[1].split("\n## ", 1)[0]
    return [
        line
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
    ]


@pytest.mark.parametrize(
    "api, says",
    [
        ("flow.register(", "one warning"),
        ("Flow(storage=..., run_config=...)", "serialize"),
        ("prefect.storage.Local", "get_flow"),
        ("prefect.storage.Module", "imports"),
        ("prefect.storage.S3", "BackendOnlyError"),
        ("prefect.storage.GitHub", "BackendOnlyError"),
        ("prefect.storage.Docker", "docker"),
        ("prefect.run_configs", "executor"),
        ("Secret(name).get()", "PREFECT__CONTEXT__SECRETS__NAME"),
        ("prefect.Client()", "BackendOnlyError"),
        ("prefect.tasks.prefect", "child_flow.run"),
        ("prefect.backend", "BackendOnlyError"),
        ("Artifacts", "Do nothing"),
        ("prefect.utilities.notifications", "SLACK_WEBHOOK_URL"),
        ("prefect.agent", "OutOfScopeImportError"),
    ],
)
def test_each_backend_era_api_has_a_row_saying_what_it_does(table_rows, api, says):
    rows = [row for row in table_rows if api in row.split(" | ")[0]]
    assert rows, f"no row for {api}"
    assert any(re.search(re.escape(says), row.split(" | ", 1)[1]) for row in rows), rows
