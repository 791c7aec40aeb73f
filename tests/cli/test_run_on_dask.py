"""`prefect-classic run --executor …` really runs the flow on the Dask executors (the progress
state handler the CLI passes must travel to Dask workers)."""
import pickle
import subprocess
import sys
import textwrap

import pytest

from prefect_classic.cli.flows import TaskRunProgress

FLOW = """
    from prefect_classic import Flow, task

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def double(x):
        return 2 * x

    @task
    def total(xs):
        return sum(xs)

    with Flow("on-dask") as flow:
        total(double.map(numbers()))
"""


def test_the_progress_handler_pickles_without_its_lock_and_printer():
    progress = TaskRunProgress(3, on_change=print)
    copy = pickle.loads(pickle.dumps(progress))
    assert copy.on_change is None and copy.total == 3
    with copy._lock:  # a fresh, working lock
        pass


@pytest.mark.parametrize("executor", ["local-dask", "dask"])
def test_run_with_a_dask_executor_succeeds(tmp_path, executor):
    path = tmp_path / "flow_on_dask.py"
    path.write_text(textwrap.dedent(FLOW))
    proc = subprocess.run([sys.executable, "-m", "prefect_classic.cli", "run", str(path), "-q",
                           "--executor", executor], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(line.split()[:3] == ["total", "Success", "12"] for line in proc.stdout.splitlines()), proc.stdout
