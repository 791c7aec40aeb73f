"""Signals: exceptions that carry a State, raised inside tasks, triggers, state handlers or
runner steps to change the course of a run.

Every signal is a `prefect_classic.exceptions.PrefectSignal`, a `BaseException`: an ordinary
`except Exception:` does not catch it. A `PrefectStateSignal` builds its state from its own
arguments, and that state's `result` is the signal itself unless `result=` is given.
"""

from typing import Any, Dict, Type

from prefect_classic.engine import state as _state
from prefect_classic.exceptions import PrefectSignal

__all__ = [
    "ENDRUN",
    "FAIL",
    "LOOP",
    "PAUSE",
    "PrefectSignal",
    "PrefectStateSignal",
    "RETRY",
    "SKIP",
    "SUCCESS",
    "TRIGGERFAIL",
    "VALIDATIONFAIL",
    "signal_from_state",
]


class ENDRUN(PrefectSignal):
    """Stops a runner's pipeline at once, with `state` as the run's final state.

    Args:
        - state (State): the state to end with
    """

    def __init__(self, state: _state.State):
        self.state = state
        super().__init__()


class PrefectStateSignal(PrefectSignal):
    """A signal that ends the current step (or task run) in the state it carries.

    Args:
        - message (Any, optional): the state's message
        - *args, **kwargs: passed to the state class; `result=` defaults to the signal itself
    """

    _state_cls: Type[_state.State] = _state.State

    def __init__(self, message: Any = None, *args: Any, **kwargs: Any):
        super().__init__(message)
        kwargs.setdefault("result", self)
        self.state = self._state_cls(message, *args, **kwargs)


class FAIL(PrefectStateSignal):
    """End the task run as Failed."""

    _state_cls = _state.Failed


class TRIGGERFAIL(FAIL):
    """End the task run as TriggerFailed."""

    _state_cls = _state.TriggerFailed


class VALIDATIONFAIL(FAIL):
    """End the task run as ValidationFailed."""

    _state_cls = _state.ValidationFailed


class SUCCESS(PrefectStateSignal):
    """End the task run as Success (checkpointed like a returned value)."""

    _state_cls = _state.Success


class RETRY(PrefectStateSignal):
    """End the task run as Retrying, whatever its `max_retries` (`start_time=` to delay it)."""

    _state_cls = _state.Retrying


class LOOP(PrefectStateSignal):
    """End this iteration as Looped and run the task again at once; `result` reaches the next
    iteration as context `task_loop_result` (default: the signal's repr)."""

    _state_cls = _state.Looped

    def __init__(self, message: Any = None, *args: Any, **kwargs: Any):
        kwargs.setdefault("result", repr(self))
        super().__init__(message, *args, **kwargs)


class SKIP(PrefectStateSignal):
    """End the task run as Skipped; downstream tasks skip too unless `skip_on_upstream_skip=False`."""

    _state_cls = _state.Skipped


class PAUSE(PrefectStateSignal):
    """End the task run as Paused (it waits for a Resume)."""

    _state_cls = _state.Paused


def signal_from_state(state: _state.State) -> Type[PrefectStateSignal]:
    """The signal class whose state class is exactly `state`'s class.

    Args:
        - state (State): the state

    Returns:
        - type: the signal class

    Raises:
        - ValueError: when no signal creates that kind of state
    """
    by_name: Dict[str, Type[PrefectStateSignal]] = {}
    pending = list(PrefectStateSignal.__subclasses__())
    while pending:
        sig = pending.pop()
        by_name[sig._state_cls.__name__] = sig
        pending.extend(sig.__subclasses__())
    try:
        return by_name[type(state).__name__]
    except KeyError:
        raise ValueError(f"No signal matches the provided state: {state}") from None
