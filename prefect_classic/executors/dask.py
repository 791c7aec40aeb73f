"""Executors on Dask: `LocalDaskExecutor` (dask's local schedulers) and `DaskExecutor`
(`dask.distributed`).

Both run each submitted call as one Dask task; what travels with it, how its logs and cached
states come back, is described in `prefect_classic.executors._calls`.
"""

import asyncio
import logging
import threading
import uuid
import weakref
from concurrent.futures import Executor as PoolExecutor
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from prefect_classic.engine.state import Failed
from prefect_classic.executors._calls import (
    _hand_over,
    _lost_run_state,
    _make_call,
    _map_structure,
    _Outcome,
    _swap_futures,
    call_key,
    has_future,
    make_task_key,
)
from prefect_classic.executors._pools import _exit_on_sigterm, _interrupt_threads
from prefect_classic.executors._sender import _Deferred, _is_dask_future, _Sender
from prefect_classic.executors._stream import (
    CallStream,
    StreamStats,
    _overrides_submit,
    _Streaming,
    stream_on_client,
    stream_on_pool,
)

__all__ = ["DaskExecutor", "LocalDaskExecutor"]


# --- LocalDaskExecutor ----------------------------------------------------------------------------
_SCHEDULERS = {
    "threads": "threads",
    "threading": "threads",
    "processes": "processes",
    "multiprocessing": "processes",
    "sync": "synchronous",
    "synchronous": "synchronous",
    "single-threaded": "synchronous",
}


def _subgraph(pending: Dict[str, tuple], done: Dict[str, Any], keys: List[str]) -> Dict[str, Any]:
    """The Dask graph that computes `keys`: their pending calls and the calls those depend on;
    finished calls appear as data (wrapped, so that Dask never mistakes a value for a task)."""
    graph: Dict[str, Any] = {}
    stack = list(keys)
    while stack:
        key = stack.pop()
        if key in graph:
            continue
        if key in done:
            graph[key] = _Outcome(done[key])
            continue
        call = pending[key]
        graph[key] = call
        stack.extend(call[1:])
    return graph


def _first_value(results: List[Any]) -> Any:
    return _hand_over(results[0])


def _threaded_get(graph: Any, keys: Any, **kwargs: Any) -> Any:
    from dask.threaded import get

    return get(graph, keys, **kwargs)


def _no_optimization(graph: Any, keys: Any, **kwargs: Any) -> Any:
    """The graph of a local future, left as it is (its `__dask_optimize__`)."""
    return graph


class _LocalFuture:
    """A call submitted to a `LocalDaskExecutor`: the key of its Dask task.

    It is also a Dask collection, like the `dask.delayed` objects of Prefect 1:
    `future.compute()` (or `dask.compute(future)`) runs the call and the calls it depends on
    without storing the result in the executor.
    """

    __slots__ = ("key", "_pending", "_done", "__weakref__")

    def __init__(self, key: str, pending: Dict[str, tuple], done: Dict[str, Any]):
        self.key = key
        self._pending = pending
        self._done = done

    def __repr__(self) -> str:
        return f"<LocalDaskExecutor future: {self.key}>"

    def __dask_graph__(self) -> Dict[str, Any]:
        return _subgraph(self._pending, self._done, [self.key])

    def __dask_keys__(self) -> List[str]:
        return [self.key]

    def __dask_layers__(self) -> Tuple[str]:
        return (self.key,)

    def __dask_tokenize__(self) -> str:
        return self.key

    def __dask_postcompute__(self) -> Tuple[Callable, tuple]:
        return _first_value, ()

    # (a function, not None: Dask releases for Python 3.9 call it unconditionally)
    __dask_optimize__ = staticmethod(_no_optimization)
    __dask_scheduler__ = staticmethod(_threaded_get)

    def compute(self, **kwargs: Any) -> Any:
        """Compute the call with Dask (threads unless `scheduler=` says otherwise).

        Args:
            - **kwargs (Any): keyword arguments of `dask.compute`

        Returns:
            - Any: the call's result
        """
        import dask

        return dask.compute(self, **kwargs)[0]


def _is_local_future(obj: Any) -> bool:
    return type(obj) is _LocalFuture


class LocalDaskExecutor(_Streaming):
    """Runs task runs on one of Dask's local schedulers: a thread pool, a process pool, or
    synchronously in the flow runner's thread.

    Submitted calls form a Dask graph; `wait()` computes the part of it that is needed
    (independent calls in parallel) and keeps the results, so nothing runs twice. The children
    of a mapped task are streamed through the pool by `submit_many`, in a bounded window. The pool is
    created by `start()` and shut down when it ends; when the flow run is interrupted (an
    exception, Ctrl-C), running task runs are interrupted instead of awaited. With `"processes"`
    the calls travel with cloudpickle to processes started with Dask's multiprocessing context
    (`multiprocessing.context`, "spawn" by default).

    Args:
        - scheduler (str, optional): `"threads"` (default, also `"threading"`), `"processes"`
            (also `"multiprocessing"`) or `"synchronous"` (also `"sync"`, `"single-threaded"`)
        - window (int, optional): the most children of a mapped task in flight at once
            (`submit_many`; default 1000)
        - **kwargs (Any): Dask configuration set while the executor runs, e.g. `num_workers`
            (the number of threads or processes; default: the number of CPUs)

    Raises:
        - ValueError: for an unknown scheduler
    """

    def __init__(self, scheduler: str = "threads", window: int = 1000, **kwargs: Any):
        self.scheduler = self._normalize_scheduler(scheduler)
        self.dask_config = kwargs
        self._stream_stats = StreamStats(window)
        self._pool: Optional[PoolExecutor] = None
        self._pending: Dict[str, tuple] = {}
        self._done: Dict[str, Any] = {}
        self._stubs: Dict[Any, Any] = {}
        super().__init__()

    @staticmethod
    def _normalize_scheduler(scheduler: str) -> str:
        """The canonical name of a Dask local scheduler: "threads", "processes" or "synchronous".

        Raises:
            - ValueError: for an unknown scheduler
        """
        name = _SCHEDULERS.get(scheduler.lower())
        if name is None:
            raise ValueError(
                f"Unknown scheduler {scheduler!r}, expected one of "
                f"'threads', 'processes' or 'synchronous'"
            )
        return name

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.update(_pool=None, _pending={}, _done={}, _stubs={})
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def _new_pool(self) -> Optional[PoolExecutor]:
        """A pool of the configured kind and size (None for the synchronous scheduler); call it
        inside the executor's Dask configuration."""
        if self.scheduler == "synchronous":
            return None
        import dask
        from dask.system import CPU_COUNT

        size = dask.config.get("num_workers", None) or CPU_COUNT
        if self.scheduler == "threads":
            return ThreadPoolExecutor(
                size, thread_name_prefix=f"prefect-dask-{uuid.uuid4().hex[:8]}"
            )
        from dask.multiprocessing import get_context

        return ProcessPoolExecutor(size, mp_context=get_context(), initializer=_exit_on_sigterm)

    def _interrupt_pool(self) -> None:
        """Stop the pool without waiting: queued calls are cancelled, running threads get a
        KeyboardInterrupt, worker processes are terminated."""
        pool = self._pool
        if pool is None:
            return
        self.logger.info("Attempting to interrupt and cancel all running tasks...")
        pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(pool, ThreadPoolExecutor):
            if not _interrupt_threads(pool):
                self.logger.warning(
                    "Running tasks cannot be interrupted on this Python implementation; "
                    "they continue to completion"
                )
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                with suppress(Exception):
                    process.terminate()

    @contextmanager
    def start(self) -> Iterator[None]:
        """Set the executor's Dask configuration and create its pool for one flow run; shut the
        pool down after (interrupting running calls if the flow run was interrupted)."""
        import dask

        with dask.config.set(**self.dask_config):
            self._pool = self._new_pool()
            self._stream_stats = StreamStats(self.window)
            interrupted = False
            try:
                yield
            except BaseException:
                interrupted = True
                raise
            finally:
                if interrupted:
                    self._interrupt_pool()
                elif self._pool is not None:
                    self._pool.shutdown(wait=True)
                self._pool = None
                self._pending, self._done, self._stubs = {}, {}, {}

    def submit(
        self, fn: Callable, *args: Any, extra_context: Optional[dict] = None, **kwargs: Any
    ) -> _LocalFuture:
        """Add `fn(*args, **kwargs)` to the graph; it runs when a `wait()` needs it.

        Args:
            - fn (Callable): the function
            - *args (Any): its positional arguments (futures of this executor allowed)
            - extra_context (dict, optional): `task_name` and `task_index`/`map_index`, which
                name the Dask key (`inc-3-<hex>`)
            - **kwargs (Any): its keyword arguments (futures allowed)

        Returns:
            - a future for `wait()` and later `submit()` calls, also a Dask collection
        """
        out_of_process = self.scheduler == "processes"
        call, futures = _make_call(
            fn, args, kwargs, _is_local_future, self._stubs if out_of_process else None
        )
        if out_of_process:
            call.freeze()
        key = call_key(fn, extra_context)
        self._pending[key] = (call, *[f.key for f in futures])
        return _LocalFuture(key, self._pending, self._done)

    def submit_many(
        self,
        fn: Callable,
        calls: Iterable[Dict[str, Any]],
        extra_context: Optional[dict] = None,
        **shared: Any,
    ) -> List[Any]:
        """Run `fn(**shared, **call)` for each call (the children of a mapped task) now, in
        the executor's pool, and return their results.

        The calls are taken lazily and at most `window` are in flight (taken and not finished),
        in batches sized by how long the calls take; results come back as batches finish.
        Outside `start()`, or when `submit` is overridden, each call is submitted to the graph
        as by `submit()`.

        Args:
            - fn (Callable): the function
            - calls (Iterable[dict]): the keyword arguments of each call
            - extra_context (dict, optional): `task_name` (names lost calls)
            - **shared (Any): keyword arguments common to every call

        Returns:
            - list: the results, in the order of `calls`
        """
        if _overrides_submit(self, LocalDaskExecutor) or (
            self._pool is None and self.scheduler != "synchronous"
        ):
            return super().submit_many(fn, calls, extra_context, **shared)
        stats = self._stream_stats
        if self.scheduler == "synchronous":  # in this thread, one after the other
            results = []
            for call in calls:
                stats.add(1)
                try:
                    results.append(fn(**shared, **self._resolve_now(call)))
                finally:
                    stats.remove(1)
            return results
        pool = self._pool
        assert pool is not None
        workers = int(getattr(pool, "_max_workers", 1))
        threads = self.scheduler == "threads"
        stream = CallStream(
            stats,
            max_batches=2 * workers,
            target_seconds=0.005 if threads else 0.02,
            max_batch=256 if threads else 1000,
        )
        name = str((extra_context or {}).get("task_name") or getattr(fn, "__name__", "call"))
        return stream_on_pool(
            lambda: self._pool,
            fn,
            calls,
            shared,
            name,
            stream,
            self._resolve_now,
            threads,
            self._replace_broken_pool,
        )

    def _resolve_now(self, call: Dict[str, Any]) -> Dict[str, Any]:
        """`call` with its futures replaced by their results (computed in this thread: the
        pool's threads may all be busy with the calls being streamed)."""
        if not has_future(call, _is_local_future):
            return call
        wanted: List[_LocalFuture] = []
        _swap_futures(call, _is_local_future, wanted)
        missing = [f.key for f in wanted if f.key not in self._done]
        if missing:
            self._compute(missing, in_this_thread=True)
        return _map_structure(call, _is_local_future, lambda f: self._done[f.key])

    def _replace_broken_pool(self, pool: Any) -> None:
        """A worker process of `pool` died: use a new pool for the rest of the flow run."""
        if pool is self._pool and self._pool is not None:
            self.logger.error("A worker process died")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()

    def wait(self, futures: Any) -> Any:
        """Compute what `futures` need and return the structure with results in place.

        Args:
            - futures (Any): futures, or dicts/lists/tuples/sets holding them (other values are
                returned as they are)

        Returns:
            - Any: the same structure with results in place of futures
        """
        wanted: List[_LocalFuture] = []
        _swap_futures(futures, _is_local_future, wanted)
        missing = [f.key for f in wanted if f.key not in self._done]
        if missing:
            self._compute(missing)
        return _map_structure(futures, _is_local_future, lambda f: self._done[f.key])

    def _compute(self, keys: List[str], in_this_thread: bool = False) -> None:
        graph = _subgraph(self._pending, self._done, keys)
        todo = [k for k in graph if k not in self._done]
        try:
            if in_this_thread and self.scheduler == "threads":
                from dask.local import get_sync

                results = get_sync(graph, todo)
            else:
                results = self._get(graph, todo)
        except Exception as exc:
            if self.scheduler != "processes" or type(exc).__name__ != "BrokenProcessPool":
                raise
            self.logger.error(f"A worker process died: {exc}")
            if self._pool is not None:  # replace the broken pool for the rest of the flow run
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            results = [_lost_run_state(k, exc) for k in todo]
        for key, outcome in zip(todo, results):
            self._done[key] = _hand_over(outcome)
            del self._pending[key]

    def _get(self, graph: Dict[str, Any], keys: List[str]) -> Any:
        if self.scheduler == "synchronous":
            from dask.local import get_sync

            return get_sync(graph, keys)
        if self._pool is None:  # wait() outside start(): a pool for this call only
            import dask

            with dask.config.set(**self.dask_config):
                pool = self._new_pool()
            assert pool is not None
            with pool:
                return self._get_on(pool, graph, keys)
        return self._get_on(self._pool, graph, keys)

    def _get_on(self, pool: PoolExecutor, graph: Dict[str, Any], keys: List[str]) -> Any:
        if self.scheduler == "threads":
            return _threaded_get(graph, keys, pool=pool)
        from dask.multiprocessing import get as process_get

        # one call per message: a long call must not hold back the short ones queued behind it
        return process_get(graph, keys, pool=pool, optimize_graph=False, chunksize=1)


# --- DaskExecutor ---------------------------------------------------------------------------------
def _dask_config(name: str, default: Any) -> Any:
    from prefect_classic.configuration import config

    try:
        value = config.engine.executor.dask.get(name)
    except AttributeError:
        return default
    return value if value not in (None, "") else default


def _seconds(timeout: Any) -> float:
    """A Dask timeout setting ("10s", 10, None) in seconds."""
    from dask.utils import parse_timedelta

    return float(parse_timedelta(timeout) or 10)


def _tag_resources(tags: Any) -> Optional[Dict[str, float]]:
    """Dask worker resources from task tags of the form `dask-resource:KEY=NUM`."""
    found = {}
    for tag in tags or ():
        if tag.lower().startswith("dask-resource:") and "=" in tag:
            name, value = tag.split(":", 1)[1].split("=", 1)
            found[name] = float(value)
    return found or None


class DaskExecutor(_Streaming):
    """Runs task runs on a `dask.distributed` cluster.

    Without an address, `start()` creates a temporary cluster (`cluster_class(**cluster_kwargs)`,
    by default a `distributed.LocalCluster`) for the flow run and closes it after; with an address
    it connects to that running scheduler. Each submitted task run is a Dask future; submitted
    calls are sent to the scheduler in batches by a background thread. The children of a mapped
    task are streamed by `submit_many` in a bounded window, several per Dask task. A task run whose
    worker dies (Dask gives up with `KilledWorker`) ends Failed with a message saying so.

    Tasks tagged `dask-resource:KEY=NUM` request worker resources `{KEY: NUM}`.

    On a cluster that outlives the flow run (an address, or an in-process cluster), the executor
    sets a `distributed.Event` while it runs; when `start()` ends, calls that have not started
    yet are skipped and the ones running are awaited.

    Args:
        - address (str, optional): address of a running Dask scheduler (default: config
            `engine.executor.dask.address`, else a temporary cluster)
        - cluster_class (str or Callable, optional): the class (or its import path) of the
            temporary cluster (default: config `engine.executor.dask.cluster_class`,
            `distributed.LocalCluster`)
        - cluster_kwargs (dict, optional): keyword arguments for `cluster_class`
        - adapt_kwargs (dict, optional): keyword arguments for `cluster.adapt()`; adaptive scaling
            is on only when given
        - client_kwargs (dict, optional): keyword arguments for `distributed.Client`
            (`set_as_default` is False unless given)
        - debug (bool, optional): keep a temporary `LocalCluster`'s own logs at WARNING instead
            of CRITICAL (default: config `debug`)
        - performance_report_path (str, optional): write a Dask performance report (HTML) there
        - disable_cancellation_event (bool, optional): do not use the Event above (each call
            then skips one round trip to the scheduler before it runs)
        - watch_worker_status (bool, optional): subscribe to the scheduler's worker events and
            call `on_worker_status_changed` for each (default: on, unless `adapt_kwargs` are
            given: adaptive clusters use that single subscription themselves)
        - batch_size (int, optional): send queued calls at the latest once this many are
            waiting (default 1000)
        - window (int, optional): the most children of a mapped task in flight at once
            (`submit_many`; default 10,000)

    Raises:
        - ValueError: when both an address and `cluster_class`/`cluster_kwargs` are given
    """

    def __init__(
        self,
        address: Optional[str] = None,
        cluster_class: Union[str, Callable, None] = None,
        cluster_kwargs: Optional[dict] = None,
        adapt_kwargs: Optional[dict] = None,
        client_kwargs: Optional[dict] = None,
        debug: Optional[bool] = None,
        performance_report_path: Optional[str] = None,
        disable_cancellation_event: bool = False,
        watch_worker_status: Optional[bool] = None,
        batch_size: int = 1000,
        window: int = 10_000,
    ):
        if address is None:
            address = _dask_config("address", None)
        if address is not None:
            if cluster_class is not None or cluster_kwargs is not None:
                raise ValueError("Cannot specify `address` and `cluster_class`/`cluster_kwargs`")
        else:
            from distributed.deploy.local import LocalCluster

            from prefect_classic.utilities.importing import import_object

            if cluster_class is None:
                cluster_class = _dask_config(
                    "cluster_class", "distributed.deploy.local.LocalCluster"
                )
            if isinstance(cluster_class, str):
                cluster_class = import_object(cluster_class)
            cluster_kwargs = dict(cluster_kwargs or {})
            if cluster_class is LocalCluster:
                if debug is None:
                    from prefect_classic.configuration import config

                    debug = bool(config.get("debug", False))
                cluster_kwargs.setdefault(
                    "silence_logs", logging.WARNING if debug else logging.CRITICAL
                )
            adapt_kwargs = dict(adapt_kwargs or {})
        client_kwargs = dict(client_kwargs or {})
        client_kwargs.setdefault("set_as_default", False)

        self.address = address
        self.cluster_class = cluster_class
        self.cluster_kwargs = cluster_kwargs
        self.adapt_kwargs = adapt_kwargs
        self.client_kwargs = client_kwargs
        self.performance_report_path = performance_report_path
        self.disable_cancellation_event = disable_cancellation_event
        self.watch_worker_status = watch_worker_status
        self.batch_size = batch_size
        self._stream_stats = StreamStats(window)
        # while running
        self.client: Any = None
        self._futures: Optional[weakref.WeakSet[Any]] = None  # with the Event: calls sent
        self._should_run_event: Any = None
        self._watch_dask_events_task: Any = None  # concurrent.futures.Future of the watcher
        self._sender: Optional[_Sender] = None
        self._done: Dict[str, Any] = {}
        self._stubs: Dict[Any, Any] = {}
        super().__init__()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.update(
            client=None,
            _futures=None,
            _should_run_event=None,
            _watch_dask_events_task=None,
            _sender=None,
            _done={},
            _stubs={},
        )
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    @contextmanager
    def start(self) -> Iterator[None]:
        """Connect a `distributed.Client` for one flow run (creating the temporary cluster first
        when there is no address); close what was created after."""
        from distributed import Client, performance_report

        try:
            with ExitStack() as stack:
                if self.address is not None:
                    self.logger.info("Connecting to an existing Dask cluster at %s", self.address)
                    client = stack.enter_context(Client(self.address, **self.client_kwargs))
                else:
                    cls = self.cluster_class
                    assert callable(cls) and isinstance(self.cluster_kwargs, dict)
                    self.logger.info(
                        "Creating a new Dask cluster with `%s.%s`...",
                        getattr(cls, "__module__", "?"),
                        getattr(cls, "__qualname__", cls),
                    )
                    cluster = stack.enter_context(cls(**self.cluster_kwargs))
                    link = getattr(cluster, "dashboard_link", None)
                    if link:
                        self.logger.info("The Dask dashboard is available at %s", link)
                    if self.adapt_kwargs:
                        cluster.adapt(**self.adapt_kwargs)
                    client = stack.enter_context(Client(cluster, **self.client_kwargs))
                if self.performance_report_path:
                    stack.enter_context(performance_report(filename=self.performance_report_path))
                self.client = client
                try:
                    self._pre_start_yield()
                    yield
                finally:
                    self._post_start_yield()
        finally:
            self.client = None

    def _pre_start_yield(self) -> None:
        """Set up the cancellation Event, the worker-status watcher and the batch sender."""
        import dask
        from distributed import Event

        in_process = str(self.client.scheduler.address).startswith("inproc")
        if (self.address is not None or in_process) and not self.disable_cancellation_event:
            self._futures = weakref.WeakSet()
            self._should_run_event = Event(f"prefect-{uuid.uuid4().hex}", client=self.client)
            self._should_run_event.set()
        if self.watch_worker_status or (self.watch_worker_status is None and not self.adapt_kwargs):
            subscribed = threading.Event()
            self._watch_dask_events_task = asyncio.run_coroutine_threadsafe(
                self._watch_dask_events(subscribed), self.client.loop.asyncio_loop
            )
            # events from here on are seen (a failed subscription only logs at DEBUG)
            subscribed.wait(_seconds(dask.config.get("distributed.comm.timeouts.connect")))
        event_name = self._should_run_event.name if self._should_run_event is not None else None
        self._stream_stats = StreamStats(self.window)
        self._sender = _Sender(self.client, self.batch_size, event_name, self._futures)

    def _post_start_yield(self) -> None:
        """Stop the watcher and the sender; with the Event, keep calls that have not started
        from starting and wait for the running ones."""
        from distributed import wait

        if self._watch_dask_events_task is not None:
            with suppress(Exception):
                self._watch_dask_events_task.cancel()
            self._watch_dask_events_task = None
        if self._sender is not None:
            self._sender.close()
            self._sender = None
        if self._should_run_event is not None:
            with suppress(Exception):
                self._should_run_event.clear()
            with suppress(Exception):
                active = [f for f in list(self._futures or ()) if not f.done()]
                if active:
                    self.logger.info(
                        "Stopping executor, waiting for %d active tasks to complete", len(active)
                    )
                    wait(active)
        self._should_run_event = None
        self._futures = None
        self._done, self._stubs = {}, {}

    async def on_worker_status_changed(self, op: str, message: Any) -> None:
        """Called for each worker event of the scheduler while the executor runs (see
        `watch_worker_status`); logs it at DEBUG. Override it to react to workers coming and going.

        Args:
            - op (str): "add" or "remove"
            - message (Any): for "add", a dict whose `workers` maps worker addresses to their
                details; for "remove", the worker's address
        """
        if op == "add":
            for worker in (message or {}).get("workers", ()):
                self.logger.debug("Worker %s added", worker)
        elif op == "remove":
            self.logger.debug("Worker %s removed", message)

    async def _watch_dask_events(self, subscribed: Optional[threading.Event] = None) -> None:
        """Subscribe to the scheduler's worker events and hand each to `on_worker_status_changed`
        until cancelled or the connection closes.

        Args:
            - subscribed (threading.Event, optional): set once the subscription is in place, or
                has failed
        """
        from distributed.core import rpc

        scheduler = comm = None
        try:
            scheduler = rpc(
                self.client.scheduler.address,
                connection_args=self.client.security.get_connection_args("client"),
            )
            comm = await scheduler.live_comm()
            await comm.write({"op": "subscribe_worker_status"})
            await comm.read()  # the scheduler's identity: the workers already there
            if subscribed is not None:
                subscribed.set()
            while True:
                try:
                    events = await comm.read()
                except OSError:
                    break
                for op, message in events:
                    await self.on_worker_status_changed(op, message)
        except asyncio.CancelledError:
            pass
        except Exception:
            self.logger.debug("Stopped watching Dask worker events", exc_info=True)
        finally:
            if subscribed is not None:
                subscribed.set()
            if comm is not None:
                with suppress(Exception):
                    await comm.close()
            if scheduler is not None:
                with suppress(Exception):
                    await scheduler.close_rpc()

    def _prep_dask_kwargs(self, extra_context: Optional[dict] = None) -> dict:
        """The keyword arguments of one call for the scheduler: `pure=False`, the `key` named
        after the task run (when `extra_context` has a `task_name`) and the worker `resources`
        of its `dask-resource:KEY=NUM` tags (`extra_context["task_tags"]`).

        Args:
            - extra_context (dict, optional): what the flow runner knows about the task run

        Returns:
            - dict: keyword arguments for `client.submit`
        """
        extra = extra_context or {}
        dask_kwargs: Dict[str, Any] = {"pure": False}
        key = make_task_key(**extra)
        if key is not None:
            dask_kwargs["key"] = key
        resources = _tag_resources(extra.get("task_tags"))
        if resources:
            dask_kwargs["resources"] = resources
        return dask_kwargs

    def submit(
        self, fn: Callable, *args: Any, extra_context: Optional[dict] = None, **kwargs: Any
    ) -> _Deferred:
        """Submit `fn(*args, **kwargs)` to the cluster (sent with the next batch).

        Args:
            - fn (Callable): the function
            - *args (Any): its positional arguments (futures of this executor allowed)
            - extra_context (dict, optional): `task_name`, `task_index`/`map_index` (the Dask
                key) and `task_tags` (worker resources)
            - **kwargs (Any): its keyword arguments (futures allowed)

        Returns:
            - a future for `wait()` and later `submit()` calls

        Raises:
            - ValueError: outside `start()`
        """
        sender = self._sender
        if self.client is None or sender is None:
            raise ValueError("This executor has not been started.")
        dask_kwargs = self._prep_dask_kwargs(extra_context)
        resources = dask_kwargs.get("resources")
        if resources is None:
            resources = _tag_resources(getattr(kwargs.get("task"), "tags", None))
        call, upstream = _make_call(fn, args, kwargs, _is_dask_future, self._stubs)
        call.freeze()
        handle = _Deferred(dask_kwargs.get("key") or call_key(fn, None))
        if any(type(u) is _Deferred and u.future is None for u in upstream):
            sender.flush()
        sender.add((handle, call, upstream, resources))
        return handle

    def submit_many(
        self,
        fn: Callable,
        calls: Iterable[Dict[str, Any]],
        extra_context: Optional[dict] = None,
        **shared: Any,
    ) -> List[Any]:
        """Run `fn(**shared, **call)` for each call (the children of a mapped task) on the
        cluster and return their results.

        The calls are taken lazily and at most `window` are in flight (taken and not finished),
        in Dask tasks of several calls each, sized by how long the calls take; results come back
        as those tasks finish, and the cluster forgets each task once its results are back.
        When `submit` is overridden, each call goes through `submit`.

        Args:
            - fn (Callable): the function
            - calls (Iterable[dict]): the keyword arguments of each call
            - extra_context (dict, optional): `task_name` (names the Dask keys) and `task_tags`
                (worker resources)
            - **shared (Any): keyword arguments common to every call

        Returns:
            - list: the results, in the order of `calls`

        Raises:
            - ValueError: outside `start()`
        """
        sender = self._sender
        if self.client is None or sender is None:
            raise ValueError("This executor has not been started.")
        if _overrides_submit(self, DaskExecutor):
            return super().submit_many(fn, calls, extra_context, **shared)
        sender.flush()  # calls submitted before go first
        extra = extra_context or {}
        resources = _tag_resources(extra.get("task_tags"))
        if resources is None:
            resources = _tag_resources(getattr(shared.get("task"), "tags", None))
        name = str(extra.get("task_name") or getattr(fn, "__name__", "call"))
        threads = max(1, sum((self.client.nthreads() or {}).values()))
        stream = CallStream(
            self._stream_stats,
            max_batches=2 * threads + 2,
            target_seconds=0.05,
            max_batch=1000,
            first_batch=4,
        )
        event_name = self._should_run_event.name if self._should_run_event is not None else None
        return stream_on_client(
            self.client,
            fn,
            calls,
            shared,
            name,
            stream,
            self._resolve_now,
            self._stubs,
            resources,
            event_name,
            self._futures,
        )

    def _resolve_now(self, call: Dict[str, Any]) -> Dict[str, Any]:
        """`call` with its futures replaced by their results."""
        return self.wait(call) if has_future(call, _is_dask_future) else call

    def wait(self, futures: Any) -> Any:
        """Wait for the futures and return the structure with their results in place. A call whose
        future errored (e.g. its worker died) becomes a Failed state naming the task run.

        Args:
            - futures (Any): futures, or dicts/lists/tuples/sets holding them

        Returns:
            - Any: the same structure with results in place of futures

        Raises:
            - ValueError: outside `start()`
        """
        from distributed import wait as wait_all

        if self.client is None or self._sender is None:
            raise ValueError("This executor has not been started.")
        self._sender.flush()
        found: List[Any] = []
        _swap_futures(futures, _is_dask_future, found)
        pending = list(
            {
                f.key: (f.future if type(f) is _Deferred else f)
                for f in found
                if f.key not in self._done
            }.values()
        )
        if pending:
            with self.client.as_current():  # `distributed.wait` uses the current client
                wait_all(pending)
            finished = [f for f in pending if f.status == "finished"]
            values = self.client.gather(finished, errors="skip") if finished else []
            if len(values) != len(finished):  # lost between wait and gather: take them one by one
                values = [self._result_or_failure(f) for f in finished]
            for fut, outcome in zip(finished, values):
                self._done[fut.key] = _hand_over(outcome)
            for fut in pending:
                if fut.key not in self._done:
                    self._done[fut.key] = self._failure(fut)
        return _map_structure(futures, _is_dask_future, lambda f: self._done[f.key])

    def _result_or_failure(self, future: Any) -> Any:
        try:
            return future.result()
        except Exception:
            return self._failure(future)

    def _failure(self, future: Any) -> Failed:
        try:
            exc = future.exception()
        except Exception as err:  # cancelled or lost futures
            exc = err
        state = _lost_run_state(str(future.key), exc)
        self.logger.error(state.message)
        return state

    @property
    def performance_report(self) -> str:
        """The HTML of the Dask performance report written to `performance_report_path` ("" when
        there is none or it cannot be read)."""
        if self.performance_report_path is None:
            self.logger.warning("Executor was not configured to generate performance report")
            return ""
        try:
            with open(self.performance_report_path, encoding="utf-8") as report:
                return report.read()
        except Exception as exc:
            self.logger.error(f"Failed to get dask performance report with exception {exc}")
            return ""
