"""`prefect-classic run` on a terminal, as a person sees it (a real pseudo-terminal read through a
terminal emulator): the logs scroll above a sticky progress line that updates while the run goes
on, no log line is ever glued onto the counter, and the log level follows `--log-level`, the
environment, and `--quiet`.

The flow has exactly 30 task runs. Its 14th mapped child waits on a named pipe, so the test can
look at the screen mid-run and then let the run go on: the waiting is in the flow, not in the test.
"""

import os
import re

import pytest

FLOW = """
import os

import prefect_classic
from prefect_classic import Flow, task


@task
def numbers():
    return list(range(26))


@task
def work(x):
    logger = prefect_classic.context.get("logger")
    logger.info(f"working on item {x}")
    logger.debug(f"debug detail of item {x}")
    if x == 13:
        with open(os.environ["GATE"]) as gate:  # wait until the test has looked at the screen
            gate.read()
    if x == 20:
        logger.error(f"item {x} looks odd (logged at ERROR on purpose)")
    if x == 21:
        logger.warning(f"item {x} is slow (logged at WARNING on purpose)")
    if x == 5:
        print(f"item {x} printed by the task itself")
    return x * x


@task
def total(values):
    return sum(values)


@task
def describe(value):
    return f"total={value}"


with Flow("thirty-task-runs") as flow:
    describe(total(work.map(numbers())))
"""

TIMESTAMP = re.compile(
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4}\] (DEBUG|INFO|WARNING|ERROR|CRITICAL) - "
)
COUNTER = re.compile(r"(\d+)/(\d+) task runs done · (\d+) running · (\d+) failed")


@pytest.fixture
def gated_flow(tmp_path):
    path = tmp_path / "thirty.py"
    path.write_text(FLOW)
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    return str(path), str(gate)


def _open_gate(gate: str) -> None:
    with open(gate, "w") as pipe:
        pipe.write("go")


def _counter_lines(lines):
    return [line for line in lines if COUNTER.search(line)]


def _assert_nothing_glued(lines):
    """Each log line starts a line of its own, and the counter line holds no log text."""
    for line in lines:
        if " - prefect." in line:
            assert TIMESTAMP.match(line), f"a log line does not start its own line: {line!r}"
    for line in _counter_lines(lines):
        assert " - prefect." not in line and not TIMESTAMP.search(line), (
            f"glued onto the counter: {line!r}"
        )


def test_logs_scroll_above_a_live_progress_line_that_updates(terminal, gated_flow):
    path, gate = gated_flow
    term = terminal(["run", path], env={"GATE": gate})

    # mid-run: 15 of 30 done (numbers, the mapped parent, children 0-12), child 13 running
    term.wait_for(
        lambda t: any(
            "15/30 task runs done · 1 running · 0 failed" in line for line in t.screen_lines()
        )
    )
    screen = term.screen_lines()
    bar = [i for i, line in enumerate(screen) if COUNTER.search(line)]
    assert len(bar) == 1, screen  # one sticky progress line...
    assert (
        "running: work[13]" in screen[bar[0]] and "ETA" in screen[bar[0]] and "/s" in screen[bar[0]]
    )
    above = screen[: bar[0]]
    assert any(
        line.endswith("INFO - prefect.work | working on item 13") for line in above
    )  # ...under the logs
    assert not any(line.strip() for line in screen[bar[0] + 1 :])  # it is the last line
    _assert_nothing_glued(screen)

    _open_gate(gate)
    assert term.finish() == 0
    lines = term.lines()
    _assert_nothing_glued(lines)
    # every task run logged above the bar, the user's own INFO lines included
    assert sum("Finished task run for task with final state" in line for line in lines) == 30
    assert sum(" | working on item " in line for line in lines) == 26
    assert any("ERROR - prefect.work | item 20 looks odd" in line for line in lines)
    assert (
        "item 5 printed by the task itself" in lines
    )  # a task's print() gets a line of its own too
    assert not any("debug detail" in line for line in lines)  # INFO is the default level
    # the progress line ends complete, after the last log line and before the results table
    final = _counter_lines(lines)
    assert len(final) == 1 and "30/30 task runs done · 0 running · 0 failed" in final[0]
    table = lines.index(next(line for line in lines if line.startswith("TASK ")))
    assert lines.index(final[0]) == table - 1
    assert lines[-1] == "Flow run of 'thirty-task-runs' succeeded: Success (30 task runs)"


def test_log_level_option_hides_info_and_keeps_warnings(terminal, gated_flow):
    path, gate = gated_flow
    term = terminal(["run", path, "--log-level", "warning"], env={"GATE": gate})
    term.wait_for(lambda t: any("15/30 task runs done" in line for line in t.screen_lines()))
    _open_gate(gate)
    assert term.finish() == 0
    lines = term.lines()
    _assert_nothing_glued(lines)
    assert not any(" INFO - " in line for line in lines)
    assert any("ERROR - prefect.work | item 20 looks odd" in line for line in lines)
    assert any("WARNING - prefect.work | item 21 is slow" in line for line in lines)
    assert "30/30 task runs done" in _counter_lines(lines)[0]


def test_the_configured_level_from_the_environment_is_honoured(terminal, gated_flow):
    path, gate = gated_flow
    term = terminal(["run", path], env={"GATE": gate, "PREFECT__LOGGING__LEVEL": "DEBUG"})
    term.wait_for(lambda t: any("15/30 task runs done" in line for line in t.screen_lines()))
    _open_gate(gate)
    assert term.finish() == 0
    lines = term.lines()
    _assert_nothing_glued(lines)
    assert sum("DEBUG - prefect.work | debug detail of item" in line for line in lines) == 26


def test_quiet_shows_only_the_table_and_the_verdict(terminal, gated_flow):
    path, gate = gated_flow
    term = terminal(["run", path, "-q"], env={"GATE": gate})
    _open_gate(gate)  # blocks until the 14th child opens the pipe
    assert term.finish() == 0
    lines = term.lines()
    assert (
        lines[0] == "item 5 printed by the task itself"
    )  # not a log line: -q keeps what tasks print
    assert lines[1].split() == ["TASK", "STATE", "MESSAGE", "/", "RESULT"]
    assert not _counter_lines(lines) and not any(" - prefect." in line for line in lines)
    assert lines[-1] == "Flow run of 'thirty-task-runs' succeeded: Success (30 task runs)"


def test_on_a_dask_cluster_worker_task_runs_move_the_bar_and_the_dashboard_is_shown(
    terminal, gated_flow
):
    path, gate = gated_flow
    term = terminal(["run", path, "--executor", "dask"], env={"GATE": gate})
    # every task run but the waiting child and the two after it is done, on worker processes
    term.wait_for(
        lambda t: any(
            "27/30 task runs done · 1 running · 0 failed" in line for line in t.screen_lines()
        ),
        timeout=120,
    )
    screen = term.screen_lines()
    bar = next(i for i, line in enumerate(screen) if COUNTER.search(line))
    assert "running: work[13]" in screen[bar]
    assert re.match(r"Dask dashboard: http://\S+/status$", screen[bar + 1]), screen[bar + 1]
    _open_gate(gate)
    assert term.finish() == 0
    lines = term.lines()
    # logged before the first task run (mapped children's logs come back as they finish, so by
    # now it may have scrolled off the screen)
    assert any("The Dask dashboard is available at http" in line for line in lines)
    _assert_nothing_glued(lines)
    assert "30/30 task runs done · 0 running · 0 failed" in _counter_lines(lines)[0]
    assert (
        sum(" | working on item " in line for line in lines) == 26
    )  # the workers' logs, shipped back
    assert (
        "item 5 printed by the task itself" in lines
    )  # written by a worker process to the terminal
