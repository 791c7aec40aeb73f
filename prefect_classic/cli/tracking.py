"""Following a flow run from the command line: which task runs started, finished and failed, and
when — also for task runs in other processes (Dask workers, process pools).

`RunTracker` is a task-runner state handler. In the flow runner's process it records each event
directly. A copy that travels to another process (it pickles as a small `_RemoteTracker`) sends
its events home instead:

- in a `dask.distributed` worker, as worker events on the tracker's topic (`Worker.log_event`);
  the flow runner's process subscribes to them through the executor's client (`watch_dask`);
- in any other process (e.g. `LocalDaskExecutor(scheduler="processes")`), over a local socket
  that `serve()` opens (authenticated with a random key), each event acknowledged before the task
  run goes on, so every event is recorded before the run's state reaches the flow runner.

After the run, `reconcile(flow, flow_state)` completes the records from the final states, so the
counts and the report are whole even where an event could not be delivered.
"""

import os
import reprlib
import secrets
import threading
import time
import traceback
import weakref
from dataclasses import asdict, dataclass
from multiprocessing.connection import Client, Listener
from typing import Any, Dict, Iterator, List, Optional, Tuple

from prefect_classic.engine.results.secret_result import SecretResult
from prefect_classic.engine.signals import PrefectStateSignal
from prefect_classic.engine.state import Looped, Mapped
from prefect_classic.tasks.secrets.base import SecretBase
from prefect_classic.utilities.context import context

__all__ = ["MASK", "RunRecord", "RunTracker", "is_secret_state"]

#: what is shown in place of a secret value
MASK = "****"

Key = Tuple[str, Optional[int]]

_REPR = reprlib.Repr()
_REPR.maxstring = 200
_REPR.maxother = 200
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 12


@dataclass
class RunRecord:
    """One task run (a task, or one mapped child) as seen by the tracker.

    Attributes:
        - slug (str): the task's slug in the flow
        - task (str): the task's name
        - map_index (int, optional): the child's index, None for unmapped tasks and mapped parents
        - state (str): the name of the latest state class (`Success`, `Failed`, `Mapped`, …)
        - message (str): that state's message
        - start (float, optional): when it started Running (epoch seconds)
        - end (float, optional): when it finished (epoch seconds)
        - run_count (int): how many times it ran (retries count)
        - cached (bool): it was served from an output cache or a target, without running
        - target_hit (bool): the value came from an existing target
        - result (str): a short repr of its result (masked for secrets)
        - traceback (str, optional): the traceback of a failure
        - failed (bool): it finished failed
        - n_children (int, optional): for a mapped parent, its number of children
    """

    slug: str
    task: str
    map_index: Optional[int] = None
    state: str = "Pending"
    message: str = ""
    start: Optional[float] = None
    end: Optional[float] = None
    run_count: int = 0
    cached: bool = False
    target_hit: bool = False
    result: str = ""
    traceback: Optional[str] = None
    failed: bool = False
    n_children: Optional[int] = None

    @property
    def label(self) -> str:
        """`name` or `name[i]` for a mapped child."""
        return self.task if self.map_index is None else f"{self.task}[{self.map_index}]"

    @property
    def duration(self) -> Optional[float]:
        """Seconds from start to end (0 for runs that finished without running)."""
        if self.end is None:
            return None
        return max(0.0, self.end - (self.start if self.start is not None else self.end))

    def to_dict(self) -> Dict[str, Any]:
        """The record as a plain dict (with `label` and `duration`)."""
        data = asdict(self)
        data.update(label=self.label, duration=self.duration)
        return data


def is_secret_state(task: Any, state: Any) -> bool:
    """Whether a task's state holds a secret value (a Secret task, or a `SecretResult`).

    Args:
        - task (Task): the task
        - state (State): its state

    Returns:
        - bool: True when the value must never be shown
    """
    return (
        isinstance(task, SecretBase)
        or isinstance(getattr(task, "result", None), SecretResult)
        or isinstance(getattr(state, "_result", None), SecretResult)
    )


def _short_repr(value: Any) -> str:
    try:
        return " ".join(_REPR.repr(value).split())
    except Exception as exc:  # a broken __repr__ must not break the run
        return f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"


def _traceback_text(state: Any) -> Optional[str]:
    exc = getattr(state, "result", None)
    if not isinstance(exc, BaseException) or isinstance(exc, PrefectStateSignal):
        return None  # a signal (e.g. a trigger failing) is explained by the state's message
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()


# An event is a tuple (it travels to the flow runner's process, through msgpack on Dask):
#   (START, slug, task name, map_index, time)
#   (END, slug, task name, map_index, time, state name, message, run count, cached, failed,
#    n_children, target hit, traceback)
START, END = 0, 1
_TARGET_MESSAGE = "Result found at task target"


def _event(runner: Any, new_state: Any) -> Optional[tuple]:
    """The event of a state change worth recording (start or finish), else None."""
    if new_state.is_running():
        task = runner.task
        return (
            START,
            context.get("task_slug") or task.slug or task.name,
            task.name,
            context.get("map_index"),
            time.time(),
        )
    if not new_state.is_finished() or isinstance(new_state, Looped):
        return None
    task = runner.task
    message = new_state.message
    message = "" if message is None else str(message)
    cached = new_state.is_cached()
    failed = new_state.is_failed()
    return (
        END,
        context.get("task_slug") or task.slug or task.name,
        task.name,
        context.get("map_index"),
        time.time(),
        type(new_state).__name__,
        message,
        context.get("task_run_count") or 1,
        cached,
        failed,
        new_state.n_map_states if isinstance(new_state, Mapped) else None,
        cached and message.startswith(_TARGET_MESSAGE),
        _traceback_text(new_state) if failed else None,
    )


# --- delivery from other processes ----------------------------------------------------------------
_TRACKERS: "weakref.WeakValueDictionary[str, RunTracker]" = weakref.WeakValueDictionary()
_CONNECTIONS: Dict[Tuple[int, Any], Any] = {}
_CONNECTIONS_LOCK = threading.Lock()


def _deliver(token: str, address: Any, event: tuple) -> None:
    """Send an event to the tracker `token` from whatever process this is."""
    home = _TRACKERS.get(token)
    if home is not None:  # the flow runner's own process
        home.apply(event)
        return
    worker = _dask_worker()
    if worker is not None:
        worker.log_event(_topic(token), event)
        return
    if address is None:
        return
    key = (os.getpid(), tuple(address) if isinstance(address, list) else address)
    with _CONNECTIONS_LOCK:
        conn = _CONNECTIONS.get(key)
        if conn is False:  # the flow runner could not be reached from this process
            return
        try:
            if conn is None:
                conn = _CONNECTIONS[key] = Client(address, authkey=token.encode())
            conn.send(event)
            conn.recv()  # the acknowledgement: the event is recorded
        except (OSError, EOFError):
            _CONNECTIONS[key] = False


def _dask_worker() -> Any:
    try:
        from distributed import get_worker
    except ImportError:
        return None
    try:
        return get_worker()
    except ValueError:  # not in a worker
        return None


def _topic(token: str) -> str:
    return f"prefect-classic-run-{token}"


class _RemoteTracker:
    """What a `RunTracker` becomes in another process: it sends its events home."""

    __slots__ = ("token", "address")

    def __init__(self, token: str, address: Any):
        self.token = token
        self.address = address

    def __reduce__(self) -> Any:
        return (_RemoteTracker, (self.token, self.address))

    def __call__(self, runner: Any, old_state: Any, new_state: Any) -> Any:
        event = _event(runner, new_state)
        if event is not None:
            _deliver(self.token, self.address, event)
        return new_state


# --- the tracker ----------------------------------------------------------------------------------
class RunTracker:
    """A task-runner state handler that records every task run of a flow run: counts for a
    progress display and records for a report.

    Args:
        - n_tasks (int): the number of tasks in the flow (the total grows by the number of
            children when a mapped task is mapped)
    """

    def __init__(self, n_tasks: int):
        self.n_tasks = n_tasks
        self.records: Dict[Key, RunRecord] = {}
        self.done = 0
        self.failed = 0
        self.n_children = 0
        self.started = time.time()
        self.finished_at: Optional[float] = None
        self._running: Dict[Key, RunRecord] = {}
        self._lock = threading.Lock()
        self.token = secrets.token_hex(16)
        self._address: Any = None
        self._listener: Any = None
        self._dask_clients: List[Any] = []
        _TRACKERS[self.token] = self

    # the handler ---------------------------------------------------------------------------------
    def __call__(self, runner: Any, old_state: Any, new_state: Any) -> Any:
        event = _event(runner, new_state)
        if event is not None:
            self.apply(event)
        return new_state

    def __reduce__(self) -> Any:
        return (_RemoteTracker, (self.token, self._address))

    def apply(self, event: tuple) -> None:
        """Record one event (idempotent: the same event twice changes nothing more).

        Args:
            - event (tuple): a start or end event
        """
        key = (event[1], event[3])
        at = event[4]
        with self._lock:
            record = self.records.get(key)
            if record is None:
                record = self.records[key] = RunRecord(event[1], event[2], event[3])
            if event[0] == START:
                if record.start is None or (record.end is not None and at > record.end):
                    record.start = at
                if record.end is None or at > record.end:
                    if record.end is not None:  # runs again (e.g. a Cached task re-checked)
                        record.end = None
                        self.done -= 1
                        self.failed -= record.failed
                    self._running[key] = record
                return
            if record.end is None:
                self.done += 1
            else:
                self.failed -= record.failed
            (
                record.end,
                record.state,
                record.message,
                record.run_count,
                cached,
                record.failed,
                n_children,
                target_hit,
                record.traceback,
            ) = event[4:]
            # a hit finishes Cached without running (a task with cache_for that ran ends Cached too)
            record.cached = bool(cached) and record.start is None
            record.target_hit = record.cached and bool(target_hit)
            self.failed += record.failed
            if n_children is not None and record.n_children is None:
                record.n_children = n_children
                self.n_children += n_children
            self._running.pop(key, None)

    # what a display reads ----------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Task runs known so far: the tasks plus the children of mapped tasks."""
        return self.n_tasks + self.n_children

    @property
    def running(self) -> int:
        """Task runs started and not finished."""
        return len(self._running)

    @property
    def current(self) -> Optional[str]:
        """The most recently started task run still running (`name` or `name[i]`)."""
        try:
            return next(reversed(self._running.values())).label
        except (StopIteration, RuntimeError):  # empty, or changed while read
            return None

    def elapsed(self) -> float:
        """Seconds since the tracker was created (until `reconcile`)."""
        return (self.finished_at or time.time()) - self.started

    def sorted_records(self) -> List[RunRecord]:
        """The records by start time (runs that never ran at their end time)."""
        with self._lock:
            records = list(self.records.values())
        return sorted(
            records,
            key=lambda r: (
                r.start if r.start is not None else (r.end or 0.0),
                r.slug,
                -1 if r.map_index is None else r.map_index,
            ),
        )

    # other processes ---------------------------------------------------------------------------------
    def serve(self) -> None:
        """Listen on a local socket for the events of task runs in other processes."""
        if self._listener is not None:
            return
        self._listener = Listener(("127.0.0.1", 0), authkey=self.token.encode())
        self._address = self._listener.address
        threading.Thread(target=self._accept, name="prefect-classic-tracker", daemon=True).start()

    def _accept(self) -> None:
        listener = self._listener
        while listener is not None:
            try:
                conn = listener.accept()
            except Exception:  # closed, or a peer without the key
                if self._listener is None:
                    return
                continue
            threading.Thread(target=self._receive, args=(conn,), daemon=True).start()

    def _receive(self, conn: Any) -> None:
        with conn:
            while True:
                try:
                    event = conn.recv()
                except (EOFError, OSError):
                    return
                self.apply(event)
                try:
                    conn.send(True)
                except OSError:
                    return

    def watch_dask(self, executor: Any) -> None:
        """Subscribe to the events of `executor`'s Dask workers once its client exists (call it
        repeatedly while the run goes on; it does nothing for other executors).

        Args:
            - executor (Executor): the flow run's executor
        """
        client = getattr(executor, "client", None)
        if client is None or any(c is client for c in self._dask_clients):
            return
        self._dask_clients.append(client)
        topic = _topic(self.token)
        try:
            client.subscribe_topic(topic, lambda event: self.apply(event[1]))
            for _, event in client.get_events(topic):  # those sent before the subscription
                self.apply(event)
        except Exception:  # the client closed meanwhile
            pass

    def close(self) -> None:
        """Stop listening."""
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.close()
            except OSError:
                pass

    # after the run ---------------------------------------------------------------------------------
    def reconcile(self, flow: Any, flow_state: Any) -> None:
        """Complete the records from the flow run's final states (task runs whose events did not
        arrive, e.g. from remote workers) and stop the clock.

        Args:
            - flow (Flow): the flow
            - flow_state (State): its run's final state
        """
        self.finished_at = self.finished_at or time.time()
        states = flow_state.result if isinstance(flow_state.result, dict) else {}
        for task in flow.sorted_tasks():
            slug = flow.slugs.get(task) or task.slug or task.name
            state = states.get(task)
            if state is None:
                continue
            self._complete(task, slug, None, state)
            if isinstance(state, Mapped):
                for i, child in enumerate(state.map_states):
                    if hasattr(child, "is_finished"):
                        self._complete(task, slug, i, child)

    def _complete(self, task: Any, slug: str, map_index: Optional[int], state: Any) -> None:
        """Record a final state whose end event did not arrive, and the result's short repr."""
        record = self.records.get((slug, map_index))
        if (record is None or record.end is None) and state.is_finished():
            with context(task_slug=slug, map_index=map_index):
                event = _event(_StandIn(task), state)
            if event is not None:
                self.apply(event[:4] + (self.finished_at,) + event[5:])
                record = self.records.get((slug, map_index))
        if record is None or isinstance(state, Mapped) or not state.is_successful():
            return
        record.result = MASK if is_secret_state(task, state) else _short_repr(state.result)

    def iter_failed(self) -> Iterator[RunRecord]:
        """The failed task runs, in start order."""
        return (r for r in self.sorted_records() if r.failed)


class _StandIn:
    """A runner-shaped object for building an event from a final state."""

    __slots__ = ("task",)

    def __init__(self, task: Any):
        self.task = task
