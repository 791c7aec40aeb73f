"""Every example runs as a script (`python examples/X.py`) and through `prefect-classic run`,
exits 0, and shows the behaviour it is about."""

import importlib.util
import os
import subprocess
import sys

import pytest


def ok(proc: subprocess.CompletedProcess) -> str:
    """Assert a zero exit (showing the output otherwise) and return stdout."""
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\nSTDOUT:\n{proc.stdout}\nSTDERR:\n{proc.stderr[-4000:]}"
    )
    return proc.stdout


def test_etl_targets_second_run_is_all_cached(run_example, example_env):
    out = ok(run_example("etl_targets.py"))
    assert "second run all Cached: True" in out
    assert "run() calls: {'extract': 1, 'transform': 1, 'load': 1}" in out
    assert os.listdir(os.path.join(example_env["PREFECT_CLASSIC_EXAMPLE_RESULTS"], "etl-targets"))


def test_etl_targets_targets_survive_across_processes(run_example):
    """A second `prefect-classic run` in a new process finds the first one's targets."""
    first = ok(run_example("etl_targets.py", cli=["run"]))
    second = ok(run_example("etl_targets.py", cli=["run"]))
    assert "Cached" not in first
    for name in ("extract", "transform", "load"):
        assert any(line.split()[:2] == [name, "Cached"] for line in second.splitlines()), second


def test_caching_validators_each_validator_hits_as_documented(run_example):
    out = ok(run_example("caching_validators.py"))
    assert "cache hits as expected: True" in out
    changed = out.split("run 'y changed'")[1]
    assert "all_inputs               computed" in changed
    assert "partial_inputs_only      cache hit" in changed


def test_retries_reuse_cached_inputs(run_example):
    out = ok(run_example("retries_input_caching.py"))
    assert "fetch    Success  attempts=1" in out
    assert "publish  Success  attempts=3" in out
    assert "audit    Failed   attempts=2" in out


def test_mapping_with_reduce(run_example):
    out = ok(run_example("mapping_reduce.py"))
    assert "9 mapped children of 'score'" in out
    assert "total: 25 | longest word: quick" in out


def test_cloud_checkpoints_against_the_emulators(run_example, emulator_env):
    out = ok(run_example("cloud_checkpoints.py", env=emulator_env))
    assert "raw      Cached" in out and "summary  Cached" in out
    assert "run() calls: {'raw': 1, 'summary': 1}" in out


def test_cloud_checkpoints_writes_to_the_configured_buckets(run_example, emulator_env):
    """Through the CLI, with the emulators from the environment: the objects land there."""
    import boto3
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    ok(run_example("cloud_checkpoints.py", cli=["run", "--param", "run_key=cli"], env=emulator_env))
    s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=emulator_env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=emulator_env["EXAMPLE_S3_BUCKET"])["Contents"]
    ]
    assert keys == ["cloud-checkpoints/cli/raw.pickle"]
    gcs = storage.Client(
        project="test-project",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": emulator_env["STORAGE_EMULATOR_HOST"]},
    )
    blobs = [b.name for b in gcs.list_blobs(emulator_env["EXAMPLE_GCS_BUCKET"])]
    assert blobs == ["cloud-checkpoints/cli/summary.pickle"]


def test_cloud_checkpoints_starts_its_own_emulators_when_unconfigured(run_example):
    out = ok(run_example("cloud_checkpoints.py"))
    assert "summary: {'count': 10, 'total': 285}" in out


def test_legacy_script_runs_through_the_shim_env_var(run_example):
    out = ok(run_example("legacy_prefect_script.py", env={"PREFECT_CLASSIC_SHIM": "1"}))
    assert "prefect is prefect_classic: prefect_classic prefect_classic.core.task" in out
    assert "Parse      Cached" in out  # cache_for: a Success with cache_for is stored as Cached
    assert "Download attempts: 2" in out


def test_legacy_script_runs_through_shim_run(run_example):
    out = ok(run_example("legacy_prefect_script.py", cli=["shim", "run"]))
    assert "prefect is prefect_classic: prefect_classic prefect_classic.core.task" in out
    assert "report: legacy-script: 38 | Download attempts: 2" in out


def test_legacy_script_without_the_shim_cannot_import_prefect(run_example):
    """Without the shim, `import prefect` fails (no real prefect is installed) - so the run
    above really went through the shim."""
    if importlib.util.find_spec("prefect") is not None:
        pytest.skip("a real `prefect` distribution is installed in this environment")
    proc = run_example("legacy_prefect_script.py")
    assert proc.returncode != 0
    assert "No module named 'prefect'" in proc.stderr


def test_cache_policies_second_process_is_cached(run_example):
    """Policy-cached records live under the home folder, so a new process reuses them."""
    first = ok(run_example("cache_policies.py"))
    second = ok(run_example("cache_policies.py"))
    assert "fetch: Success, Success, Success" in first and "transaction committed" in first
    assert "fetch: Cached, Cached, Cached" in second and "publish: Cached" in second


@pytest.mark.parametrize(
    "name",
    [
        "etl_targets.py",
        "caching_validators.py",
        "retries_input_caching.py",
        "mapping_reduce.py",
        "legacy_prefect_script.py",
        "cache_policies.py",
    ],
)
def test_prefect_classic_run_exits_zero(run_example, name):
    out = ok(run_example(name, cli=["run"]))
    assert "succeeded" in out


def test_examples_only_run_under_main(example_env):
    """Importing an example defines `flow` without running it (what `prefect-classic run` needs)."""
    code = (
        "import runpy, sys; sys.path.insert(0, 'examples');"
        "ns = runpy.run_path(sys.argv[1], run_name='not_main');"
        "print(type(ns['flow']).__name__, ns['flow'].name)"
    )
    for name in (
        "etl_targets.py",
        "caching_validators.py",
        "retries_input_caching.py",
        "mapping_reduce.py",
    ):
        proc = subprocess.run(
            [sys.executable, "-c", code, os.path.join("examples", name)],
            env=example_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("Flow ")
        assert "Starting task run" not in proc.stderr
