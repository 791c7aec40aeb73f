"""The executor API as Prefect 1 defines it: `start()`/`submit()`/`wait()`, the constructor
arguments and attributes of the Dask executors, their life cycle (pools, cancellation, worker
events) and what they do with calls that cannot travel."""

import logging
import os
import random
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, List

import cloudpickle
import dask
import distributed
import pytest

from prefect_classic.executors import DaskExecutor, Executor, LocalDaskExecutor, LocalExecutor

sys.path.insert(0, os.path.dirname(__file__))
from conftest import EXECUTOR_NAMES, local_cluster, make_executor  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])


class LogEvent(logging.Handler):
    """Sets `event` when a `prefect` record containing `text` is emitted."""

    def __init__(self, text: str):
        super().__init__(logging.DEBUG)
        self.text = text
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


# --- the base class and LocalExecutor ---------------------------------------------------------------
def test_the_base_executor_is_an_interface() -> None:
    executor = Executor()
    with executor.start():
        with pytest.raises(NotImplementedError):
            executor.submit(lambda: 1)
        with pytest.raises(NotImplementedError):
            executor.wait([1])
    assert repr(executor) == "<Executor: Executor>"
    assert executor.logger.name == "prefect.Executor"


def test_local_executor_runs_at_submit_and_wait_returns_its_input() -> None:
    executor = LocalExecutor()
    assert executor.submit(lambda x, y: x * y, 6, y=7) == 42
    assert executor.submit(lambda: os) is os
    assert executor.wait({"a": [1, (2,)]}) == {"a": [1, (2,)]}


@pytest.mark.parametrize(
    "make",
    [
        Executor,
        LocalExecutor,
        LocalDaskExecutor,
        lambda: LocalDaskExecutor("processes"),
        lambda: LocalDaskExecutor("sync"),
    ],
)
def test_executors_pickle_before_and_while_running(make: Any) -> None:
    executor = make()
    assert type(cloudpickle.loads(cloudpickle.dumps(executor))) is type(executor)
    with executor.start():
        copy = cloudpickle.loads(cloudpickle.dumps(executor))
    assert type(copy) is type(executor)
    assert getattr(copy, "_pool", None) is None


@pytest.mark.parametrize("name", EXECUTOR_NAMES)
def test_the_same_call_submitted_twice_runs_twice(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Calls are never assumed pure: equal calls are two task runs."""

    def draw() -> float:  # (`random.random` itself would ship a copy of this process's RNG state)
        return random.random()

    executor = make_executor(name, request)
    with executor.start():
        one = executor.wait(executor.submit(draw))
        two = executor.wait(executor.submit(draw))
    assert one != two


# --- LocalDaskExecutor ------------------------------------------------------------------------------
def test_local_dask_scheduler_names_are_normalized_case_insensitively() -> None:
    normalize = LocalDaskExecutor._normalize_scheduler
    assert [normalize(n) for n in ("THREADS", "threading", "Processes", "multiprocessing")] == [
        "threads",
        "threads",
        "processes",
        "processes",
    ]
    assert {normalize(n) for n in ("sync", "synchronous", "single-threaded")} == {"synchronous"}
    assert LocalDaskExecutor().scheduler == "threads"
    with pytest.raises(ValueError, match="Unknown scheduler 'gpu'"):
        normalize("gpu")


def test_local_dask_futures_are_dask_collections() -> None:
    """Like Prefect 1's `dask.delayed` results, a submitted call can be computed by Dask itself,
    with the calls it depends on."""
    executor = LocalDaskExecutor()
    with executor.start():
        one = executor.submit(lambda: 1)
        two = executor.submit(lambda x, y: x + y, one, y=1)
        assert one.compute(scheduler="sync") == 1
        assert dask.compute(two, scheduler="threads") == (2,)
        assert two.compute() == 2
        assert executor.submit(lambda: os).compute(scheduler="sync") is os


def test_local_dask_keys_are_named_after_the_task_run() -> None:
    executor = LocalDaskExecutor("sync")
    with executor.start():
        plain = executor.submit(lambda x: x + 1, 1, extra_context={"task_name": "inc"})
        child = executor.submit(
            lambda x: x + 1, 2, extra_context={"task_name": "inc", "task_index": 3}
        )
        mapped = executor.submit(
            lambda x: x + 1, 3, extra_context={"task_name": "inc", "map_index": 4}
        )
        assert executor.wait([plain, child, mapped]) == [2, 3, 4]
    assert plain.key.startswith("inc-") and len(plain.key) == len("inc-") + 32
    assert child.key.startswith("inc-3-") and mapped.key.startswith("inc-4-")


@pytest.mark.parametrize("scheduler", ["threads", "processes", "synchronous"])
def test_each_run_has_its_own_pool_of_the_configured_kind_and_size(scheduler: str) -> None:
    from dask.system import CPU_COUNT

    kinds = {"threads": ThreadPoolExecutor, "processes": ProcessPoolExecutor}
    for num_workers in (None, 1):
        executor = LocalDaskExecutor(
            scheduler, **({"num_workers": num_workers} if num_workers else {})
        )
        with executor.start():
            pool = executor._pool
            if scheduler == "synchronous":
                assert pool is None
            else:
                assert isinstance(pool, kinds[scheduler])
                assert pool._max_workers == (num_workers or CPU_COUNT)
        assert executor._pool is None


def test_extra_arguments_are_dask_configuration_while_the_executor_runs() -> None:
    key = f"prefect-classic-test-{uuid.uuid4().hex}"
    executor = LocalDaskExecutor("synchronous", **{key: 3})
    with executor.start():
        assert executor.wait(executor.submit(dask.config.get, key)) == 3
    assert dask.config.get(key, None) is None


@pytest.mark.skipif(sys.platform == "win32", reason="pthread_kill")
def test_an_interrupted_flow_run_interrupts_running_threads() -> None:
    """Ctrl-C while waiting stops the running task run quickly instead of waiting for it."""
    started, stopped, finished, caught = (threading.Event() for _ in range(4))

    def long_task() -> None:
        started.set()
        try:
            for _ in range(600):
                time.sleep(0.05)
            finished.set()
        finally:
            stopped.set()

    main = threading.get_ident()
    raised: List[int] = []

    def on_sigint(signum: int, frame: Any) -> None:  # Ctrl-C once; repeats are ignored
        if not raised:
            raised.append(signum)
            raise KeyboardInterrupt

    def interrupt() -> None:
        # a signal that lands just before the main thread blocks may wait for the next one
        if started.wait(60):
            while not caught.is_set():
                signal.pthread_kill(main, signal.SIGINT)
                caught.wait(0.5)

    executor = LocalDaskExecutor("threads", num_workers=1)
    previous = signal.signal(signal.SIGINT, on_sigint)
    threading.Thread(target=interrupt, daemon=True).start()
    begin = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            with executor.start():
                executor.wait(executor.submit(long_task))
    finally:
        caught.set()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - begin < 20
    assert stopped.wait(20) and not finished.is_set()  # the task run itself was interrupted
    assert executor._pool is None


def test_a_process_call_that_cannot_be_pickled_fails_at_submit() -> None:
    executor = LocalDaskExecutor("processes", num_workers=1)
    with executor.start():
        lock = threading.Lock()
        with pytest.raises(TypeError, match="pickle"):
            executor.submit(lambda: lock.locked())


# --- DaskExecutor: arguments ------------------------------------------------------------------------
def test_an_address_leaves_the_cluster_options_unset() -> None:
    executor = DaskExecutor(address="tcp://127.0.0.1:8786", adapt_kwargs={"maximum": 2})
    assert (executor.cluster_class, executor.cluster_kwargs) == (None, None)
    assert executor.client_kwargs == {"set_as_default": False}
    assert executor.adapt_kwargs == {"maximum": 2}
    with pytest.raises(ValueError, match="Cannot specify `address` and `cluster_class`"):
        DaskExecutor(address="tcp://127.0.0.1:8786", cluster_class=distributed.LocalCluster)


def test_the_cluster_class_is_imported_and_a_local_clusters_logs_follow_debug() -> None:
    executor = DaskExecutor(cluster_kwargs={"processes": False})
    assert executor.cluster_class is distributed.LocalCluster
    assert executor.cluster_kwargs == {"processes": False, "silence_logs": logging.CRITICAL}
    assert executor.adapt_kwargs == {}
    assert DaskExecutor(debug=True).cluster_kwargs == {"silence_logs": logging.WARNING}
    spec = DaskExecutor(
        cluster_class="distributed.deploy.spec.SpecCluster",
        cluster_kwargs={"a": 1},
        client_kwargs={"set_as_default": True},
    )
    assert spec.cluster_class is distributed.deploy.spec.SpecCluster
    assert spec.cluster_kwargs == {"a": 1}  # silence_logs only for LocalCluster
    assert spec.client_kwargs == {"set_as_default": True}


def test_dask_kwargs_name_the_key_and_request_tagged_resources() -> None:
    prep = DaskExecutor(address="tcp://127.0.0.1:8786")._prep_dask_kwargs
    kwargs = prep(
        {"task_name": "fit", "task_index": 2, "task_tags": ["dask-resource:GPU=2", "other"]}
    )
    assert kwargs["pure"] is False
    assert kwargs["key"].startswith("fit-2-")
    assert kwargs["resources"] == {"GPU": 2.0}
    assert prep(None) == {"pure": False}


def test_performance_report_reads_the_report_file(tmp_path: Path) -> None:
    assert DaskExecutor().performance_report == ""
    assert (
        DaskExecutor(performance_report_path=str(tmp_path / "missing.html")).performance_report
        == ""
    )
    (tmp_path / "report.html").write_text("<html>report</html>")
    assert (
        DaskExecutor(performance_report_path=str(tmp_path / "report.html")).performance_report
        == "<html>report</html>"
    )


def test_submit_and_wait_need_a_started_executor() -> None:
    executor = DaskExecutor(address="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="not been started"):
        executor.submit(lambda: 1)
    with pytest.raises(ValueError, match="not been started"):
        executor.wait([])


# --- DaskExecutor: running --------------------------------------------------------------------------
def test_calls_reach_the_cluster_without_a_wait(inproc_cluster: Any) -> None:
    """Submitted calls are sent in the background: they run even if nobody waits for them."""
    name = f"ran-{uuid.uuid4().hex}"

    def mark() -> None:
        distributed.Event(name).set()

    executor = DaskExecutor(address=inproc_cluster.scheduler_address)
    with executor.start():
        executor.submit(mark)
        assert distributed.Event(name, client=executor.client).wait(timeout=60)


def test_a_dask_call_that_cannot_be_pickled_fails_at_submit(inproc_cluster: Any) -> None:
    executor = DaskExecutor(address=inproc_cluster.scheduler_address)
    with executor.start():
        lock = threading.Lock()
        with pytest.raises(TypeError, match="cannot pickle '_thread.lock' object"):
            executor.submit(lambda: lock.locked())
        assert executor.wait(executor.submit(lambda: 1)) == 1


@pytest.mark.parametrize("disabled", [False, True])
def test_the_cancellation_event_exists_while_running_unless_disabled(
    inproc_cluster: Any, disabled: bool
) -> None:
    executor = DaskExecutor(
        address=inproc_cluster.scheduler_address, disable_cancellation_event=disabled
    )
    with executor.start():
        assert executor.wait(executor.submit(lambda x: x + 1, 1)) == 2
        assert (executor._should_run_event is None) is disabled
        assert (executor._futures is None) is disabled
        copy = cloudpickle.loads(cloudpickle.dumps(executor))
        assert (copy.client, copy._futures, copy._should_run_event) == (None, None, None)
    assert (executor.client, executor._futures, executor._should_run_event) == (None, None, None)


def test_leaving_start_waits_for_running_calls_and_skips_pending_ones(inproc_cluster: Any) -> None:
    """On a cluster that outlives the executor, a call still running when `start()` ends runs to
    its end; a call that had not started does not start."""
    tag = uuid.uuid4().hex
    started, release, done, dependent_ran = (
        f"{n}-{tag}" for n in ("started", "release", "done", "dependent")
    )

    def slow() -> int:
        distributed.Event(started).set()
        distributed.Event(release).wait()
        distributed.Event(done).set()
        return 1

    def dependent(x: int) -> None:
        distributed.Event(dependent_ran).set()

    executor = DaskExecutor(address=inproc_cluster.scheduler_address)
    waiting = LogEvent("waiting for 1 active tasks to complete")
    logger = logging.getLogger("prefect.DaskExecutor")
    logger.addHandler(waiting)
    try:
        with distributed.Client(inproc_cluster.scheduler_address, set_as_default=False) as client:
            # the running call is released once the executor has stopped new calls from starting
            releaser = threading.Thread(
                target=lambda: (
                    waiting.event.wait(60) and distributed.Event(release, client=client).set()
                ),
                daemon=True,
            )
            releaser.start()
            with executor.start():
                first = executor.submit(slow)
                executor.submit(dependent, first)
                assert (
                    executor.wait(executor.submit(int)) == 0
                )  # (a wait sends everything submitted)
                assert distributed.Event(started, client=client).wait(timeout=60)
            assert distributed.Event(done, client=client).is_set()
            assert not distributed.Event(dependent_ran, client=client).is_set()
    finally:
        logger.removeHandler(waiting)
    assert (executor.client, executor._futures, executor._should_run_event) == (None, None, None)


class RecordingExecutor(DaskExecutor):
    """Records the worker events it is told about."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.seen: List[str] = []
        self.both = threading.Event()

    async def on_worker_status_changed(self, op: str, message: Any) -> None:
        await super().on_worker_status_changed(op, message)
        self.seen.append(op)
        if {"add", "remove"} <= set(self.seen):
            self.both.set()


def test_worker_events_reach_on_worker_status_changed_and_the_debug_log(prefect_logs: Any) -> None:
    with local_cluster(processes=False, n_workers=1) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            executor = RecordingExecutor(address=cluster.scheduler_address)
            with executor.start():
                assert executor.watch_worker_status is None
                assert executor._watch_dask_events_task is not None
                cluster.scale(2)
                client.wait_for_workers(2, timeout=60)
                cluster.scale(1)
                assert executor.both.wait(60)
            assert executor._watch_dask_events_task is None
    assert any(m.startswith("Worker ") and m.endswith(" added") for m in prefect_logs.messages)
    assert any(m.startswith("Worker ") and m.endswith(" removed") for m in prefect_logs.messages)


@pytest.mark.parametrize(
    "watch,adapt,watching",
    [(False, None, False), (None, {"maximum": 2}, False), (True, {"maximum": 2}, True)],
)
def test_watching_worker_events_is_off_for_adaptive_clusters_unless_asked(
    inproc_cluster: Any, watch: Any, adapt: Any, watching: bool
) -> None:
    executor = DaskExecutor(
        address=inproc_cluster.scheduler_address, watch_worker_status=watch, adapt_kwargs=adapt
    )
    with executor.start():
        assert executor.watch_worker_status is watch
        assert (executor._watch_dask_events_task is not None) is watching


def test_a_temporary_cluster_logs_its_creation_and_runs_calls(prefect_logs: Any) -> None:
    executor = DaskExecutor(
        cluster_kwargs={"processes": False, "n_workers": 1, "dashboard_address": None}
    )
    with executor.start():
        assert executor.wait(executor.submit(lambda x: x + 1, 1)) == 2
        assert executor._should_run_event is not None  # an in-process cluster
    assert prefect_logs.contains(
        "Creating a new Dask cluster with `distributed.deploy.local.LocalCluster`"
    )
