"""The package as a user installs it: the wheel built from this checkout, installed with its
declared dependencies into a fresh virtual environment (nothing from the test environment), runs
the demo, the command line, and gives the prepared hints for what only an extra installs."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(command, **kwargs) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT", "PYTHON", "VIRTUAL_ENV"))
    }
    return subprocess.run(
        [str(c) for c in command],
        capture_output=True,
        text=True,
        env=env,
        timeout=kwargs.pop("timeout", 600),
        **kwargs,
    )


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory):
    """A new virtual environment with the freshly built wheel installed from the package index."""
    work = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", ROOT]
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("prefect_classic-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    python = work / "venv" / "bin" / "python"
    installed = _run([python, "-m", "pip", "install", "-q", wheel])
    assert installed.returncode == 0, installed.stderr
    return work, python


@pytest.mark.slow
def test_the_wheel_runs_the_demo_in_a_fresh_environment(fresh_install):
    work, python = fresh_install
    demo = work / "demo.py"
    demo.write_text((ROOT / "examples" / "demo.py").read_text())
    where = _run(
        [python, "-c", "import prefect_classic; print(prefect_classic.__file__)"], cwd=work
    )
    assert str(work / "venv") in where.stdout, (
        where.stdout + where.stderr
    )  # the installed copy, not the checkout
    proc = _run([python, demo], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "demo OK - total = 55" in proc.stdout
    cli = _run(
        [
            work / "venv" / "bin" / "prefect-classic",
            "run",
            demo,
            "-q",
            "--report",
            work / "run.html",
        ],
        cwd=work,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert (
        "Flow run of 'demo-etl' succeeded" in cli.stdout
        and (work / "run.html").stat().st_size > 5000
    )


@pytest.mark.slow
def test_the_core_install_holds_only_the_core_and_names_the_extras(fresh_install):
    work, python = fresh_install
    missing = _run(
        [
            python,
            "-c",
            "import importlib.util as u; "
            "print([m for m in ('dask', 'libcst', 'pytest', 'boto3', 'graphviz') if u.find_spec(m)])",
        ]
    )
    assert missing.stdout.strip() == "[]", missing.stdout + missing.stderr
    cli = work / "venv" / "bin" / "prefect-classic"
    demo = work / "demo.py"
    demo.write_text((ROOT / "examples" / "demo.py").read_text())
    dask = _run([cli, "run", demo, "--executor", "local-dask"], cwd=work)
    assert dask.returncode == 1 and "pip install 'prefect-classic[dask]'" in dask.stderr, (
        dask.stderr
    )
    migrate = _run([cli, "migrate", demo], cwd=work)
    assert migrate.returncode == 1 and "pip install 'prefect-classic[migrate]'" in migrate.stderr, (
        migrate.stderr
    )
