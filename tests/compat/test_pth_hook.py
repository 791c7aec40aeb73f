"""The `.pth` hook: `PREFECT_CLASSIC_SHIM=1` turns the shim on in any interpreter of the environment."""

import os
import site
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PTH = "prefect_classic_shim.pth"
PYTHON = sys.executable


def subprocess_env(**extra: str) -> dict:
    """The current environment without shim or Prefect settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT", "PYTHONPATH"))}
    return {**env, **extra}


def installed_pth() -> str:
    for directory in site.getsitepackages():
        candidate = os.path.join(directory, PTH)
        if os.path.isfile(candidate):
            return candidate
    raise AssertionError(
        f"{PTH} is not installed in {site.getsitepackages()}; reinstall with `pip install -e .`"
    )


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-c", code],
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        cwd=os.path.dirname(REPO),
        timeout=60,
    )


def test_the_pth_hook_is_installed_with_the_package():
    with open(installed_pth()) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    assert (
        len(lines) == 1 and lines[0].startswith("import os;") and "PREFECT_CLASSIC_SHIM" in lines[0]
    )


def test_without_the_variable_nothing_is_imported_or_installed():
    proc = python(
        "import sys; print('prefect_classic' in sys.modules, '_prefect_classic_shim' in sys.modules)\n"
        "import prefect"
    )
    assert proc.stdout.split() == ["False", "False"]
    assert "No module named 'prefect'" in proc.stderr


def test_with_the_variable_prefect_is_prefect_classic_imported_on_first_use():
    """The hook only arms a finder: prefect_classic (and its config) load at `import prefect`, so
    environment settings a legacy script makes before that import still apply."""
    proc = python(
        "import os, sys\n"
        "assert 'prefect_classic' not in sys.modules\n"
        "os.environ['PREFECT__FLOWS__CHECKPOINTING'] = 'true'\n"
        "import prefect, prefect.engine.state\n"
        "import prefect_classic\n"
        "print(prefect is prefect_classic, prefect.engine.state.Success is prefect_classic.engine.state.Success,"
        " prefect.config.flows.checkpointing)",
        PREFECT_CLASSIC_SHIM="1",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "True"]


def test_with_a_real_prefect_installed_the_hook_explains_and_stands_aside(tmp_path):
    dist_info = tmp_path / "prefect-1.4.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: prefect\nVersion: 1.4.1\n")
    proc = python("import prefect", PREFECT_CLASSIC_SHIM="1", PYTHONPATH=str(tmp_path))
    assert "Refusing to install the `prefect` import shim" in proc.stderr
    assert "No module named 'prefect'" in proc.stderr
    forced = python(
        "import prefect; print(prefect.__name__)",
        PREFECT_CLASSIC_SHIM="force",
        PYTHONPATH=str(tmp_path),
    )
    assert forced.stdout.strip() == "prefect_classic", forced.stderr


def test_the_wheel_carries_the_hook_and_its_module_at_the_top_level(tmp_path):
    """A regular (non-editable) install ships the wheel `pip wheel .` builds: both files must be in it."""
    import zipfile

    proc = subprocess.run(
        [PYTHON, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), REPO],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("prefect_classic-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert zf.read(PTH).decode() == open(os.path.join(REPO, PTH)).read()
    assert "_prefect_classic_shim.py" in names
    assert "prefect_classic/compat/shim.py" in names
