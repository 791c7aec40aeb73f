"""Signals: exceptions that carry the State a task run should end in."""

import pytest

from prefect_classic import context
from prefect_classic.engine import signals
from prefect_classic.engine import state as st
from prefect_classic.exceptions import PrefectException, PrefectSignal, TaskTimeoutSignal

SIGNAL_STATES = [
    (signals.SUCCESS, st.Success),
    (signals.FAIL, st.Failed),
    (signals.TRIGGERFAIL, st.TriggerFailed),
    (signals.VALIDATIONFAIL, st.ValidationFailed),
    (signals.RETRY, st.Retrying),
    (signals.LOOP, st.Looped),
    (signals.SKIP, st.Skipped),
    (signals.PAUSE, st.Paused),
]


@pytest.mark.parametrize("signal, state_cls", SIGNAL_STATES, ids=lambda x: x.__name__)
def test_each_signal_carries_its_state_with_the_message(signal, state_cls):
    exc = signal("the message")
    assert isinstance(exc, signals.PrefectStateSignal) and isinstance(exc, PrefectSignal)
    # signals are BaseExceptions: a plain `except Exception:` in user code does not swallow them
    assert not isinstance(exc, Exception)
    assert type(exc.state) is state_cls
    assert exc.state.message == "the message"
    assert str(exc) == "the message"


@pytest.mark.parametrize(
    "signal",
    [
        signals.SUCCESS,
        signals.FAIL,
        signals.TRIGGERFAIL,
        signals.RETRY,
        signals.PAUSE,
        signals.SKIP,
    ],
    ids=lambda x: x.__name__,
)
def test_result_defaults_to_the_signal_itself(signal):
    exc = signal("m")
    assert exc.state.result is exc


def test_loop_result_defaults_to_the_signal_repr():
    exc = signals.LOOP("m")
    assert exc.state.result == repr(exc) == "LOOP('m')"


def test_exception_families():
    assert issubclass(signals.ENDRUN, PrefectSignal) and issubclass(
        TaskTimeoutSignal, PrefectSignal
    )
    assert issubclass(PrefectSignal, BaseException) and not issubclass(PrefectSignal, Exception)
    assert issubclass(PrefectException, Exception)
    assert str(PrefectException("boom")) == "boom"


def test_state_keyword_arguments_pass_through():
    assert signals.SUCCESS(result=5).state.result == 5
    assert signals.RETRY("again", run_count=3).state.run_count == 3
    assert signals.LOOP(result={"n": 1}, loop_count=7).state.loop_count == 7


def test_loop_count_defaults_from_context():
    with context(task_loop_count=3):
        assert signals.LOOP().state.loop_count == 3
    assert signals.LOOP().state.loop_count == 1


def test_signal_subclass_relations():
    assert issubclass(signals.TRIGGERFAIL, signals.FAIL)
    assert issubclass(signals.VALIDATIONFAIL, signals.FAIL)


def test_signals_can_be_raised_and_caught_as_exceptions():
    with pytest.raises(signals.FAIL) as info:
        raise signals.TRIGGERFAIL("upstream failed")
    assert info.value.state.is_failed()


def test_endrun_carries_any_state():
    state = st.Cancelled("stop")
    exc = signals.ENDRUN(state)
    assert exc.state is state
    assert not isinstance(exc, signals.PrefectStateSignal)


@pytest.mark.parametrize("signal, state_cls", SIGNAL_STATES, ids=lambda x: x.__name__)
def test_signal_from_state_matches_each_class(signal, state_cls):
    assert signals.signal_from_state(state_cls()) is signal


@pytest.mark.parametrize("state_cls", [st.Running, st.TimedOut, st.Cached, st.Mapped])
def test_signal_from_state_matches_the_exact_class_only(state_cls):
    # as in Prefect 1: no signal creates a TimedOut, Cached or Mapped state, so there is no match
    with pytest.raises(ValueError, match="No signal matches the provided state"):
        signals.signal_from_state(state_cls())
