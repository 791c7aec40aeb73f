"""flow.run(run_on_schedule=True): one run per schedule event, Ctrl-C ends the loop cleanly."""

import pendulum
import pytest

from prefect_classic import Flow, Parameter, task
from prefect_classic.engine.state import Cancelled, Success
from prefect_classic.schedules import Schedule, runner
from prefect_classic.schedules.clocks import DatesClock


@pytest.fixture
def virtual_clock(monkeypatch):
    """Virtual time: `pendulum.now` reads it and the runner's sleeps advance it, so flow runs
    take no time and no event is skipped because the machine happens to be slow."""
    clock = {"now": pendulum.now("UTC")}

    def now(tz=None):
        return clock["now"] if tz is None else clock["now"].in_tz(tz)

    def sleep(seconds):
        clock["now"] = clock["now"].add(microseconds=int(seconds * 1e6))

    monkeypatch.setattr(pendulum, "now", now)
    monkeypatch.setattr(runner.time, "sleep", sleep)
    return clock


def flow_with_dates(offsets, parameter_defaults=None):
    now = pendulum.now("UTC")
    times = [now.add(microseconds=int(s * 1e6)) for s in offsets]
    calls = []

    @task
    def record(p):
        calls.append((p, pendulum.now("UTC")))

    clock = DatesClock(times, parameter_defaults=parameter_defaults)
    with Flow("scheduled", schedule=Schedule(clocks=[clock])) as flow:
        record(Parameter("p", default="default"))
    return flow, times, calls


def test_flow_runs_once_per_event_at_or_after_its_time(prefect_logs, virtual_clock):
    flow, times, calls = flow_with_dates([0.1, 0.2, 0.3])
    state = flow.run(run_on_schedule=True)
    assert isinstance(state, Success)
    assert len(calls) == 3
    assert all(ran >= when for (_, ran), when in zip(calls, times))
    assert prefect_logs.contains("Waiting for next scheduled run at")


def test_event_parameter_defaults_override_passed_parameters(virtual_clock):
    flow, _, calls = flow_with_dates([0.1, 0.2], parameter_defaults={"p": "from-clock"})
    flow.run(parameters={"p": "passed"}, run_on_schedule=True)
    assert [p for p, _ in calls] == ["from-clock", "from-clock"]


def test_no_future_events_is_an_error():
    flow, _, calls = flow_with_dates([-10])
    with pytest.raises(ValueError, match="no more scheduled runs"):
        flow.run(run_on_schedule=True)
    assert calls == []


def test_ctrl_c_while_waiting_for_the_first_run_returns_cancelled(monkeypatch, prefect_logs):
    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner.time, "sleep", interrupt)
    flow, _, calls = flow_with_dates([30, 60])
    state = flow.run(run_on_schedule=True)
    assert isinstance(state, Cancelled)
    assert calls == []
    assert prefect_logs.contains("Interrupted")


def test_ctrl_c_after_a_run_returns_the_last_run_state(monkeypatch):
    real_sleep = runner.time.sleep
    flow, _, calls = flow_with_dates([0.1, 30])

    def sleep_then_interrupt(seconds):
        if calls:
            raise KeyboardInterrupt
        real_sleep(seconds)

    monkeypatch.setattr(runner.time, "sleep", sleep_then_interrupt)
    state = flow.run(run_on_schedule=True)
    assert isinstance(state, Success)
    assert len(calls) == 1


def test_wait_sleeps_in_small_increments(monkeypatch):
    real_sleep = runner.time.sleep
    naps = []

    def recording_sleep(seconds):
        naps.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(runner.time, "sleep", recording_sleep)
    target = pendulum.now("UTC").add(microseconds=250_000)
    runner.wait_until(target, increment=0.05)
    assert pendulum.now("UTC") >= target
    assert len(naps) >= 4 and max(naps) <= 0.05


def test_run_on_schedule_needs_a_schedule():
    with pytest.raises(ValueError, match="no schedule"):
        runner.run_on_schedule(Flow("plain"), lambda start, defaults: Success())
