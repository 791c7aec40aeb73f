"""Signals: exceptions that carry a State, raised inside tasks or runner steps."""
from typing import Any, Type

from prefect_classic.engine import state as _state

__all__ = [
    "ENDRUN", "FAIL", "LOOP", "PAUSE", "PrefectStateSignal", "RETRY", "SKIP", "SUCCESS",
    "TRIGGERFAIL", "VALIDATIONFAIL", "signal_from_state",
]


class ENDRUN(Exception):
    """Stops a runner early with `state` as its final state.

    Args:
        - state (State): the state to end with
    """

    def __init__(self, state: _state.State):
        self.state = state
        super().__init__(state)


class PrefectStateSignal(Exception):
    """A signal raised inside a task: the runner ends the task run in `state`.

    Args:
        - message (str, optional): the state's message
        - *args, **kwargs: passed to the state class (`result=` defaults to the signal itself)
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
    """End the task run as Success."""

    _state_cls = _state.Success


class RETRY(PrefectStateSignal):
    """End the task run as Retrying (it runs again after its `retry_delay`)."""

    _state_cls = _state.Retrying


class LOOP(PrefectStateSignal):
    """End this iteration as Looped and run the task again; `result` reaches the next iteration
    as context `task_loop_result`."""

    _state_cls = _state.Looped

    def __init__(self, message: Any = None, *args: Any, **kwargs: Any):
        from prefect_classic.utilities.context import context

        kwargs.setdefault("result", None)
        kwargs.setdefault("loop_count", context.get("task_loop_count", 1))
        super().__init__(message, *args, **kwargs)


class SKIP(PrefectStateSignal):
    """End the task run as Skipped."""

    _state_cls = _state.Skipped

    def __init__(self, message: Any = None, *args: Any, **kwargs: Any):
        kwargs.setdefault("result", None)
        super().__init__(message, *args, **kwargs)


class PAUSE(PrefectStateSignal):
    """End the task run as Paused (it waits for a Resume)."""

    _state_cls = _state.Paused


def signal_from_state(state: _state.State) -> Type[PrefectStateSignal]:
    """The signal class whose state class is `state`'s class or its nearest ancestor.

    Args:
        - state (State): the state

    Returns:
        - type: the signal class

    Raises:
        - ValueError: when no signal matches
    """
    by_state = {s._state_cls: s for s in (SUCCESS, FAIL, TRIGGERFAIL, VALIDATIONFAIL, RETRY, LOOP, SKIP, PAUSE)}
    for cls in type(state).__mro__:
        if cls in by_state:
            return by_state[cls]
    raise ValueError(f"No signal matches the state class {type(state).__name__}")
