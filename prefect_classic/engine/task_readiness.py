"""The steps of the task run that decide whether it may start, with Prefect 1's names and
signatures, as a mixin of `TaskRunner` (which provides `task` and `logger`): is the state ready,
has its start time come, have the upstream tasks finished, was one skipped, does the trigger
pass, and (for a mapped parent) how many children to run. A TaskRunner subclass may override any.
"""

from typing import Any, Dict

import pendulum

from prefect_classic.core.edge import Edge
from prefect_classic.engine import signals
from prefect_classic.engine.runner import ENDRUN, call_state_handlers
from prefect_classic.engine.state import Failed, Mapped, Scheduled, Skipped, State, TriggerFailed
from prefect_classic.utilities.context import context as prefect_context

__all__ = ["ReadinessSteps"]


def _any_skipped(upstream_states: Dict[Edge, State]) -> bool:
    """Whether an upstream state is Skipped; the children of a Mapped state reaching a task whole
    (a reduce) count one by one (a mapped child only looks at its own upstream child)."""
    for edge, state in upstream_states.items():
        if isinstance(state, Mapped) and not edge.mapped:
            if any(s.is_skipped() for s in state.map_states):
                return True
        elif state.is_skipped():
            return True
    return False


class ReadinessSteps:
    """The readiness steps of `TaskRunner`."""

    task: Any
    logger: Any

    @call_state_handlers
    def check_upstream_finished(self, state: State, upstream_states: Dict[Edge, State]) -> State:
        """End the run (state unchanged) unless every upstream state is finished; the children
        of a Mapped upstream count one by one when this task reduces it.

        Args:
            - state (State): the current state
            - upstream_states (Dict[Edge, State]): the upstream states

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: when an upstream state is not finished
        """
        for edge, upstream in upstream_states.items():
            if isinstance(upstream, Mapped) and not edge.mapped:
                finished = all(s.is_finished() for s in upstream.map_states)
            else:
                finished = upstream.is_finished()
            if not finished:
                self.logger.debug(
                    f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                    "Not all upstream states are finished; ending run."
                )
                raise ENDRUN(state)
        return state

    @call_state_handlers
    def check_upstream_skipped(self, state: State, upstream_states: Dict[Edge, State]) -> State:
        """Skip when an upstream state is Skipped and the task has `skip_on_upstream_skip`.

        Args:
            - state (State): the current state
            - upstream_states (Dict[Edge, State]): the upstream states

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: with a Skipped state
        """
        if upstream_states and self.task.skip_on_upstream_skip and _any_skipped(upstream_states):
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                "Upstream states were skipped; ending run."
            )
            raise ENDRUN(
                state=Skipped(
                    message="Upstream task was skipped; if this was not the intended behavior, consider "
                    "changing `skip_on_upstream_skip=False` for this task."
                )
            )
        return state

    @call_state_handlers
    def check_task_ready_to_map(self, state: State, upstream_states: Dict[Edge, State]) -> State:
        """Decide a mapped parent's state: Mapped with its number of children (the shortest mapped
        input), or Failed when nothing can be mapped over. A parent that is already Mapped (a
        re-run) keeps its children and records the upstream results in `cached_inputs`.

        Args:
            - state (State): the current state
            - upstream_states (Dict[Edge, State]): the upstream states

        Raises:
            - ENDRUN: always, with the parent's state
        """
        if state.is_mapped():
            if not state.map_states and state.n_map_states > 0:  # type: ignore[attr-defined]
                state.map_states = [None] * state.n_map_states  # type: ignore[attr-defined]
            state.cached_inputs = {
                edge.key: up._result for edge, up in upstream_states.items() if edge.key
            }
            raise ENDRUN(state)
        if upstream_states and not any(
            edge.mapped and up.is_successful() for edge, up in upstream_states.items()
        ):
            raise ENDRUN(Failed("No upstream states can be mapped over."))
        lengths = []
        for edge, up in upstream_states.items():
            if not edge.mapped or not up.is_successful():
                continue
            if up.is_mapped():
                lengths.append(up.n_map_states)  # type: ignore[attr-defined]
                continue
            value = up.result
            if not hasattr(value, "__getitem__"):
                raise ENDRUN(Failed("At least one upstream state has an unmappable result."))
            lengths.append(len(value))
        raise ENDRUN(Mapped("Ready to proceed with mapping.", n_map_states=min(lengths, default=0)))

    @call_state_handlers
    def check_task_trigger(self, state: State, upstream_states: Dict[Edge, State]) -> State:
        """Call the task's trigger with the upstream states. False fails the trigger; a signal
        raised by the trigger (TRIGGERFAIL, SKIP, PAUSE...) ends the run in its state; any other
        error ends it TriggerFailed.

        Args:
            - state (State): the current state
            - upstream_states (Dict[Edge, State]): the upstream states

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: when the trigger does not pass
        """
        try:
            if not self.task.trigger(upstream_states):
                raise signals.TRIGGERFAIL(message="Trigger failed")
        except signals.PrefectStateSignal as exc:
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                f"{type(exc).__name__} signal raised during execution."
            )
            if prefect_context.get("raise_on_exception"):
                raise
            raise ENDRUN(exc.state) from exc
        except Exception as exc:
            self.logger.exception(
                f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                f"Unexpected error while evaluating task trigger: {exc!r}"
            )
            if prefect_context.get("raise_on_exception"):
                raise
            raise ENDRUN(
                TriggerFailed(f"Unexpected error while checking task trigger: {exc!r}", result=exc)
            ) from exc
        return state

    @call_state_handlers
    def check_task_is_ready(self, state: State) -> State:
        """Go on from Pending, Mapped (to regenerate the children) and Cached (to validate the
        cache) states; end the run for any other state.

        Args:
            - state (State): the current state

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: when the task is not ready to run
        """
        if state.is_pending() or state.is_mapped() or state.is_cached():
            return state
        if self.logger.isEnabledFor(10):
            name = prefect_context.get("task_full_name", self.task.name)
            if state.is_running():
                self.logger.debug(f"Task '{name}': task is already running.")
            elif state.is_finished():
                self.logger.debug(f"Task '{name}': Task is already finished.")
            else:
                self.logger.debug(
                    f"Task '{name}': Task is not ready to run or state was unrecognized ({state})."
                )
        raise ENDRUN(state)

    @call_state_handlers
    def check_task_reached_start_time(self, state: State) -> State:
        """A Scheduled state (Retrying, Paused... included) waits until its start time; one
        without a start time (a Paused state) waits until it is changed.

        Args:
            - state (State): the current state

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: when the start time is unknown or in the future
        """
        if isinstance(state, Scheduled):
            if state.start_time is None:
                self.logger.debug(
                    f"Task '{prefect_context.get('task_full_name', self.task.name)}' is "
                    "scheduled without a known start_time; ending run."
                )
                raise ENDRUN(state)
            if state.start_time > pendulum.now("utc"):
                self.logger.debug(
                    f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                    "start_time has not been reached; ending run."
                )
                raise ENDRUN(state)
        return state
