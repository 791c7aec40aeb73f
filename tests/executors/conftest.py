"""Executor fixtures: the same flows run on LocalExecutor, LocalDaskExecutor (threads and
processes) and DaskExecutor (in-process and multi-process LocalClusters).

The clusters are started once per session (lazily, by the first test that needs them); each test
gets a fresh executor object connected to them. A `LocalDaskExecutor("processes")` starts its pool
for each flow run.
"""

import logging
from typing import Any, Iterator

import pytest

EXECUTOR_NAMES = [
    "local",
    "dask-threads",
    "dask-processes",
    "distributed-inproc",
    "distributed-processes",
]
#: executors whose task runs happen in other processes than the flow runner's
OUT_OF_PROCESS = {"dask-processes", "distributed-processes"}


def local_cluster(processes: bool, n_workers: int = 2, **kwargs: Any) -> Any:
    """A LocalCluster of single-threaded workers on the loopback interface, dashboard off."""
    from distributed import LocalCluster

    kwargs.setdefault("silence_logs", logging.CRITICAL)
    # dashboard off; the scheduler's small HTTP endpoint takes a free port instead of 8787
    kwargs.setdefault("scheduler_kwargs", {"dashboard_address": ":0"})
    if processes:
        kwargs.setdefault("host", "127.0.0.1")
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        **kwargs,
    )


@pytest.fixture(scope="session")
def inproc_cluster() -> Iterator[Any]:
    """Two worker threads in this process (`LocalCluster(processes=False)`)."""
    with local_cluster(processes=False) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def process_cluster() -> Iterator[Any]:
    """Two worker processes (`LocalCluster(processes=True)`) bound to 127.0.0.1."""
    with local_cluster(processes=True) as cluster:
        yield cluster


def make_executor(name: str, request: pytest.FixtureRequest) -> Any:
    """The executor called `name` (see EXECUTOR_NAMES)."""
    from prefect_classic.executors import DaskExecutor, LocalDaskExecutor, LocalExecutor

    if name == "local":
        return LocalExecutor()
    if name == "dask-threads":
        return LocalDaskExecutor("threads", num_workers=2)
    if name == "dask-processes":
        return LocalDaskExecutor("processes", num_workers=2)
    if name == "distributed-inproc":
        return DaskExecutor(address=request.getfixturevalue("inproc_cluster").scheduler_address)
    if name == "distributed-processes":
        return DaskExecutor(address=request.getfixturevalue("process_cluster").scheduler_address)
    raise ValueError(name)


@pytest.fixture(params=EXECUTOR_NAMES)
def executor(request: pytest.FixtureRequest) -> Any:
    """Each of the five executors in turn (`executor_name` tells which)."""
    return make_executor(request.param, request)


@pytest.fixture
def executor_name(executor: Any, request: pytest.FixtureRequest) -> str:
    """The name of the executor the test runs on."""
    return request.node.callspec.params["executor"]
