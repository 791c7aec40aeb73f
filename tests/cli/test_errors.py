"""What `prefect-classic run` says when something is wrong: the user's own traceback for a flow file
that raises, a hint for Prefect 1's `prefect run -p flow.py` habit, how to pass a missing
parameter, a summary instead of a list for many failed children, and the install hint for the
Dask executors."""

import sys

from prefect_classic.cli import cli


def test_a_load_error_shows_the_users_traceback_without_the_command_lines_frames(
    runner, flow_file, tmp_path
):
    (tmp_path / "settings_helper.py").write_text("def ratio(a, b):\n    return a / b\n")
    path = flow_file("""
        from settings_helper import ratio

        SCALE = ratio(1, 0)
    """)
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"Error: Error while loading {path}:"
    assert lines[1] == "Traceback (most recent call last):"
    frames = [line.strip() for line in lines if line.strip().startswith("File ")]
    assert frames == [
        f'File "{path}", line 4, in <module>',
        f'File "{tmp_path / "settings_helper.py"}", line 2, in ratio',
    ]
    assert "SCALE = ratio(1, 0)" in result.output and "return a / b" in result.output
    assert lines[-1] == "ZeroDivisionError: division by zero"
    assert "click" not in result.output and "runpy" not in result.output


def test_a_syntax_error_names_the_file_and_line(runner, flow_file):
    path = flow_file("x = (1,\n")
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 1
    assert f'File "{path}", line 1' in result.output and "SyntaxError" in result.output


def test_prefect_1_style_dash_p_file_gets_a_hint(runner, flow_file):
    path = flow_file("x = 1\n")
    result = runner.invoke(cli, ["run", "-p", path])
    assert result.exit_code == 2
    assert "Missing argument 'PATH'" in result.output
    assert "Here `-p` is `--param KEY=VALUE`" in result.output
    assert "`prefect run -p flow.py` is `prefect-classic run flow.py`" in result.output
    both = runner.invoke(cli, ["run", path, "-p", "other_flow.py"])
    assert both.exit_code == 2 and "Here `-p` is `--param KEY=VALUE`" in both.output


def test_missing_path_without_a_file_like_param_has_no_hint(runner):
    result = runner.invoke(cli, ["run", "-p", "n=3"])
    assert result.exit_code == 2
    assert "Missing argument 'PATH'" in result.output and "`-p` is" not in result.output


def test_a_missing_required_parameter_says_how_to_pass_it_and_nothing_runs(
    runner, flow_file, tmp_path
):
    marker = tmp_path / "ran"
    path = flow_file(f"""
        from prefect_classic import Flow, Parameter, task

        @task
        def touch(day, region):
            open({str(marker)!r}, "w").close()

        with Flow("needs-parameters") as flow:
            touch(Parameter("day"), Parameter("region"))
    """)
    result = runner.invoke(cli, ["run", path, "-p", "region=eu"])
    assert result.exit_code == 1
    assert (
        "Flow 'needs-parameters' did not receive the following required parameters: day."
        in result.output
    )
    assert "Pass them with `--param day=VALUE`" in result.output and "--param-file" in result.output
    assert not marker.exists()


def test_a_thousand_failed_children_are_summarised(runner, flow_file):
    path = flow_file("""
        from prefect_classic import Flow, task

        @task
        def check(x):
            raise ValueError(f"item {x} is invalid")

        with Flow("many-failures") as flow:
            check.map(list(range(1000)))
    """)
    result = runner.invoke(cli, ["run", path, "-q"])
    assert result.exit_code == 1
    verdict = result.output.strip().splitlines()[-1]
    assert verdict == (
        "Flow run of 'many-failures' FAILED (Failed): failed tasks: "
        "check: 1000 of 1000 mapped runs failed (check[0], check[1], check[2], …)"
    )
    row = next(line for line in result.output.splitlines() if line.startswith("check "))
    assert row.split()[1:] == ["Mapped", "1000", "mapped", "runs:", "1000", "Failed"]


def test_a_few_failed_children_are_listed(runner, flow_file):
    path = flow_file("""
        from prefect_classic import Flow, task

        @task
        def check(x):
            if x % 4 == 0:
                raise ValueError("bad")

        with Flow("few-failures") as flow:
            check.map(list(range(10)))
    """)
    result = runner.invoke(cli, ["run", path, "-q"])
    assert "failed tasks: check[0], check[4], check[8]" in result.output


def test_local_dask_without_dask_gives_the_install_hint(runner, flow_file, monkeypatch):
    path = flow_file("from prefect_classic import Flow\nflow = Flow('f')\n")
    monkeypatch.setitem(sys.modules, "dask", None)  # simulate dask not being installed
    result = runner.invoke(cli, ["run", path, "--executor", "local-dask"])
    assert result.exit_code == 1
    assert "The local-dask executor is not available" in result.output
    assert "pip install 'prefect-classic[dask]'" in result.output


def test_migrate_without_libcst_names_the_extra(runner, tmp_path, monkeypatch):
    (tmp_path / "legacy.py").write_text("import prefect\n")
    monkeypatch.delitem(sys.modules, "prefect_classic.compat.codemod", raising=False)
    monkeypatch.setitem(sys.modules, "libcst", None)  # simulate libcst not being installed
    result = runner.invoke(cli, ["migrate", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "migrate needs libcst" in result.output
        and "pip install 'prefect-classic[migrate]'" in result.output
    )
