"""Helpers the runners use to execute work: timeouts, heartbeats, tail recursion, and the
restructuring of upstream states for mapped children.

Timeouts follow Prefect 1: in the main thread a `SIGALRM` timer interrupts the task; in another
thread of a non-daemonic process the task runs in a fresh (spawned) process that is terminated
when the time is up; elsewhere (daemonic worker processes, Windows) only a soft limit is
possible: the run ends `TimedOut` while the work finishes in the background.
"""

import copy
import functools
import logging
import signal
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from queue import Empty
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence

import cloudpickle

from prefect_classic.engine.result.base import NoResult
from prefect_classic.exceptions import PrefectSignal, TaskTimeoutSignal
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.context import snapshot
from prefect_classic.utilities.logging import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from prefect_classic.core.edge import Edge
    from prefect_classic.core.task import Task
    from prefect_classic.engine.state import State

__all__ = [
    "RecursiveCall",
    "flatten_mapped_children",
    "flatten_upstream_state",
    "multiprocessing_safe_run_and_retrieve",
    "no_heartbeat",
    "prepare_upstream_states_for_mapping",
    "run_task_with_timeout",
    "run_with_heartbeat",
    "run_with_multiprocess_timeout",
    "run_with_thread_timeout",
    "tail_recursive",
]

FLOWRUNNER_LOGGER = get_logger("FlowRunner")


# --- heartbeats ----------------------------------------------------------------------------------
def run_with_heartbeat(runner_method: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a runner method that a backend would watch with heartbeats.

    The runner's `_heartbeat()` says whether heartbeats are wanted. Without a backend there is
    nothing to send them to, so the method simply runs; a `_heartbeat()` that raises is logged
    and never stops the run.

    Args:
        - runner_method (Callable): the method

    Returns:
        - Callable: the decorated method
    """

    @functools.wraps(runner_method)
    def inner(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self._heartbeat()
        except Exception:
            self.logger.exception(
                "Heartbeat process is misconfigured.  This could result in a zombie run."
            )
        with no_heartbeat():
            return runner_method(self, *args, **kwargs)

    return inner


@contextmanager
def no_heartbeat() -> Iterator[None]:
    """A heartbeat that does nothing (the only kind without a backend)."""
    yield


# --- timeouts ------------------------------------------------------------------------------------
def run_with_thread_timeout(
    fn: Callable,
    args: Sequence = (),
    kwargs: Optional[Mapping] = None,
    timeout: Optional[float] = None,
    logger: Optional[logging.Logger] = None,
    name: Optional[str] = None,
) -> Any:
    """Call `fn(*args, **kwargs)`, interrupting it with `TaskTimeoutSignal` after `timeout`
    seconds (a `SIGALRM` timer: main thread only). A timer set before is restored afterwards.

    Args:
        - fn (Callable): the function
        - args (Sequence), kwargs (Mapping): its arguments
        - timeout (float, optional): seconds allowed; None runs without a limit
        - logger (Logger, optional): where to log debug messages
        - name (str, optional): how to name the call in logs

    Returns:
        - Any: what `fn` returns

    Raises:
        - TaskTimeoutSignal: when the time is up
        - ValueError: when called outside the main thread
    """
    kwargs = kwargs or {}
    if timeout is None:
        return fn(*args, **kwargs)
    logger = logger or get_logger()
    name = name or f"Function '{getattr(fn, '__name__', fn)}'"

    def on_alarm(signum: int, frame: Any) -> None:
        raise TaskTimeoutSignal("Execution timed out.")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    earlier_delay, _ = signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        logger.debug(f"{name}: Executing function in main thread with a {timeout}s timeout...")
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier_delay:  # someone else's timer (e.g. a test timeout): give it back what is left
            signal.setitimer(
                signal.ITIMER_REAL, max(earlier_delay - (time.monotonic() - started), 0.001)
            )


def multiprocessing_safe_run_and_retrieve(queue: Any, payload: bytes) -> None:
    """Run a cloudpickled call in this (child) process and put its cloudpickled outcome on
    `queue`: the return value, or the exception (signals included) it raised.

    Args:
        - queue (multiprocessing.Queue): where the outcome goes
        - payload (bytes): `cloudpickle.dumps({"fn", "args", "kwargs", "context", "name", "logger"})`;
            with `"announce_start": True`, a start marker goes on the queue before the call
    """
    request = cloudpickle.loads(payload)
    fn: Callable = request["fn"]
    name: str = request.get("name") or f"Function '{getattr(fn, '__name__', fn)}'"
    logger: logging.Logger = request.get("logger") or get_logger()
    if request.get("announce_start"):
        queue.put(_STARTED)
    outcome: Any
    try:
        with prefect_context(request.get("context") or {}):
            logger.debug(f"{name}: Executing...")
            outcome = fn(*request.get("args", ()), **request.get("kwargs", {}))
    except (Exception, PrefectSignal) as exc:
        logger.error(
            f"{name}: Encountered a {type(exc).__name__}, returning details as a result..."
        )
        outcome = exc
    try:
        pickled = cloudpickle.dumps(outcome)
    except Exception as exc:
        message = (
            f"Failed to pickle result of type {type(outcome).__name__!r} with exception: "
            f'"{type(exc).__name__}: {exc}". This timeout handler requires your function return '
            "value to be serializable with `cloudpickle`."
        )
        logger.error(f"{name}: {message}")
        pickled = cloudpickle.dumps(RuntimeError(message))
    queue.put(pickled)


def run_with_multiprocess_timeout(
    fn: Callable,
    args: Sequence = (),
    kwargs: Optional[Mapping] = None,
    timeout: Optional[float] = None,
    logger: Optional[logging.Logger] = None,
    name: Optional[str] = None,
) -> Any:
    """Call `fn(*args, **kwargs)` in a spawned process with the current context, terminating the
    process when the call has run `timeout` seconds (the clock starts when the new process starts
    the call, not while it is still starting up). Arguments and outcome travel with cloudpickle.

    Args:
        - fn (Callable): the function
        - args (Sequence), kwargs (Mapping): its arguments
        - timeout (float, optional): seconds allowed; None runs in this process without a limit
        - logger (Logger, optional): where to log debug messages
        - name (str, optional): how to name the call in logs

    Returns:
        - Any: what `fn` returns

    Raises:
        - TaskTimeoutSignal: when the time is up
        - Exception: whatever `fn` raised in the child process
    """
    kwargs = kwargs or {}
    if timeout is None:
        return fn(*args, **kwargs)
    logger = logger or get_logger()
    name = name or f"Function '{getattr(fn, '__name__', fn)}'"
    import multiprocessing  # imported on use: once imported, every log record asks for the process name

    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    payload = cloudpickle.dumps(
        {
            "fn": fn,
            "args": args,
            "kwargs": kwargs,
            "context": snapshot(),
            "name": name,
            "logger": logger,
            "announce_start": True,
        }
    )
    process = spawn.Process(target=multiprocessing_safe_run_and_retrieve, args=(queue, payload))
    logger.debug(f"{name}: Sending execution to a new process...")
    process.start()
    try:
        _wait_for_start(queue, process, name)
        outcome = cloudpickle.loads(queue.get(block=True, timeout=timeout))
    except Empty:
        raise TaskTimeoutSignal(f"Execution timed out for {name}.") from None
    finally:
        process.join(0.1)
        process.terminate()
        process.join(5)
        queue.close()
        queue.join_thread()
    if isinstance(outcome, (Exception, PrefectSignal)):
        raise outcome
    return outcome


_STARTED = b"started"
#: how long a new process may take to start the call before the run gives up on it (seconds)
PROCESS_START_LIMIT = 300.0


def _wait_for_start(queue: Any, process: Any, name: str) -> None:
    """Wait until the child process announces that the call has started."""
    waited = 0.0
    while True:
        try:
            marker = queue.get(block=True, timeout=0.5)
        except Empty:
            waited += 0.5
            if not process.is_alive() or waited > PROCESS_START_LIMIT:
                raise RuntimeError(
                    f"{name}: the process meant to run it did not start "
                    f"(exit code {process.exitcode})."
                ) from None
            continue
        if marker == _STARTED:
            return


def run_task_with_timeout(
    task: "Task",
    args: Sequence = (),
    kwargs: Optional[Mapping] = None,
    logger: Optional[logging.Logger] = None,
) -> Any:
    """Call `task.run(*args, **kwargs)` within `task.timeout` seconds (no limit when None).

    Main thread: a `SIGALRM` timer stops the run. Another thread of a non-daemonic process: the run
    happens in a spawned process that is terminated at the timeout. A daemonic process or
    Windows: a soft limit (with a warning): the run ends, the work goes on in the background.

    Args:
        - task (Task): the task
        - args (Sequence), kwargs (Mapping): the arguments of `run`
        - logger (Logger, optional): where to log debug messages

    Returns:
        - Any: what `task.run` returns

    Raises:
        - TaskTimeoutSignal: when the time is up
    """
    kwargs = kwargs or {}
    if task.timeout is None:
        return task.run(*args, **kwargs)  # type: ignore[attr-defined]
    logger = logger or get_logger()
    label = f"Task '{prefect_context.get('task_full_name', task.name)}'"
    if not sys.platform.startswith("win"):
        if threading.current_thread() is threading.main_thread():
            return run_with_thread_timeout(
                task.run,
                args,
                kwargs,
                timeout=task.timeout,  # type: ignore[attr-defined]
                logger=logger,
                name=label,
            )
        import multiprocessing

        if not multiprocessing.current_process().daemon:
            return run_with_multiprocess_timeout(
                task.run,
                args,
                kwargs,  # type: ignore[attr-defined]
                timeout=task.timeout,
                logger=logger,
                name=label,
            )
        reason = "in a daemonic subprocess"
    else:  # pragma: no cover - Windows
        reason = "on Windows"
    warnings.warn(
        f"This task is running {reason}; consequently Prefect can only enforce a soft timeout limit, "
        "i.e., if your Task reaches its timeout limit it will enter a TimedOut state but continue "
        "running in the background.",
        stacklevel=2,
    )
    context = snapshot()

    def run_in_context() -> Any:
        with prefect_context(context):
            return task.run(*args, **kwargs)  # type: ignore[attr-defined]

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(run_in_context).result(timeout=task.timeout)
    except FutureTimeout as exc:
        raise TaskTimeoutSignal(
            f"Execution timed out but was executed {reason} and will continue to run in the background."
        ) from exc
    finally:
        pool.shutdown(wait=False)


# --- tail recursion ------------------------------------------------------------------------------
class RecursiveCall(Exception):
    """Raised instead of calling `func(*args, **kwargs)` from inside a `tail_recursive` function.

    Args:
        - func (Callable): the tail-recursive function to call again
        - *args, **kwargs: its arguments
    """

    def __init__(self, func: Callable, *args: Any, **kwargs: Any):
        self.func = func
        self.args = args
        self.kwargs = kwargs


def tail_recursive(func: Callable) -> Callable:
    """Let `func` "call itself" by raising `RecursiveCall(func, ...)`: the wrapper loops instead
    of growing the stack, so the depth is unlimited.

    Args:
        - func (Callable): the function

    Returns:
        - Callable: the wrapped function

    Raises:
        - RecursionError: for a `RecursiveCall` naming a function that is not tail-recursive
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        while True:
            try:
                return func(*args, **kwargs)
            except RecursiveCall as exc:
                target = getattr(exc.func, "__wrapped_func__", None)
                if target is None:
                    raise RecursionError(
                        f"function has not been wrapped to provide tail recursion (func={exc.func})"
                    ) from exc
                if target is not func:  # meant for another tail-recursive function further out
                    raise
                args, kwargs = exc.args, exc.kwargs

    wrapper.__wrapped_func__ = func  # type: ignore[attr-defined]
    return wrapper


# --- mapping ----------------------------------------------------------------------------------------
def _with_result(state: "State", result: Any) -> "State":
    """A shallow copy of `state` (same class) whose `_result` is `result`."""
    new = object.__new__(type(state))
    new.__dict__.update(state.__dict__)
    new._result = result
    return new


def iter_upstream_states_for_mapping(
    state: "State",
    upstream_states: Dict["Edge", "State"],
    mapped_children: Dict["Task", list],
    executor: Any = None,
) -> Iterator[Dict["Edge", Any]]:
    """Yield, child by child, the upstream states of a mapped task's children (see
    `prepare_upstream_states_for_mapping`); one child's dict at a time, so that a map over many
    items never holds every child's inputs at once."""
    if state.is_pending() or state.is_failed() or state.is_skipped() or not upstream_states:
        return
    cached_inputs = state.cached_inputs or {}
    mapped_children = dict(mapped_children)
    plain: Dict[Any, Any] = {}  # edge -> upstream state (not mapped over)
    from_children: Dict[Any, Any] = {}  # edge -> children (mapping over a mapped task)
    from_values: Dict[
        Any, Any
    ] = {}  # edge -> (state, sequence or None, has data) (mapping over a value)
    limits: List[int] = []
    rerun = state.is_mapped()
    known_children = len(state.map_states) if rerun else 0  # type: ignore[attr-defined]
    for edge, upstream in upstream_states.items():
        if edge.key is not None and edge.key in cached_inputs:
            upstream._result = cached_inputs[edge.key]
        if not edge.mapped:
            plain[edge] = upstream
        elif upstream.is_mapped():
            children = mapped_children.get(edge.upstream_task) or upstream.map_states  # type: ignore[attr-defined]
            if edge.flattened:  # one child per item of each upstream child's list
                children = flatten_mapped_children(children, executor)
            limits.append(len(children))
            from_children[edge] = children
        else:
            has_data = not rerun or upstream._result is not NoResult
            if has_data:
                value = upstream.result
                indexable = hasattr(value, "__getitem__")
                from_values[edge] = (upstream, value if indexable else None, True)
                if indexable and hasattr(value, "__len__"):
                    limits.append(len(value))
            else:  # re-running a Mapped parent whose upstream data is gone: keep the state as is
                from_values[edge] = (upstream, None, False)
            if rerun and (known_children or not has_data):
                limits.append(known_children)
    for i in range(min(limits, default=0)):
        child: Dict[Any, Any] = dict(plain)
        for edge, children in from_children.items():
            child[edge] = children[i]
        for edge, (upstream, values, has_data) in from_values.items():
            if not has_data:
                child[edge] = _with_result(upstream, upstream._result)
            else:
                item = values[i] if values is not None else None
                child[edge] = _with_result(upstream, upstream._result.from_value(item))
        yield child


def prepare_upstream_states_for_mapping(
    state: "State",
    upstream_states: Dict["Edge", "State"],
    mapped_children: Dict["Task", list],
    executor: Any = None,
) -> list:
    """The upstream states of each child of a mapped task, one dict per child.

    Edges that are not mapped give every child the same upstream state; a mapped edge from a
    mapped task gives child `i` that task's child `i`; a mapped edge from another task gives
    child `i` a copy of its state holding item `i` of its result. The number of children is the
    shortest of the mapped inputs. A flattened edge from a mapped task gives one child per item of
    its children's list results. A Pending, Failed or Skipped parent gets no children.

    Args:
        - state (State): the parent's state (Mapped, or its state before mapping)
        - upstream_states (Dict[Edge, State]): the parent's upstream states
        - mapped_children (Dict[Task, list]): the children (states or futures) of upstream mapped tasks
        - executor (Executor, optional): the executor holding the upstream children (needed to
            flatten them)

    Returns:
        - list: one `{Edge: State}` dict per child
    """
    return list(iter_upstream_states_for_mapping(state, upstream_states, mapped_children, executor))


def _can_flatten(state: "State") -> bool:
    return hasattr(state.result, "__len__") and hasattr(state.result, "__getitem__")


def _build_flattened_state(state: "State", index: int) -> "State":
    """Item `index` of a successful child's list result, as a state of its own."""
    if not state.is_successful() or state.is_skipped():
        return state
    if not _can_flatten(state):
        FLOWRUNNER_LOGGER.warning(
            "`flatten` was used on upstream task that did not return an iterable. "
            "The value will be passed downstream unmodified."
        )
        return _with_result(state, state._result.from_value(state.result))
    return _with_result(state, state._result.from_value(state.result[index]))


def flatten_upstream_state(upstream_state: "State") -> "State":
    """`upstream_state` with its list-of-lists result flattened by one level (unchanged when the
    result cannot be flattened).

    Args:
        - upstream_state (State): the state

    Returns:
        - State: a copy with the flattened result, or the state itself
    """
    try:
        flat = [item for inner in upstream_state.result for item in inner]
    except TypeError:
        return upstream_state
    return _with_result(upstream_state, upstream_state._result.from_value(flat))


def flatten_mapped_children(mapped_children: List["State"], executor: Any) -> List[Any]:
    """The children of a mapped task, flattened: one state per item of each child's list result
    (children that did not succeed, or whose result is not a list, count as one item).

    Args:
        - mapped_children ([State]): the children (states or futures)
        - executor (Executor): the executor holding them

    Returns:
        - list: the flattened children (states or futures)
    """
    counts = executor.wait([executor.submit(_flat_count, c) for c in mapped_children])
    return [
        executor.submit(_build_flattened_state, child, i)
        for child, count in zip(mapped_children, counts)
        for i in range(count)
    ]


def _flat_count(state: "State") -> int:
    return len(state._result.value) if _can_flatten(state) else 1


def copy_state(state: "State") -> "State":
    """A shallow copy of a state (the same class and attributes)."""
    return copy.copy(state)
