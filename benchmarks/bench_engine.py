"""Engine benchmarks: run one scenario and print its figures as JSON.

```
python benchmarks/bench_engine.py SCENARIO [--n N] [--log-level INFO|WARNING] [--profile FILE]
```
Scenarios: `independent` (N class-based tasks), `chain` (N tasks in a line), `map` (map over
N items, then a reduce), `cache` (a second flow run of N `cache_for` tasks: every task is a
cache hit; the figure is the second run only). Each run happens in a fresh process (see
`benchmarks/run.py`) so that peak RSS belongs to the scenario.
"""

import argparse
import datetime
import json
import logging
import resource
import sys
import time
from typing import Any, Callable, Dict, Tuple

from prefect_classic import Flow, Task, task

__all__ = ["SCENARIOS", "run_scenario"]


class Identity(Task):
    """A class-based task doing trivial work."""

    def run(self, x: Any = None) -> Any:  # type: ignore[override]
        return x


@task
def numbers(n: int) -> list:
    return list(range(n))


@task
def inc(x: int) -> int:
    return x + 1


@task
def total(xs: list) -> int:
    return sum(xs)


def build_independent(n: int) -> Tuple[Flow, int]:
    flow = Flow("independent")
    for i in range(n):
        flow.add_task(Identity(name=f"t{i}"))
    return flow, n


def build_chain(n: int) -> Tuple[Flow, int]:
    with Flow("chain") as flow:
        previous = Identity(name="t0")(x=0)
        for i in range(1, n):
            previous = Identity(name=f"t{i}")(x=previous)
    return flow, n


def build_map(n: int) -> Tuple[Flow, int]:
    with Flow("map") as flow:
        total(inc.map(numbers(n)))
    # the source, the mapped parent, n children and the reduce
    return flow, n + 3


def build_cache(n: int) -> Tuple[Flow, int]:
    flow = Flow("cache")
    for i in range(n):
        flow.add_task(Identity(name=f"cached{i}", cache_for=datetime.timedelta(hours=1)))
    return flow, n


SCENARIOS: Dict[str, Tuple[Callable[[int], Tuple[Flow, int]], int]] = {
    "independent": (build_independent, 400),
    "chain": (build_chain, 200),
    "map": (build_map, 2000),
    "cache": (build_cache, 200),
}


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _warm_up() -> None:
    """Run a tiny unrelated flow first, so one-off costs (lazy imports, first-use caches) stay
    out of the per-task figures."""
    with Flow("warm-up") as flow:
        total(inc.map(numbers(3)))
        Identity(name="warm")(x=Identity(name="warm-up")(x=1))
    flow.run()


def run_scenario(name: str, n: int, profile: str = "") -> Dict[str, Any]:
    """Build and run one scenario; return its figures.

    Args:
        - name (str): the scenario
        - n (int): its size
        - profile (str, optional): write cProfile stats of the measured run to this file

    Returns:
        - dict: scenario, n, task_runs, seconds, us_per_task, peak_rss_mb, state
    """
    build, _ = SCENARIOS[name]
    _warm_up()
    flow, task_runs = build(n)
    if name == "cache":
        first = flow.run()
        assert first.is_successful(), first
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    state = flow.run()
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    if name == "cache":
        hits = sum(
            1 for s in state.result.values() if s.is_cached() and s.context.get("flow_run_id")
        )
        assert hits == n, f"expected {n} cache hits, got {hits}"
    return {
        "scenario": name,
        "n": n,
        "task_runs": task_runs,
        "seconds": seconds,
        "us_per_task": seconds / task_runs * 1e6,
        "peak_rss_mb": _peak_rss_mb(),
        "state": type(state).__name__,
    }


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--profile", default="")
    args = parser.parse_args(argv)
    logging.getLogger("prefect").setLevel(args.log_level.upper())
    n = args.n if args.n is not None else SCENARIOS[args.scenario][1]
    figures = run_scenario(args.scenario, n, profile=args.profile)
    figures["log_level"] = args.log_level.upper()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
