"""Triggers decide, from a task's upstream states, whether the task runs.

A trigger takes `upstream_states: Dict[Edge, State]` and returns True to run, or raises a signal
(`TRIGGERFAIL`, `SKIP`, `PAUSE`). A Mapped upstream counts as its children's states, and a state
reached through several edges (one upstream task bound to several arguments) counts once.
Skipped states count as successes.

Example:
    ```python
    @task(trigger=triggers.all_failed)
    def on_failure():
        ...
    ```
"""

from typing import Any, Callable, Dict, List, Optional, Union

from prefect_classic.engine import signals
from prefect_classic.engine.state import Mapped, State
from prefect_classic.utilities.context import context

__all__ = [
    "all_failed",
    "all_finished",
    "all_successful",
    "always_run",
    "any_failed",
    "any_successful",
    "manual_only",
    "not_all_skipped",
    "some_failed",
    "some_successful",
]


def _states(upstream_states: Dict[Any, State]) -> List[State]:
    """The distinct upstream states, with each Mapped state replaced by its children's states."""
    found: Dict[int, State] = {}
    for state in upstream_states.values():
        if isinstance(state, Mapped):
            for child in state.map_states:
                found.setdefault(id(child), child)
        else:
            found.setdefault(id(state), state)
    return list(found.values())


def _require_all(upstream_states: Dict[Any, State], check: str, name: str, failure: str) -> bool:
    """True when every upstream state passes `State.<check>()`; else TRIGGERFAIL."""
    if not upstream_states:  # (most tasks: nothing to check)
        return True
    if not all(getattr(s, check)() for s in _states(upstream_states)):
        raise signals.TRIGGERFAIL(f'Trigger was "{name}" but {failure}.')
    return True


def _require_any(upstream_states: Dict[Any, State], check: str, name: str, failure: str) -> bool:
    """True when there are no upstream states or one passes `State.<check>()`; else TRIGGERFAIL."""
    if upstream_states and not any(getattr(s, check)() for s in _states(upstream_states)):
        raise signals.TRIGGERFAIL(f'Trigger was "{name}" but {failure}.')
    return True


def all_finished(upstream_states: Dict[Any, State]) -> bool:
    """Run when every upstream task finished, whatever the outcome.

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the task runs)

    Raises:
        - TRIGGERFAIL: when some upstream task is not finished
    """
    return _require_all(
        upstream_states,
        "is_finished",
        "all_finished",
        "some of the upstream tasks were not finished",
    )


always_run = all_finished


def manual_only(upstream_states: Dict[Any, State]) -> bool:
    """Never run automatically: pause the task until it is resumed (context `resume`).

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True when the run was resumed

    Raises:
        - PAUSE: when the run was not resumed
    """
    if context.get("resume"):
        return True
    raise signals.PAUSE('Trigger function is "manual_only"')


def all_successful(upstream_states: Dict[Any, State]) -> bool:
    """Run when every upstream task succeeded (the default trigger).

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the task runs)

    Raises:
        - TRIGGERFAIL: when some upstream task did not succeed
    """
    return _require_all(
        upstream_states, "is_successful", "all_successful", "some of the upstream tasks failed"
    )


def all_failed(upstream_states: Dict[Any, State]) -> bool:
    """Run when every upstream task failed.

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the task runs)

    Raises:
        - TRIGGERFAIL: when some upstream task did not fail
    """
    return _require_all(
        upstream_states, "is_failed", "all_failed", "some of the upstream tasks succeeded"
    )


def any_successful(upstream_states: Dict[Any, State]) -> bool:
    """Run when at least one upstream task succeeded (or there are none).

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the task runs)

    Raises:
        - TRIGGERFAIL: when there are upstream tasks and none of them succeeded
    """
    return _require_any(
        upstream_states, "is_successful", "any_successful", "none of the upstream tasks succeeded"
    )


def any_failed(upstream_states: Dict[Any, State]) -> bool:
    """Run when at least one upstream task failed (or there are none).

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the task runs)

    Raises:
        - TRIGGERFAIL: when there are upstream tasks and none of them failed
    """
    return _require_any(
        upstream_states, "is_failed", "any_failed", "none of the upstream tasks failed"
    )


def not_all_skipped(upstream_states: Dict[Any, State]) -> bool:
    """Run when every upstream task succeeded and not all of them skipped.

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the task runs)

    Raises:
        - SKIP: when every upstream task was skipped (also when there are none)
        - TRIGGERFAIL: when some upstream task did not succeed
    """
    states = _states(upstream_states)
    if all(s.is_skipped() for s in states):
        raise signals.SKIP("All upstreams were skipped", result=None)
    return _require_all(
        upstream_states, "is_successful", "not_all_skipped", "some of the upstream tasks failed"
    )


def _count_trigger(
    kind: str,
    is_match: Callable[[State], bool],
    at_least: Optional[Union[int, float]],
    at_most: Optional[Union[int, float]],
) -> Callable[[Dict[Any, State]], bool]:
    def _bound(value: Union[int, float], total: int) -> float:
        # below 1: a fraction of the upstream states; otherwise a count
        return total * value if value < 1 else value

    def trigger(upstream_states: Dict[Any, State]) -> bool:
        if not upstream_states:
            return True
        states = _states(upstream_states)
        matched = sum(1 for s in states if is_match(s))
        low = _bound(at_least, len(states)) if at_least is not None else 0
        high = _bound(at_most, len(states)) if at_most is not None else len(states)
        if not low <= matched <= high:
            raise signals.TRIGGERFAIL(
                f'Trigger was "some_{kind}" but thresholds were not met ({matched} of {len(states)} '
                f"upstream tasks were {kind}; wanted at least {at_least}, at most {at_most})."
            )
        return True

    # named after its factory (the serializer finds the factory by name), qualified as a closure
    trigger.__name__ = f"some_{kind}"
    trigger.__qualname__ = f"some_{kind}.<locals>._some_{kind}"
    return trigger


def some_successful(
    at_least: Optional[Union[int, float]] = None, at_most: Optional[Union[int, float]] = None
) -> Callable[[Dict[Any, State]], bool]:
    """A trigger that runs when the number of successful upstream states is within bounds
    (always, when there are no upstream tasks).

    Args:
        - at_least (Union[int, float], optional): the minimum; below 1, a fraction of the
            upstream states, else a count
        - at_most (Union[int, float], optional): the maximum; below 1, a fraction of the
            upstream states, else a count

    Returns:
        - Callable: the trigger (it raises TRIGGERFAIL when the count is out of bounds)
    """
    return _count_trigger("successful", State.is_successful, at_least, at_most)


def some_failed(
    at_least: Optional[Union[int, float]] = None, at_most: Optional[Union[int, float]] = None
) -> Callable[[Dict[Any, State]], bool]:
    """A trigger that runs when the number of failed upstream states is within bounds (always,
    when there are no upstream tasks).

    Args:
        - at_least (Union[int, float], optional): the minimum; below 1, a fraction of the
            upstream states, else a count
        - at_most (Union[int, float], optional): the maximum; below 1, a fraction of the
            upstream states, else a count

    Returns:
        - Callable: the trigger (it raises TRIGGERFAIL when the count is out of bounds)
    """
    return _count_trigger("failed", State.is_failed, at_least, at_most)
