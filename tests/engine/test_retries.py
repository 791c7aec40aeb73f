"""Retries: Retrying states carry the inputs the task ran with; the next attempt re-uses them,
and `flow.run()` waits for the retry delay before running again."""

import datetime
import time

import pendulum

from prefect_classic import Flow, Task, context, task
from prefect_classic.core.edge import Edge
from prefect_classic.engine.flow_runner import FlowRunner
from prefect_classic.engine.state import Failed, Retrying, Success
from prefect_classic.engine.task_runner import TaskRunner


class FailTimes(Task):
    """Fails its first `n` runs, then returns its input times ten."""

    def __init__(self, n, **kwargs):
        self.n = n
        self.seen = []
        super().__init__(**kwargs)

    def run(self, x):
        self.seen.append(x)
        if len(self.seen) <= self.n:
            raise ValueError(f"attempt {len(self.seen)}")
        return x * 10


class Source(Task):
    calls = 0

    def run(self):
        Source.calls += 1
        return Source.calls


def test_failure_with_retries_left_enters_retrying_with_inputs_and_delay():
    t = FailTimes(1, max_retries=2, retry_delay=datetime.timedelta(minutes=1))
    before = pendulum.now("utc")
    state = TaskRunner(t).run(upstream_states={Edge(Source(), t, key="x"): Success(result=4)})
    assert isinstance(state, Retrying)
    assert state.run_count == 1
    assert state.cached_inputs["x"].value == 4
    assert before.add(seconds=59) < state.start_time <= pendulum.now("utc").add(minutes=1)
    assert state.message == "Retrying Task (after attempt 1 of 3)"


def test_last_attempt_failure_is_failed():
    t = FailTimes(5, max_retries=1, retry_delay=datetime.timedelta(0))
    edge = Edge(Source(), t, key="x")
    first = TaskRunner(t).run(upstream_states={edge: Success(result=1)})
    second = TaskRunner(t).run(state=first, upstream_states={edge: Success(result=1)})
    assert type(second) is Failed


def test_retry_on_limits_retries_to_matching_exceptions():
    class Raises(Task):
        def run(self):
            raise KeyError("k")

    t = Raises(max_retries=2, retry_delay=datetime.timedelta(0), retry_on=ValueError)
    assert type(TaskRunner(t).run()) is Failed
    t2 = Raises(max_retries=2, retry_delay=datetime.timedelta(0), retry_on=KeyError)
    assert isinstance(TaskRunner(t2).run(), Retrying)


def test_flow_run_retries_with_cached_inputs_and_upstream_runs_once():
    Source.calls = 0
    flaky = FailTimes(2, max_retries=2, retry_delay=datetime.timedelta(0))
    with Flow("retry") as flow:
        src = Source()
        out = flaky(src())
    state = flow.run()
    assert state.is_successful()
    assert state.result[out].result == 10
    assert Source.calls == 1
    assert flaky.seen == [1, 1, 1]


def test_flow_run_waits_for_the_retry_delay():
    delay = 0.2
    flaky = FailTimes(1, max_retries=1, retry_delay=datetime.timedelta(seconds=delay))
    with Flow("delay") as flow:
        out = flaky(3)
    started = time.monotonic()
    state = flow.run()
    elapsed = time.monotonic() - started
    assert state.result[out].result == 30
    assert elapsed >= delay


def test_flow_run_reports_failed_after_retries_are_exhausted():
    flaky = FailTimes(9, max_retries=2, retry_delay=datetime.timedelta(0))
    with Flow("exhausted") as flow:
        out = flaky(1)
    state = flow.run()
    assert state.is_failed()
    assert type(state.result[out]) is Failed
    assert len(flaky.seen) == 3


def test_task_run_count_grows_with_each_attempt():
    counts = []

    @task(max_retries=2, retry_delay=datetime.timedelta(0))
    def count_runs():
        counts.append(context.get("task_run_count"))
        if len(counts) < 3:
            raise ValueError()

    with Flow("count") as flow:
        count_runs()
    assert flow.run().is_successful()
    assert counts == [1, 2, 3]


def test_downstream_waits_for_the_retried_task():
    @task(max_retries=1, retry_delay=datetime.timedelta(0))
    def flaky_once():
        if not context.get("task_run_count") > 1:
            raise ValueError()
        return 2

    @task
    def double(x):
        return x * 2

    with Flow("downstream") as flow:
        out = double(flaky_once())
    state = flow.run()
    assert state.result[out].result == 4


def test_flow_runner_single_pass_leaves_retrying_task_and_running_flow():
    flaky = FailTimes(1, max_retries=1, retry_delay=datetime.timedelta(minutes=5))
    with Flow("one-pass") as flow:
        out = flaky(3)
    state = FlowRunner(flow).run(return_tasks=[out])
    assert state.is_running()
    assert isinstance(state.result[out], Retrying)
    resumed = FlowRunner(flow).run(
        task_states={
            out: Retrying(
                start_time=pendulum.now("utc"),
                run_count=1,
                cached_inputs=state.result[out].cached_inputs,
            )
        },
        return_tasks=[out],
    )
    assert resumed.is_successful() and resumed.result[out].result == 30


def test_mapped_child_retries_on_its_own_with_its_own_input():
    attempts = []

    @task(max_retries=1, retry_delay=datetime.timedelta(0))
    def flaky_child(x):
        attempts.append(x)
        if x == 2 and attempts.count(2) == 1:
            raise ValueError()
        return x

    with Flow("mapped-retry") as flow:
        out = flaky_child.map([1, 2, 3])
    state = flow.run()
    assert state.result[out].result == [1, 2, 3]
    assert sorted(attempts) == [1, 2, 2, 3]


def test_a_retry_sees_a_changed_upstream_result():
    # as in Prefect 1: the upstream states of the next pass win over the inputs kept in the
    # Retrying state
    from prefect_classic.engine.result.base import Result

    class Inverse(Task):
        def run(self, x):
            return 1 / x

    t = Inverse(max_retries=1, retry_delay=datetime.timedelta(0))
    x = Edge(Task(), t, key="x")
    first = TaskRunner(t).run(upstream_states={x: Success(result=0)})
    assert isinstance(first, Retrying) and first.cached_inputs == {"x": Result(0)}
    second = TaskRunner(t).run(state=first, upstream_states={x: Success(result=4)})
    assert second.result == 0.25
    # without upstream states, the kept inputs are used
    assert TaskRunner(t).run(state=Retrying(cached_inputs={"x": Result(2)})).result == 0.5
