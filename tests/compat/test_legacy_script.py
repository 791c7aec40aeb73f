"""Acceptance: a Prefect 1 script that only imports `prefect` runs unchanged through the shim
(`PREFECT_CLASSIC_SHIM=1 python script.py` and `prefect-classic shim run script.py`), and after
`prefect-classic migrate` runs without it, with the same task states every way."""

import json
import os
import shutil
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGACY_SCRIPT = os.path.join(TESTS, "fixtures", "legacy_script.py")
PREFECT_CLASSIC = os.path.join(os.path.dirname(sys.executable), "prefect-classic")

EXPECTED_FIRST_RUN = {
    "extract": "Success",
    "load": "Success",
    "n": "Success",
    "report": "Success",
    "square": "Cached",
    "transform": "Success",
}
EXPECTED_SECOND_RUN = {**EXPECTED_FIRST_RUN, "transform": "Cached"}


def run(cmd, tmp_path, name, **env):
    result_dir = tmp_path / f"results-{name}"
    result_dir.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT", "PYTHONPATH"))}
    return subprocess.run(
        cmd,
        env={**base, "LEGACY_RESULT_DIR": str(result_dir), **env},
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def summary(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def console_script() -> str:
    assert os.path.isfile(PREFECT_CLASSIC), (
        f"the prefect-classic console script is not installed: {PREFECT_CLASSIC}"
    )
    return PREFECT_CLASSIC


def test_legacy_script_needs_the_shim(tmp_path):
    proc = run([sys.executable, LEGACY_SCRIPT], tmp_path, "plain")
    assert proc.returncode != 0
    assert "No module named 'prefect'" in proc.stderr


def test_legacy_script_runs_unchanged_with_the_env_var_and_with_shim_run_like_the_migrated_copy(
    tmp_path, console_script
):
    via_env = summary(
        run([sys.executable, LEGACY_SCRIPT, "a1"], tmp_path, "env", PREFECT_CLASSIC_SHIM="1")
    )
    via_cli = summary(run([console_script, "shim", "run", LEGACY_SCRIPT, "a1"], tmp_path, "cli"))

    copy = tmp_path / "migrated_script.py"
    shutil.copy(LEGACY_SCRIPT, copy)
    proc = subprocess.run(
        [console_script, "migrate", "--write", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "import prefect\n" not in copy.read_text()
    direct = summary(run([sys.executable, str(copy), "a1"], tmp_path, "direct"))

    for result in (via_env, via_cli, direct):
        assert result["module"] == "prefect_classic"
        assert result["argv"] == ["a1"]
        assert result["first"] == {"flow": "Success", "square": 3600, "tasks": EXPECTED_FIRST_RUN}
        assert result["second"] == {"flow": "Success", "square": 3600, "tasks": EXPECTED_SECOND_RUN}
        assert result["success_is_prefect_success"] and result["target_written"]
    assert via_env == via_cli == direct


def test_migrate_check_fails_before_and_passes_after_a_write_and_a_second_write_is_a_no_op(
    tmp_path, console_script
):
    copy = tmp_path / "legacy.py"
    shutil.copy(LEGACY_SCRIPT, copy)

    def migrate(*args):
        return subprocess.run(
            [console_script, "migrate", *args, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    check = migrate("--check")
    assert check.returncode == 1 and f"would migrate {copy}" in check.stdout
    assert copy.read_text() == open(LEGACY_SCRIPT).read()
    assert migrate("--write").returncode == 0
    once = copy.read_text()
    second = migrate("--write")
    assert second.returncode == 0 and "0 of 1 file(s) changed" in second.stderr
    assert copy.read_text() == once
    assert migrate("--check").returncode == 0
