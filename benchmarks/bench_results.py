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
import argparse
import logging
import os
import shutil
import tempfile
import time
from typing import Callable, Dict, List, Tuple

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
        kwargs = dict(target="{flow_name}/{task_name}.bin", checkpoint=True, result=LocalResult(dir=folder))
    return Flow("bench-results", tasks=[Payload(name=f"t{i}", **kwargs) for i in range(n)])  # type: ignore[arg-type]


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
    folder = tempfile.mkdtemp(prefix="bench-results-")
    try:
        base_s, base_counts = timed_run(build(n, folder, with_targets=False))
        assert base_counts == {"Success": n}, base_counts
        flow = build(n, folder, with_targets=True)
        write_s, write_counts = timed_run(flow)
        assert write_counts == {"Success": n}, write_counts
        written = os.listdir(os.path.join(folder, "bench-results"))
        assert len(written) == n, f"{len(written)} targets written, expected {n}"
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


def print_table(n: int, rows: List[Tuple[str, float, float, float]], out: Callable[[str], None] = print) -> None:
    out(f"LocalResult targets, {n} tasks (best of the rounds)")
    out(f"{'run':<10} {'total ms':>10} {'µs/task':>10} {'µs/task over baseline':>22}")
    for name, seconds, per_task, over in rows:
        extra = "" if name == "baseline" else f"{over:>22.1f}"
        out(f"{name:<10} {seconds * 1e3:>10.1f} {per_task:>10.1f} {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--log", action="store_true", help="keep INFO logging of every task run")
    args = parser.parse_args()
    if not args.log:
        logging.getLogger("prefect").setLevel(logging.WARNING)
    print_table(args.tasks, run(args.tasks, args.repeats))


if __name__ == "__main__":
    main()
