"""LocalDaskExecutor and DaskExecutor themselves: options, cluster life cycle, explicit
addresses, worker death, and the ways a flow picks its executor."""

import datetime
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, List

import cloudpickle
import dask
import pytest
from distributed import LocalCluster
from distributed.core import Status

from prefect_classic import Flow, task
from prefect_classic.engine.state import Failed, TriggerFailed
from prefect_classic.executors import DaskExecutor, LocalDaskExecutor, LocalExecutor
from prefect_classic.utilities.configuration import set_temporary_config

sys.path.insert(0, os.path.dirname(__file__))
from conftest import local_cluster  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])


@task
def whoami() -> tuple:
    return os.getpid(), threading.current_thread().name


@task
def whoami_of(x: int) -> tuple:
    return os.getpid(), x


@task
def double(x: int) -> int:
    return 2 * x


def test_unknown_local_scheduler_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown scheduler 'gpu'"):
        LocalDaskExecutor("gpu")


@pytest.mark.parametrize(
    "alias,scheduler",
    [
        ("threading", "threads"),
        ("multiprocessing", "processes"),
        ("sync", "synchronous"),
        ("Single-Threaded", "synchronous"),
    ],
)
def test_local_scheduler_aliases_are_accepted(alias: str, scheduler: str) -> None:
    assert LocalDaskExecutor(alias).scheduler == scheduler


def test_sync_scheduler_runs_in_the_flow_runner_thread() -> None:
    with Flow("sync") as flow:
        w = whoami()
        d = double.map([1, 2])
    state = flow.run(executor=LocalDaskExecutor("sync"))
    assert state.result[w].result == (os.getpid(), threading.current_thread().name)
    assert state.result[d].result == [2, 4]


def test_processes_scheduler_runs_task_runs_in_other_processes() -> None:
    with Flow("procs") as flow:
        w = whoami()
    pid, _ = flow.run(executor=LocalDaskExecutor("processes", num_workers=1)).result[w].result
    assert pid != os.getpid()


def test_threads_scheduler_uses_its_own_thread_pool_and_closes_it() -> None:
    executor = LocalDaskExecutor("threads", num_workers=3)
    with Flow("threads") as flow:
        w = whoami()
    state = flow.run(executor=executor)
    assert state.result[w].result[1].startswith("prefect-dask")
    assert executor._pool is None


def test_wait_computes_each_submitted_call_once() -> None:
    calls: List[int] = []

    def record(x: int) -> int:
        calls.append(x)
        return x

    executor = LocalDaskExecutor("threads")
    with executor.start():
        a = executor.submit(record, 1)
        b = executor.submit(lambda v: v + 1, a)
        assert executor.wait(a) == 1
        assert executor.wait({"b": [b], "a": (a,)}) == {"b": [2], "a": (1,)}
    assert calls == [1]


def test_dask_executor_rejects_an_address_with_cluster_options() -> None:
    with pytest.raises(ValueError, match="Cannot specify `address` and `cluster_class`"):
        DaskExecutor(address="tcp://127.0.0.1:8786", cluster_kwargs={"n_workers": 1})


def test_dask_executor_reads_its_address_from_config() -> None:
    with set_temporary_config({"engine.executor.dask.address": "tcp://127.0.0.1:8786"}):
        assert DaskExecutor().address == "tcp://127.0.0.1:8786"
    assert DaskExecutor().address is None


class RecordingCluster(LocalCluster):
    """A LocalCluster that remembers its instances, to check the executor closes them."""

    instances: List["RecordingCluster"] = []

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        RecordingCluster.instances.append(self)


def test_temporary_cluster_is_created_for_the_run_and_closed_after() -> None:
    RecordingCluster.instances.clear()
    executor = DaskExecutor(
        cluster_class=f"{__name__}.RecordingCluster",
        cluster_kwargs={
            "n_workers": 1,
            "processes": False,
            "dashboard_address": None,
            "scheduler_kwargs": {"dashboard_address": ":0"},
        },
        adapt_kwargs={"minimum": 1, "maximum": 2},
    )
    with Flow("temporary") as flow:
        d = double.map([1, 2, 3])
    state = flow.run(executor=executor)
    assert state.result[d].result == [2, 4, 6]
    [cluster] = RecordingCluster.instances
    assert cluster.status == Status.closed
    assert executor.client is None


def test_explicit_address_runs_task_runs_on_that_clusters_workers(process_cluster: Any) -> None:
    executor = DaskExecutor(address=process_cluster.scheduler_address)
    with executor.start():
        worker_pids = set(executor.client.run(os.getpid).values())
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    with Flow("address") as flow:
        w = whoami_of.map([1, 2, 3, 4])
    state = flow.run(executor=executor)
    assert [s.result[1] for s in state.result[w].map_states] == [1, 2, 3, 4]
    assert {s.result[0] for s in state.result[w].map_states} <= worker_pids


def test_executor_can_be_pickled_while_running(inproc_cluster: Any) -> None:
    executor = DaskExecutor(address=inproc_cluster.scheduler_address)
    with executor.start():
        copy = cloudpickle.loads(cloudpickle.dumps(executor))
    assert copy.client is None and copy.address == executor.address


def test_flow_run_uses_the_executor_passed_to_it() -> None:
    with Flow("kwarg") as flow:
        w = whoami()
    state = flow.run(executor=LocalDaskExecutor("threads"))
    assert state.result[w].result[1].startswith("prefect-dask")


def test_flow_uses_its_own_executor_unless_run_is_given_one() -> None:
    with Flow("attribute", executor=LocalDaskExecutor("threads")) as flow:
        w = whoami()
    assert flow.run().result[w].result[1].startswith("prefect-dask")
    assert flow.run(executor=LocalExecutor()).result[w].result[1] == threading.current_thread().name


def test_worker_death_fails_the_task_run_with_a_clear_message(tmp_path: Path) -> None:
    """The task kills its own worker process; Dask gives up on it (allowed-failures=0) and the
    flow run ends Failed instead of hanging; its downstream task does not succeed."""

    @task
    def die() -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 1

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = local_cluster(processes=True, n_workers=1)
    with cluster:
        with Flow("death") as flow:
            d = die()
            after = double(d)
        state = flow.run(executor=DaskExecutor(address=cluster.scheduler_address))
    assert state.is_failed()
    lost = state.result[d]
    assert isinstance(lost, Failed)
    assert "Task run 'die' was lost: the Dask worker running it died (KilledWorker" in lost.message
    assert state.result[after].is_failed()


def test_worker_death_in_a_local_process_pool_fails_the_task_run() -> None:
    """The dead worker's task run fails with a clear message instead of hanging; the executor
    still works for the next flow run (each run has its own pool)."""

    @task
    def die() -> int:
        os._exit(3)

    executor = LocalDaskExecutor("processes", num_workers=1)
    with Flow("pool-death") as flow:
        d = die()
    state = flow.run(executor=executor)
    assert state.is_failed()
    assert "Task run 'die' was lost: the Dask worker running it died" in state.result[d].message
    with Flow("after") as flow2:
        x = double(2)
    assert flow2.run(executor=executor).result[x].result == 4


def test_a_task_failing_after_its_retries_on_a_cluster_trigger_fails_downstream(
    inproc_cluster: Any,
) -> None:
    """Retrying rounds re-connect to the cluster; the final failure reaches the downstream trigger."""

    @task(max_retries=1, retry_delay=datetime.timedelta(seconds=0))
    def fails() -> None:
        raise ValueError("no")

    with Flow("cascade") as flow:
        f = fails()
        after = double(f)
    state = flow.run(executor=DaskExecutor(address=inproc_cluster.scheduler_address))
    assert isinstance(state.result[f], Failed)
    assert isinstance(state.result[after], TriggerFailed)


def test_dask_resource_tags_request_worker_resources() -> None:
    """Tasks tagged `dask-resource:KEY=NUM` only run on workers that have that resource."""
    with local_cluster(processes=False, n_workers=1, resources={"GPU": 1}) as gpu_cluster:
        gpu_worker = next(iter(gpu_cluster.scheduler.workers))

        @task(tags=["dask-resource:GPU=1"])
        def on_gpu() -> str:
            from distributed import get_worker

            return get_worker().address

        with Flow("resources") as flow:
            g = on_gpu()
        state = flow.run(executor=DaskExecutor(address=gpu_cluster.scheduler_address))
    assert state.result[g].result == gpu_worker
