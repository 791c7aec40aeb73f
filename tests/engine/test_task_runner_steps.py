"""The TaskRunner's steps, called one by one with Prefect 1's signatures (users override them)."""

import datetime

import pendulum
import pytest

from prefect_classic import Flow, Task, context, task
from prefect_classic.core.edge import Edge
from prefect_classic.engine import signals
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import PrefectResult
from prefect_classic.engine.runner import ENDRUN, Runner, call_state_handlers
from prefect_classic.engine.state import (
    Cached,
    Failed,
    Looped,
    Mapped,
    Paused,
    Pending,
    Queued,
    Retrying,
    Running,
    Scheduled,
    Skipped,
    State,
    Submitted,
    Success,
    TriggerFailed,
)
from prefect_classic.engine.task_runner import TaskRunner
from prefect_classic.triggers import always_run


def edge(key=None, mapped=False):
    return Edge(Task(), Task(), key=key, mapped=mapped)


def recording_task(**kwargs):
    seen = []

    def handler(t, old, new):
        seen.append((type(old).__name__, type(new).__name__))

    return Task(state_handlers=[handler], **kwargs), seen


# --- the step decorator and the base runner -----------------------------------------------------
class TestCallStateHandlers:
    def test_a_changed_state_goes_through_the_handlers_once(self):
        t, seen = recording_task()
        TaskRunner(t).set_task_to_running(Pending(), {})
        assert seen == [("Pending", "Running")]

    def test_an_unchanged_state_calls_no_handler(self):
        t, seen = recording_task()
        state = Pending()
        assert TaskRunner(t).check_task_is_ready(state) is state
        assert seen == []

    def test_endrun_with_a_new_state_runs_the_handlers_then_ends_the_pipeline(self):
        t, seen = recording_task(trigger=lambda upstream: False)
        with pytest.raises(ENDRUN) as info:
            TaskRunner(t).check_task_trigger(Pending(), {edge(): Success()})
        assert isinstance(info.value.state, TriggerFailed)
        assert seen == [("Pending", "TriggerFailed")]

    def test_an_error_in_a_step_becomes_failed(self):
        class Broken(Runner):
            logger = Runner().logger

            @call_state_handlers
            def step(self, state):
                raise KeyError("nope")

        new = Broken().step(Pending())
        assert isinstance(new, Failed) and isinstance(new.result, KeyError)
        assert "Unexpected error" in new.message

    def test_runner_state_handlers_must_be_a_sequence(self):
        with pytest.raises(TypeError):
            Runner(state_handlers=lambda *a: None)


class TestInitializeRun:
    @pytest.mark.parametrize("wrapper", [Submitted, Queued])
    def test_meta_states_give_way_to_the_state_they_wrap(self, wrapper):
        inner = Retrying(run_count=2)
        state, ctx = TaskRunner(Task()).initialize_run(wrapper(state=wrapper(state=inner)), {})
        assert state is inner
        assert ctx["task_run_count"] == 3

    def test_a_paused_state_whose_time_has_come_resumes(self):
        _, ctx = TaskRunner(Task()).initialize_run(Paused(start_time=pendulum.now("utc")), {})
        assert ctx["resume"] is True
        _, ctx = TaskRunner(Task()).initialize_run(Paused(), {})
        assert "resume" not in ctx

    def test_the_run_context_names_the_task(self):
        _, ctx = TaskRunner(Task(name="named", tags=["a"])).initialize_run(None, {})
        assert (
            ctx["task_name"] == "named" and ctx["task_tags"] == {"a"} and ctx["task_run_count"] == 1
        )

    def test_the_runner_keeps_the_context_it_was_created_in(self):
        with context(made_in="this block"):
            runner = TaskRunner(Task())
        assert "made_in" not in context
        assert runner.context["made_in"] == "this block"


# --- the checks before the run ---------------------------------------------------------------------
class TestUpstreamChecks:
    def test_an_unfinished_upstream_ends_the_run_unchanged(self):
        state = Pending()
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_upstream_finished(state, {edge(): Running()})
        assert info.value.state is state

    def test_a_reduce_waits_for_every_mapped_child(self):
        with pytest.raises(ENDRUN):
            TaskRunner(Task()).check_upstream_finished(
                Pending(), {edge(): Mapped(map_states=[Success(), Retrying()])}
            )
        # a mapped downstream child only looks at its own upstream state
        state = Pending()
        mapped = {edge(mapped=True): Mapped(map_states=[Success(), Retrying()])}
        assert TaskRunner(Task()).check_upstream_finished(state, mapped) is state

    def test_a_skipped_mapped_child_skips_a_reduce(self):
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_upstream_skipped(
                Pending(), {edge(): Mapped(map_states=[Skipped(), Success()])}
            )
        assert isinstance(info.value.state, Skipped)

    @pytest.mark.parametrize("state", [Running(), Success(), Failed(), Skipped(), Looped()])
    def test_only_pending_cached_and_mapped_states_are_ready(self, state):
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_task_is_ready(state)
        assert info.value.state is state
        for ready in (Pending(), Cached(), Mapped(), Scheduled()):
            assert TaskRunner(Task()).check_task_is_ready(ready) is ready

    def test_a_paused_state_without_a_start_time_waits(self):
        state = Paused()
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_task_reached_start_time(state)
        assert info.value.state is state

    def test_a_trigger_error_is_trigger_failed_with_the_error(self):
        def trigger(upstream):
            raise ZeroDivisionError("bad")

        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task(trigger=trigger)).check_task_trigger(Pending(), {edge(): Success()})
        assert isinstance(info.value.state, TriggerFailed)
        assert isinstance(info.value.state.result, ZeroDivisionError)


class TestInputs:
    def test_keyed_edges_give_their_results(self):
        inputs = TaskRunner(Task()).get_task_inputs(
            Pending(), {edge("x"): Success(result=1), edge(): Success(result=2)}
        )
        assert inputs == {"x": Result(1)}

    def test_a_failed_upstream_gives_its_error(self):
        inputs = TaskRunner(Task()).get_task_inputs(
            Pending(), {edge("x"): Failed(result=ValueError("v"))}
        )
        assert isinstance(inputs["x"].value, ValueError)

    def test_the_run_name_is_rendered_into_the_context(self):
        runner = TaskRunner(Task(task_run_name="run-{x}"))
        with context():
            runner.set_task_run_name({"x": Result(3)})
            assert context.get("task_run_name") == "run-3"
        runner = TaskRunner(Task(task_run_name=lambda **kw: f"call-{kw['x']}"))
        with context():
            runner.set_task_run_name({"x": Result(4)})
            assert context.get("task_run_name") == "call-4"


class TestReadyToMap:
    def test_the_shortest_mapped_input_sets_the_number_of_children(self):
        upstream = {
            edge(mapped=True): Success(result=[1, 2, 3, 4]),
            edge(mapped=True): Mapped(n_map_states=2),
            edge(): Success(result="not mapped"),
        }
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_task_ready_to_map(Pending(), upstream)
        assert info.value.state.is_mapped() and info.value.state.n_map_states == 2

    def test_nothing_successful_to_map_over_fails(self):
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_task_ready_to_map(Pending(), {edge(mapped=True): Failed()})
        assert info.value.state.is_failed()

    def test_an_unindexable_result_fails(self):
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_task_ready_to_map(
                Pending(), {edge(mapped=True): Success(result=5)}
            )
        assert "unmappable" in info.value.state.message

    def test_a_rerun_keeps_the_parent_and_records_the_upstream_results(self):
        parent = Mapped(n_map_states=3)
        up = Success(result=PrefectResult(value=[1, 2, 3]))
        with pytest.raises(ENDRUN) as info:
            TaskRunner(Task()).check_task_ready_to_map(parent, {edge("x", mapped=True): up})
        assert info.value.state is parent
        assert parent.map_states == [None, None, None]
        assert parent.cached_inputs == {"x": up._result}


# --- caches and targets -------------------------------------------------------------------------------
class TestCaching:
    def test_a_valid_cached_state_given_is_kept(self):
        state = Cached(result=5, cached_result_expiration=pendulum.now("utc").add(minutes=1))
        assert (
            TaskRunner(Task(cache_for=datetime.timedelta(minutes=1))).check_task_is_cached(
                state, {}
            )
            is state
        )

    def test_an_invalid_cached_state_given_becomes_pending(self):
        state = Cached(result=5, cached_result_expiration=pendulum.now("utc").add(minutes=-1))
        new = TaskRunner(Task(cache_for=datetime.timedelta(minutes=1))).check_task_is_cached(
            state, {}
        )
        assert type(new) is Pending

    def test_context_caches_are_looked_up_by_cache_key(self):
        hit = Cached(result=2, cached_result_expiration=pendulum.now("utc").add(minutes=1))
        t = Task(cache_for=datetime.timedelta(minutes=1), cache_key="shared")
        with context(caches={"shared": [hit]}):
            assert TaskRunner(t).check_task_is_cached(Pending(), {}) is hit

    def test_cache_result_turns_a_success_into_cached_with_the_inputs(self):
        t = Task(cache_for=datetime.timedelta(minutes=10))
        new = TaskRunner(t).cache_result(Success(result=2, message="hi"), {"x": Result(5)})
        assert isinstance(new, Cached) and new.result == 2 and new.message == "hi"
        assert new.cached_inputs == {"x": Result(5)}
        assert new.cached_result_expiration > pendulum.now("utc").add(minutes=9)

    def test_a_callable_target_gives_a_template_formatted_with_the_context(self, tmp_path):
        from prefect_classic.engine.results import LocalResult

        LocalResult(dir=str(tmp_path), location="the-task").write(41)
        result = LocalResult(dir=str(tmp_path))
        t = Task(target=lambda **kwargs: "{task_name}", result=result)
        with context(task_name="the-task"):
            new = TaskRunner(t).check_target(Running(), {})
        assert new.is_cached() and new.result == 41
        assert new.message == "Result found at task target the-task"


# --- the run itself -----------------------------------------------------------------------------------
class TestGetTaskRunState:
    @pytest.mark.parametrize("state", [Pending(), Cached(), Success()])
    def test_only_a_running_state_runs(self, state):
        with pytest.raises(ENDRUN):
            TaskRunner(Task()).get_task_run_state(state, {})

    def test_success_signal_keeps_its_message_and_result(self):
        @task
        def done():
            raise signals.SUCCESS("custom message", result=7)

        new = TaskRunner(done).get_task_run_state(Running(), {})
        assert type(new) is Success and new.message == "custom message" and new.result == 7

    def test_a_failed_checkpoint_fails_the_run_naming_the_error(self):
        class Unwritable(Result):
            def write(self, value_, **kwargs):
                raise SyntaxError("disk says no")

        @task(result=Unwritable(), checkpoint=True)
        def value():
            return 1

        with context(checkpointing=True):
            new = TaskRunner(value).get_task_run_state(Running(), {})
        assert new.is_failed() and "SyntaxError" in new.message

    def test_a_loop_signal_without_result_carries_its_repr(self):
        @task
        def again():
            raise signals.LOOP(message="going round")

        new = TaskRunner(again).get_task_run_state(Running(), {})
        assert new.is_looped() and new.message == "going round" and "LOOP" in new.result


class TestRetries:
    def test_a_failure_with_retries_left_retries_with_the_inputs(self):
        t = Task(max_retries=1, retry_delay=datetime.timedelta(0))
        new = TaskRunner(t).check_for_retry(Failed(), {"x": Result(1)})
        assert new.is_retrying() and new.run_count == 1 and new.cached_inputs == {"x": Result(1)}

    def test_no_retry_once_the_runs_are_used_up(self):
        t = Task(max_retries=1, retry_delay=datetime.timedelta(0))
        state = Failed()
        with context(task_run_count=2):
            assert TaskRunner(t).check_for_retry(state, {}) is state

    def test_after_a_retry_later_loop_iterations_count_runs_from_one_again(self):
        # as in Prefect 1: each LOOP iteration is a new pass through the pipeline starting from
        # Pending, so only the iteration that was retried sees the higher run count
        seen = []

        @task(max_retries=1, retry_delay=datetime.timedelta(0))
        def looper():
            loop, run = context.get("task_loop_count", 1), context.get("task_run_count")
            seen.append((loop, run))
            if loop == 2 and run == 1:
                raise ValueError("flaky")
            if loop < 3:
                raise signals.LOOP(result=loop)
            return "done"

        first = TaskRunner(looper).run()
        assert first.is_retrying()
        assert TaskRunner(looper).run(state=first).result == "done"
        assert seen == [(1, 1), (2, 1), (2, 2), (3, 1)]


# --- whole runs ---------------------------------------------------------------------------------------
def test_a_skip_signal_is_the_result_a_downstream_task_receives():
    @task
    def skipper():
        raise signals.SKIP("not today")

    @task(skip_on_upstream_skip=False)
    def after(x):
        return x

    with Flow("skip") as flow:
        out = after(skipper())
    state = flow.run()
    received = state.result[out].result
    assert isinstance(received, signals.SKIP) and str(received) == "not today"


def test_constant_arguments_reach_the_trigger_as_successful_upstream_states():
    seen = []

    def trigger(upstream_states):
        seen.extend(type(s).__name__ for s in upstream_states.values())
        return True

    @task
    def one():
        return 1

    @task(trigger=trigger)
    def add(x, y):
        return x + y

    with Flow("constants") as flow:
        total = add(one(), 5)
    assert flow.run().result[total].result == 6
    assert seen == ["Success", "Success"]


def test_an_always_run_task_after_a_failure_gets_the_error_as_input():
    @task
    def boom():
        raise ValueError("broken")

    @task(trigger=always_run)
    def report(x):
        return type(x).__name__

    with Flow("errors") as flow:
        out = report(boom())
    assert flow.run().result[out].result == "ValueError"


def test_every_state_of_a_task_run_carries_the_task_tags():
    seen = []
    t = Task(tags=["alpha", "beta"], state_handlers=[lambda t_, old, new: seen.append(new)])
    TaskRunner(t).run()
    assert seen and all(set(s.context["tags"]) == {"alpha", "beta"} for s in seen)


def test_states_made_outside_a_task_run_have_no_tags():
    assert State().context == {}
    assert NoResult is Success()._result


def test_every_loop_iteration_is_checkpointed():
    written = []

    class Recording(Result):
        def write(self, value_, **kwargs):
            written.append(value_)
            return self.from_value(value_)

    @task(result=Recording(), checkpoint=True)
    def count_to_three():
        loop = context.get("task_loop_count", 1)
        if loop < 3:
            raise signals.LOOP(result=loop)
        return loop

    state = TaskRunner(count_to_three).run(context={"checkpointing": True})
    assert state.result == 3 and written == [1, 2, 3]


def test_a_runner_given_a_context_runs_as_an_unmapped_task():
    @task
    def where():
        return context.get("map_index"), context.get("task_full_name")

    with context(map_index=4):
        assert TaskRunner(where).run().result == (4, "where[4]")
        assert TaskRunner(where).run(context={}).result == (None, "where")
