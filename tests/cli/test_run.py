"""`prefect-classic run FILE.py`: load, pick, parametrize, run a flow; table and exit status."""

import inspect
import json
import sys
import textwrap

import pytest
from click.testing import CliRunner

import prefect_classic
from prefect_classic import Flow, task
from prefect_classic.cli import cli
from prefect_classic.cli.flows import make_executor
from prefect_classic.cli.tracking import RunTracker

ETL = """
    from prefect_classic import Flow, Parameter, task

    @task
    def extract(n):
        return list(range(n))

    @task
    def double(x):
        return 2 * x

    @task
    def load(values):
        return sum(values)

    with Flow("etl") as flow:
        n = Parameter("n", default=3)
        load(double.map(extract(n)))
"""

FAILING = """
    from prefect_classic import Flow, task

    @task
    def fine():
        return 1

    @task
    def explode(x):
        raise RuntimeError("disk on fire")

    @task
    def after(x):
        return x

    with Flow("failing") as flow:
        after(explode(fine()))
"""

PARAMS = """
    from prefect_classic import Flow, Parameter, task

    @task
    def describe(a, b, c):
        return "|".join(f"{type(v).__name__}={v!r}" for v in (a, b, c))

    with Flow("params") as flow:
        describe(Parameter("a"), Parameter("b", default="B"), Parameter("c", default=None))
"""

TWO_FLOWS = """
    from prefect_classic import Flow, task

    @task
    def one():
        return "first flow ran"

    @task
    def two():
        return "second flow ran"

    with Flow("first") as first:
        one()
    with Flow("second") as second:
        two()
    alias = first
"""


def _runner_with_separate_stderr() -> CliRunner:
    """A runner whose `result.stdout` leaves stderr out: click 8.2 always keeps them apart; 8.1
    (the last release for Python 3.9) only when told."""
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def test_successful_flow_exits_0_and_prints_each_task_state(flow_file):
    result = _runner_with_separate_stderr().invoke(cli, ["run", flow_file(ETL)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["TASK", "STATE", "MESSAGE", "/", "RESULT"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:5]}
    assert rows["extract"] == ["Success", "[0,", "1,", "2]"]
    assert rows["double"][:4] == ["Mapped", "3", "mapped", "runs:"]
    assert rows["load"] == ["Success", "6"]
    assert "Flow run of 'etl' succeeded: Success (7 task runs)" in result.output


def test_failed_flow_exits_1_and_names_the_failed_tasks(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file(FAILING)])
    assert result.exit_code == 1
    assert "disk on fire" in result.output
    assert "Flow run of 'failing' FAILED (Failed): failed tasks: explode, after" in result.output


def test_the_table_shows_whole_messages(runner, flow_file):
    reason = "the upstream service answered 503 Service Unavailable after three attempts; giving up for now"
    path = flow_file(f"""
        from prefect_classic import Flow, task

        @task
        def call():
            raise RuntimeError({reason!r})

        with Flow("long-message") as flow:
            call()
    """)
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("call "))
    assert row.endswith(f"Error during execution of task: RuntimeError({reason!r})")


def test_failed_mapped_children_are_named_with_their_index(runner, flow_file):
    path = flow_file("""
        from prefect_classic import Flow, task

        @task
        def check(x):
            if x == 2:
                raise ValueError("bad item")
            return x

        with Flow("mapped-failure") as flow:
            check.map([1, 2, 3])
    """)
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 1
    assert "failed tasks: check[1]" in result.output


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-p", "a=3"], "int=3|str='B'|NoneType=None"),
        (["-p", "a=[1, 2]", "-p", "b=true", "-p", "c=x=y"], "list=[1, 2]|bool=True|str='x=y'"),
        (["-p", 'a="7"', "-p", "b=not json"], "str='7'|str='not json'|NoneType=None"),
    ],
)
def test_param_values_are_parsed_as_json_else_strings(runner, flow_file, args, expected):
    result = runner.invoke(cli, ["run", flow_file(PARAMS), *args])
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_param_file_is_read_and_param_options_override_it(runner, flow_file, tmp_path):
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"a": {"k": 1}, "b": 2.5}))
    result = runner.invoke(
        cli, ["run", flow_file(PARAMS), "--param-file", str(params), "-p", "b=9"]
    )
    assert result.exit_code == 0, result.output
    assert "dict={'k': 1}|int=9|NoneType=None" in result.output


def test_param_file_must_hold_an_object(runner, flow_file, tmp_path):
    params = tmp_path / "params.json"
    params.write_text("[1, 2]")
    result = runner.invoke(cli, ["run", flow_file(PARAMS), "--param-file", str(params)])
    assert result.exit_code == 2
    assert "must hold a JSON object" in result.output


def test_malformed_param_is_a_usage_error(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file(PARAMS), "-p", "novalue"])
    assert result.exit_code == 2
    assert "expected KEY=VALUE, got 'novalue'" in result.output


def test_unknown_parameter_is_an_error_naming_it(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file(PARAMS), "-p", "a=1", "-p", "zzz=1"])
    assert result.exit_code == 1
    assert "zzz" in result.output and "unexpected parameters" in result.output


def test_missing_required_parameter_is_an_error_naming_it(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file(PARAMS)])
    assert result.exit_code == 1
    assert "did not receive the following required parameters: a" in result.output


def test_several_flows_need_a_name_and_the_error_lists_them(runner, flow_file):
    path = flow_file(TWO_FLOWS)
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 1
    assert f"Found 2 flows in {path}: 'first', 'second'. Choose one with --name." in result.output
    picked = runner.invoke(cli, ["run", path, "--name", "second"])
    assert picked.exit_code == 0 and "second flow ran" in picked.output


def test_unknown_flow_name_lists_the_flows(runner, flow_file):
    path = flow_file(TWO_FLOWS)
    result = runner.invoke(cli, ["run", path, "--name", "third"])
    assert result.exit_code == 1
    assert f"No flow named 'third' in {path}; its flows are: 'first', 'second'." in result.output


def test_file_without_flows_and_missing_file_are_clear_errors(runner, flow_file, tmp_path):
    empty = runner.invoke(cli, ["run", flow_file("x = 1\n")])
    assert empty.exit_code == 1 and "No Flow found in" in empty.output
    missing = runner.invoke(cli, ["run", str(tmp_path / "nope.py")])
    assert missing.exit_code == 1 and "No such file" in missing.output


def test_file_is_not_run_as_main(runner, flow_file):
    path = flow_file(
        textwrap.dedent(ETL) + "\nif __name__ == '__main__':\n    raise SystemExit('ran as main')\n"
    )
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 0, result.output


def test_error_while_loading_the_file_is_reported(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file("raise KeyError('config missing')\n")])
    assert result.exit_code == 1
    assert "Error while loading" in result.output and "KeyError" in result.output


def test_legacy_file_importing_prefect_runs_through_the_shim(runner, flow_file):
    path = flow_file("""
        import prefect
        from prefect import Flow, task

        @task
        def hello():
            return prefect.__name__

        with Flow("legacy") as flow:
            hello()
    """)
    result = runner.invoke(cli, ["run", path])
    assert result.exit_code == 0, result.output
    assert "'prefect_classic'" in result.output


def test_local_dask_executor_runs_the_flow(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file(ETL), "--executor", "local-dask", "-q"])
    assert result.exit_code == 0, result.output
    assert "Flow run of 'etl' succeeded" in result.output


def test_executor_names_map_to_executors():
    from prefect_classic.executors import DaskExecutor, LocalDaskExecutor, LocalExecutor

    assert make_executor(None) is None
    assert type(make_executor("local")) is LocalExecutor
    assert type(make_executor("local-dask")) is LocalDaskExecutor
    remote = make_executor("dask:tcp://10.0.0.5:8786")
    assert type(remote) is DaskExecutor and remote.address == "tcp://10.0.0.5:8786"
    assert type(make_executor("dask")) is DaskExecutor and make_executor("dask").address is None


def test_unknown_executor_is_a_usage_error(runner, flow_file):
    result = runner.invoke(cli, ["run", flow_file(ETL), "--executor", "spark"])
    assert result.exit_code == 2
    assert "unknown executor 'spark'" in result.output


def test_missing_dask_executors_give_an_install_hint(runner, flow_file, monkeypatch):
    monkeypatch.setitem(
        sys.modules, "prefect_classic.executors.dask", None
    )  # simulate the import failing
    result = runner.invoke(cli, ["run", flow_file(ETL), "--executor", "dask"])
    assert result.exit_code == 1
    assert "pip install 'prefect-classic[dask]'" in result.output


def test_tracker_counts_every_task_run_including_mapped_children():
    @task
    def numbers():
        return [1, 2, 3, 4]

    @task
    def inc(x):
        return x + 1

    with Flow("progress") as flow:
        inc.map(inc.map(numbers()))

    tracker = RunTracker(len(flow.tasks))
    state = flow.run(task_runner_state_handlers=[tracker])
    assert state.is_successful()
    assert (tracker.done, tracker.total, tracker.failed, tracker.running) == (
        11,
        11,
        0,
        0,
    )  # 3 + 2 x 4
    assert len(tracker.records) == 11
    labels = {r.label for r in tracker.records.values()}
    assert labels == {"numbers", "inc", "inc[0]", "inc[1]", "inc[2]", "inc[3]"}  # the two inc tasks


def test_version_prints_the_package_version(runner):
    result = runner.invoke(cli, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == prefect_classic.__version__


def _run_console(args, stderr=None):
    import os
    import subprocess

    script = os.path.join(os.path.dirname(sys.executable), "prefect-classic")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT")}
    return subprocess.run(
        [script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.PIPE,
        timeout=120,
    )


def test_off_a_tty_logs_are_plain_and_quiet_silences_them(flow_file):
    path = flow_file(ETL)
    plain = _run_console(["run", path])
    assert plain.returncode == 0
    assert b"Task 'load': Starting task run..." in plain.stderr
    assert plain.stderr.splitlines()[-1].startswith(
        "progress: 7/7 task runs done · 0 running · 0 failed".encode()
    )
    assert (
        b"\r" not in plain.stderr and b"\x1b" not in plain.stderr
    )  # no terminal control off a terminal
    quiet = _run_console(["run", path, "--quiet"])
    assert quiet.returncode == 0 and quiet.stderr == b""
    assert b"Flow run of 'etl' succeeded" in quiet.stdout
