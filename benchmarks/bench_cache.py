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

import os
from typing import Dict, List

from _common import Row, baseline_write_hit, best_per_task, parse_task_args

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


def one_round(n: int) -> Dict[str, float]:
    """Time the baseline, write and hit runs once, in a fresh folder; check what each did."""
    return baseline_write_hit(
        n,
        "bench-cache-",
        build,
        lambda folder: len([name for name in os.listdir(folder) if not name.startswith(".")]),
    )


def run(n: int, repeats: int) -> List[Row]:
    """Best-of-`repeats` rows: (run, total seconds, µs per task, µs per task over baseline)."""
    return best_per_task(one_round, n, repeats)


def main() -> None:
    args = parse_task_args(__doc__.splitlines()[0], "keep INFO logging on")
    print(f"{args.tasks} tasks, best of {args.repeats}")
    print(f"{'run':<10}{'total s':>10}{'µs/task':>12}{'over baseline':>16}")
    for name, total, per_task, extra in run(args.tasks, args.repeats):
        print(f"{name:<10}{total:>10.3f}{per_task:>12.1f}{extra:>16.1f}")


if __name__ == "__main__":
    main()
