"""Executors on Dask: `LocalDaskExecutor` (dask's local schedulers) and `DaskExecutor`
(`dask.distributed`).

Both run each submitted task run as one Dask task. What travels with it (`_TaskCall`):

- the function and its arguments, with every future replaced by a placeholder; the futures
  themselves become the Dask task's dependencies, so Dask starts the task run once its upstream
  task runs are done and hands their states over;
- a snapshot of the flow runner's context (flow name, parameters, date keys, checkpointing, ...),
  entered in the worker around the call;
- for tasks with `cache_for`, the candidate Cached states of that task (the output caches live in
  the flow-runner process, as in Prefect 1); Cached states created on the worker come back with the
  result and are added to the flow runner's caches when the executor hands the result over.

The call is serialized with cloudpickle, so tasks defined in scripts or closures reach
worker processes.

Logs: task runs in the flow runner's own process (threads, `LocalCluster(processes=False)`) log
directly. In other processes the `prefect` log records of the task run are kept, shipped back with
its result and re-emitted by the flow runner's loggers when the executor hands the result over,
so they appear in the flow runner's output (with their original time and logger name) once the
task run is finished rather than live. The worker's own `prefect` handlers skip those records, so
nothing is printed twice.
"""
import copy
import logging
import os
import uuid
import weakref
from concurrent.futures import Executor as PoolExecutor
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import cloudpickle

from prefect_classic.engine.state import Failed
from prefect_classic.executors.base import Executor
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.context import snapshot
from prefect_classic.utilities.logging import get_logger

__all__ = ["DaskExecutor", "LocalDaskExecutor"]

_LOG_SINK_KEY = "_worker_log_records"


# --- what travels to a worker ---------------------------------------------------------------------
class _Dep:
    """Placeholder for the `index`-th future among a call's arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __reduce__(self) -> Any:
        return (_Dep, (self.index,))


class _Outcome:
    """A task run's return value plus what the flow runner must take over from the worker: log
    records (from other processes) and newly cached states."""

    __slots__ = ("value", "records", "new_cached", "cache_key")

    def __init__(self, value: Any, records: Optional[List[logging.LogRecord]] = None,
                 new_cached: Optional[list] = None, cache_key: Optional[str] = None):
        self.value = value
        self.records = records
        self.new_cached = new_cached
        self.cache_key = cache_key

    def __reduce__(self) -> Any:
        return (_Outcome, (self.value, self.records, self.new_cached, self.cache_key))


def _swap_futures(obj: Any, is_future: Callable[[Any], bool], found: List[Any]) -> Any:
    """Replace futures in `obj` (nested in dicts, lists, tuples, sets) by `_Dep` placeholders."""
    if is_future(obj):
        found.append(obj)
        return _Dep(len(found) - 1)
    if isinstance(obj, dict):
        return {k: _swap_futures(v, is_future, found) for k, v in obj.items()}
    if type(obj) in (list, tuple, set):
        return type(obj)(_swap_futures(v, is_future, found) for v in obj)
    return obj


def _fill(obj: Any, values: Tuple[Any, ...]) -> Any:
    """Put `values` in place of the `_Dep` placeholders of `obj`."""
    if isinstance(obj, _Dep):
        return values[obj.index]
    if isinstance(obj, dict):
        return {k: _fill(v, values) for k, v in obj.items()}
    if type(obj) in (list, tuple, set):
        return type(obj)(_fill(v, values) for v in obj)
    return obj


def _map_structure(obj: Any, is_future: Callable[[Any], bool], resolve: Callable[[Any], Any]) -> Any:
    if is_future(obj):
        return resolve(obj)
    if isinstance(obj, dict):
        return {k: _map_structure(v, is_future, resolve) for k, v in obj.items()}
    if type(obj) in (list, tuple, set):
        return type(obj)(_map_structure(v, is_future, resolve) for v in obj)
    return obj


class _TaskCall:
    """One submitted call, run in a worker as `call(*upstream_values)`.

    Args:
        - fn (Callable): the function
        - args (tuple), kwargs (dict): its arguments, with `_Dep` placeholders for futures
        - context (dict): the flow runner's context snapshot
        - cache_key (str, optional): the output-cache key of the task (tasks with `cache_for`)
        - n_candidates (int): how many candidate Cached states were shipped (later ones are new)
        - runner_pid (int): the flow runner's process id (log records of other processes are
            shipped back)
    """

    __slots__ = ("fn", "args", "kwargs", "context", "cache_key", "n_candidates", "runner_pid", "_payload")

    def __init__(self, fn: Callable, args: tuple, kwargs: dict, context: dict,
                 cache_key: Optional[str], n_candidates: int, runner_pid: int):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.context = context
        self.cache_key = cache_key
        self.n_candidates = n_candidates
        self.runner_pid = runner_pid
        self._payload: Optional[bytes] = None

    def __reduce__(self) -> Any:
        # cloudpickle, so that functions from scripts and closures travel by value; pickled once
        # (distributed may serialize a task twice)
        if self._payload is None:
            fields = (self.fn, self.args, self.kwargs, self.context, self.cache_key, self.n_candidates,
                      self.runner_pid)
            self._payload = cloudpickle.dumps(fields)
        return (_load_call, (self._payload,))

    def __call__(self, *upstream: Any) -> _Outcome:
        values = tuple(u.value if isinstance(u, _Outcome) else u for u in upstream)
        args, kwargs = _fill(self.args, values), _fill(self.kwargs, values)
        records: Optional[List[logging.LogRecord]] = None
        overlay = self.context
        if os.getpid() != self.runner_pid:
            records = []
            overlay = {**self.context, _LOG_SINK_KEY: records}
            _install_log_forwarding()
        with prefect_context(overlay):
            value = self.fn(*args, **kwargs)
        new_cached = None
        if self.cache_key is not None:
            candidates = self.context["caches"].get(self.cache_key, [])
            new_cached = candidates[self.n_candidates:]
        return _Outcome(value, records or None, new_cached or None, self.cache_key)


def _load_call(payload: bytes) -> _TaskCall:
    return _TaskCall(*cloudpickle.loads(payload))


def _light_upstream(upstream_states: Dict[Any, Any], stubs: Dict[int, Any]) -> Dict[Any, Any]:
    """Upstream states whose edges from `Constant` tasks point to a copy without the value.

    The value reaches the task run through the upstream state; without this, every mapped child
    of `task.map([...10,000 items...])` would ship the whole list again.
    """
    from prefect_classic.tasks.core.constants import Constant

    light = {}
    for edge, state in upstream_states.items():
        up = edge.upstream_task
        if isinstance(up, Constant):
            stub = stubs.get(id(up))
            if stub is None:
                stub = stubs[id(up)] = copy.copy(up)
                stub.value = None
            edge = copy.copy(edge)
            edge.upstream_task = stub
        light[edge] = state
    return light


def _make_call(fn: Callable, args: tuple, kwargs: dict, is_future: Callable[[Any], bool],
               stubs: Optional[Dict[int, Any]] = None) -> Tuple[_TaskCall, List[Any]]:
    """Build the `_TaskCall` for `fn(*args, **kwargs)` in the flow runner's thread.

    Args:
        - fn, args, kwargs: the call
        - is_future (Callable): tells the executor's futures apart
        - stubs (dict, optional): value-less copies of Constant tasks, by id (kept per flow run)

    Returns:
        - tuple: the call and the futures it depends on (in placeholder order)
    """
    futures: List[Any] = []
    if stubs is not None and isinstance(kwargs.get("upstream_states"), dict):
        kwargs = {**kwargs, "upstream_states": _light_upstream(kwargs["upstream_states"], stubs)}
    args = _swap_futures(args, is_future, futures)
    kwargs = _swap_futures(kwargs, is_future, futures)
    ctx = snapshot()
    task = kwargs.get("task")
    cache_key, n_candidates = None, 0
    if task is not None and getattr(task, "cache_for", None) is not None:
        cache_key = task.cache_key or task.name
        candidates = list((ctx.get("caches") or {}).get(cache_key, ()))
        ctx["caches"] = {cache_key: candidates}
        n_candidates = len(candidates)
    else:
        ctx["caches"] = {}
    return _TaskCall(fn, args, kwargs, ctx, cache_key, n_candidates, os.getpid()), futures


# --- logs from worker processes --------------------------------------------------------------------
class _ForwardLogs(logging.Handler):
    """Keeps the `prefect` records of task runs that ship their logs back to the flow runner."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = prefect_context.get(_LOG_SINK_KEY)
        if sink is None:
            return
        record._prefect_forwarded = True  # type: ignore[attr-defined]
        sink.append(_portable_record(record, self.formatter or _FORMATTER))


class _SkipForwarded(logging.Filter):
    """Drops records that are shipped to the flow runner (so the worker does not print them too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "_prefect_forwarded", False)


_FORMATTER = logging.Formatter()
_SKIP_FORWARDED = _SkipForwarded()
_FORWARD_HANDLER = _ForwardLogs()


def _install_log_forwarding() -> None:
    """Put the forwarding handler first on the `prefect` logger of this (worker) process."""
    root = logging.getLogger("prefect")
    if not root.handlers or root.handlers[0] is not _FORWARD_HANDLER:
        if _FORWARD_HANDLER in root.handlers:
            root.removeHandler(_FORWARD_HANDLER)
        root.handlers.insert(0, _FORWARD_HANDLER)
    for handler in root.handlers[1:]:
        if _SKIP_FORWARDED not in handler.filters:
            handler.addFilter(_SKIP_FORWARDED)


def _portable_record(record: logging.LogRecord, formatter: logging.Formatter) -> logging.LogRecord:
    """A picklable copy of `record`: message formatted, traceback rendered to text."""
    copy = logging.makeLogRecord(record.__dict__)
    copy.msg = record.getMessage()
    copy.args = None
    if record.exc_info:
        copy.exc_text = record.exc_text or formatter.formatException(record.exc_info)
        copy.exc_info = None
    copy.__dict__.pop("_prefect_forwarded", None)
    return copy


def _hand_over(outcome: Any) -> Any:
    """In the flow runner: re-emit shipped log records, add new Cached states to the run's
    caches, and return the call's value."""
    if not isinstance(outcome, _Outcome):
        return outcome
    for record in outcome.records or ():
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
    if outcome.new_cached and outcome.cache_key is not None:
        caches = prefect_context.get("caches")
        if caches is not None:
            caches.setdefault(outcome.cache_key, []).extend(outcome.new_cached)
    return outcome.value


def _task_key(extra_context: Optional[dict]) -> str:
    """A unique Dask key named after the task run (shown on the Dask dashboard)."""
    extra = extra_context or {}
    name = str(extra.get("task_name") or "prefect-call")
    index = extra.get("map_index", extra.get("task_index"))
    suffix = uuid.uuid4().hex
    return f"{name}-{index}-{suffix}" if index is not None else f"{name}-{suffix}"


def _run_label(key: str) -> str:
    """`inc-3-<hex>` -> `inc[3]`; `inc-<hex>` -> `inc`."""
    head = key.rsplit("-", 1)[0]
    name, _, index = head.rpartition("-")
    if name and index.isdigit():
        return f"{name}[{index}]"
    return head


def _lost_run_state(key: str, exc: BaseException) -> Failed:
    label = _run_label(key)
    if type(exc).__name__ == "KilledWorker" or "BrokenProcessPool" in type(exc).__name__:
        why = "the Dask worker running it died"
    else:
        why = "Dask could not run it"
    return Failed(f"Task run '{label}' was lost: {why} ({type(exc).__name__}: {exc})", result=exc)


# --- LocalDaskExecutor ----------------------------------------------------------------------------
_SCHEDULERS = {
    "threads": "threads", "threading": "threads",
    "processes": "processes", "multiprocessing": "processes",
    "sync": "sync", "synchronous": "sync", "single-threaded": "sync",
}


class _LocalFuture:
    """A task run submitted to a `LocalDaskExecutor`: the key of its Dask task."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __repr__(self) -> str:
        return f"<LocalDaskExecutor future: {self.key}>"


def _is_local_future(obj: Any) -> bool:
    return type(obj) is _LocalFuture


def _shutdown_pool(pool: PoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)


class LocalDaskExecutor(Executor):
    """Runs task runs on one of Dask's local schedulers: a thread pool, a process pool or
    synchronously in the flow runner's thread.

    Submitted task runs form a Dask graph; `wait()` computes the part of it that is needed
    (independent task runs in parallel) and keeps the results, so nothing runs twice. With
    `"processes"`, calls travel with cloudpickle; the process pool is started on first use and
    kept for the executor's lifetime (flow runs and retry rounds re-use it) — `close()` ends it.

    Args:
        - scheduler (str, optional): `"threads"` (default), `"processes"` or `"sync"`
        - num_workers (int, optional): the number of threads or processes (default: CPU count)
        - **compute_kwargs: extra keyword arguments for Dask's scheduler `get` function

    Raises:
        - ValueError: for an unknown scheduler
    """

    def __init__(self, scheduler: str = "threads", num_workers: Optional[int] = None, **compute_kwargs: Any):
        if scheduler not in _SCHEDULERS:
            raise ValueError(
                f"Unknown scheduler {scheduler!r}, expected one of {sorted(set(_SCHEDULERS.values()))}"
            )
        self.scheduler = _SCHEDULERS[scheduler]
        self.num_workers = num_workers
        self.compute_kwargs = compute_kwargs
        self._pool: Optional[PoolExecutor] = None
        self._pool_finalizer: Optional[Any] = None
        self._graph: Dict[str, tuple] = {}
        self._done: Dict[str, Any] = {}
        self._stubs: Dict[int, Any] = {}
        super().__init__()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.update(_pool=None, _pool_finalizer=None, _graph={}, _done={}, _stubs={})
        return state

    @contextmanager
    def start(self) -> Iterator[None]:
        """Create the worker pool (threads: per flow run; processes: once), and clear the graph
        after the flow run."""
        own_pool = None
        if self.scheduler == "threads":
            own_pool = self._pool = ThreadPoolExecutor(self.num_workers or os.cpu_count() or 1,
                                                        thread_name_prefix="prefect-dask")
        elif self.scheduler == "processes":
            self._process_pool()
        try:
            yield
        finally:
            self._graph, self._done, self._stubs = {}, {}, {}
            if own_pool is not None:
                own_pool.shutdown(wait=True)
                self._pool = None

    def close(self) -> None:
        """Shut the process pool down (it is otherwise kept until the executor is collected)."""
        if self._pool_finalizer is not None:
            self._pool_finalizer()
        self._pool = self._pool_finalizer = None

    def _process_pool(self) -> PoolExecutor:
        if self._pool is None:
            from dask.multiprocessing import get_context

            pool = ProcessPoolExecutor(self.num_workers or os.cpu_count() or 1, mp_context=get_context())
            self._pool = pool
            self._pool_finalizer = weakref.finalize(self, _shutdown_pool, pool)
        return self._pool

    def submit(self, fn: Callable, *args: Any, extra_context: Optional[dict] = None, **kwargs: Any) -> _LocalFuture:
        """Add `fn(*args, **kwargs)` to the graph; it runs when a `wait()` needs it.

        Args:
            - fn (Callable): the function
            - *args, **kwargs: its arguments (futures from this executor allowed)
            - extra_context (dict, optional): `task_name`/`map_index`, used to name the Dask key

        Returns:
            - a future for `wait()` and later `submit()` calls
        """
        stubs = self._stubs if self.scheduler == "processes" else None
        call, futures = _make_call(fn, args, kwargs, _is_local_future, stubs)
        key = _task_key(extra_context)
        self._graph[key] = (call, *[f.key for f in futures])
        return _LocalFuture(key)

    def wait(self, futures: Any) -> Any:
        """Compute what `futures` need and return the structure with results in place.

        Args:
            - futures (Any): futures, or dicts/lists/tuples/sets holding them

        Returns:
            - Any: the same structure with results in place of futures
        """
        wanted: List[_LocalFuture] = []
        _swap_futures(futures, _is_local_future, wanted)
        missing = [f.key for f in wanted if f.key not in self._done]
        if missing:
            self._compute(missing)
        return _map_structure(futures, _is_local_future, lambda f: self._done[f.key])

    def _compute(self, keys: List[str]) -> None:
        graph = self._subgraph(keys)
        todo = [k for k in graph if k not in self._done]
        try:
            results = self._get(graph, todo)
        except Exception as exc:
            if self.scheduler != "processes" or type(exc).__name__ != "BrokenProcessPool":
                raise
            get_logger("LocalDaskExecutor").error(f"A worker process died: {exc}")
            self.close()
            self._process_pool()
            results = [_lost_run_state(k, exc) for k in todo]
        for key, outcome in zip(todo, results):
            self._done[key] = _hand_over(outcome)
            del self._graph[key]

    def _subgraph(self, keys: List[str]) -> Dict[str, Any]:
        """The pending tasks `keys` need, with finished dependencies as data."""
        graph: Dict[str, Any] = {}
        stack = list(keys)
        while stack:
            key = stack.pop()
            if key in graph:
                continue
            if key in self._done:
                graph[key] = _Outcome(self._done[key])
                continue
            task = self._graph[key]
            graph[key] = task
            stack.extend(task[1:])
        return graph

    def _get(self, graph: Dict[str, Any], keys: List[str]) -> Any:
        if self.scheduler == "sync":
            from dask.local import get_sync

            return get_sync(graph, keys, **self.compute_kwargs)
        if self.scheduler == "threads":
            from dask.threaded import get as threaded_get

            if self._pool is not None:
                return threaded_get(graph, keys, pool=self._pool, **self.compute_kwargs)
            with ThreadPoolExecutor(self.num_workers or os.cpu_count() or 1) as pool:  # outside start()
                return threaded_get(graph, keys, pool=pool, **self.compute_kwargs)
        from dask.multiprocessing import get as process_get

        kwargs = {"optimize_graph": False, "chunksize": 1, **self.compute_kwargs}
        return process_get(graph, keys, pool=self._process_pool(), **kwargs)


# --- DaskExecutor ---------------------------------------------------------------------------------
class _Deferred:
    """A call submitted to a `DaskExecutor`; `future` is set once the call is sent to the scheduler
    (calls are sent in batches)."""

    __slots__ = ("key", "future")

    def __init__(self, key: str):
        self.key = key
        self.future: Any = None

    def __repr__(self) -> str:
        return f"<DaskExecutor future: {self.key}>"


def _is_dask_future(obj: Any) -> bool:
    if type(obj) is _Deferred:
        return True
    from distributed import Future

    return isinstance(obj, Future)


def _call_with(call: _TaskCall, upstream: List[Any]) -> _Outcome:
    """What a batch sends to the workers: `call(*upstream)`."""
    return call(*upstream)


def _dask_config(name: str, default: Any) -> Any:
    from prefect_classic.configuration import config

    try:
        value = config.engine.executor.dask.get(name)
    except AttributeError:
        return default
    return value if value not in (None, "") else default


def _resources(task: Any) -> Optional[Dict[str, float]]:
    """Dask worker resources from task tags of the form `dask-resource:KEY=NUM`."""
    found = {}
    for tag in getattr(task, "tags", None) or ():
        if tag.lower().startswith("dask-resource:") and "=" in tag:
            name, value = tag.split(":", 1)[1].split("=", 1)
            found[name] = float(value)
    return found or None


class DaskExecutor(Executor):
    """Runs task runs on a `dask.distributed` cluster.

    Without an address, `start()` creates a temporary cluster (`cluster_class(**cluster_kwargs)`,
    by default a `distributed.LocalCluster`) for the flow run and closes it after; with an address
    it connects to that running scheduler. Each task run (each mapped child) is a Dask future;
    submitted calls are sent to the scheduler in batches (`client.map`), at the latest when the
    flow runner waits, when a call depends on one not yet sent, or every `batch_size` calls. A
    task run whose worker dies (Dask gives up with `KilledWorker`) ends Failed with a message
    saying so.

    Tasks tagged `dask-resource:KEY=NUM` request worker resources `{KEY: NUM}`.

    Args:
        - address (str, optional): address of a running Dask scheduler (default: config
            `engine.executor.dask.address`, else a temporary cluster)
        - cluster_class (str or Callable, optional): the cluster class (or its import path) of the
            temporary cluster (default: `distributed.LocalCluster`)
        - cluster_kwargs (dict, optional): keyword arguments for `cluster_class`
        - adapt_kwargs (dict, optional): keyword arguments for `cluster.adapt()`; adaptive scaling
            is on only when given
        - client_kwargs (dict, optional): keyword arguments for `distributed.Client`
        - debug (bool, optional): keep the LocalCluster's own logs at WARNING (default: silenced;
            config `debug`)
        - performance_report_path (str, optional): write a Dask performance report (HTML) there
        - batch_size (int, optional): send buffered calls once this many are waiting (default 1000)

    Raises:
        - ValueError: when both an address and cluster options are given
    """

    def __init__(self, address: Optional[str] = None, cluster_class: Union[str, Callable, None] = None,
                 cluster_kwargs: Optional[dict] = None, adapt_kwargs: Optional[dict] = None,
                 client_kwargs: Optional[dict] = None, debug: Optional[bool] = None,
                 performance_report_path: Optional[str] = None, batch_size: int = 1000):
        from prefect_classic.configuration import config

        if address is None:
            address = _dask_config("address", None)
        if address is not None and (cluster_class is not None or cluster_kwargs is not None or adapt_kwargs):
            raise ValueError("Cannot specify `address` and `cluster_class`/`cluster_kwargs`/`adapt_kwargs`")
        self.address = address
        self.cluster_class = cluster_class
        self.cluster_kwargs = dict(cluster_kwargs or {})
        self.adapt_kwargs = dict(adapt_kwargs or {})
        self.client_kwargs = dict(client_kwargs or {})
        self.client_kwargs.setdefault("set_as_default", False)
        self.debug = bool(config.get("debug", False)) if debug is None else debug
        self.performance_report_path = performance_report_path
        self.batch_size = batch_size
        self.client: Any = None
        self._done: Dict[str, Any] = {}
        self._unsent: List[Tuple[_Deferred, _TaskCall, List[Any], Optional[Dict[str, float]]]] = []
        self._stubs: Dict[int, Any] = {}
        super().__init__()
        self.logger = get_logger("DaskExecutor")

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.update(client=None, _done={}, _unsent=[], _stubs={})
        return state

    def _cluster_factory(self) -> Tuple[Callable, dict]:
        from prefect_classic.utilities.importing import import_object

        cls = self.cluster_class or _dask_config("cluster_class", "distributed.LocalCluster")
        if isinstance(cls, str):
            cls = import_object(cls)
        kwargs = dict(self.cluster_kwargs)
        from distributed import LocalCluster

        if cls is LocalCluster:
            kwargs.setdefault("silence_logs", logging.WARNING if self.debug else logging.CRITICAL)
        return cls, kwargs

    @contextmanager
    def start(self) -> Iterator[None]:
        """Connect a `distributed.Client` (creating the temporary cluster first when there is no
        address) for one flow run; close what was created after."""
        from distributed import Client, performance_report

        with ExitStack() as stack:
            if self.address is not None:
                self.logger.info(f"Connecting to an existing Dask cluster at {self.address}")
                client = stack.enter_context(Client(self.address, **self.client_kwargs))
            else:
                cls, kwargs = self._cluster_factory()
                self.logger.info(f"Creating a new Dask cluster with `{cls.__module__}.{cls.__qualname__}`...")
                cluster = stack.enter_context(cls(**kwargs))
                link = getattr(cluster, "dashboard_link", None)
                if link:
                    self.logger.info(f"The Dask dashboard is available at {link}")
                if self.adapt_kwargs:
                    cluster.adapt(**self.adapt_kwargs)
                client = stack.enter_context(Client(cluster, **self.client_kwargs))
            if self.performance_report_path:
                stack.enter_context(performance_report(filename=self.performance_report_path))
            self.client = client
            try:
                yield
            finally:
                self.client = None
                self._done, self._unsent, self._stubs = {}, [], {}

    def submit(self, fn: Callable, *args: Any, extra_context: Optional[dict] = None, **kwargs: Any) -> _Deferred:
        """Submit `fn(*args, **kwargs)` to the cluster (sent with the next batch).

        Args:
            - fn (Callable): the function
            - *args, **kwargs: its arguments (futures from this executor allowed)
            - extra_context (dict, optional): `task_name`/`map_index`, used to name the Dask key

        Returns:
            - a future for `wait()` and later `submit()` calls
        """
        if self.client is None:
            raise RuntimeError("DaskExecutor.submit() was called outside of `executor.start()`")
        call, upstream = _make_call(fn, args, kwargs, _is_dask_future, self._stubs)
        if any(type(u) is _Deferred and u.future is None for u in upstream):
            self._send()
        handle = _Deferred(_task_key(extra_context))
        self._unsent.append((handle, call, upstream, _resources(kwargs.get("task"))))
        if len(self._unsent) >= self.batch_size:
            self._send()
        return handle

    def _send(self) -> None:
        """Send the buffered calls: one `client.map` per set of worker resources."""
        batches: Dict[Any, list] = {}
        for item in self._unsent:
            batches.setdefault(tuple(sorted((item[3] or {}).items())), []).append(item)
        self._unsent = []
        for resources, items in batches.items():
            upstream = [[u.future if type(u) is _Deferred else u for u in item[2]] for item in items]
            futures = self.client.map(_call_with, [item[1] for item in items], upstream,
                                      key=[item[0].key for item in items], pure=False,
                                      resources=dict(resources) or None)
            for item, future in zip(items, futures):
                item[0].future = future

    def wait(self, futures: Any) -> Any:
        """Wait for the futures and return the structure with their results in place. A call whose
        future errored (e.g. its worker died) becomes a Failed state naming the task run.

        Args:
            - futures (Any): futures, or dicts/lists/tuples/sets holding them

        Returns:
            - Any: the same structure with results in place of futures
        """
        from distributed import wait as wait_all

        if self._unsent:
            self._send()
        found: List[Any] = []
        _swap_futures(futures, _is_dask_future, found)
        pending = list({f.key: (f.future if type(f) is _Deferred else f)
                        for f in found if f.key not in self._done}.values())
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
