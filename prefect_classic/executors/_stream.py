"""Windowed streaming of many calls (the children of a mapped task) through an executor.

`CallStream.run` takes the calls one by one from a lazy iterable, groups them in batches (one
pool job or Dask task each), and keeps at most `window` calls and `max_batches` batches in
flight: it takes the next call only once there is room, so memory holds the window, not the
whole map. Results are taken back as batches finish. Batch sizes adapt: each batch reports how
long its calls took in the worker, and the next batch is sized to take about `target_seconds`
(one call per batch for slow calls, so they spread over every worker; up to `max_batch` for
trivial ones, so the per-batch cost of the pool or the scheduler is shared by many calls).
"""

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from prefect_classic.executors.base import Executor


class StreamStats:
    """What an executor shows of its streamed calls: `in_flight` (taken from the iterable and not
    yet finished), `peak_in_flight` (the most at once, over the executor's flow run) and
    `window` (the bound)."""

    def __init__(self, window: int):
        self.window = window
        self.in_flight = 0
        self.peak_in_flight = 0

    def add(self, n: int) -> None:
        self.in_flight += n
        if self.in_flight > self.peak_in_flight:
            self.peak_in_flight = self.in_flight

    def remove(self, n: int) -> None:
        self.in_flight -= n


class CallStream:
    """Streams calls through a backend given as four functions (see `run`).

    Args:
        - stats (StreamStats): the executor's counters (the window is `stats.window`)
        - max_batches (int): batches in flight at most (about two per worker thread)
        - target_seconds (float): how long a batch should take in the worker
        - max_batch (int): calls per batch at most
        - first_batch (int): calls in the first batches, before any has reported its time
    """

    def __init__(
        self,
        stats: StreamStats,
        max_batches: int,
        target_seconds: float,
        max_batch: int,
        first_batch: int = 1,
    ):
        self.stats = stats
        self.max_batches = max(1, max_batches)
        self.target_seconds = target_seconds
        self.max_batch = max(1, min(max_batch, stats.window // self.max_batches or 1))
        self.batch_size = max(1, min(first_batch, self.max_batch))

    def run(
        self,
        calls: Iterable[Dict[str, Any]],
        resolve: Callable[[Dict[str, Any]], Dict[str, Any]],
        send: Callable[[List[Dict[str, Any]]], Any],
        wait_some: Callable[[List[Any]], List[Any]],
        take: Callable[[Any, int, int], Tuple[List[Any], Optional[float]]],
    ) -> List[Any]:
        """Run every call; return their results in the order of `calls`.

        Args:
            - calls (Iterable[dict]): the calls' keyword arguments, taken lazily; when it has a
                `len()`, that number of calls is expected (it bounds the batch size)
            - resolve (Callable): `resolve(call)`: the call with its futures replaced by results
            - send (Callable): `send(batch)`: start a batch of calls, return its handle
            - wait_some (Callable): `wait_some(handles)`: block until at least one handle is
                finished, return the finished ones
            - take (Callable): `take(handle, first_index, count)`: the batch's results (lost
                calls as Failed states) and the seconds its calls took in the worker (None when
                unknown)

        Returns:
            - list: one result per call
        """
        stats = self.stats
        window = max(1, stats.window)
        expected = len(calls) if hasattr(calls, "__len__") else None  # type: ignore[arg-type]
        if expected is not None:
            # at least four batches per slot, so that the last batches end together: a map of a
            # few children per worker thread runs one child per batch
            self.max_batch = max(1, min(self.max_batch, expected // (4 * self.max_batches)))
            self.batch_size = min(self.batch_size, self.max_batch)
        results: List[Any] = []
        running: Dict[Any, Tuple[int, int]] = {}  # handle -> (first index, count)
        batch: List[Dict[str, Any]] = []
        first = 0
        try:
            for call in calls:
                while stats.in_flight >= window and running:
                    self._collect(running, results, wait_some, take)
                call = resolve(call)
                stats.add(1)
                batch.append(call)
                results.append(None)
                if len(batch) >= self.batch_size or stats.in_flight >= window:
                    while len(running) >= self.max_batches:
                        self._collect(running, results, wait_some, take)
                    running[send(batch)] = (first, len(batch))
                    first += len(batch)
                    batch = []
            if batch:
                while len(running) >= self.max_batches:
                    self._collect(running, results, wait_some, take)
                running[send(batch)] = (first, len(batch))
                batch = []
            while running:
                self._collect(running, results, wait_some, take)
        finally:
            stats.remove(len(batch) + sum(count for _, count in running.values()))
        return results

    def _collect(
        self,
        running: Dict[Any, Tuple[int, int]],
        results: List[Any],
        wait_some: Callable[[List[Any]], List[Any]],
        take: Callable[[Any, int, int], Tuple[List[Any], Optional[float]]],
    ) -> None:
        for handle in wait_some(list(running)):
            first, count = running.pop(handle)
            values, seconds = take(handle, first, count)
            results[first : first + count] = values
            self.stats.remove(count)
            if seconds is not None:
                self._resize(count, seconds)

    def _resize(self, count: int, seconds: float) -> None:
        per_call = seconds / count
        wanted = int(self.target_seconds / per_call) if per_call > 0 else self.max_batch
        # grow at most fourfold per batch, shrink at once
        self.batch_size = max(1, min(wanted, self.batch_size * 4, self.max_batch))


def _overrides_submit(executor: Any, cls: Any) -> bool:
    """Whether a subclass or the instance replaced `cls.submit` (then `submit_many` goes
    through `submit`, one call at a time)."""
    return type(executor).submit is not cls.submit or "submit" in executor.__dict__


class _Streaming(Executor):
    """What both Dask executors show of `submit_many`: the window and its counters."""

    _stream_stats: StreamStats

    @property
    def window(self) -> int:
        """The most calls of a `submit_many` in flight at once."""
        return self._stream_stats.window

    @property
    def in_flight(self) -> int:
        """Calls of the current `submit_many` taken from its iterable and not finished yet."""
        return self._stream_stats.in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most calls of `submit_many` in flight at once since `start()`."""
        return self._stream_stats.peak_in_flight


# --- backends -------------------------------------------------------------------------------------
def _lost_batch(name: str, first: int, count: int, exc: BaseException) -> List[Any]:
    """Failed states for the `count` calls from `first` of a batch that was lost."""
    from prefect_classic.executors._calls import _lost_run_state
    from prefect_classic.utilities.logging import get_logger

    states = [_lost_run_state(f"{name}-{first + i}-lost", exc) for i in range(count)]
    get_logger("Executor").error(
        f"{count} task run(s) from '{name}[{first}]' were lost: {states[0].message}"
    )
    return states


def stream_on_pool(
    pool_of: Callable[[], Any],
    fn: Callable,
    calls: Iterable[Dict[str, Any]],
    shared: Dict[str, Any],
    name: str,
    stream: CallStream,
    resolve: Callable[[Dict[str, Any]], Dict[str, Any]],
    in_process: bool,
    on_broken: Callable[[Any], None],
) -> List[Any]:
    """Stream calls through a `concurrent.futures` pool (a batch per pool job).

    Args:
        - pool_of (Callable): returns the pool to use now
        - fn, calls, shared: the calls (`fn(**shared, **call)`)
        - name (str): the task name (for lost calls)
        - stream (CallStream): the window
        - resolve (Callable): replaces the futures a call holds
        - in_process (bool): threads (the batch is not serialized) or processes
        - on_broken (Callable): called with a pool whose worker process died

    Returns:
        - list: the results
    """
    from concurrent.futures import FIRST_COMPLETED
    from concurrent.futures import wait as wait_futures

    from prefect_classic.executors._calls import _hand_over, make_batch_call
    from prefect_classic.utilities.context import snapshot

    base = snapshot()
    stubs: Optional[Dict[Any, Any]] = None if in_process else {}
    pools: Dict[Any, Any] = {}

    def send(batch: List[Dict[str, Any]]) -> Any:
        call = make_batch_call(fn, shared, batch, stubs, base)
        if not in_process:
            call.freeze()
        pool = pool_of()
        handle = pool.submit(call)
        pools[handle] = pool
        return handle

    def wait_some(handles: List[Any]) -> List[Any]:
        return list(wait_futures(handles, return_when=FIRST_COMPLETED)[0])

    def take(handle: Any, first: int, count: int) -> Tuple[List[Any], Optional[float]]:
        pool = pools.pop(handle)
        try:
            values, seconds = _hand_over(handle.result())
        except Exception as exc:
            if in_process or "BrokenProcessPool" not in type(exc).__name__:
                raise
            on_broken(pool)
            return _lost_batch(name, first, count, exc), None
        return values, seconds

    return stream.run(calls, resolve, send, wait_some, take)


def stream_on_client(
    client: Any,
    fn: Callable,
    calls: Iterable[Dict[str, Any]],
    shared: Dict[str, Any],
    name: str,
    stream: CallStream,
    resolve: Callable[[Dict[str, Any]], Dict[str, Any]],
    stubs: Dict[Any, Any],
    resources: Optional[Dict[str, float]],
    event_name: Optional[str],
    registry: Any,
) -> List[Any]:
    """Stream calls through a `distributed.Client` (a batch per Dask task).

    Args:
        - client (distributed.Client): the client
        - fn, calls, shared: the calls (`fn(**shared, **call)`)
        - name (str): the task name (batch keys, lost calls)
        - stream (CallStream): the window
        - resolve (Callable): replaces the futures a call holds
        - stubs (dict): value-less copies of Constant tasks (kept per flow run)
        - resources (dict, optional): worker resources of every batch
        - event_name (str, optional): the executor's cancellation Event
        - registry (WeakSet, optional): where the executor keeps the futures it sent

    Returns:
        - list: the results
    """
    import uuid

    from distributed import as_completed

    from prefect_classic.executors._calls import _hand_over, make_batch_call
    from prefect_classic.executors._sender import _run_call
    from prefect_classic.utilities.context import snapshot

    base = snapshot()
    prefix = f"{name}-batch-{uuid.uuid4().hex[:16]}"
    sent = iter(range(1 << 62))
    # results are fetched by the client's event loop as tasks finish (no round trip per batch)
    finished = as_completed(loop=client.loop, with_results=True, raise_errors=False)
    arrived: Dict[Any, Any] = {}

    def send(batch: List[Dict[str, Any]]) -> Any:
        call = make_batch_call(fn, shared, batch, stubs, base).freeze()
        future = client.submit(
            _run_call,
            call,
            [],
            event_name,
            key=f"{prefix}-{next(sent)}",
            pure=False,
            resources=resources,
        )
        if registry is not None:
            registry.add(future)
        finished.add(future)
        return future

    def wait_some(handles: List[Any]) -> List[Any]:
        batch = finished.next_batch(block=True)
        arrived.update(batch)
        return [future for future, _ in batch]

    def take(future: Any, first: int, count: int) -> Tuple[List[Any], Optional[float]]:
        outcome = arrived.pop(future)
        if isinstance(outcome, BaseException):
            return _lost_batch(name, first, count, outcome), None
        if outcome is None:  # skipped: the executor is stopping
            return _lost_batch(name, first, count, RuntimeError("the executor stopped")), None
        values, seconds = _hand_over(outcome)
        return values, seconds

    return stream.run(calls, resolve, send, wait_some, take)
