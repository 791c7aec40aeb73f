"""What travels between the flow runner and the workers of the Dask executors.

Each submitted call becomes one `_TaskCall`, the Dask task that runs it:

- the function and its arguments, with every future replaced by a `_Dep` placeholder; the
  futures themselves become the Dask task's dependencies, so Dask starts the call once its
  upstream calls are done and hands their values over;
- a snapshot of the flow runner's context (flow name, parameters, date keys, checkpointing, ...),
  entered in the worker around the call;
- for tasks with `cache_for`, the candidate Cached states of that task (the output caches live in
  the flow-runner process, as in Prefect 1); Cached states created on the worker come back in the
  `_Outcome` and join the flow runner's caches when the executor hands the result over.

The call is serialized with cloudpickle, so functions from scripts and closures reach worker
processes; executors that send calls to other processes serialize them when they are submitted,
so an unpicklable argument fails the `submit()` call itself.

Logs: calls in the flow runner's own process log directly. In other processes the `prefect` log
records of the call are kept, shipped back in its `_Outcome` and re-emitted by the flow runner's
loggers when the executor hands the result over (with their original time and logger name), once
the call is finished rather than live. The worker's own `prefect` handlers skip those records, so
nothing is printed twice.
"""

import copy
import logging
import os
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

import cloudpickle

from prefect_classic.engine.state import Failed
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.context import snapshot

_LOG_SINK_KEY = "_worker_log_records"


# --- what travels to a worker ----------------------------------------------------------------------
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

    def __init__(
        self,
        value: Any,
        records: Optional[List[logging.LogRecord]] = None,
        new_cached: Optional[list] = None,
        cache_key: Optional[str] = None,
    ):
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


def _map_structure(
    obj: Any, is_future: Callable[[Any], bool], resolve: Callable[[Any], Any]
) -> Any:
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

    __slots__ = (
        "fn",
        "args",
        "kwargs",
        "context",
        "cache_key",
        "n_candidates",
        "runner_pid",
        "_payload",
    )

    def __init__(
        self,
        fn: Callable,
        args: tuple,
        kwargs: dict,
        context: dict,
        cache_key: Optional[str],
        n_candidates: int,
        runner_pid: int,
    ):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.context = context
        self.cache_key = cache_key
        self.n_candidates = n_candidates
        self.runner_pid = runner_pid
        self._payload: Optional[bytes] = None

    def freeze(self) -> "_TaskCall":
        """Serialize the call now (once), so that a value that cannot be pickled fails here, in
        the flow runner's thread, with pickle's own error."""
        if self._payload is None:
            fields = (
                self.fn,
                self.args,
                self.kwargs,
                self.context,
                self.cache_key,
                self.n_candidates,
                self.runner_pid,
            )
            self._payload = cloudpickle.dumps(fields)
        return self

    def __reduce__(self) -> Any:
        # cloudpickle, so that functions from scripts and closures travel by value; pickled once
        # (distributed may serialize a task twice)
        return (_load_call, (self.freeze()._payload,))

    def __call__(self, *upstream: Any) -> _Outcome:
        if upstream:
            values = tuple(u.value if isinstance(u, _Outcome) else u for u in upstream)
            args, kwargs = _fill(self.args, values), _fill(self.kwargs, values)
        else:  # no futures among the arguments, so no placeholders either
            args, kwargs = self.args, self.kwargs
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
            new_cached = candidates[self.n_candidates :]
        return _Outcome(value, records or None, new_cached or None, self.cache_key)


def _load_call(payload: bytes) -> _TaskCall:
    return _TaskCall(*cloudpickle.loads(payload))


def _light_upstream(upstream_states: Dict[Any, Any], stubs: Dict[Any, Any]) -> Dict[Any, Any]:
    """Upstream states whose edges from `Constant` tasks point to a copy without the value.

    The value reaches the task run through the upstream state; without this, every mapped child
    of `task.map([...10,000 items...])` would ship the whole list again.
    """
    from prefect_classic.tasks.core.constants import Constant

    light = {}
    for edge, state in upstream_states.items():
        up = edge.upstream_task
        if isinstance(up, Constant):
            known = stubs.get(("edge", id(edge)))  # the children of a map share their edges
            if known is None or known[0] is not edge:
                stub = stubs.get(id(up))
                if stub is None:
                    stub = stubs[id(up)] = copy.copy(up)
                    stub.value = None
                light_edge = copy.copy(edge)
                light_edge.upstream_task = stub
                known = stubs[("edge", id(edge))] = (edge, light_edge)
            edge = known[1]
        light[edge] = state
    return light


def _make_call(
    fn: Callable,
    args: tuple,
    kwargs: dict,
    is_future: Callable[[Any], bool],
    stubs: Optional[Dict[Any, Any]] = None,
) -> Tuple[_TaskCall, List[Any]]:
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
        from prefect_classic.engine.caching.memory import memory_key

        cache_key = memory_key(task)
        candidates = list((ctx.get("caches") or {}).get(cache_key, ()))
        ctx["caches"] = {cache_key: candidates}
        n_candidates = len(candidates)
    else:
        ctx["caches"] = {}
    return _TaskCall(fn, args, kwargs, ctx, cache_key, n_candidates, os.getpid()), futures


def _call_each(
    fn: Callable, shared: Dict[str, Any], calls: List[Dict[str, Any]]
) -> Tuple[List[Any], float]:
    """What a batch of calls runs in the worker: `fn(**shared, **call)` for each call, in order.

    Returns:
        - tuple: the results, and the seconds the batch took (the executor sizes later batches
            by it)
    """
    started = time.perf_counter()
    values = [fn(**shared, **call) for call in calls]
    return values, time.perf_counter() - started


def make_batch_call(
    fn: Callable,
    shared: Dict[str, Any],
    calls: List[Dict[str, Any]],
    stubs: Optional[Dict[Any, Any]] = None,
    base: Optional[dict] = None,
) -> _TaskCall:
    """Build the `_TaskCall` that runs `fn(**shared, **call)` for each of `calls` (one Dask task
    for a batch of mapped children). The calls must hold no futures.

    Args:
        - fn (Callable): the function
        - shared (dict): keyword arguments common to every call (`task` decides the output cache)
        - calls ([dict]): keyword arguments of each call
        - stubs (dict, optional): value-less copies of Constant tasks, by id (calls that travel
            to other processes leave Constant values out of their upstream edges)
        - base (dict, optional): the context snapshot to send (default: taken now)

    Returns:
        - _TaskCall: the call, returning `(results, seconds)`
    """
    if stubs is not None:
        calls = [
            {**call, "upstream_states": _light_upstream(call["upstream_states"], stubs)}
            if isinstance(call.get("upstream_states"), dict)
            else call
            for call in calls
        ]
    ctx = dict(base) if base is not None else snapshot()
    task = shared.get("task")
    cache_key, n_candidates = None, 0
    if task is not None and getattr(task, "cache_for", None) is not None:
        cache_key = task.cache_key or task.name
        candidates = list((ctx.get("caches") or {}).get(cache_key, ()))
        ctx["caches"] = {cache_key: candidates}
        n_candidates = len(candidates)
    else:
        ctx["caches"] = {}
    return _TaskCall(_call_each, (fn, shared, calls), {}, ctx, cache_key, n_candidates, os.getpid())


def has_future(obj: Any, is_future: Callable[[Any], bool]) -> bool:
    """Whether `obj` holds a future (nested in dicts, lists, tuples, sets)."""
    if is_future(obj):
        return True
    if isinstance(obj, dict):
        return any(has_future(v, is_future) for v in obj.values())
    if type(obj) in (list, tuple, set):
        return any(has_future(v, is_future) for v in obj)
    return False


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


def make_task_key(
    task_name: str = "",
    task_index: Optional[int] = None,
    map_index: Optional[int] = None,
    **extra: Any,
) -> Optional[str]:
    """A unique Dask key named after the task run, from the flow runner's `extra_context`:
    `NAME-<hex>`, or `NAME-INDEX-<hex>` for a mapped child (`task_index`, or `map_index`).

    Returns:
        - str: the key, or None without a task name
    """
    if not task_name:
        return None
    index = task_index if task_index is not None else map_index
    suffix = uuid.uuid4().hex
    return f"{task_name}-{index}-{suffix}" if index is not None else f"{task_name}-{suffix}"


def call_key(fn: Callable, extra_context: Optional[dict]) -> str:
    """The Dask key of a submitted call: named after the task run, else after the function."""
    key = make_task_key(**(extra_context or {}))
    if key is None:
        from dask.utils import funcname

        key = f"{funcname(fn)}-{uuid.uuid4().hex}"
    return key


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
