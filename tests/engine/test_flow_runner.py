"""FlowRunner and flow.run(): parameters, run context, resuming from task states, return tasks,
reference tasks and flow state handlers."""

import datetime

import pendulum
import pytest

from prefect_classic import Flow, Parameter, Task, context, task
from prefect_classic.engine import signals
from prefect_classic.engine.flow_runner import FlowRunner
from prefect_classic.engine.state import (
    Failed,
    Paused,
    Pending,
    Resume,
    Running,
    Scheduled,
    Skipped,
    Success,
    TriggerFailed,
)
from prefect_classic.executors import LocalExecutor
from prefect_classic.triggers import manual_only


@task
def add(x, y):
    return x + y


@task
def fail():
    raise ValueError("task failed")


@task
def skip():
    raise signals.SKIP("not today")


@task
def read_context(key):
    return context.get(key)


# --- parameters ---------------------------------------------------------------------------------
def test_parameters_reach_tasks_and_defaults_apply():
    with Flow("params") as flow:
        x = Parameter("x")
        y = Parameter("y", default=10)
        out = add(x, y)
    state = flow.run(parameters={"x": 1})
    assert state.result[out].result == 11
    assert flow.run(parameters={"x": 1, "y": 2}).result[out].result == 3


def test_parameters_can_be_given_as_keywords_to_flow_run():
    with Flow("kw") as flow:
        x = Parameter("x")
        out = add(x, 1)
    assert flow.run(x=4).result[out].result == 5


def test_flow_run_without_required_parameter_raises_naming_it():
    with Flow("required") as flow:
        add(Parameter("needed"), 1)
    with pytest.raises(ValueError, match="required parameters: needed"):
        flow.run()


def test_flow_runner_without_required_parameter_fails_the_parameter_naming_it():
    # as in Prefect 1: the flow run goes ahead, the Parameter task itself fails
    with Flow("required") as flow:
        needed = Parameter("needed")
        add(needed, 1)
    state = FlowRunner(flow).run(return_tasks=[needed])
    assert isinstance(state, Failed)
    assert isinstance(state.result[needed], Failed)
    assert "needed" in state.result[needed].message


def test_unknown_parameter_raises_naming_it():
    with Flow("unknown") as flow:
        add(Parameter("x", default=1), 1)
    with pytest.raises(ValueError, match="unexpected parameters: bogus"):
        flow.run(parameters={"bogus": 1})


def test_return_tasks_keyword_is_refused_by_flow_run():
    with Flow("rt") as flow:
        add(1, 2)
    with pytest.raises(ValueError, match="return_tasks"):
        flow.run(return_tasks=[])


def test_parameters_context_holds_defaults_and_given_values():
    with Flow("ctx-params") as flow:
        flow.add_task(Parameter("a", default=1))
        flow.add_task(Parameter("b"))
        out = read_context("parameters")
    assert flow.run(b=2).result[out].result == {"a": 1, "b": 2}


# --- context ------------------------------------------------------------------------------------
def test_run_context_has_flow_and_date_keys():
    keys = [
        "flow_name",
        "flow_run_id",
        "scheduled_start_time",
        "date",
        "today",
        "yesterday",
        "tomorrow",
        "today_nodash",
        "yesterday_nodash",
        "tomorrow_nodash",
        "caches",
        "task_name",
        "task_slug",
        "task_run_id",
        "task_run_count",
        "task_full_name",
    ]
    with Flow("ctx") as flow:
        outs = {k: read_context(k) for k in keys}
    state = flow.run()
    values = {k: state.result[t].result for k, t in outs.items()}
    assert values["flow_name"] == "ctx"
    assert values["flow_run_id"]
    assert values["today"] == pendulum.now("utc").strftime("%Y-%m-%d")
    assert values["today_nodash"] == pendulum.now("utc").strftime("%Y%m%d")
    assert isinstance(values["scheduled_start_time"], pendulum.DateTime)
    assert values["date"] == values["scheduled_start_time"]
    assert values["caches"] is context.caches
    assert values["task_name"] == "read_context"
    assert values["task_run_count"] == 1
    assert all(v is not None for v in values.values())


def test_flow_run_id_is_shared_by_every_task_of_one_run():
    with Flow("ids") as flow:
        a = read_context("flow_run_id")
        b = read_context("flow_run_id")
    first = flow.run()
    assert first.result[a].result == first.result[b].result
    assert flow.run().result[a].result != first.result[a].result


def test_scheduled_flow_state_sets_scheduled_start_time():
    start = pendulum.datetime(2020, 1, 2, 3, 4, 5, tz="utc")
    with Flow("sched") as flow:
        out = read_context("today")
    state = FlowRunner(flow).run(state=Scheduled(start_time=start), return_tasks=[out])
    assert state.result[out].result == "2020-01-02"


def test_context_argument_reaches_tasks():
    with Flow("extra") as flow:
        out = read_context("my_key")
    assert flow.run(context={"my_key": "v"}).result[out].result == "v"


def test_flow_run_context_does_not_leak_after_the_run():
    with Flow("leak") as flow:
        read_context("x")
    flow.run()
    assert "flow_run_id" not in context
    assert "flow_name" not in context


# --- flow states ---------------------------------------------------------------------------------
def test_finished_flow_state_is_returned_unchanged():
    with Flow("done") as flow:
        add(1, 2)
    done = Success("already")
    assert FlowRunner(flow).run(state=done) is done


def test_future_scheduled_flow_state_is_returned_unchanged():
    with Flow("future") as flow:
        add(1, 2)
    future = Scheduled(start_time=pendulum.now("utc").add(days=1))
    assert FlowRunner(flow).run(state=future) is future


def test_all_successful_reference_tasks_give_success():
    with Flow("ok") as flow:
        add(1, 2)
    state = flow.run()
    assert type(state) is Success
    assert state.message == "All reference tasks succeeded."


def test_failed_reference_task_fails_the_flow():
    with Flow("bad") as flow:
        f = fail()
        downstream = add(f, 1)
    state = flow.run()
    assert type(state) is Failed
    assert state.message == "Some reference tasks failed."
    assert isinstance(state.result[downstream], TriggerFailed)


def test_reference_tasks_decide_the_flow_state():
    with Flow("ref") as flow:
        fail()
        ok = add(1, 2)
    flow.set_reference_tasks([ok])
    assert flow.run().is_successful()


def test_all_skipped_reference_tasks_give_success():
    with Flow("skipped") as flow:
        s = skip()
        after = add(s, 1)
    state = flow.run()
    assert type(state) is Success
    assert isinstance(state.result[after], Skipped)


def test_failure_handled_by_a_downstream_any_failed_task_still_fails_by_default():
    from prefect_classic.triggers import any_failed

    @task(trigger=any_failed)
    def cleanup():
        return "cleaned"

    with Flow("handled") as flow:
        f = fail()
        c = cleanup(upstream_tasks=[f])
    state = flow.run()
    assert state.result[c].result == "cleaned"
    assert state.is_successful()  # the terminal task (cleanup) is the reference task


def test_flow_run_result_maps_every_task_to_its_state():
    with Flow("result") as flow:
        a = add(1, 2)
        b = add(a, 3)
    state = flow.run()
    assert set(state.result) == flow.tasks
    assert state.result[b].result == 6


def test_return_tasks_limit_the_flow_runner_result():
    with Flow("rt") as flow:
        a = add(1, 2)
        add(a, 3)
    state = FlowRunner(flow).run(return_tasks=[a])
    assert set(state.result) == {a}
    # as in Prefect 1, a return task outside the flow fails the flow run (it does not raise)
    failed = FlowRunner(flow).run(return_tasks=[add.copy()])
    assert isinstance(failed, Failed)
    assert "Some tasks in return_tasks were not found in the flow" in failed.message


def test_task_states_resume_a_run_without_rerunning_finished_tasks():
    calls = []

    @task
    def tracked(x):
        calls.append(x)
        return x

    with Flow("resume") as flow:
        a = tracked(1)
        b = add(a, 10)
    state = FlowRunner(flow).run(task_states={a: Success(result=5)}, return_tasks=[a, b])
    assert state.result[b].result == 15
    assert calls == []


def test_unfinished_upstream_state_leaves_flow_running():
    with Flow("running") as flow:
        a = add(1, 2)
        b = add(a, 3)
    later = Scheduled(start_time=pendulum.now("utc").add(hours=1))
    state = FlowRunner(flow).run(task_states={a: later}, return_tasks=[a, b])
    assert isinstance(state, Running)
    assert state.result[a] is later
    assert isinstance(state.result[b], Pending)


def test_flow_state_handlers_see_every_change_and_can_replace_the_state():
    seen = []

    def handler(flow, old, new):
        seen.append((type(old).__name__, type(new).__name__))
        if isinstance(new, Success):
            return Failed("overridden")
        return new

    with Flow("handlers", state_handlers=[handler]) as flow:
        add(1, 2)
    state = flow.run()
    # flow.run() starts from Scheduled, as in Prefect 1; a FlowRunner alone starts from Pending
    assert seen == [("Scheduled", "Running"), ("Running", "Success")]
    assert type(state) is Failed and state.message == "overridden"
    seen.clear()
    FlowRunner(flow).run()
    assert seen == [("Pending", "Running"), ("Running", "Success")]


def test_task_runner_state_handlers_apply_to_every_task():
    seen = []
    with Flow("trsh") as flow:
        add(add(1, 2), 3)
    FlowRunner(flow).run(
        task_runner_state_handlers=[lambda runner, old, new: seen.append(type(new))]
    )
    assert seen.count(Success) == 2


def test_flow_run_logs_start_and_outcome(prefect_logs):
    with Flow("logging") as flow:
        add(1, 2)
    flow.run()
    assert "Beginning Flow run for 'logging'" in prefect_logs.messages
    assert "Flow run SUCCESS: all reference tasks succeeded" in prefect_logs.messages


def test_failed_flow_logs_failure(prefect_logs):
    with Flow("failing") as flow:
        fail()
    flow.run()
    assert "Flow run FAILED: some reference tasks failed." in prefect_logs.messages


def test_explicit_executor_is_used():
    class Recording(LocalExecutor):
        submitted = 0

        def submit(self, fn, *args, **kwargs):
            Recording.submitted += 1
            return super().submit(fn, *args, **kwargs)

    with Flow("executor") as flow:
        add(add(1, 2), 3)
    assert flow.run(executor=Recording()).is_successful()
    assert Recording.submitted == 2


def test_paused_task_resumes_when_approved(monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "y")

    @task(trigger=manual_only)
    def gated(x):
        return x * 2

    with Flow("pause") as flow:
        out = gated(add(1, 2))
    state = flow.run()
    assert state.result[out].result == 6


def test_paused_task_not_approved_ends_the_run(monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")

    @task(trigger=manual_only)
    def gated(x):
        return x

    with Flow("pause-no") as flow:
        out = gated(add(1, 2))
    state = flow.run()
    assert state.is_running()
    assert isinstance(state.result[out], Paused)


def test_resume_state_runs_a_manual_only_task():
    @task(trigger=manual_only)
    def gated(x):
        return x

    with Flow("resume-state") as flow:
        up = add(1, 2)
        out = gated(up)
    state = FlowRunner(flow).run(task_states={out: Resume()}, return_tasks=[out])
    assert state.result[out].result == 3


def test_unexpected_error_in_the_runner_fails_the_flow():
    class BrokenExecutor(LocalExecutor):
        def submit(self, fn, *args, **kwargs):
            raise RuntimeError("executor down")

    with Flow("broken") as flow:
        add(1, 2)
    state = FlowRunner(flow).run(executor=BrokenExecutor())
    assert type(state) is Failed
    assert "executor down" in state.message


def test_retry_delay_wait_logs_next_task_run(prefect_logs):
    @task(max_retries=1, retry_delay=datetime.timedelta(seconds=0.05))
    def flaky():
        if context.get("task_run_count") == 1:
            raise ValueError()

    with Flow("wait-log") as flow:
        flaky()
    assert flow.run().is_successful()
    assert prefect_logs.contains("Waiting for next available Task run at")


class Echo(Task):
    def run(self, value):
        return value


def test_class_based_tasks_run_in_a_flow():
    with Flow("classes") as flow:
        out = Echo()(value=3)
    assert flow.run().result[out].result == 3


def test_each_task_gets_its_own_uuid4_task_run_id_and_slug_task_id():
    import uuid

    with Flow("task-ids") as flow:
        a = read_context("task_run_id")
        b = read_context("task_run_id")
        c = read_context("task_id")
    state = flow.run()
    ids = [uuid.UUID(state.result[t].result) for t in (a, b)]
    assert ids[0] != ids[1]
    assert all(i.version == 4 for i in ids)
    assert state.result[c].result == flow.slugs[c]


def test_task_slug_in_context_is_the_flows_slug_for_the_task():
    """context.task_slug during a run is the slug the running flow gave the task."""
    import prefect_classic
    from prefect_classic import Flow, task

    @task
    def who():
        return prefect_classic.context.task_slug

    with Flow("slugs") as flow:
        first, second = who(), who()
    state = flow.run()
    assert {state.result[first].result, state.result[second].result} == {
        flow.slugs[first],
        flow.slugs[second],
    }
    assert flow.slugs[first] != flow.slugs[second]
