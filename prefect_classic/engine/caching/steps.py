"""The caching steps of the task run, with Prefect 1's names and signatures, as a mixin of
`TaskRunner`: each delegates to the caching component (`scope.CacheScope`, `targets`, `memory`),
so a TaskRunner subclass may still override any of them. Their order and the context keys they
exchange are described in `prefect_classic.engine.caching`.
"""

from typing import Any, Dict

from prefect_classic.engine.caching import memory
from prefect_classic.engine.caching.plans import plan_for, uses_records
from prefect_classic.engine.caching.scope import CacheScope, current_scope
from prefect_classic.engine.caching.targets import find_target
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.runner import call_state_handlers
from prefect_classic.engine.state import Pending, State
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.context import read as read_context

__all__ = ["CachingSteps"]


def _raw(inputs: Dict[str, Result]) -> Dict[str, Any]:
    return {k: r.value for k, r in inputs.items()}


class CachingSteps:
    """The caching steps of `TaskRunner` (which provides `task`, `result` and `logger`)."""

    task: Any
    result: Result
    logger: Any

    @call_state_handlers
    def check_target(self, state: State, inputs: Dict[str, Result]) -> State:
        """A value stored at the task's target (formatted with the parameters, context and
        inputs) ends the run as Cached with that value.

        A mapped child's target must differ per child; a target that exists but cannot be read
        logs a warning and the task runs again. A missing target is locked for this run (see
        `CacheScope.lock_target`): other processes wait for it, then read what it wrote.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: Cached with the stored value, or the state unchanged
        """
        return find_target(self, state, inputs)

    @call_state_handlers
    def check_task_is_cached(self, state: State, inputs: Dict[str, Result]) -> State:
        """Reuse a valid cache: the Cached state given (checked with the task's validator), or one
        from context `caches[cache_key or task name]` (tasks with `cache_for`).

        Results cached during this flow run serve later runs only. A mapped child reuses what
        the child with the same `map_index` cached - or any child's cache when the validator
        compares inputs (`all_inputs`, `partial_inputs_only`), since equal inputs give an
        equal result: a validator blind to the inputs would hand one child another's result.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: a valid Cached state, or the state (Pending when the given cache is invalid)
        """
        task = self.task
        if state.is_cached():
            if task.cache_validator(state, _raw(inputs), read_context("parameters")):
                return state
            state = Pending("Cache was invalid; ready to run.")
        if task.cache_for is not None:
            candidate = memory.find(task, _raw(inputs), read_context("parameters"))
            if candidate is not None:
                return candidate
            self.logger.warning(
                f"Task '{prefect_context.get('task_full_name', task.name)}': "
                "Can't use cache because it is now invalid"
            )
        return state

    @call_state_handlers
    def check_policy_cache(self, state: State, inputs: Dict[str, Result]) -> State:
        """Durable caching (`cache_policy`, `cache_key_fn`, `persist_result`, durable `cache_for`):
        a stored record under the task's cache key ends the run as Cached. See
        `prefect_classic.engine.caching`.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: Cached on a hit, else the state
        """
        if state.is_finished() or not uses_records(self.task):  # e.g. an in-memory cache hit
            return state
        scope = current_scope()
        if (
            scope is None or scope.runner is not self
        ):  # called on its own: no lock outlives the call
            with CacheScope(self) as scope:
                return scope.check_records(state, inputs)
        return scope.check_records(state, inputs)

    @call_state_handlers
    def store_policy_cache(self, state: State, inputs: Dict[str, Result]) -> State:
        """Write the durable cache record of a successful run under the task's cache key.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: the state (or the value another process stored first, as Cached)
        """
        if not uses_records(self.task):
            return state
        scope = current_scope()
        if scope is None or scope.runner is not self:  # called on its own
            with CacheScope(self) as scope:
                scope.plan = plan_for(self, inputs)
                return scope.store_records(state, inputs)
        return scope.store_records(state, inputs)

    @call_state_handlers
    def cache_result(self, state: State, inputs: Dict[str, Result]) -> State:
        """A successful (not Skipped) run of a task with `cache_for` becomes a Cached state that
        expires `cache_for` from now; `Flow.run` keeps it in the output caches for later runs.

        The state's context records the flow run and map index it comes from.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: the Cached state, or the state unchanged
        """
        return memory.cached_state(self.task, state, inputs)
