"""The in-memory output caches of `cache_for` tasks (Prefect 1's `prefect.context.caches`).

`Flow.run` keeps the Cached states of a flow run in context `caches`, a dict from a task's memory
key to a list of states, and hands them to the next runs. The key rule is stated here, once:
**a task's memory key is `task.cache_key or task.name`**, so tasks that share a `cache_key` share
their cached states.
"""

from typing import Any, Dict, List, Optional

import pendulum

from prefect_classic.engine.cache_validators import compares_inputs
from prefect_classic.engine.state import Cached, State
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.context import read as read_context

__all__ = ["cached_state", "find", "memory_key", "remember"]


def memory_key(task: Any) -> str:
    """The key of `task`'s states in the output caches: `task.cache_key or task.name`.

    Args:
        - task (Task): the task

    Returns:
        - str: the key
    """
    return task.cache_key or task.name


def find(
    task: Any, raw_inputs: Dict[str, Any], parameters: Optional[Dict[str, Any]]
) -> Optional[State]:
    """A valid Cached state of `task` from context `caches`, made by an earlier flow run.

    A mapped child reuses what the child with the same `map_index` cached, or any child's state
    when the validator compares inputs (equal inputs give an equal result).

    Args:
        - task (Task): the task
        - raw_inputs (dict): the input values
        - parameters (dict, optional): the flow parameters

    Returns:
        - State: the first valid candidate, or None
    """
    caches = read_context("caches")
    candidates: Optional[List[State]] = caches.get(memory_key(task)) if caches else None
    if not candidates:
        return None
    validator = task.cache_validator
    run_id = read_context("flow_run_id")
    map_index = read_context("map_index")
    if map_index is not None and compares_inputs(validator):
        map_index = None
    for candidate in candidates:
        origin = candidate.context
        if origin:
            if run_id is not None and origin.get("flow_run_id") == run_id:
                continue
            if map_index is not None and origin.get("map_index", map_index) != map_index:
                continue
        if validator(candidate, raw_inputs, parameters):
            return candidate
    return None


def remember(task: Any, state: State) -> None:
    """Add a Cached state of `task` to context `caches` (when the run has output caches).

    Args:
        - task (Task): the task
        - state (State): the Cached state
    """
    caches = prefect_context.get("caches")
    if caches is not None:
        caches.setdefault(memory_key(task), []).append(state)


def cached_state(task: Any, state: State, inputs: Dict[str, Any]) -> State:
    """The Cached state a successful run of a `cache_for` task becomes: it expires `cache_for`
    from now and records the flow run and map index it comes from.

    Args:
        - task (Task): the task
        - state (State): the run's state
        - inputs (Dict[str, Result]): the inputs

    Returns:
        - State: the Cached state, or `state` when it does not apply
    """
    if (
        task.cache_for is None
        or not state.is_successful()
        or state.is_skipped()
        or state.is_cached()
    ):
        return state
    origin: Dict[str, Any] = {}
    run_id = prefect_context.get("flow_run_id")
    if run_id is not None:
        origin["flow_run_id"] = run_id
    map_index = prefect_context.get("map_index")
    if map_index is not None:
        origin["map_index"] = map_index
    return Cached(
        result=state._result,
        cached_inputs=dict(inputs),
        cached_result_expiration=pendulum.now("utc") + task.cache_for,
        cached_parameters=prefect_context.get("parameters"),
        message=state.message,
        context=origin,
    )
