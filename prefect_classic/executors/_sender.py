"""How `DaskExecutor` hands calls to `dask.distributed`: the handles it returns, the batches
that a background thread sends, and the function the workers run for each call."""

import threading
import time
import weakref
from typing import Any, Dict, List, Optional, Tuple

from prefect_classic.executors._calls import _TaskCall


class _Deferred:
    """A call submitted to a `DaskExecutor`; `future` is its `distributed.Future` once the call
    has been sent to the scheduler (calls are sent in batches)."""

    __slots__ = ("key", "future")

    def __init__(self, key: str):
        self.key = key
        self.future: Any = None

    def __repr__(self) -> str:
        return f"<DaskExecutor future: {self.key}>"


_FUTURE_TYPES: Any = None


def _is_dask_future(obj: Any) -> bool:
    global _FUTURE_TYPES
    if _FUTURE_TYPES is None:
        from distributed import Future

        _FUTURE_TYPES = (_Deferred, Future)
    return isinstance(obj, _FUTURE_TYPES)


def _should_run(event_name: str) -> bool:
    """On a worker: whether the executor that sent the call is still running (its
    `distributed.Event` is set). When the scheduler cannot be asked, run: at worst a call runs
    needlessly, and a cluster that is going away cancels it anyway."""
    try:
        import dask
        from distributed import Event, get_client

        client = get_client(timeout=dask.config.get("distributed.comm.timeouts.connect"))
        return bool(Event(event_name, client=client).is_set())
    except Exception:
        return True


def _run_call(call: _TaskCall, upstream: List[Any], event_name: Optional[str] = None) -> Any:
    """What the workers run: `call(*upstream)`, skipped (None) once the executor has stopped."""
    if event_name is not None and not _should_run(event_name):
        return None
    return call(*upstream)


_Item = Tuple[_Deferred, _TaskCall, List[Any], Optional[Dict[str, float]]]


class _Sender:
    """Sends the calls submitted to a running `DaskExecutor` to the scheduler, in batches.

    A background thread sends what has been submitted once submissions pause for `QUIET`
    seconds (one `client.map` per set of worker resources), so calls reach the cluster within
    milliseconds even if nobody waits, and calls submitted in a row travel together. `flush()`
    sends the rest at once, in the caller's thread (before a wait, before a call whose upstream is
    not sent yet, every `batch_size`).
    """

    QUIET = 0.005

    def __init__(
        self,
        client: Any,
        batch_size: int,
        event_name: Optional[str],
        registry: Optional[weakref.WeakSet[Any]],
    ):
        self._client = client
        self._batch_size = batch_size
        self._event_name = event_name
        self._registry = registry
        self._unsent: List[_Item] = []
        self._lock = threading.Lock()  # guards _unsent
        self._sending = threading.Lock()  # one batch at a time, in submission order
        self._wake = threading.Event()
        self._added = 0  # calls queued so far (the sending thread waits for it to stop moving)
        self._stopping = False
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._loop, name="prefect-dask-sender", daemon=True)
        self._thread.start()

    def add(self, item: _Item) -> None:
        """Queue a call; wakes the sending thread, or sends now when `batch_size` are queued."""
        self._raise_error()
        with self._lock:
            self._unsent.append(item)
            self._added += 1
            queued = len(self._unsent)
        if queued >= self._batch_size:
            self.flush()
        elif queued == 1:
            self._wake.set()

    def flush(self) -> None:
        """Send every queued call now; raise what a background send raised."""
        with self._sending:
            with self._lock:
                items, self._unsent = self._unsent, []
            if items:
                self._send(items)
        self._raise_error()

    def close(self) -> int:
        """Stop the sending thread; the calls still queued are dropped (they never started).

        Returns:
            - int: how many calls were dropped
        """
        self._stopping = True
        self._wake.set()
        self._thread.join()
        with self._lock:
            dropped, self._unsent = len(self._unsent), []
        return dropped

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            seen = -1
            while seen != self._added and not self._stopping:  # let a burst of submits finish
                seen = self._added
                time.sleep(self.QUIET)
            if self._stopping:
                return
            try:
                with self._sending:
                    with self._lock:
                        items, self._unsent = self._unsent, []
                    if items:
                        self._send(items)
            except BaseException as exc:  # handed to the flow runner's thread
                self._error = exc

    def _send(self, items: List[_Item]) -> None:
        batches: Dict[Any, List[_Item]] = {}
        for item in items:
            batches.setdefault(tuple(sorted((item[3] or {}).items())), []).append(item)
        for resources, batch in batches.items():
            upstream = [
                [u.future if type(u) is _Deferred else u for u in item[2]] for item in batch
            ]
            futures = self._client.map(
                _run_call,
                [item[1] for item in batch],
                upstream,
                key=[item[0].key for item in batch],
                pure=False,
                resources=dict(resources) or None,
                event_name=self._event_name,
            )
            for item, future in zip(batch, futures):
                item[0].future = future
                if self._registry is not None:
                    self._registry.add(future)

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
