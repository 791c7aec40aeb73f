"""Acceptance: a backend-era Prefect 1 flow file (storage, run config, `Secret`, a bare
`flow.register(...)` at module level) runs its flow unchanged through the shim, both as
`PREFECT_CLASSIC_SHIM=1 python file.py` and as `prefect-classic run file.py`; the register call
logs exactly one warning saying nothing was registered and how to run the flow."""

import json
import os
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(TESTS, "fixtures", "backend_era_script.py")
PREFECT_CLASSIC = os.path.join(os.path.dirname(sys.executable), "prefect-classic")
TOKEN = "tok-123456"

EXPECTED = {
    "module": "prefect_classic",
    "total": 100,  # 10 + 20 + 30 + 40
    "token_length": len(TOKEN),
    "storage": "GitHub",
    "run_config": "LocalRun",
    "run_config_labels": ["laptop", "team-a"],
    "failures": [],
}


def run(cmd, tmp_path, **env):
    out = tmp_path / "summary.json"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT", "PYTHONPATH"))}
    proc = subprocess.run(
        cmd,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **base,
            "BACKEND_ERA_OUT": str(out),
            "HOME": str(tmp_path),
            "PREFECT__CONTEXT__SECRETS__API_TOKEN": TOKEN,
            **env,
        },
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


def register_warnings(proc):
    return [line for line in proc.stderr.splitlines() if "was not registered" in line]


def test_python_file_py_with_the_shim_runs_the_flow_and_warns_once_about_register(tmp_path):
    proc, summary = run([sys.executable, SCRIPT], tmp_path, PREFECT_CLASSIC_SHIM="1")
    assert summary == EXPECTED
    (warning,) = register_warnings(proc)
    assert "'backend-era-etl'" in warning
    assert (
        "flow.run()" in warning
        and "prefect-classic run" in warning
        and "backend_era_script.py" in warning
    )


def test_prefect_classic_run_file_py_runs_the_flow_and_warns_once_about_register(tmp_path):
    assert os.path.isfile(PREFECT_CLASSIC), (
        f"the console script is not installed: {PREFECT_CLASSIC}"
    )
    proc, summary = run([PREFECT_CLASSIC, "run", SCRIPT, "--param", "n=4"], tmp_path)
    assert summary == EXPECTED
    assert len(register_warnings(proc)) == 1
    assert "Success" in proc.stdout


@pytest.mark.parametrize("n, total", [(2, 30)])
def test_parameters_reach_the_flow_through_the_cli(tmp_path, n, total):
    _, summary = run([PREFECT_CLASSIC, "run", SCRIPT, "--param", f"n={n}"], tmp_path)
    assert summary["total"] == total


def test_the_file_fails_to_load_without_its_secret_as_prefect_1_did(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT", "PYTHONPATH"))}
    proc = subprocess.run(
        [sys.executable, SCRIPT],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **base,
            "BACKEND_ERA_OUT": str(tmp_path / "x.json"),
            "HOME": str(tmp_path),
            "PREFECT_CLASSIC_SHIM": "1",
        },
    )
    assert proc.returncode != 0
    assert 'Local Secret "API_TOKEN" was not found' in proc.stderr
    assert "PREFECT__CONTEXT__SECRETS__API_TOKEN" in proc.stderr
