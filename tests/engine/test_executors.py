"""The Executor interface: LocalExecutor runs at once, and an executor returning futures plugs
into the FlowRunner (the shape the dask executors use)."""

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from prefect_classic import Flow, task
from prefect_classic.executors import Executor, LocalExecutor


def test_local_executor_submit_calls_the_function_now():
    calls = []
    result = LocalExecutor().submit(lambda x, y=0: calls.append(x) or x + y, 1, y=2)
    assert result == 3 and calls == [1]


def test_local_executor_wait_returns_values_unchanged():
    values = {"a": [1, 2], "b": 3}
    assert LocalExecutor().wait(values) is values


def test_local_executor_ignores_extra_context():
    assert LocalExecutor().submit(lambda: 5, extra_context={"task_name": "t"}) == 5


def test_executor_start_is_a_reusable_context_manager():
    executor = LocalExecutor()
    for _ in range(2):
        with executor.start():
            assert executor.submit(lambda: 1) == 1


def test_base_executor_requires_submit_and_wait():
    executor = Executor()
    with pytest.raises(NotImplementedError):
        executor.submit(lambda: 1)
    with pytest.raises(NotImplementedError):
        executor.wait([])
    assert repr(executor) == "<Executor: Executor>"


class ThreadFutureExecutor(Executor):
    """Runs submissions on a thread pool and hands back futures, resolving futures in args."""

    def __init__(self):
        super().__init__()
        self.pool = None
        self.started = 0

    @contextmanager
    def start(self):
        self.started += 1
        with ThreadPoolExecutor(max_workers=2) as pool:
            self.pool = pool
            yield
        self.pool = None

    def submit(self, fn, *args, extra_context=None, **kwargs):
        def call():
            return fn(*self.wait(args), **self.wait(kwargs))

        return self.pool.submit(call)

    def wait(self, futures):
        if isinstance(futures, Future):
            return futures.result()
        if isinstance(futures, dict):
            return {k: self.wait(v) for k, v in futures.items()}
        if isinstance(futures, (list, tuple, set)):
            return type(futures)(self.wait(v) for v in futures)
        return futures


def test_future_returning_executor_runs_a_flow_with_mapping_and_reduce():
    @task
    def inc(x):
        return x + 1

    @task
    def total(xs):
        return sum(xs)

    with Flow("futures") as flow:
        first = inc.map([1, 2, 3])
        second = inc.map(first)
        out = total(second)
        single = inc(out)
    executor = ThreadFutureExecutor()
    state = flow.run(executor=executor)
    assert state.is_successful()
    assert state.result[second].result == [3, 4, 5]
    assert state.result[out].result == 12
    assert state.result[single].result == 13
    assert executor.started == 1


def test_flow_executor_attribute_is_used_by_default():
    @task
    def one():
        return 1

    executor = ThreadFutureExecutor()
    with Flow("flow-executor", executor=executor) as flow:
        out = one()
    assert flow.run().result[out].result == 1
    assert executor.started == 1
