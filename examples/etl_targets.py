"""ETL with Task subclasses and LocalResult targets.

Each task writes its output to a templated target under a results folder. Running the flow again
with the same parameters finds every target and enters Cached without calling `run()`.

    python examples/etl_targets.py                 # runs the flow twice; the second run is all Cached
    prefect-classic run examples/etl_targets.py    # one run

The results folder is $PREFECT_CLASSIC_EXAMPLE_RESULTS, or a fresh temporary folder.
"""

import atexit
import csv
import io
import os
import shutil
import sys
import tempfile

from prefect_classic import Flow, Parameter, Task
from prefect_classic.engine.results import LocalResult

RESULTS_DIR = os.environ.get("PREFECT_CLASSIC_EXAMPLE_RESULTS", "")
if not RESULTS_DIR:  # a throwaway folder, removed when the process exits
    RESULTS_DIR = tempfile.mkdtemp(prefix="etl-targets-")
    atexit.register(shutil.rmtree, RESULTS_DIR, ignore_errors=True)
RESULT = LocalResult(dir=RESULTS_DIR)
CALLS = {"extract": 0, "transform": 0, "load": 0}

RAW_CSV = """city,temperature_f
Lisbon,71
Oslo,48
Nairobi,77
"""


class Extract(Task):
    """Parse the raw CSV into rows."""

    def run(self, raw: str) -> list:
        CALLS["extract"] += 1
        return list(csv.DictReader(io.StringIO(raw)))


class Transform(Task):
    """Convert Fahrenheit to Celsius, rounded to `digits`."""

    def run(self, rows: list, digits: int) -> list:
        CALLS["transform"] += 1
        return [
            {
                "city": r["city"],
                "temperature_c": round((float(r["temperature_f"]) - 32) * 5 / 9, digits),
            }
            for r in rows
        ]


class Load(Task):
    """Render the report (a real pipeline would write to a database here)."""

    def run(self, rows: list) -> str:
        CALLS["load"] += 1
        return "\n".join(f"{r['city']}: {r['temperature_c']} C" for r in rows)


def targeted(task_cls: type, name: str) -> Task:
    """An instance of `task_cls` that checkpoints to a target keyed by flow, task and `digits`."""
    return task_cls(
        name=name,
        checkpoint=True,
        result=RESULT,
        target="{flow_name}/{task_name}-digits{parameters[digits]}.pickle",
    )


with Flow("etl-targets") as flow:
    digits = Parameter("digits", default=1)
    rows = targeted(Extract, "extract")(RAW_CSV)
    celsius = targeted(Transform, "transform")(rows, digits)
    report = targeted(Load, "load")(celsius)


def summarize(title: str, state) -> None:
    print(f"== {title}: {type(state).__name__}")
    for task in flow.sorted_tasks():
        print(f"   {task.name:<10} {type(state.result[task]).__name__}")


if __name__ == "__main__":
    print(f"results folder: {RESULTS_DIR}")
    first = flow.run()
    summarize("first run", first)
    second = flow.run()
    summarize("second run", second)
    targeted_tasks = [t for t in flow.tasks if t.target is not None]
    all_cached = all(second.result[t].is_cached() for t in targeted_tasks)
    print(second.result[report].result)
    print("second run all Cached:", all_cached)
    print("run() calls:", CALLS)
    sys.exit(0 if first.is_successful() and second.is_successful() and all_cached else 1)
