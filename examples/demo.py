"""Demo: a small ETL flow written exactly as a Prefect 1 user would, run twice.

The first run computes everything (one task fails once and is retried with its cached inputs);
the second run finds the LocalResult targets of the first and enters Cached without running.
"""

import datetime
import shutil
import tempfile

from prefect_classic import Flow, Parameter, Task, task
from prefect_classic.engine.results import LocalResult

RESULTS = tempfile.mkdtemp(prefix="prefect-classic-demo-")
attempts = {"transform": 0}


class Extract(Task):
    def run(self, n):
        return list(range(1, n + 1))


@task(
    max_retries=1,
    retry_delay=datetime.timedelta(seconds=0),
    checkpoint=True,
    result=LocalResult(dir=RESULTS),
    target="{flow_name}/square-{map_index}.txt",
)
def transform(x):
    attempts["transform"] += 1
    if attempts["transform"] == 1:
        raise RuntimeError("flaky upstream service (this attempt fails on purpose)")
    return x * x


@task(
    target="{flow_name}/total-{parameters[n]}.txt", checkpoint=True, result=LocalResult(dir=RESULTS)
)
def load(squares):
    return sum(squares)


with Flow("demo-etl") as flow:
    n = Parameter("n", default=5)
    numbers = Extract(
        checkpoint=True, result=LocalResult(dir=RESULTS), target="{flow_name}/numbers-{n}.txt"
    )(n)
    squares = transform.map(numbers)
    total = load(squares)


def show(title, state):
    print(f"\n== {title}: {state}")
    for t in flow.sorted_tasks():
        s = state.result[t]
        kind = type(s).__name__
        if s.is_mapped():
            kinds = sorted({type(c).__name__ for c in s.map_states})
            kind = f"{kind} ({len(s.map_states)} x {'/'.join(kinds)})"
        print(f"   {t.name:<12} {kind:<22} {s.result!r}")


if __name__ == "__main__":
    try:
        first = flow.run()
        show("first run (computes; transform[0] fails once and retries)", first)
        second = flow.run()
        show("second run (targets exist: Cached, nothing recomputed)", second)
        ok = (
            first.is_successful()
            and second.is_successful()
            and second.result[total].is_cached()
            and all(c.is_cached() for c in second.result[squares].map_states)
        )
        print("\ndemo", "OK" if ok else "FAILED", f"- total = {first.result[total].result}")
        raise SystemExit(0 if ok else 1)
    finally:
        shutil.rmtree(RESULTS, ignore_errors=True)
