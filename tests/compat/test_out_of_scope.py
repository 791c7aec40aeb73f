"""Prefect 1 paths outside prefect_classic's scope raise an ImportError that says what to do instead."""

import importlib

import pytest

from prefect_classic.compat import OutOfScopeImportError, explain_out_of_scope


@pytest.mark.parametrize(
    "path, hint",
    [
        ("prefect_classic.agent", "scheduler"),
        ("prefect_classic.utilities.agent", "flow.run()"),
        ("prefect_classic.environments", "executor"),
        ("prefect_classic.tasks.aws", "boto3"),
        ("prefect_classic.tasks.snowflake", "Python client"),
    ],
)
def test_prefect_classic_out_of_scope_paths_raise_with_guidance(path, hint):
    with pytest.raises(OutOfScopeImportError) as exc:
        importlib.import_module(path)
    message = str(exc.value)
    assert f"`{path}` is not part of prefect_classic" in message
    assert hint in message


def test_out_of_scope_error_is_an_import_error():
    with pytest.raises(ImportError):
        from prefect_classic.agent import LocalAgent  # noqa: F401


@pytest.mark.parametrize(
    "path",
    [
        "prefect.client",
        "prefect.backend",
        "prefect.artifacts",
        "prefect.storage",
        "prefect.run_configs",
        "prefect.tasks.prefect",
        "prefect.utilities.notifications",
    ],
)
def test_backend_era_paths_import_under_the_shim(shim, path):
    module = importlib.import_module(path)
    assert module is importlib.import_module("prefect_classic" + path[len("prefect") :])
    assert explain_out_of_scope(path) is None


def test_nested_out_of_scope_import_names_the_missing_package():
    with pytest.raises(OutOfScopeImportError, match=r"^`prefect_classic.tasks.aws` is not part"):
        importlib.import_module("prefect_classic.tasks.aws.s3")
    message = explain_out_of_scope("prefect.tasks.aws.s3")
    assert message.startswith(
        "`prefect.tasks.aws` (needed by `prefect.tasks.aws.s3`) is not part of prefect_classic"
    )


@pytest.mark.parametrize(
    "path",
    [
        "prefect.agent.local",
        "prefect.environments",
        "prefect.utilities.agent",
        "prefect.tasks.gcp.bigquery",
        "prefect.engine.cloud",
    ],
)
def test_prefect_out_of_scope_paths_raise_under_the_shim(shim, path):
    with pytest.raises(OutOfScopeImportError, match="is not part of prefect_classic"):
        importlib.import_module(path)


def test_prefect_cli_is_the_prefect_1_cli_and_out_of_scope_under_the_shim(shim):
    """`prefect_classic.cli` exists (our CLI) but `prefect.cli` meant Prefect 1's backend CLI."""
    with pytest.raises(OutOfScopeImportError, match="prefect-classic"):
        importlib.import_module("prefect.cli")
    assert importlib.import_module("prefect_classic.cli").cli is not None


def test_in_scope_paths_are_not_explained():
    assert explain_out_of_scope("prefect.engine.results") is None
    assert explain_out_of_scope("prefect.tasks.shell") is None
    assert explain_out_of_scope("numpy.client") is None
