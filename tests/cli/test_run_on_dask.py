"""`prefect-classic run --executor …` on the Dask executors: the run succeeds, and the task runs on
workers in other processes report back to the command line while the run goes on (their start
times are only known from those live events, never from the final states)."""

import json
import pickle
import subprocess
import sys
import textwrap

import pytest

from prefect_classic.cli.tracking import RunTracker

FLOW = """
    from prefect_classic import Flow, task
    {executor_import}

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def double(x):
        return 2 * x

    @task
    def total(xs):
        return sum(xs)

    with Flow("on-dask"{executor_arg}) as flow:
        total(double.map(numbers()))
"""


def test_the_tracker_travels_as_a_small_stub_without_its_records():
    tracker = RunTracker(3)
    tracker.records.update({("t", i): None for i in range(1000)})  # type: ignore[misc]
    payload = pickle.dumps(tracker)
    assert len(payload) < 300
    stub = pickle.loads(payload)
    assert type(stub).__name__ == "_RemoteTracker" and stub.token == tracker.token


def _run(tmp_path, *args, executor_import="", executor_arg=""):
    path = tmp_path / "flow_on_dask.py"
    path.write_text(
        textwrap.dedent(FLOW.format(executor_import=executor_import, executor_arg=executor_arg))
    )
    report = tmp_path / "run.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "prefect_classic.cli",
            "run",
            str(path),
            "--report",
            str(report),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(
        line.split()[:3] == ["total", "Success", "12"] for line in proc.stdout.splitlines()
    ), proc.stdout
    return proc, json.loads(report.read_text())


def _assert_every_run_reported_live(data):
    children = [r for r in data["runs"] if r["task"] == "double" and r["map_index"] is not None]
    assert sorted(r["map_index"] for r in children) == [0, 1, 2]
    ran = [r for r in data["runs"] if not r["mapped_parent"]]
    assert len(ran) == 5 and all(r["start"] is not None and r["state"] == "Success" for r in ran), (
        ran
    )


@pytest.mark.parametrize("executor", ["local-dask", "dask"])
def test_run_with_a_dask_executor_succeeds_and_workers_report_each_task_run(tmp_path, executor):
    proc, data = _run(tmp_path, "--executor", executor)
    _assert_every_run_reported_live(data)
    assert "6 task runs" in proc.stdout
    if executor == "dask":
        assert "The Dask dashboard is available at http" in proc.stderr


def test_task_runs_in_a_process_pool_report_back(tmp_path):
    _, data = _run(
        tmp_path,
        executor_import="from prefect_classic.executors import LocalDaskExecutor",
        executor_arg=', executor=LocalDaskExecutor(scheduler="processes", num_workers=2)',
    )
    _assert_every_run_reported_live(data)
    assert data["flow"]["executor"] == "LocalDaskExecutor"
