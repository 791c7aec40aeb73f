"""Benchmark: checkpoint 300 tasks to LocalResult targets, then re-run and hit every target.

    .venv/bin/python benchmarks/bench_results.py [--tasks N] [--repeats R] [--log]

Three flow runs over the same N independent tasks, each with
`target="{flow_name}/{task_name}.bin", checkpoint=True, result=LocalResult(dir=<tmp>)`:

  - baseline: the same tasks without target/result (what the engine costs anyway)
  - write:    no target exists yet, every task runs and writes its target (atomic write + fsync)
  - hit:      every target exists, every task enters Cached with the value read back

Per-task cost is the flow run's wall time divided by N; the best of `--repeats` rounds is
reported (each round uses a fresh folder). The `prefect` loggers are set to WARNING unless
`--log` is given, so that terminal output is not what is measured.
"""

import os
from typing import Callable, Dict, List

from _common import Row, baseline_write_hit, best_per_task, parse_task_args

from prefect_classic import Flow, Task
from prefect_classic.engine.results import LocalResult


class Payload(Task):
    """Returns a small dict, like a typical task result."""

    def run(self) -> dict:
        return {"task": self.name, "values": list(range(10))}


def build(n: int, folder: str, with_targets: bool) -> Flow:
    """`n` independent tasks; with targets they store to `folder` under their own names."""
    kwargs: Dict[str, object] = {}
    if with_targets:
        kwargs = dict(
            target="{flow_name}/{task_name}.bin", checkpoint=True, result=LocalResult(dir=folder)
        )
    return Flow("bench-results", tasks=[Payload(name=f"t{i}", **kwargs) for i in range(n)])  # type: ignore[arg-type]


def one_round(n: int) -> Dict[str, float]:
    """Time the baseline, write and hit runs once, in a fresh folder; check what each did."""
    return baseline_write_hit(
        n,
        "bench-results-",
        build,
        lambda folder: len(os.listdir(os.path.join(folder, "bench-results"))),
    )


def run(n: int, repeats: int) -> List[Row]:
    """Best-of-`repeats` rows: (run, total seconds, µs per task, µs per task over baseline)."""
    return best_per_task(one_round, n, repeats)


def print_table(n: int, rows: List[Row], out: Callable[[str], None] = print) -> None:
    out(f"LocalResult targets, {n} tasks (best of the rounds)")
    out(f"{'run':<10} {'total ms':>10} {'µs/task':>10} {'µs/task over baseline':>22}")
    for name, seconds, per_task, over in rows:
        extra = "" if name == "baseline" else f"{over:>22.1f}"
        out(f"{name:<10} {seconds * 1e3:>10.1f} {per_task:>10.1f} {extra}")


def main() -> None:
    args = parse_task_args(__doc__.splitlines()[0], "keep INFO logging of every task run")
    print_table(args.tasks, run(args.tasks, args.repeats))


if __name__ == "__main__":
    main()
