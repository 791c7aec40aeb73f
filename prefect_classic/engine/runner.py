"""The shared step machinery of task and flow runners.

A step takes a State and returns a State; it ends the run early by raising `ENDRUN(state)`.
Whenever a step changes the state, the runner's state handlers see the change and may replace
the new state.
"""
import functools
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional

from prefect_classic.engine import signals
from prefect_classic.engine.signals import ENDRUN
from prefect_classic.engine.state import Failed, Pending, State
from prefect_classic.utilities.context import context
from prefect_classic.utilities.logging import get_logger

__all__ = ["ENDRUN", "Runner", "RunnerInitializeResult", "call_state_handlers"]


class RunnerInitializeResult(NamedTuple):
    """What `Runner.initialize_run` returns."""

    state: State
    context: Dict[str, Any]


class Runner:
    """Base class of TaskRunner and FlowRunner.

    Args:
        - state_handlers (Iterable[Callable], optional): `handler(runner, old_state, new_state)`
            called on every state change
    """

    def __init__(self, state_handlers: Optional[Iterable[Callable]] = None):
        if state_handlers is not None and not isinstance(state_handlers, (list, tuple)):
            raise TypeError("state_handlers should be iterable.")
        self.state_handlers: List[Callable] = list(state_handlers or [])
        self.logger = get_logger(type(self).__name__)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def initialize_run(self, state: Optional[State], context: Dict[str, Any]) -> RunnerInitializeResult:
        """Prepare the starting state and context (default state: Pending).

        Args:
            - state (State, optional): the starting state
            - context (dict): the run's context

        Returns:
            - RunnerInitializeResult: the state and context
        """
        return RunnerInitializeResult(state=state or Pending(), context=context)

    def call_runner_target_handlers(self, old_state: State, new_state: State) -> State:
        """Call the target's (task's or flow's) own state handlers. Subclasses implement it.

        Returns:
            - State: the new state
        """
        return new_state

    def handle_state_change(self, old_state: State, new_state: State) -> State:
        """Run every state handler for a change; an error in a handler fails the run.

        Args:
            - old_state (State): the state before
            - new_state (State): the state after

        Returns:
            - State: the new state, possibly replaced by a handler

        Raises:
            - ENDRUN: with a Failed state when a handler raises
        """
        try:
            new_state = self.call_runner_target_handlers(old_state, new_state)
            for handler in self.state_handlers:
                new_state = handler(self, old_state, new_state) or new_state
        except ENDRUN:
            raise
        except signals.PrefectStateSignal as exc:
            raise ENDRUN(exc.state) from exc
        except Exception as exc:
            msg = f"Exception raised while calling state handlers: {exc!r}"
            self.logger.exception(msg)
            if context.get("raise_on_exception"):
                raise
            raise ENDRUN(Failed(msg, result=exc)) from exc
        return new_state

    def run_steps(self, state: State, steps: Iterable[Callable[..., State]], *args: Any) -> State:
        """Apply steps in order, handling each state change; stop at the first ENDRUN.

        Args:
            - state (State): the starting state
            - steps ([Callable]): the steps, each `step(state, *args) -> State`
            - *args: passed to every step

        Returns:
            - State: the final state
        """
        for step in steps:
            try:
                new_state = step(state, *args)
            except ENDRUN as exc:
                if exc.state is not state:
                    return self.handle_state_change(state, exc.state)
                return state
            if new_state is not state:
                try:
                    new_state = self.handle_state_change(state, new_state)
                except ENDRUN as exc:
                    return exc.state
            state = new_state
        return state


def call_state_handlers(method: Callable[..., State]) -> Callable[..., State]:
    """Decorate a step so that a state change it makes goes through the state handlers.

    Args:
        - method (Callable): a step `method(self, state, *args, **kwargs) -> State`

    Returns:
        - Callable: the decorated step
    """

    @functools.wraps(method)
    def inner(self: Runner, state: State, *args: Any, **kwargs: Any) -> State:
        end_run = False
        try:
            new_state = method(self, state, *args, **kwargs)
        except ENDRUN as exc:
            end_run, new_state = True, exc.state
        if new_state is not state:
            new_state = self.handle_state_change(state, new_state)
        if end_run:
            raise ENDRUN(new_state)
        return new_state

    return inner
