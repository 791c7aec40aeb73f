"""Output caching in context: `cache_for` stores Cached states in `context.caches`, later runs
reuse valid ones, and the Prefect 1 log lines tell what happened."""

import datetime
import time

import pendulum
import pytest

from prefect_classic import Flow, Parameter, Task, context, task
from prefect_classic.engine import cache_validators as cv
from prefect_classic.engine.flow_runner import FlowRunner
from prefect_classic.engine.state import Cached, Success
from prefect_classic.utilities.context import CACHES

MINUTE = datetime.timedelta(minutes=1)


class Counter(Task):
    """Returns how many times it has run (plus its input, when given)."""

    def __init__(self, **kwargs):
        self.log = []  # shared with the copies a flow binds
        super().__init__(**kwargs)

    @property
    def calls(self):
        return len(self.log)

    def run(self, x=0):
        self.log.append(x)
        return self.calls * 1000 + x


def single_task_flow(t, name="cache", **bind):
    with Flow(name) as flow:
        out = t(**bind)
    return flow, out


def test_success_with_cache_for_stores_a_cached_state_under_the_task_name():
    t = Counter(name="counter", cache_for=MINUTE)
    flow, out = single_task_flow(t, x=5)
    state = flow.run(parameters={})
    final = state.result[out]
    assert isinstance(final, Cached)
    assert final.result == 1005
    assert final.cached_inputs["x"].value == 5
    assert final.cached_parameters == {}
    assert (
        pendulum.now("utc") < final.cached_result_expiration <= pendulum.now("utc").add(minutes=1)
    )
    assert CACHES["counter"] == [final]
    assert context.caches is CACHES


def test_cache_key_names_the_cache_entry():
    t = Counter(name="counter", cache_for=MINUTE, cache_key="shared-key")
    flow, _ = single_task_flow(t)
    flow.run()
    assert "shared-key" in CACHES and "counter" not in CACHES


def test_second_flow_run_hits_the_cache_and_skips_run():
    t = Counter(name="counter", cache_for=MINUTE)
    flow, out = single_task_flow(t)
    first = flow.run().result[out].result
    second = flow.run().result[out]
    assert isinstance(second, Cached)
    assert second.result == first
    assert t.calls == 1


def test_flow_runner_run_reads_the_caches_but_only_flow_run_fills_them():
    # as in Prefect 1: the output caches are filled by Flow.run() after each flow run; a
    # FlowRunner alone uses them but does not add to them
    t = Counter(name="counter", cache_for=MINUTE)
    flow, out = single_task_flow(t)
    first = FlowRunner(flow).run(return_tasks=[out])
    assert isinstance(first.result[out], Cached)
    FlowRunner(flow).run(return_tasks=[out])
    assert t.calls == 2
    stored = flow.run().result[out]
    assert t.calls == 3
    again = FlowRunner(flow).run(return_tasks=[out])
    assert again.result[out] is stored
    assert t.calls == 3


def test_cache_key_is_shared_between_two_flows():
    a = Counter(name="a", cache_for=MINUTE, cache_key="common")
    b = Counter(name="b", cache_for=MINUTE, cache_key="common")
    flow_a, out_a = single_task_flow(a, name="A")
    flow_b, out_b = single_task_flow(b, name="B")
    value = flow_a.run().result[out_a].result
    state_b = flow_b.run().result[out_b]
    assert isinstance(state_b, Cached) and state_b.result == value
    assert b.calls == 0


def test_cache_expires_after_cache_for():
    t = Counter(name="counter", cache_for=datetime.timedelta(seconds=0.2))
    flow, out = single_task_flow(t)
    flow.run()
    time.sleep(0.25)
    state = flow.run().result[out]
    assert t.calls == 2
    assert state.result == 2000


def test_expired_entries_are_dropped_from_the_cache():
    t = Counter(name="counter", cache_for=datetime.timedelta(seconds=0.1))
    flow, _ = single_task_flow(t)
    flow.run()
    time.sleep(0.15)
    flow.run()
    assert len(CACHES["counter"]) == 1


def test_cache_is_not_used_inside_the_run_that_stored_it():
    """As in Prefect 1, a run's cached results serve later runs: two same-named tasks in one
    flow run both compute."""

    @task(cache_for=MINUTE)
    def compute(x):
        return x * 2

    with Flow("same-name") as flow:
        a = compute(1)
        b = compute(2)
    state = flow.run()
    assert state.result[a].result == 2
    assert state.result[b].result == 4


@task
def input_from_context():
    return context.get("x_value")


@pytest.mark.parametrize(
    "validator, changed_x, changed_p, hits",
    [
        (cv.never_use, False, False, False),
        (cv.duration_only, True, True, True),
        (cv.all_inputs, False, False, True),
        (cv.all_inputs, True, False, False),
        (cv.all_parameters, True, False, True),
        (cv.all_parameters, False, True, False),
        (cv.partial_inputs_only(validate_on=["x"]), False, True, True),
        (cv.partial_inputs_only(validate_on=["x"]), True, False, False),
        (cv.partial_parameters_only(validate_on=["p"]), True, False, True),
        (cv.partial_parameters_only(validate_on=["p"]), False, True, False),
    ],
)
def test_validator_decides_whether_a_second_run_hits(validator, changed_x, changed_p, hits):
    t = Counter(name="counter", cache_for=MINUTE, cache_validator=validator)
    with Flow("validated") as flow:
        p = Parameter("p")
        out = t(x=input_from_context, upstream_tasks=[p])
    flow.run(parameters={"p": 1}, context={"x_value": 1})
    second = flow.run(
        parameters={"p": 2 if changed_p else 1}, context={"x_value": 2 if changed_x else 1}
    )
    assert isinstance(second.result[out], Cached)
    assert (t.calls == 1) is hits


def test_mapped_children_are_cached_separately():
    calls = []

    @task(cache_for=MINUTE, cache_validator=cv.all_inputs)
    def square(x):
        calls.append(x)
        return x * x

    with Flow("mapped-cache") as flow:
        out = square.map([1, 2, 3])
    first = flow.run()
    assert first.result[out].result == [1, 4, 9]
    assert len(CACHES["square"]) == 3
    second = flow.run()
    assert second.result[out].result == [1, 4, 9]
    assert all(isinstance(s, Cached) for s in second.result[out].map_states)
    assert calls == [1, 2, 3]


def test_mapped_children_with_duration_only_reuse_their_own_results():
    @task(cache_for=MINUTE)
    def ident(x):
        return x

    with Flow("mapped-duration") as flow:
        out = ident.map([10, 20, 30])
    flow.run()
    assert flow.run().result[out].result == [10, 20, 30]


def test_mapped_children_comparing_inputs_share_caches_across_indexes():
    # as in Prefect 1: with a validator that compares inputs, a child may reuse the cache another
    # child made from the same inputs (an input-blind validator keeps each child to its own index)
    calls = []

    @task(cache_for=MINUTE, cache_validator=cv.all_inputs)
    def square(x):
        calls.append(x)
        return x * x

    with Flow("mapped-shared") as flow:
        xs = Parameter("xs")
        out = square.map(xs)
    flow.run(parameters={"xs": [3, 4]})
    state = flow.run(parameters={"xs": [4, 3, 4]})
    assert state.result[out].result == [16, 9, 16]
    assert all(isinstance(s, Cached) for s in state.result[out].map_states)
    assert calls == [3, 4]


def test_input_blind_validators_never_hand_a_child_another_childs_result():
    @task(cache_for=MINUTE, cache_validator=cv.partial_inputs_only(validate_on=None))
    def ident(x):
        return x

    with Flow("mapped-blind") as flow:
        xs = Parameter("xs")
        out = ident.map(xs)
    flow.run(parameters={"xs": [1, 2]})
    state = flow.run(parameters={"xs": [7, 8, 9]})
    # children 0 and 1 reuse their own caches; child 2 has none of its own and runs
    assert state.result[out].result == [1, 2, 9]
    assert cv.compares_inputs(cv.all_inputs) and cv.compares_inputs(cv.partial_inputs_only(["x"]))
    assert not cv.compares_inputs(cv.duration_only) and not cv.compares_inputs(
        cv.partial_inputs_only()
    )


def test_new_mapped_input_runs_only_that_child():
    calls = []

    @task(cache_for=MINUTE, cache_validator=cv.all_inputs)
    def square(x):
        calls.append(x)
        return x * x

    with Flow("mapped-new-input") as flow:
        xs = Parameter("xs")
        out = square.map(xs)
    flow.run(parameters={"xs": [1, 2]})
    state = flow.run(parameters={"xs": [1, 2, 3]})
    assert state.result[out].result == [1, 4, 9]
    assert calls == [1, 2, 3]


def test_cache_logs_follow_prefect_1(prefect_logs):
    t = Counter(
        name="counter", cache_for=datetime.timedelta(seconds=0.1), cache_validator=cv.all_inputs
    )
    flow, _ = single_task_flow(t)
    flow.run()
    assert "Task 'counter': Starting task run..." in prefect_logs.messages
    assert "Task 'counter': Can't use cache because it is now invalid" in prefect_logs.messages
    assert "Flow run SUCCESS: all reference tasks succeeded" in prefect_logs.messages
    flow.run()
    assert (
        "Task 'counter': Finished task run for task with final state: 'Cached'"
        in prefect_logs.messages
    )


def test_tasks_without_cache_for_never_store_or_read_caches():
    t = Counter(name="plain")
    flow, out = single_task_flow(t)
    flow.run()
    assert isinstance(flow.run().result[out], Success)
    assert t.calls == 2
    assert CACHES == {}
