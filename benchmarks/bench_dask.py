"""Per-task overhead of the Dask executors, next to plain Dask and to LocalExecutor.

    python benchmarks/bench_dask.py [--n-map 10000] [--n-independent 400] [--n-sleep 400]

Workloads: a map over `--n-map` items and `--n-independent` independent tasks of a no-op
function (overhead), then the same shapes with `--n-sleep` tasks that sleep 10 ms each (does
parallelism pay for the overhead?). Executors: LocalExecutor, LocalDaskExecutor(threads) and
DaskExecutor on a 2-worker LocalCluster (processes, one thread each), connected by address: as in
Prefect 1 each call then checks the executor's cancellation event first; a second row shows
`disable_cancellation_event=True`. The baselines run the same
function on the same scheduler without prefect_classic: `dask.compute` of delayed calls for the
threaded scheduler, `client.map` + `client.gather` for the cluster. Prints one table; the
"vs dask" column is our per-task time divided by the baseline's.
"""

import argparse
import logging
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

SLEEP = 0.01


def noop(x: int) -> int:
    return x + 1


def nap(x: int) -> int:
    time.sleep(SLEEP)
    return x + 1


def build_flows(fn: Callable[[int], int], n_map: int, n_independent: int) -> Dict[str, Any]:
    from prefect_classic import Flow, task

    step = task(fn, name=fn.__name__)
    with Flow(f"map-{fn.__name__}") as mapped:
        step.map(list(range(n_map)))
    with Flow(f"independent-{fn.__name__}") as independent:
        for i in range(n_independent):
            step(i)
    return {
        f"map {n_map}": (mapped, n_map),
        f"{n_independent} independent": (independent, n_independent),
    }


def time_flow(flow: Any, executor: Any) -> float:
    started = time.perf_counter()
    state = flow.run(executor=executor)
    elapsed = time.perf_counter() - started
    if not state.is_successful():
        raise RuntimeError(f"{flow.name} on {executor}: {state}")
    return elapsed


def time_plain_threads(fn: Callable[[int], int], n: int, workers: int) -> float:
    import dask

    started = time.perf_counter()
    dask.compute(
        *[dask.delayed(fn, pure=False)(i) for i in range(n)],
        scheduler="threads",
        num_workers=workers,
    )
    return time.perf_counter() - started


def time_plain_client(client: Any, fn: Callable[[int], int], n: int) -> float:
    started = time.perf_counter()
    client.gather(client.map(fn, range(n), pure=False))
    return time.perf_counter() - started


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-map", type=int, default=10_000)
    parser.add_argument("--n-independent", type=int, default=400)
    parser.add_argument(
        "--n-sleep", type=int, default=400, help="tasks per shape in the 10 ms workload"
    )
    args = parser.parse_args(argv)

    import cloudpickle
    from distributed import Client, LocalCluster

    from prefect_classic.executors import DaskExecutor, LocalDaskExecutor, LocalExecutor

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    logging.getLogger("prefect").setLevel("WARNING")  # time the engine, not the terminal
    rows: List[Tuple[str, str, int, float, Optional[float]]] = []
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.run(logging.getLogger("prefect").setLevel, "WARNING")
        workloads = [(noop, args.n_map, args.n_independent), (nap, args.n_sleep, args.n_sleep)]
        for fn, n_map, n_independent in workloads:
            for shape, (flow, n) in build_flows(fn, n_map, n_independent).items():
                label = f"{shape} x {fn.__name__}"
                if fn is nap or n <= 1000:
                    rows.append((label, "LocalExecutor", n, time_flow(flow, LocalExecutor()), None))
                threads = time_plain_threads(fn, n, 2)
                rows.append(
                    (
                        label,
                        "LocalDaskExecutor(threads)",
                        n,
                        time_flow(flow, LocalDaskExecutor("threads", num_workers=2)),
                        threads,
                    )
                )
                rows.append((label, "  plain dask threads", n, threads, None))
                plain = time_plain_client(client, fn, n)
                rows.append(
                    (
                        label,
                        "DaskExecutor(2 workers)",
                        n,
                        time_flow(flow, DaskExecutor(address=cluster.scheduler_address)),
                        plain,
                    )
                )
                # without the per-call check of the cancellation event (one scheduler round trip)
                rows.append(
                    (
                        label,
                        "  disable_cancellation_event",
                        n,
                        time_flow(
                            flow,
                            DaskExecutor(
                                address=cluster.scheduler_address, disable_cancellation_event=True
                            ),
                        ),
                        plain,
                    )
                )
                rows.append((label, "  plain client.map", n, plain, None))

    print(
        f"{'workload':<28} {'executor':<28} {'tasks':>6} {'wall s':>8} {'ms/task':>8} {'vs dask':>8}"
    )
    for label, name, n, wall, baseline in rows:
        ratio = f"{wall / baseline:8.2f}" if baseline else " " * 8
        print(f"{label:<28} {name:<28} {n:>6} {wall:>8.2f} {1000 * wall / n:>8.3f} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
