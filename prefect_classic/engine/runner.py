"""The shared machinery of task and flow runners.

A runner moves a State through a pipeline of steps. A step is a method
`step(self, state, ...) -> State` decorated with `call_state_handlers`: when the state it returns
is not the one it was given, the runner's state handlers see the change (and may replace the new
state). A step ends the pipeline early by raising `ENDRUN(state)`.
"""

import collections.abc
import functools
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Tuple

from prefect_classic.engine import signals
from prefect_classic.engine.signals import ENDRUN
from prefect_classic.engine.state import Failed, Pending, State
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.logging import get_logger

__all__ = ["ENDRUN", "Runner", "RunnerInitializeResult", "call_state_handlers"]


class RunnerInitializeResult(NamedTuple):
    """What `Runner.initialize_run` returns."""

    state: State
    context: Dict[str, Any]


def call_state_handlers(method: Callable[..., State]) -> Callable[..., State]:
    """Decorate a step `method(self, state, *args, **kwargs) -> State` so that a state change it
    makes goes through the runner's `handle_state_change`.

    Inside the step, `ENDRUN(new_state)` still ends the pipeline (after the handlers ran on
    `new_state`); a state signal raised in the step becomes its state; any other error becomes a
    `Failed` state (unless context `raise_on_exception` is set).

    Args:
        - method (Callable): the step

    Returns:
        - Callable: the decorated step
    """

    @functools.wraps(method)
    def inner(self: "Runner", state: State, *args: Any, **kwargs: Any) -> State:
        end_run = False
        try:
            new_state = method(self, state, *args, **kwargs)
        except ENDRUN as exc:
            if exc.state is state:  # nothing changed: end the pipeline with this very signal
                raise
            end_run, new_state = True, exc.state
        except signals.PrefectStateSignal as exc:
            self.logger.info(f"{type(exc).__name__} signal raised: {exc!r}")
            if prefect_context.get("raise_on_exception"):
                raise
            new_state = exc.state
        except Exception as exc:
            message = f"Unexpected error: {exc!r}"
            self.logger.exception(message)
            if prefect_context.get("raise_on_exception"):
                raise
            new_state = Failed(message, result=exc)
        if new_state is not state:
            new_state = self.handle_state_change(state, new_state)
        if end_run:
            raise ENDRUN(new_state)
        return new_state

    return inner


_LOGGERS: Dict[type, Any] = {}


def runner_logger(cls: type) -> Any:
    """The logger of a runner class (`prefect.<ClassName>`), looked up once per class."""
    logger = _LOGGERS.get(cls)
    if logger is None:
        logger = _LOGGERS[cls] = get_logger(cls.__name__)
    return logger


def check_state_handlers(state_handlers: Optional[Iterable[Callable]]) -> List[Callable]:
    """The runner-level state handlers as a list.

    Raises:
        - TypeError: when `state_handlers` is not a sequence
    """
    if state_handlers is None:
        return []
    if type(state_handlers) is not list and not isinstance(
        state_handlers, collections.abc.Sequence
    ):
        raise TypeError("state_handlers should be iterable.")
    return list(state_handlers)


class Runner:
    """Base class of TaskRunner and FlowRunner.

    Args:
        - state_handlers (Iterable[Callable], optional): `handler(runner, old_state, new_state)`
            called on every state change; it may return a replacement state (or None)
    """

    def __init__(self, state_handlers: Optional[Iterable[Callable]] = None):
        self.state_handlers = check_state_handlers(state_handlers)
        self.logger = runner_logger(type(self))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def _heartbeat(self) -> bool:
        """Whether this runner sends heartbeats to a backend (never, without one)."""
        return False

    def initialize_run(
        self, state: Optional[State], context: Dict[str, Any]
    ) -> Tuple[State, Dict[str, Any]]:
        """Prepare the starting state and context: meta states (Submitted, Queued) give way to the
        state they wrap; no state means Pending.

        Args:
            - state (State, optional): the starting state
            - context (dict): the run's context

        Returns:
            - tuple: the state and context
        """
        while isinstance(state, State) and state.is_meta_state():
            state = state.state  # type: ignore[attr-defined]
        return RunnerInitializeResult(state=state or Pending(), context=context)

    def call_runner_target_handlers(self, old_state: State, new_state: State) -> State:
        """Call the state handlers of the runner's target (its task or flow). Subclasses implement
        it; this runs before the runner's own handlers.

        Args:
            - old_state (State): the state before
            - new_state (State): the state after

        Returns:
            - State: the new state
        """
        return new_state

    def handle_state_change(self, old_state: State, new_state: State) -> State:
        """Run the target's and then the runner's state handlers for one change.

        Args:
            - old_state (State): the state before
            - new_state (State): the state after

        Returns:
            - State: the new state, possibly replaced by a handler

        Raises:
            - PAUSE, ENDRUN: when a handler raises them
            - ENDRUN: with a Failed state when a handler fails
        """
        try:
            new_state = self.call_runner_target_handlers(old_state, new_state)
            for handler in self.state_handlers:
                new_state = handler(self, old_state, new_state) or new_state
        except (signals.PAUSE, ENDRUN):
            raise
        except signals.PrefectStateSignal as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            return exc.state
        except Exception as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            message = f"Unexpected error while calling state handlers: {exc!r}"
            self.logger.exception(message)
            raise ENDRUN(Failed(message, result=exc)) from exc
        return new_state
