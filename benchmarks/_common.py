"""Helpers shared by the `bench_*.py` scripts (import as `from _common import ...`: the scripts
run with this folder first on `sys.path`)."""

import argparse
import logging
import shutil
import tempfile
import time
from typing import Callable, Dict, List, Sequence, Tuple

from prefect_classic import Flow

#: a row of a per-task table: (run name, total seconds, µs per task, µs per task over baseline)
Row = Tuple[str, float, float, float]


def timed_run(flow: Flow) -> Tuple[float, Dict[str, int]]:
    """Run `flow`; return the wall time and a count of its task states by type."""
    start = time.perf_counter()
    state = flow.run()
    elapsed = time.perf_counter() - start
    counts: Dict[str, int] = {}
    for task_state in state.result.values():
        counts[type(task_state).__name__] = counts.get(type(task_state).__name__, 0) + 1
    return elapsed, counts


def baseline_write_hit(
    n: int,
    prefix: str,
    build: Callable[[int, str, bool], Flow],
    count_written: Callable[[str], int],
) -> Dict[str, float]:
    """Time three runs of `n` tasks in a fresh folder and check what each did: `baseline`
    (`build(n, folder, False)`, all Success), `write` (`build(n, folder, True)`, all Success,
    `count_written(folder) == n`) and `hit` (the same flow again, all Cached).

    Returns:
        - Dict[str, float]: the seconds of each run, by name
    """
    folder = tempfile.mkdtemp(prefix=prefix)
    try:
        base_s, base_counts = timed_run(build(n, folder, False))
        assert base_counts == {"Success": n}, base_counts
        flow = build(n, folder, True)
        write_s, write_counts = timed_run(flow)
        assert write_counts == {"Success": n}, write_counts
        written = count_written(folder)
        assert written == n, f"{written} written, expected {n}"
        hit_s, hit_counts = timed_run(flow)
        assert hit_counts == {"Cached": n}, hit_counts
        return {"baseline": base_s, "write": write_s, "hit": hit_s}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def best_per_task(
    one_round: Callable[[int], Dict[str, float]],
    n: int,
    repeats: int,
    names: Sequence[str] = ("baseline", "write", "hit"),
) -> List[Row]:
    """Best-of-`repeats` rows of `one_round(n)` (seconds per named run), per task and over the
    `"baseline"` run."""
    best: Dict[str, float] = {}
    for _ in range(repeats):
        for name, seconds in one_round(n).items():
            best[name] = min(best.get(name, float("inf")), seconds)
    base_us = best["baseline"] / n * 1e6
    return [
        (name, best[name], best[name] / n * 1e6, best[name] / n * 1e6 - base_us) for name in names
    ]


def parse_task_args(
    description: str, log_help: str, default_tasks: int = 300
) -> argparse.Namespace:
    """Parse `--tasks N --repeats R --log`; unless `--log`, set the `prefect` loggers to WARNING
    so that terminal output is not what is measured."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tasks", type=int, default=default_tasks)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--log", action="store_true", help=log_help)
    args = parser.parse_args()
    if not args.log:
        logging.getLogger("prefect").setLevel(logging.WARNING)
    return args
