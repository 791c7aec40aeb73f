"""The FlowRunner's steps with Prefect 1's signatures, and what a flow run does around them."""

import datetime
import logging
import warnings

import pendulum
import pytest

from prefect_classic import Flow, Parameter, Task, context, task
from prefect_classic.engine import get_default_flow_runner_class, get_default_task_runner_class
from prefect_classic.engine.flow_runner import ENDRUN, FlowRunner
from prefect_classic.engine.state import (
    Failed,
    Finished,
    Mapped,
    Pending,
    Retrying,
    Running,
    Scheduled,
    Skipped,
    Success,
)
from prefect_classic.engine.task_runner import TaskRunner
from prefect_classic.executors import LocalExecutor
from prefect_classic.tasks.core.constants import Constant
from prefect_classic.tasks.secrets import PrefectSecret
from prefect_classic.utilities.configuration import set_temporary_config


@task
def add(x, y):
    return x + y


def one_task_flow(t=None):
    return Flow("one", tasks=[t or Task()])


def run_state(flow, state=None, **kwargs):
    kwargs.setdefault("task_states", {})
    kwargs.setdefault("task_contexts", {})
    kwargs.setdefault("return_tasks", set())
    kwargs.setdefault("task_runner_state_handlers", [])
    kwargs.setdefault("executor", LocalExecutor())
    return FlowRunner(flow).get_flow_run_state(state or Running(), **kwargs)


class TestSteps:
    @pytest.mark.parametrize("state", [Pending(), Running(), Retrying(), Scheduled()])
    def test_pending_and_running_flow_states_go_on(self, state):
        assert FlowRunner(one_task_flow()).check_flow_is_pending_or_running(state) is state

    @pytest.mark.parametrize("state", [Finished(), Success(), Failed(), Skipped()])
    def test_finished_flow_states_end_the_run(self, state):
        with pytest.raises(ENDRUN):
            FlowRunner(one_task_flow()).check_flow_is_pending_or_running(state)
        with pytest.raises(ENDRUN):
            FlowRunner(one_task_flow()).set_flow_to_running(state)

    def test_a_future_start_time_ends_the_run(self):
        later = Scheduled(start_time=pendulum.now("utc").add(minutes=5))
        with pytest.raises(ENDRUN) as info:
            FlowRunner(one_task_flow()).check_flow_reached_start_time(later)
        assert info.value.state is later

    @pytest.mark.parametrize("state", [Pending(), Success()])
    def test_the_run_step_needs_a_running_flow(self, state):
        with pytest.raises(ENDRUN):
            run_state(one_task_flow(), state)

    def test_the_run_step_stays_running_while_tasks_wait(self):
        t = Task()
        running = Running()
        waiting = Retrying(start_time=pendulum.now("utc").add(days=1))
        assert run_state(one_task_flow(t), running, task_states={t: waiting}) is running

    def test_a_subclass_can_decide_the_final_state(self):
        class Strict(FlowRunner):
            def determine_final_state(self, *args, **kwargs):
                return Failed("decided here")

        new = Strict(one_task_flow()).get_flow_run_state(
            Running(),
            task_states={},
            task_contexts={},
            return_tasks=set(),
            task_runner_state_handlers=[],
            executor=LocalExecutor(),
        )
        assert new.is_failed() and new.message == "decided here"


class TestInitializeRun:
    def test_task_contexts_name_each_task(self):
        t, p = Task(name="t"), Parameter("p")
        flow = Flow("ctx", tasks=[t, p])
        result = FlowRunner(flow).initialize_run(Pending(), {}, {}, {}, {})
        assert result.task_contexts == {
            x: {"task_name": x.name, "task_slug": flow.slugs[x]} for x in (t, p)
        }

    def test_parameters_context_then_given_values(self):
        x = Parameter("x", default=0)
        flow = Flow("params", tasks=[x])
        result = FlowRunner(flow).initialize_run(
            Pending(), {}, {"parameters": {"x": 2, "y": 1}}, {}, {"x": 3}
        )
        assert result.context["parameters"] == {"x": 3, "y": 1}
        result = FlowRunner(flow).initialize_run(Pending(), {}, {}, {}, {})
        assert result.context["parameters"] == {"x": 0}

    def test_a_date_string_in_the_context_is_parsed(self):
        result = FlowRunner(one_task_flow()).initialize_run(
            Pending(), {}, {"date": "2031-05-06"}, {}, {}
        )
        assert isinstance(result.context["date"], pendulum.DateTime)
        assert result.context["tomorrow_nodash"] == "20310507"

    def test_an_unparsable_date_warns_and_dates_follow_the_scheduled_start(self, caplog):
        caplog.set_level(logging.WARNING)
        start = pendulum.datetime(2030, 1, 2, tz="utc")
        result = FlowRunner(one_task_flow()).initialize_run(
            Pending(), {}, {"date": "not a date", "scheduled_start_time": start}, {}, {}
        )
        assert result.context["today"] == "2030-01-02"
        assert "could not be parsed" in caplog.text


class TestRun:
    def test_a_failing_initialize_run_fails_the_flow_through_its_handlers(self):
        seen = []

        class Broken(FlowRunner):
            def initialize_run(self, *args, **kwargs):
                raise SyntaxError("bad start")

        flow = Flow(
            "broken", state_handlers=[lambda f, old, new: seen.append((type(old), type(new)))]
        )
        state = Broken(flow).run()
        assert isinstance(state, Failed) and isinstance(state.result, SyntaxError)
        assert seen == [(Pending, Failed)]

    def test_terminal_state_handler_sees_the_reference_states_and_can_replace_the_state(self):
        calls = []

        @task
        def boom():
            raise ValueError("x")

        def handler(flow, state, reference_states):
            calls.append((flow, type(state), sorted(type(s).__name__ for s in reference_states)))
            return Success("forgiven")

        with Flow("tsh", terminal_state_handler=handler) as flow:
            boom()
        state = flow.run()
        assert calls == [(flow, Failed, ["Failed"])]
        assert type(state) is Success and state.message == "forgiven"

    def test_terminal_state_handler_returning_none_keeps_the_state(self):
        flow = Flow("keep", tasks=[Task()], terminal_state_handler=lambda *a: None)
        assert flow.run().message == "All reference tasks succeeded."

    def test_constants_and_constant_tasks_are_not_submitted(self):
        submitted = []

        class Counting(LocalExecutor):
            def submit(self, fn, *args, **kwargs):
                submitted.append(kwargs["task"].name)
                return super().submit(fn, *args, **kwargs)

        @task
        def inc(x):
            return x + 1

        with Flow("constants") as flow:
            single = inc(5)
            mapped = inc.map([1, 2, 3])
        flow.add_task(Constant(9, name="nine"))
        state = FlowRunner(flow).run(return_tasks=flow.tasks, executor=Counting())
        assert state.result[single].result == 6 and state.result[mapped].result == [2, 3, 4]
        assert sorted(submitted) == ["inc"] * 5  # one run, one mapped parent, three children
        constant_tasks = [t for t in flow.tasks if isinstance(t, Constant)]
        assert all(state.result[t].is_successful() for t in constant_tasks)

    def test_finished_secret_tasks_run_again(self):
        secret = PrefectSecret("key")

        @task
        def use(x):
            return x

        with Flow("secret") as flow:
            out = use(secret)
        with context(secrets={"key": "fresh"}):
            state = FlowRunner(flow).run(
                task_states={secret: Success(result="stale")}, return_tasks=[out]
            )
        assert state.result[out].result == "fresh"

    def test_a_rerun_of_a_mapped_task_keeps_finished_children(self):
        @task
        def inv(x):
            return 1 / x

        with Flow("rerun") as flow:
            out = inv.map([0, 1])
        prior = Mapped(map_states=[Success(result="kept"), Pending()])
        state = FlowRunner(flow).run(task_states={out: prior}, return_tasks=[out])
        assert state.is_successful()
        assert state.result[out].result == ["kept", 1.0]


class TestDefaultClasses:
    def test_a_class_that_cannot_be_imported_falls_back_with_a_warning(self):
        with set_temporary_config(
            {
                "engine.task_runner.default_class": "nowhere.Runner",
                "engine.flow_runner.default_class": "nowhere.FlowRunner",
            }
        ):
            with pytest.warns(UserWarning, match="Could not import nowhere.Runner"):
                assert get_default_task_runner_class() is TaskRunner
            with pytest.warns(UserWarning, match="Could not import nowhere.FlowRunner"):
                assert get_default_flow_runner_class() is FlowRunner

    def test_a_class_object_in_the_config_is_used_as_it_is(self):
        class Mine(TaskRunner):
            pass

        with set_temporary_config({"engine.task_runner.default_class": Mine}):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert get_default_task_runner_class() is Mine


def test_output_caches_keep_only_unexpired_states_from_flow_runs(monkeypatch):
    calls = []

    @task(cache_for=datetime.timedelta(minutes=5))
    def expensive():
        calls.append(1)
        return len(calls)

    with Flow("cached") as flow:
        out = expensive()
    first = flow.run().result[out]
    second = flow.run().result[out]
    assert second.is_cached() and second.result == first.result == 1
    assert context.caches["expensive"] == [first]


def test_a_mapped_retry_sees_the_upstream_result_of_the_next_pass():
    @task
    def numbers():
        return [0, 1, 2]

    @task(max_retries=1, retry_delay=datetime.timedelta(0))
    def inverse(x):
        return 1 / x

    with Flow("mapped-retry") as flow:
        xs = numbers()
        out = inverse.map(xs)
    first = FlowRunner(flow).run(return_tasks=flow.tasks)
    assert first.is_running() and first.result[out].map_states[0].is_retrying()
    first.result[xs].result[0] = 0.5  # the next pass sees the changed upstream value
    second = FlowRunner(flow).run(task_states=first.result, return_tasks=flow.tasks)
    assert second.is_successful()
    assert second.result[out].result == [2.0, 1.0, 0.5]


def test_flow_run_waits_for_a_scheduled_start_before_the_first_pass(monkeypatch):
    naps = []
    monkeypatch.setattr("time.sleep", lambda seconds: naps.append(seconds))
    flow = Flow("nap", tasks=[Task()])
    assert flow.run().is_successful()
    assert naps and naps[0] == 0  # due now: no real wait, but the same path as a later start
