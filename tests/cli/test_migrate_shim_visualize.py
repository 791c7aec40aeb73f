"""`prefect-classic migrate`, `shim run` / `shim info` and `visualize`."""

import shutil
import sys

import pytest

from prefect_classic.cli import cli

LEGACY = "import prefect\nfrom prefect.agent.local import LocalAgent\n\nflow = None  # keep\n"


@pytest.fixture
def legacy_tree(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "flows.py").write_text(LEGACY)
    (tmp_path / "pkg" / "clean.py").write_text("import os\n")
    return tmp_path


def test_migrate_prints_a_diff_and_warnings_and_changes_nothing(runner, legacy_tree):
    target = legacy_tree / "pkg" / "flows.py"
    result = runner.invoke(cli, ["migrate", str(legacy_tree)])
    assert result.exit_code == 0, result.output
    assert f"--- {target}\n+++ {target}\n" in result.output
    diff_lines = result.output.splitlines()
    assert "-import prefect" in diff_lines and "+import prefect_classic as prefect" in diff_lines
    assert "+from prefect_classic.agent.local import LocalAgent" in diff_lines
    assert (
        f"warning: {target}:2:6: `prefect.agent` (needed by `prefect.agent.local`) is not part of prefect_classic"
        in result.output
    )
    assert "1 of 2 file(s) would change; 1 warning(s)." in result.output
    assert target.read_text() == LEGACY


def test_migrate_write_rewrites_and_a_second_run_changes_nothing(runner, legacy_tree):
    target = legacy_tree / "pkg" / "flows.py"
    first = runner.invoke(cli, ["migrate", "--write", str(legacy_tree)])
    assert first.exit_code == 0 and f"migrated {target}" in first.output
    assert target.read_text() == LEGACY.replace(
        "import prefect\n", "import prefect_classic as prefect\n"
    ).replace("from prefect.agent", "from prefect_classic.agent")
    second = runner.invoke(cli, ["migrate", "--write", str(legacy_tree)])
    assert second.exit_code == 0 and "0 of 2 file(s) changed" in second.output


def test_migrate_check_exits_1_only_when_something_would_change(runner, legacy_tree):
    target = legacy_tree / "pkg" / "flows.py"
    result = runner.invoke(cli, ["migrate", "--check", str(legacy_tree)])
    assert result.exit_code == 1 and f"would migrate {target}" in result.output
    assert target.read_text() == LEGACY
    clean = runner.invoke(cli, ["migrate", "--check", str(legacy_tree / "pkg" / "clean.py")])
    assert clean.exit_code == 0


def test_migrate_write_and_check_are_exclusive(runner, legacy_tree):
    result = runner.invoke(cli, ["migrate", "--write", "--check", str(legacy_tree)])
    assert result.exit_code == 2 and "cannot be combined" in result.output


def test_migrate_reports_unparsable_files_and_exits_1(runner, tmp_path):
    (tmp_path / "bad.py").write_text("import prefect\ndef f(:\n")
    result = runner.invoke(cli, ["migrate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'bad.py'}: cannot parse" in result.output


def test_shim_run_passes_arguments_and_runs_as_main(runner, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import sys, prefect\nif __name__ == '__main__':\n    print(prefect.__name__, sys.argv[1:])\n"
    )
    result = runner.invoke(cli, ["shim", "run", str(script), "one", "--two", "-x"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "prefect_classic ['one', '--two', '-x']"


def test_shim_run_propagates_the_script_exit_code(runner, tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import sys\nsys.exit(3)\n")
    assert runner.invoke(cli, ["shim", "run", str(script)]).exit_code == 3


def test_shim_run_missing_script_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["shim", "run", str(tmp_path / "missing.py")])
    assert result.exit_code == 1 and "No such script" in result.output


def test_shim_run_refuses_over_a_real_prefect_unless_forced(runner, tmp_path, monkeypatch):
    dist_info = tmp_path / "site" / "prefect-1.4.1.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: prefect\nVersion: 1.4.1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    script = tmp_path / "script.py"
    script.write_text("import prefect\nprint(prefect.__name__)\n")
    refused = runner.invoke(cli, ["shim", "run", str(script)])
    assert refused.exit_code == 1 and "Refusing to install" in refused.output
    forced = runner.invoke(cli, ["shim", "run", "--force", str(script)])
    assert forced.exit_code == 0 and forced.output.strip() == "prefect_classic"


def test_shim_info_shows_the_ways_to_turn_it_on(runner):
    result = runner.invoke(cli, ["shim", "info"])
    assert result.exit_code == 0
    assert "PREFECT_CLASSIC_SHIM=1 python script.py" in result.output
    assert "prefect_classic_shim.pth" in result.output
    assert "prefect-classic shim run script.py" in result.output


FLOW = """
from prefect_classic import Flow, task

@task
def a():
    return 1

@task
def b(x):
    return x

with Flow("drawn") as flow:
    b(a())
"""


def test_visualize_without_the_dot_program_explains_how_to_get_it(runner, tmp_path, monkeypatch):
    path = tmp_path / "flow.py"
    path.write_text(FLOW)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = runner.invoke(cli, ["visualize", str(path), "-o", str(tmp_path / "flow.png")])
    assert result.exit_code == 1
    assert "Graphviz `dot` program" in result.output
    assert not (tmp_path / "flow.png").exists()


def test_visualize_without_the_graphviz_package_names_the_extra(runner, tmp_path, monkeypatch):
    path = tmp_path / "flow.py"
    path.write_text(FLOW)
    monkeypatch.setitem(sys.modules, "graphviz", None)  # simulate the package missing
    result = runner.invoke(cli, ["visualize", str(path), "-o", str(tmp_path / "flow.png")])
    assert result.exit_code == 1
    assert "pip install 'prefect-classic[viz]'" in result.output


def test_visualize_renders_the_flow_to_the_named_file(runner, tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("rendering needs the Graphviz `dot` program (the error path is tested above)")
    path = tmp_path / "flow.py"
    path.write_text(FLOW)
    result = runner.invoke(cli, ["visualize", str(path), "-o", str(tmp_path / "flow.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "flow.png").read_bytes().startswith(b"\x89PNG")


def test_visualize_writes_dot_source_without_the_dot_program(runner, tmp_path, monkeypatch):
    path = tmp_path / "flow.py"
    path.write_text(FLOW)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = runner.invoke(cli, ["visualize", str(path), "-o", str(tmp_path / "flow.dot")])
    assert result.exit_code == 0, result.output
    source = (tmp_path / "flow.dot").read_text()
    assert source.startswith("digraph {") and "label=a" in source and "label=x" in source
