"""Benchmark: policy caching with LocalResult storage — the cost of a cache miss (write) and of
a cache hit, per task.

    .venv/bin/python benchmarks/bench_cache.py [--tasks N] [--repeats R] [--log]

Three flow runs over the same N independent tasks, task i bound to the constant input `x=i`:

  - baseline: the tasks without caching (what the engine costs anyway)
  - write:    `cache_policy=INPUTS + TASK_SOURCE`, empty storage: every task computes its key,
              misses, takes the key's lock, runs and writes its record (atomic write + fsync)
  - hit:      the same again: every task computes its key, reads its record and enters Cached

Per-task cost is the flow run's wall time divided by N; the best of `--repeats` rounds is
reported (each round uses a fresh storage folder). The `prefect` loggers are set to WARNING
unless `--log` is given, so that terminal output is not what is measured.
"""
import argparse
import logging
import os
import shutil
import tempfile
import time
from typing import Dict, List, Tuple

from prefect_classic import Flow, Task
from prefect_classic.cache_policies import INPUTS, TASK_SOURCE
from prefect_classic.engine.results import LocalResult


class Payload(Task):
    """Returns a small dict, like a typical task result."""

    def run(self, x: int) -> dict:
        return {"x": x, "values": list(range(10))}


def build(n: int, folder: str, cached: bool) -> Flow:
    """`n` independent tasks; cached ones keep their records in `folder`."""
    kwargs: Dict[str, object] = {}
    if cached:
        kwargs = dict(cache_policy=INPUTS + TASK_SOURCE, result_storage=LocalResult(dir=folder))
    with Flow("bench-cache") as flow:
        for i in range(n):
            Payload(name=f"t{i}", **kwargs)(x=i)  # type: ignore[arg-type]
    return flow


def timed_run(flow: Flow) -> Tuple[float, Dict[str, int]]:
    """Run `flow`; return the wall time and a count of its task states by type."""
    start = time.perf_counter()
    state = flow.run()
    elapsed = time.perf_counter() - start
    counts: Dict[str, int] = {}
    for task_state in state.result.values():
        counts[type(task_state).__name__] = counts.get(type(task_state).__name__, 0) + 1
    return elapsed, counts


def one_round(n: int) -> Dict[str, float]:
    """Time the baseline, write and hit runs once, in a fresh folder; check what each did."""
    folder = tempfile.mkdtemp(prefix="bench-cache-")
    try:
        base_s, base_counts = timed_run(build(n, folder, cached=False))
        assert base_counts == {"Success": n}, base_counts
        flow = build(n, folder, cached=True)
        write_s, write_counts = timed_run(flow)
        assert write_counts == {"Success": n}, write_counts
        records = [name for name in os.listdir(folder) if not name.startswith(".")]
        assert len(records) == n, f"{len(records)} records written, expected {n}"
        hit_s, hit_counts = timed_run(flow)
        assert hit_counts == {"Cached": n}, hit_counts
        return {"baseline": base_s, "write": write_s, "hit": hit_s}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(n: int, repeats: int) -> List[Tuple[str, float, float, float]]:
    """Best-of-`repeats` rows: (run, total seconds, µs per task, µs per task over baseline)."""
    best: Dict[str, float] = {}
    for _ in range(repeats):
        for name, seconds in one_round(n).items():
            best[name] = min(best.get(name, float("inf")), seconds)
    base_us = best["baseline"] / n * 1e6
    return [(name, best[name], best[name] / n * 1e6, best[name] / n * 1e6 - base_us)
            for name in ("baseline", "write", "hit")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--log", action="store_true", help="keep INFO logging on")
    args = parser.parse_args()
    if not args.log:
        logging.getLogger("prefect").setLevel(logging.WARNING)
    print(f"{args.tasks} tasks, best of {args.repeats}")
    print(f"{'run':<10}{'total s':>10}{'µs/task':>12}{'over baseline':>16}")
    for name, total, per_task, extra in run(args.tasks, args.repeats):
        print(f"{name:<10}{total:>10.3f}{per_task:>12.1f}{extra:>16.1f}")


if __name__ == "__main__":
    main()
