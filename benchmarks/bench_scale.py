"""Mapped tasks at scale on the Dask executors, side by side with their baselines (issue 16).

    python benchmarks/bench_scale.py [--children 100000] [--map 10000] [--million]

Each row runs in a fresh Python process (so its peak RSS is its own) and is compared with its
baseline, measured in the same run:

- LocalDaskExecutor(threads) on a map of `--children` trivial children vs LocalExecutor: time
  (target ≤ 2×) and peak RSS (target ≤ 1.5×);
- LocalDaskExecutor(threads, 2 workers) on a `--map`-item map vs plain `dask.compute` of as many
  delayed calls on dask's threaded scheduler with 2 workers (target: speed ≥ 1.0× dask's);
- 200 children that sleep 10 ms, LocalDaskExecutor with 8 threads vs LocalExecutor (target
  ≥ 6× faster);
- DaskExecutor on a `distributed.LocalCluster` (2 worker processes, 1 thread each; the cluster
  runs in a process of its own, so peak RSS is the client's) on a `--map`-item map vs
  `client.gather(client.map(...))` on the same kind of cluster (target ≤ 1.3×);
- with `--million`: 1,000,000 trivial children in one flow run on DaskExecutor (same cluster);
  target: the flow runner's process stays under 1 GB (peak RSS). Takes minutes.

The `prefect` logger is at WARNING in the flow runner and in the cluster's workers. Each
measurement follows a warm-up run of 4 items on the same executor or scheduler (imports and
first-use costs are not measured). Tasks are trivial (`x + 1`) unless said otherwise; the `prefect` logger is at WARNING (the
terminal is not what is measured).
"""

import argparse
import json
import logging
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional

SLEEP = 0.01


def inc(x: int) -> int:
    return x + 1


def nap(x: int) -> int:
    time.sleep(SLEEP)
    return x + 1


def _quiet_prefect_logs() -> None:
    """Set the `prefect` logger to WARNING (after importing prefect_classic, which configures it)."""
    import prefect_classic  # noqa: F401

    logging.getLogger("prefect").setLevel(logging.WARNING)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_CLUSTER_SCRIPT = """
import logging, sys, time
from distributed import LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=None, silence_logs=logging.CRITICAL)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
cluster.close()
"""


@contextmanager
def _cluster() -> Iterator[str]:
    """A LocalCluster (scheduler and 2 single-threaded worker processes) in a process of its own,
    so that the benchmark's peak RSS is the client's alone; yields the scheduler address."""
    process = subprocess.Popen(
        [sys.executable, "-c", _CLUSTER_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(60)


def _flow_run(fn: Callable[[int], int], n: int, executor: Any) -> float:
    from prefect_classic import Flow, task

    logging.getLogger("prefect").setLevel(logging.WARNING)
    step = task(fn, name=fn.__name__)
    with Flow("warm-up") as warm_up:
        step.map(list(range(4)))
    warm_up.run(executor=executor)  # imports and first-use costs are not what is measured
    with Flow(f"map-{n}") as flow:
        step.map(list(range(n)))
    started = time.perf_counter()
    state = flow.run(executor=executor)
    elapsed = time.perf_counter() - started
    children = state.result[flow.get_tasks(name=fn.__name__)[0]].map_states
    if not state.is_successful() or len(children) != n or children[-1].result != n:
        raise RuntimeError(f"map of {n} on {executor}: {state}")
    return elapsed


def scenario(name: str, n: int) -> Dict[str, float]:
    """Run one measurement in this process; return seconds and peak RSS (MB)."""
    from prefect_classic.executors import DaskExecutor, LocalDaskExecutor, LocalExecutor

    fn = nap if name.endswith("-sleep") else inc
    if name in ("local", "local-sleep"):
        seconds = _flow_run(fn, n, LocalExecutor())
    elif name == "ldask":
        seconds = _flow_run(fn, n, LocalDaskExecutor("threads", num_workers=2))
    elif name == "ldask-sleep":
        seconds = _flow_run(fn, n, LocalDaskExecutor("threads", num_workers=8))
    elif name == "dask-threads":
        import dask

        dask.compute(
            *[dask.delayed(fn, pure=False)(i) for i in range(4)], scheduler="threads", num_workers=2
        )
        started = time.perf_counter()
        values = dask.compute(
            *[dask.delayed(fn, pure=False)(i) for i in range(n)], scheduler="threads", num_workers=2
        )
        seconds = time.perf_counter() - started
        assert values[-1] == n
    elif name in ("distributed", "client-map"):
        import cloudpickle
        from distributed import Client

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        with _cluster() as address, Client(address, set_as_default=False) as client:
            client.run(_quiet_prefect_logs)  # the workers' loggers too
            if name == "client-map":
                client.gather(client.map(fn, range(4), pure=False))  # warm-up
                started = time.perf_counter()
                values = client.gather(client.map(fn, range(n), pure=False))
                seconds = time.perf_counter() - started
                assert values[-1] == n
            else:
                seconds = _flow_run(fn, n, DaskExecutor(address=address))
    else:
        raise ValueError(name)
    return {"seconds": seconds, "peak_mb": _peak_mb()}


def measure(name: str, n: int) -> Dict[str, float]:
    """`scenario(name, n)` in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", name, "--n", str(n)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--map", type=int, default=10_000)
    parser.add_argument("--sleepers", type=int, default=200)
    parser.add_argument(
        "--million", action="store_true", help="also 1,000,000 children on DaskExecutor"
    )
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scenario:
        print(json.dumps(scenario(args.scenario, args.n)))
        return 0

    rows = []

    def row(
        label: str,
        ours: Dict[str, float],
        base: Dict[str, float],
        base_name: str,
        figure: str,
        target: str,
        met: bool,
    ) -> None:
        rows.append((label, ours, base, base_name, figure, target, "ok" if met else "MISSED"))

    n = args.children
    local, ldask = measure("local", n), measure("ldask", n)
    ratio = ldask["seconds"] / local["seconds"]
    row(
        f"LocalDask map {n:,}: time",
        ldask,
        local,
        "LocalExecutor",
        f"{ratio:.2f}x",
        "≤ 2x",
        ratio <= 2,
    )
    mem = ldask["peak_mb"] / local["peak_mb"]
    row(
        f"LocalDask map {n:,}: peak RSS",
        ldask,
        local,
        "LocalExecutor",
        f"{mem:.2f}x",
        "≤ 1.5x",
        mem <= 1.5,
    )

    m = args.map
    ours, plain = measure("ldask", m), measure("dask-threads", m)
    speed = plain["seconds"] / ours["seconds"]
    row(
        f"LocalDask map {m:,} (2 threads)",
        ours,
        plain,
        "plain dask threads",
        f"{speed:.2f}x speed",
        "≥ 1.0x",
        speed >= 1.0,
    )

    s = args.sleepers
    ours, local = measure("ldask-sleep", s), measure("local-sleep", s)
    speed = local["seconds"] / ours["seconds"]
    row(
        f"{s} x 10 ms sleep, 8 threads",
        ours,
        local,
        "LocalExecutor",
        f"{speed:.2f}x faster",
        "≥ 6x",
        speed >= 6,
    )

    ours, plain = measure("distributed", m), measure("client-map", m)
    ratio = ours["seconds"] / plain["seconds"]
    row(
        f"DaskExecutor map {m:,}",
        ours,
        plain,
        "plain client.map",
        f"{ratio:.2f}x",
        "≤ 1.3x",
        ratio <= 1.3,
    )

    if args.million:
        big = measure("distributed", 1_000_000)
        row(
            "DaskExecutor map 1,000,000",
            big,
            {"seconds": float("nan"), "peak_mb": float("nan")},
            "—",
            f"{big['peak_mb']:.0f} MB RSS",
            "< 1024 MB",
            big["peak_mb"] < 1024,
        )

    print(
        f"{'benchmark':<34} {'ours s':>8} {'ours MB':>8}  {'baseline':<20} {'base s':>8} {'base MB':>8}"
        f"  {'figure':>16} {'target':>10}"
    )
    for label, ours, base, base_name, figure, target, verdict in rows:
        print(
            f"{label:<34} {ours['seconds']:>8.2f} {ours['peak_mb']:>8.0f}  {base_name:<20} "
            f"{base['seconds']:>8.2f} {base['peak_mb']:>8.0f}  {figure:>16} {target:>10} {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
