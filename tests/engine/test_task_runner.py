"""TaskRunner pipeline: upstream checks, triggers, start times, signals, timeouts, stdout
capture, state handlers and task run names."""

import threading
import time

import pendulum
import pytest

from prefect_classic import Flow, Task, context, task
from prefect_classic.core.edge import Edge
from prefect_classic.engine import signals
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.state import (
    Cached,
    Failed,
    Looped,
    Paused,
    Pending,
    Resume,
    Retrying,
    Running,
    Scheduled,
    Skipped,
    Success,
    TimedOut,
    TriggerFailed,
)
from prefect_classic.engine.task_runner import TaskRunner
from prefect_classic.triggers import all_failed, manual_only


class AddOne(Task):
    def run(self, x):
        return x + 1


class Constant(Task):
    def run(self):
        return 7


def upstream_edge(key=None, mapped=False):
    return Edge(Constant(), AddOne(), key=key, mapped=mapped)


def success(value):
    return Success(result=value)


# --- upstream and trigger checks --------------------------------------------------------------
def test_unfinished_upstream_ends_run_with_state_unchanged():
    start = Pending("waiting")
    state = TaskRunner(Constant()).run(state=start, upstream_states={upstream_edge(): Running()})
    assert state is start


def test_upstream_results_become_inputs_by_edge_key():
    state = TaskRunner(AddOne()).run(upstream_states={upstream_edge(key="x"): success(41)})
    assert isinstance(state, Success)
    assert state.result == 42


def test_kwargs_task_receives_every_keyed_input():
    class Collect(Task):
        def run(self, **kwargs):
            return kwargs

    edges = {
        Edge(Constant(), Collect(), key="a"): success(1),
        Edge(Constant(), Collect(), key="b"): success(2),
    }
    assert TaskRunner(Collect()).run(upstream_states=edges).result == {"a": 1, "b": 2}


def test_skipped_upstream_skips_task_with_skip_on_upstream_skip():
    state = TaskRunner(Constant()).run(upstream_states={upstream_edge(): Skipped()})
    assert isinstance(state, Skipped)
    assert "Upstream task was skipped" in state.message


def test_skipped_upstream_runs_task_without_skip_on_upstream_skip():
    t = Constant(skip_on_upstream_skip=False)
    state = TaskRunner(t).run(upstream_states={upstream_edge(): Skipped()})
    assert isinstance(state, Success) and state.result == 7


def test_failed_upstream_gives_trigger_failed_with_the_trigger_message():
    state = TaskRunner(Constant()).run(upstream_states={upstream_edge(): Failed()})
    assert isinstance(state, TriggerFailed)
    assert state.message == 'Trigger was "all_successful" but some of the upstream tasks failed.'


def test_trigger_returning_false_fails_the_trigger():
    t = Constant(trigger=lambda upstream: False)
    state = TaskRunner(t).run(upstream_states={upstream_edge(): Success()})
    assert isinstance(state, TriggerFailed)


def test_all_failed_trigger_runs_only_when_upstream_failed():
    t = Constant(trigger=all_failed)
    assert isinstance(TaskRunner(t).run(upstream_states={upstream_edge(): Failed()}), Success)
    ran = TaskRunner(t).run(upstream_states={upstream_edge(): Success()})
    assert isinstance(ran, TriggerFailed)
    assert "all_failed" in ran.message


def test_error_inside_trigger_becomes_trigger_failed():
    def broken(upstream):
        raise RuntimeError("bad trigger")

    state = TaskRunner(Constant(trigger=broken)).run(upstream_states={upstream_edge(): Success()})
    assert isinstance(state, TriggerFailed)
    assert "bad trigger" in state.message


def test_manual_only_trigger_pauses_and_resume_runs():
    t = Constant(trigger=manual_only)
    edges = {upstream_edge(): Success()}
    paused = TaskRunner(t).run(upstream_states=edges)
    assert isinstance(paused, Paused)
    resumed = TaskRunner(t).run(state=Resume(), upstream_states=edges)
    assert isinstance(resumed, Success) and resumed.result == 7


# --- start times and finished states ----------------------------------------------------------
def test_scheduled_state_in_the_future_is_returned_unchanged():
    start = Scheduled(start_time=pendulum.now("utc").add(hours=1))
    assert TaskRunner(Constant()).run(state=start) is start


def test_retrying_state_in_the_future_is_returned_unchanged():
    start = Retrying(start_time=pendulum.now("utc").add(minutes=5), run_count=1)
    assert TaskRunner(Constant()).run(state=start) is start


def test_scheduled_state_in_the_past_runs():
    state = TaskRunner(Constant()).run(
        state=Scheduled(start_time=pendulum.now("utc").add(seconds=-1))
    )
    assert isinstance(state, Success)


@pytest.mark.parametrize("finished", [Success(result=1), Failed("x"), Skipped(), Running()])
def test_finished_or_running_state_ends_the_run_unchanged(finished):
    assert TaskRunner(Constant()).run(state=finished) is finished


def test_task_goes_through_running_before_success():
    seen = []

    def handler(t, old, new):
        seen.append((type(old).__name__, type(new).__name__))

    TaskRunner(Constant(state_handlers=[handler])).run()
    assert seen == [("Pending", "Running"), ("Running", "Success")]


def test_task_run_count_is_in_context():
    class Count(Task):
        def run(self):
            return context.get("task_run_count")

    assert TaskRunner(Count()).run().result == 1
    retrying = Retrying(start_time=pendulum.now("utc").add(seconds=-1), run_count=2)
    assert TaskRunner(Count()).run(state=retrying).result == 3


# --- signals ------------------------------------------------------------------------------------
def signalling_task(sig):
    class Signal(Task):
        def run(self):
            raise sig

    return Signal()


@pytest.mark.parametrize(
    "sig, state_cls",
    [
        (signals.SUCCESS("yes"), Success),
        (signals.FAIL("no"), Failed),
        (signals.SKIP("skip"), Skipped),
        (signals.TRIGGERFAIL("tf"), TriggerFailed),
        (signals.PAUSE("wait"), Paused),
        (signals.RETRY("again"), Retrying),
    ],
)
def test_signal_raised_in_run_becomes_its_state(sig, state_cls):
    state = TaskRunner(signalling_task(sig)).run()
    assert type(state) is state_cls
    assert state.message == sig.state.message


def test_success_signal_keeps_its_result():
    state = TaskRunner(signalling_task(signals.SUCCESS("done", result=5))).run()
    assert isinstance(state, Success) and state.result == 5


def test_retry_signal_keeps_inputs_for_the_next_run():
    class Retry(Task):
        def run(self, x):
            raise signals.RETRY("later")

    state = TaskRunner(Retry()).run(
        upstream_states={Edge(Constant(), Retry(), key="x"): success(3)}
    )
    assert isinstance(state, Retrying)
    assert state.cached_inputs["x"].value == 3


def test_plain_exception_becomes_failed_with_the_exception_as_result():
    class Boom(Task):
        def run(self):
            raise ZeroDivisionError("nope")

    state = TaskRunner(Boom()).run()
    assert type(state) is Failed
    assert isinstance(state.result, ZeroDivisionError)
    assert "ZeroDivisionError" in state.message


def test_endrun_raised_in_run_ends_with_its_state():
    class End(Task):
        def run(self):
            raise signals.ENDRUN(Skipped("stop here"))

    state = TaskRunner(End()).run()
    assert isinstance(state, Skipped) and state.message == "stop here"


def test_raise_on_exception_propagates_errors():
    class Boom(Task):
        def run(self):
            raise KeyError("k")

    with context(raise_on_exception=True), pytest.raises(KeyError):
        TaskRunner(Boom()).run()


def test_loop_signal_reruns_with_loop_count_and_result_in_context():
    seen = []

    class Loop(Task):
        def run(self):
            count = context.get("task_loop_count", 1)
            seen.append((count, context.get("task_loop_result")))
            if count < 3:
                raise signals.LOOP(result=count * 10)
            return "done"

    state = TaskRunner(Loop()).run()
    assert isinstance(state, Success) and state.result == "done"
    assert seen == [(1, None), (2, 10), (3, 20)]


def test_loop_states_go_through_state_handlers_as_looped():
    loops = []

    def handler(t, old, new):
        if isinstance(new, Looped):
            loops.append(new.loop_count)

    class Loop(Task):
        def run(self):
            if context.get("task_loop_count", 1) < 3:
                raise signals.LOOP()
            return 1

    TaskRunner(Loop(state_handlers=[handler])).run()
    assert loops == [1, 2]


def test_failure_inside_a_loop_retries_from_the_loop_index():
    attempts = []

    class LoopThenFail(Task):
        def run(self):
            count = context.get("task_loop_count", 1)
            attempts.append(count)
            if count == 2 and len(attempts) == 2:
                raise ValueError("flaky")
            if count < 3:
                raise signals.LOOP(result=count)
            return context.get("task_loop_result")

    t = LoopThenFail(max_retries=1, retry_delay=pendulum.duration(seconds=0))
    first = TaskRunner(t).run()
    assert isinstance(first, Retrying)
    second = TaskRunner(t).run(state=first)
    assert isinstance(second, Success) and second.result == 2
    assert attempts == [1, 2, 2, 3]


# --- timeout and stdout -------------------------------------------------------------------------
def test_timeout_gives_timed_out_and_runner_stays_usable():
    release = threading.Event()

    class Slow(Task):
        def run(self):
            release.wait(10)
            return "late"

    t = Slow(timeout=1)
    started = time.monotonic()
    try:
        state = TaskRunner(t).run()
    finally:
        release.set()
    assert isinstance(state, TimedOut)
    assert time.monotonic() - started < 5
    assert isinstance(TaskRunner(Constant(timeout=1)).run(), Success)


def test_task_under_its_timeout_returns_value_and_sees_context():
    class Quick(Task):
        def run(self):
            return context.get("task_name")

    state = TaskRunner(Quick(name="quick", timeout=1)).run()
    assert isinstance(state, Success) and state.result == "quick"


def test_error_in_a_task_with_timeout_is_failed_not_timed_out():
    class Boom(Task):
        def run(self):
            raise ValueError("x")

    state = TaskRunner(Boom(timeout=1)).run()
    assert type(state) is Failed


def test_log_stdout_sends_prints_to_the_task_logger(prefect_logs):
    class Printer(Task):
        def run(self):
            print("hello from the task")
            return 1

    TaskRunner(Printer(log_stdout=True)).run()
    assert prefect_logs.contains("hello from the task")


def test_without_log_stdout_prints_are_not_logged(prefect_logs, capsys):
    class Printer(Task):
        def run(self):
            print("plain print")

    TaskRunner(Printer()).run()
    assert not prefect_logs.contains("plain print")
    assert "plain print" in capsys.readouterr().out


# --- state handlers -----------------------------------------------------------------------------
def test_task_state_handler_is_called_with_task_old_and_new_state():
    calls = []

    def handler(t, old, new):
        calls.append((t, old, new))

    t = Constant(state_handlers=[handler])
    TaskRunner(t).run()
    assert all(c[0] is t for c in calls)
    assert [type(c[2]) for c in calls] == [Running, Success]


def test_runner_state_handler_gets_the_runner():
    calls = []
    runner = TaskRunner(Constant(), state_handlers=[lambda r, old, new: calls.append(r)])
    runner.run()
    assert calls == [runner, runner]


def test_state_handler_can_replace_the_state():
    def to_skipped(t, old, new):
        if new.is_successful():
            return Skipped("replaced")
        return new

    state = TaskRunner(Constant(state_handlers=[to_skipped])).run()
    assert isinstance(state, Skipped) and state.message == "replaced"


def test_failing_state_handler_fails_the_task():
    def broken(t, old, new):
        raise RuntimeError("handler broke")

    state = TaskRunner(Constant(state_handlers=[broken])).run()
    assert isinstance(state, Failed)
    assert "handler broke" in state.message


def test_on_failure_is_called_with_task_and_failed_state_only_on_failure():
    calls = []

    class Boom(Task):
        def run(self):
            raise ValueError("x")

    t = Boom(on_failure=lambda task_, state: calls.append((task_, state)))
    state = TaskRunner(t).run()
    assert calls == [(t, state)]
    TaskRunner(Constant(on_failure=lambda task_, s: calls.append(s))).run()
    assert len(calls) == 1


# --- task run names -----------------------------------------------------------------------------
def test_task_run_name_template_is_formatted_from_inputs():
    class Named(Task):
        def run(self, x):
            return context.get("task_run_name")

    t = Named(task_run_name="run-{x}")
    state = TaskRunner(t).run(upstream_states={Edge(Constant(), t, key="x"): success(5)})
    assert state.result == "run-5"


def test_task_run_name_callable_receives_inputs():
    class Named(Task):
        def run(self, x):
            return context.get("task_run_name")

    t = Named(task_run_name=lambda **kw: f"call-{kw['x'] * 2}")
    state = TaskRunner(t).run(upstream_states={Edge(Constant(), t, key="x"): success(5)})
    assert state.result == "call-10"


def test_task_run_name_is_formatted_per_mapped_child():
    @task(task_run_name="child-{x}")
    def name_of(x):
        return context.get("task_run_name")

    with Flow("names") as flow:
        names = name_of.map([1, 2, 3])
    assert flow.run().result[names].result == ["child-1", "child-2", "child-3"]


# --- logging --------------------------------------------------------------------------------------
def test_task_run_logs_start_and_final_state(prefect_logs):
    TaskRunner(Constant(name="const")).run()
    assert "Task 'const': Starting task run..." in prefect_logs.messages
    assert (
        "Task 'const': Finished task run for task with final state: 'Success'"
        in prefect_logs.messages
    )


def test_cached_state_given_to_runner_is_reused_when_valid():
    t = Constant(cache_for=pendulum.duration(minutes=1))
    cached = Cached(result=Result(99), cached_result_expiration=pendulum.now("utc").add(minutes=1))
    state = TaskRunner(t).run(state=cached)
    assert isinstance(state, Cached) and state.result == 99


def test_expired_cached_state_given_to_runner_runs_again():
    t = Constant(cache_for=pendulum.duration(minutes=1))
    cached = Cached(result=Result(99), cached_result_expiration=pendulum.now("utc").add(seconds=-1))
    state = TaskRunner(t).run(state=cached)
    assert state.is_successful() and state.result == 7
