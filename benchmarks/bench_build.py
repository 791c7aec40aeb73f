"""Benchmark: build a 10,000-task flow with the functional API and sort it.

    .venv/bin/python benchmarks/bench_build.py [--tasks N]

Shapes:
  - chain:  t0 -> t1 -> ... -> tN-1, each task taking the previous result as an argument
  - fan-in: N independent tasks all feeding one final task through upstream_tasks

The build must take under 1 s for 10,000 tasks; `sorted_tasks()` must be linear (O(V+E)),
so sorting a flow twice as large takes about twice as long.
"""

import argparse
import gc
import sys
import time
from typing import Callable, List, Tuple

from prefect_classic import Flow, task
from prefect_classic.core.task import Task

BUILD_BUDGET_S = 1.0


@task
def inc(x: int) -> int:
    return x + 1


@task
def source() -> int:
    return 1


@task
def gather() -> None:
    return None


def build_chain(n: int) -> Flow:
    """A linear chain of `n` tasks, built with `inc(previous)` inside `with Flow`."""
    with Flow("chain") as flow:
        value: Task = source()
        for _ in range(n - 1):
            value = inc(value)
    return flow


def build_fan_in(n: int) -> Flow:
    """`n - 1` independent tasks feeding one final task."""
    with Flow("fan-in") as flow:
        leaves = [source() for _ in range(n - 1)]
        gather(upstream_tasks=leaves)
    return flow


def timed(fn: Callable[[], object]) -> Tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def time_sort(flow: Flow, repeats: int = 3) -> float:
    """Best of `repeats` uncached `sorted_tasks()` calls (the flow memoizes the order), with the
    garbage collector paused as `timeit` does, so the figure is the algorithm's cost."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(repeats):
            flow._cache.clear()
            best = min(best, timed(flow.sorted_tasks)[0])
    finally:
        gc.enable()
    return best


def run(n: int) -> List[Tuple[str, int, float, float, float]]:
    """Build each shape with `n` tasks; time the build and `sorted_tasks()` at n and 2n."""
    rows = []
    for shape, builder in (("chain", build_chain), ("fan-in", build_fan_in)):
        build_s, flow = timed(lambda b=builder: b(n))  # type: ignore[misc]
        assert isinstance(flow, Flow) and len(flow.tasks) == n, (shape, len(flow.tasks))
        assert len(flow.sorted_tasks()) == n
        sort_s = time_sort(flow)
        sort2_s = time_sort(builder(2 * n))
        rows.append((shape, n, build_s, sort_s, sort2_s))
    return rows


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args(argv)
    rows = run(args.tasks)
    print(
        f"{'shape':<8} {'tasks':>7} {'build (s)':>10} {'sorted_tasks (s)':>17} "
        f"{'sorted, 2x tasks (s)':>21} {'ratio':>6}"
    )
    failed = False
    for shape, n, build_s, sort_s, sort2_s in rows:
        print(
            f"{shape:<8} {n:>7} {build_s:>10.3f} {sort_s:>17.4f} {sort2_s:>21.4f} {sort2_s / sort_s:>6.2f}"
        )
        failed |= build_s >= BUILD_BUDGET_S
    if failed:
        print(f"FAIL: a build took {BUILD_BUDGET_S} s or more")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
