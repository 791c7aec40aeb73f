"""The children of a mapped task are streamed through the Dask executors in a bounded window
(`Executor.submit_many`): the executor takes the children one at a time, never holds more than
its `window` in flight, and the flow run ends exactly as it does on LocalExecutor.
"""

import datetime
import os
import sys
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import cloudpickle
import pytest

import prefect_classic
from prefect_classic import Flow, task, unmapped
from prefect_classic.engine import signals
from prefect_classic.executors import DaskExecutor, Executor, LocalDaskExecutor, LocalExecutor

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def add(x: int, y: int = 0) -> int:
    return x + y


def calls_of(n: int, pulled: List[int], executor: Any) -> Iterator[Dict[str, Any]]:
    """`n` calls of `add`, noting `executor.in_flight` each time the executor takes one."""
    for i in range(n):
        pulled.append(executor.in_flight)
        yield {"x": i}


# --- the window ----------------------------------------------------------------------------------
@pytest.mark.parametrize("scheduler", ["threads", "synchronous"])
def test_local_dask_takes_children_lazily_and_never_holds_more_than_its_window(
    scheduler: str,
) -> None:
    executor = LocalDaskExecutor(scheduler, window=5, num_workers=2)
    seen_by_calls: List[Tuple[int, int]] = []  # (in flight, taken) while a call runs
    pulled: List[int] = []
    lock = threading.Lock()

    def record(x: int) -> int:
        with lock:
            seen_by_calls.append((executor.in_flight, len(pulled)))
        return x * 10

    with executor.start():
        results = executor.submit_many(record, calls_of(60, pulled, executor))
        assert executor.peak_in_flight <= 5
    assert results == [i * 10 for i in range(60)]
    assert len(pulled) == 60 and max(pulled) < 5  # a call is taken only when there is room
    assert all(0 < in_flight <= 5 for in_flight, _ in seen_by_calls)
    # the first call ran before the executor had taken the whole iterable
    assert seen_by_calls[0][1] <= 5


def test_local_dask_processes_window_bounds_the_calls_taken(tmp_path: Path) -> None:
    executor = LocalDaskExecutor("processes", window=6, num_workers=2)
    pulled: List[int] = []
    with executor.start():
        results = executor.submit_many(add, calls_of(40, pulled, executor), y=100)
        assert 1 <= executor.peak_in_flight <= 6
    assert results == [i + 100 for i in range(40)]
    assert max(pulled) < 6


@pytest.mark.parametrize("cluster", ["inproc_cluster", "process_cluster"])
def test_dask_executor_window_bounds_the_calls_taken(
    cluster: str, request: pytest.FixtureRequest
) -> None:
    address = request.getfixturevalue(cluster).scheduler_address
    executor = DaskExecutor(address=address, window=7)
    pulled: List[int] = []
    with executor.start():
        results = executor.submit_many(add, calls_of(50, pulled, executor), y=1)
        assert 1 <= executor.peak_in_flight <= 7
        assert executor.in_flight == 0
    assert results == [i + 1 for i in range(50)]
    assert max(pulled) < 7


def test_the_window_of_a_mapped_flow_run_is_observable_from_its_children() -> None:
    executor = LocalDaskExecutor("threads", window=4, num_workers=3)
    observed: List[int] = []

    @task
    def child(x: int) -> int:
        observed.append(executor.in_flight)
        return x + 1

    with Flow("windowed") as flow:
        out = child.map(list(range(50)))
    state = flow.run(executor=executor)
    assert [s.result for s in state.result[out].map_states] == list(range(1, 51))
    assert len(observed) == 50 and max(observed) <= 4
    assert executor.peak_in_flight <= 4


def test_a_subclass_overriding_submit_still_sees_every_child() -> None:
    submitted: List[Any] = []

    class Counting(LocalDaskExecutor):
        def submit(self, fn: Any, *args: Any, extra_context: Any = None, **kwargs: Any) -> Any:
            submitted.append((extra_context or {}).get("task_index"))
            return super().submit(fn, *args, extra_context=extra_context, **kwargs)

    with Flow("counted") as flow:
        out = task(add).map(list(range(5)))
    state = flow.run(executor=Counting("threads"))
    assert [s.result for s in state.result[out].map_states] == list(range(5))
    assert [i for i in submitted if i is not None] == [0, 1, 2, 3, 4]


def test_the_base_executor_submits_each_call_with_its_position_as_task_index() -> None:
    seen: List[Any] = []

    class Recording(Executor):
        def submit(self, fn: Any, *args: Any, extra_context: Any = None, **kwargs: Any) -> Any:
            seen.append(extra_context)
            return fn(*args, **kwargs)

        def wait(self, futures: Any) -> Any:
            return futures

    results = Recording().submit_many(
        add, iter([{"x": 1}, {"x": 2}]), extra_context={"task_name": "add"}, y=10
    )
    assert results == [11, 12]
    assert seen == [{"task_name": "add", "task_index": 0}, {"task_name": "add", "task_index": 1}]


# --- the same flow run as on LocalExecutor --------------------------------------------------------
def plain(state: Any) -> Tuple[str, Any]:
    """A state's type and result (an exception by its repr: exceptions compare by identity)."""
    result = state.result
    return type(state).__name__, repr(result) if isinstance(result, BaseException) else result


def describe(flow: Flow, state: Any) -> Dict[str, Any]:
    """Each task's state type and result; a mapped task's children likewise, in order."""
    out: Dict[str, Any] = {"flow": type(state).__name__}
    for t, s in state.result.items():
        out[t.name] = ("Mapped", [plain(c) for c in s.map_states]) if s.is_mapped() else plain(s)
    return out


def square(x: int) -> int:
    return x * x


def fragile(x: int) -> int:
    if x % 4 == 3:
        raise ValueError(f"no {x}")
    return x


def shaky(x: int) -> int:
    # odd children fail their first run and succeed on the retry
    if x % 2 and prefect_classic.context.get("task_run_count", 1) == 1:
        raise signals.FAIL("first try")
    return -x


def build_flows() -> Dict[str, Flow]:
    flows = {}
    sq, fr, sh = (
        task(square),
        task(fragile),
        task(shaky, max_retries=1, retry_delay=datetime.timedelta(0)),
    )
    total = task(lambda xs: sum(xs), name="total")
    with Flow("mapped") as flows["mapped"]:
        first = sq.map(list(range(30)))
        second = task(add, name="plus").map(first, y=unmapped(task(lambda: 5, name="five")()))
        total(second)
    with Flow("failing") as flows["failing"]:
        total(task(add, name="after").map(fr.map(list(range(12)))))
    with Flow("retrying") as flows["retrying"]:
        total(sh.map(list(range(8))))
    return flows


@pytest.mark.parametrize("shape", ["mapped", "failing", "retrying"])
def test_mapped_flow_runs_end_as_on_local_executor(shape: str, executor: Any) -> None:
    flow = build_flows()[shape]
    expected = describe(flow, flow.run(executor=LocalExecutor()))
    assert describe(flow, flow.run(executor=executor)) == expected
    if shape == "failing":
        assert expected["flow"] == "Failed"
        assert [kind for kind, _ in expected["fragile"][1]].count("Failed") == 3
    if shape == "retrying":
        assert expected["flow"] == "Success"


def test_cached_children_are_served_from_their_cache_as_on_local_executor(
    executor: Any, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"

    @task(cache_for=datetime.timedelta(hours=1))
    def costly(x: int) -> int:
        with open(runs, "a") as f:
            f.write(f"{x}\n")
        return x * 3

    with Flow("cached") as flow:
        out = costly.map(list(range(6)))
    first = flow.run(executor=executor)
    second = flow.run(executor=executor)
    # as on LocalExecutor: a run that caches its result ends Cached, the next run is served from
    # the cache without running the children again
    for state in (first, second):
        assert [plain(s) for s in state.result[out].map_states] == [
            ("Cached", 3 * i) for i in range(6)
        ]
    assert sorted(int(x) for x in runs.read_text().split()) == list(range(6))  # each child ran once


def test_a_worker_process_dying_under_a_map_fails_the_children_it_lost() -> None:
    """The batch whose worker process died ends each of its children Failed, naming the child;
    the flow run goes on instead of hanging."""

    @task
    def die_on_two(x: int) -> int:
        if x == 2:
            os._exit(3)
        return x

    with Flow("map-death") as flow:
        out = die_on_two.map(list(range(6)))
    state = flow.run(executor=LocalDaskExecutor("processes", num_workers=1))
    children = state.result[out].map_states
    assert len(children) == 6 and state.is_failed()
    assert (
        "Task run 'die_on_two[2]' was lost: the Dask worker running it died" in children[2].message
    )
    for i, child in enumerate(children):
        assert (child.is_successful() and child.result == i) or "was lost" in child.message


# --- batch sizes -----------------------------------------------------------------------------------
def run_stream(calls: Any, seconds_per_call: float, max_batches: int = 2) -> List[int]:
    """Stream `calls` through an in-memory backend whose calls report `seconds_per_call` each;
    return the sizes of the batches sent."""
    from prefect_classic.executors._stream import CallStream, StreamStats

    sizes: List[int] = []
    finished: List[Any] = []

    def send(batch: List[Dict[str, Any]]) -> Any:
        sizes.append(len(batch))
        handle = (len(sizes), tuple(call["x"] for call in batch))
        finished.append(handle)
        return handle

    def wait_some(handles: List[Any]) -> List[Any]:
        done = [h for h in finished if h in handles]
        finished.clear()
        return done

    def take(handle: Any, first: int, count: int) -> Tuple[List[Any], float]:
        return list(handle[1]), seconds_per_call * count

    stream = CallStream(
        StreamStats(window=10_000), max_batches=max_batches, target_seconds=0.05, max_batch=500
    )
    assert stream.run(calls, lambda call: call, send, wait_some, take) == [
        call["x"] for call in calls
    ]
    return sizes


def test_trivial_calls_share_batches_and_slow_ones_get_one_each() -> None:
    trivial = run_stream([{"x": i} for i in range(5000)], seconds_per_call=1e-5)
    assert trivial[0] == 1 and max(trivial) > 100 and max(trivial) <= 500
    slow = run_stream([{"x": i} for i in range(5000)], seconds_per_call=0.1)
    assert set(slow) == {1}


def test_a_map_of_a_few_children_per_slot_sends_one_child_per_batch() -> None:
    # 12 children, 2 batches in flight: however fast they are, each child is a batch of its own,
    # so a slow child never holds its neighbours back
    assert run_stream([{"x": i} for i in range(12)], seconds_per_call=1e-6) == [1] * 12
