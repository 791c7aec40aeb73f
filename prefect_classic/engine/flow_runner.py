"""The flow run: walk the graph in topological order and run each task through an executor.

`FlowRunner.run` is a short pipeline of steps (`check_flow_is_pending_or_running`,
`check_flow_reached_start_time`, `set_flow_to_running`, `get_flow_run_state`), each with
Prefect 1's name and signature. `run_flow` is what `Flow.run()` does: FlowRunner passes until
every task is finished (waiting for retries), on the flow's schedule if asked.

Context keys a flow run adds: `flow_name`, `flow_run_id`, `flow_run_name`, `parameters` (the
flow's defaults, overridden by the context's, overridden by the run's), `scheduled_start_time`,
`date` (a `pendulum.DateTime`: the scheduled start, unless the context gives one; a string is
parsed) and the strings `today`,
`yesterday`, `tomorrow` (`YYYY-MM-DD`) and their `_nodash` forms, `checkpointing`; each task
run also sees `task_name`, `task_slug` and the keys of its `task_contexts` entry.
"""

import functools
import os
import time
import uuid
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Set

import pendulum

from prefect_classic.configuration import config
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.engine.caching.memory import memory_key
from prefect_classic.engine.runner import ENDRUN, Runner, call_state_handlers
from prefect_classic.engine.state import (
    Cached,
    Failed,
    Mapped,
    Paused,
    Pending,
    Resume,
    Running,
    Scheduled,
    State,
    Success,
)
from prefect_classic.executors.base import Executor
from prefect_classic.utilities import executors
from prefect_classic.utilities.context import context as prefect_context

__all__ = ["ENDRUN", "FlowRunner", "FlowRunnerInitializeResult", "run_flow", "run_task"]


class FlowRunnerInitializeResult(NamedTuple):
    """What `FlowRunner.initialize_run` returns."""

    state: State
    task_states: Dict[Task, State]
    context: Dict[str, Any]
    task_contexts: Dict[Task, Dict[str, Any]]


def run_task(
    task: Task,
    state: Optional[State],
    upstream_states: Dict[Edge, State],
    context: Optional[Dict[str, Any]],
    flow_result: Any,
    task_runner_cls: Callable,
    task_runner_state_handlers: Optional[Iterable[Callable]],
    upstream_mapped_states: Optional[Dict[Edge, list]] = None,
    is_mapped_parent: bool = False,
) -> State:
    """Run one task (or one mapped child) with a TaskRunner: what the FlowRunner submits to the
    executor.

    Args:
        - task (Task): the task
        - state (State, optional): its starting state
        - upstream_states (Dict[Edge, State]): the upstream states
        - context (dict, optional): context keys for this task run (e.g. `map_index`)
        - flow_result (Result, optional): the flow's default Result
        - task_runner_cls (type): the TaskRunner class
        - task_runner_state_handlers ([Callable], optional): runner-level state handlers
        - upstream_mapped_states (Dict[Edge, list], optional): the children of Mapped upstream
            states that reach this task whole (a reduce); they become those states' `map_states`
        - is_mapped_parent (bool, optional): compute the number of children only

    Returns:
        - State: the task run's final state
    """
    if upstream_mapped_states:
        for edge, upstream in upstream_states.items():
            if not edge.mapped and isinstance(upstream, Mapped):
                upstream.map_states = upstream_mapped_states.get(edge, upstream.map_states)
                upstream.result = [s.result for s in upstream.map_states]
    runner = task_runner_cls(
        task=task, state_handlers=task_runner_state_handlers, flow_result=flow_result
    )
    return runner.run(
        state=state,
        upstream_states=upstream_states,
        context=context,
        is_mapped_parent=is_mapped_parent,
    )


def _date_keys(now: pendulum.DateTime) -> Dict[str, Any]:
    yesterday, tomorrow = now.add(days=-1), now.add(days=1)
    return {
        "date": now,
        "today": now.strftime("%Y-%m-%d"),
        "yesterday": yesterday.strftime("%Y-%m-%d"),
        "tomorrow": tomorrow.strftime("%Y-%m-%d"),
        "today_nodash": now.strftime("%Y%m%d"),
        "yesterday_nodash": yesterday.strftime("%Y%m%d"),
        "tomorrow_nodash": tomorrow.strftime("%Y%m%d"),
    }


def _default_executor() -> Any:
    from prefect_classic.engine import get_default_executor_class

    return get_default_executor_class()()


class FlowRunner(Runner):
    """Runs a flow: every task in topological order through an executor.

    Args:
        - flow (Flow): the flow
        - task_runner_cls (type, optional): the TaskRunner class (default: config
            `engine.task_runner.default_class`)
        - state_handlers (Iterable[Callable], optional): `handler(runner, old, new)` handlers,
            called after the flow's own on every flow state change
    """

    def __init__(
        self,
        flow: Any,
        task_runner_cls: Optional[type] = None,
        state_handlers: Optional[Iterable[Callable]] = None,
    ):
        self.flow = flow
        if task_runner_cls is None:
            from prefect_classic.engine import get_default_task_runner_class

            task_runner_cls = get_default_task_runner_class()
        self.task_runner_cls = task_runner_cls
        super().__init__(state_handlers=state_handlers)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.flow.name}>"

    def call_runner_target_handlers(self, old_state: State, new_state: State) -> State:
        """Call the flow's state handlers (`handler(flow, old, new)`).

        Returns:
            - State: the new state, possibly replaced
        """
        self.logger.debug(
            f"Flow '{self.flow.name}': Handling state change from "
            f"{type(old_state).__name__} to {type(new_state).__name__}"
        )
        for handler in self.flow.state_handlers:
            new_state = handler(self.flow, old_state, new_state) or new_state
        return new_state

    def initialize_run(  # type: ignore[override]
        self,
        state: Optional[State],
        task_states: Dict[Task, State],
        context: Dict[str, Any],
        task_contexts: Dict[Task, Dict[str, Any]],
        parameters: Dict[str, Any],
    ) -> FlowRunnerInitializeResult:
        """Fill the run's context (parameters, flow name, date keys) and each task's context
        (`task_name`, `task_slug`). Keys already in the given or the current context are kept.

        Args:
            - state (State, optional): the flow's starting state (default Pending)
            - task_states (Dict[Task, State]): starting task states
            - context (dict): context keys for the run (updated in place)
            - task_contexts (Dict[Task, dict]): context keys per task (updated in place)
            - parameters (dict): parameter values

        Returns:
            - FlowRunnerInitializeResult: state, task states, context and task contexts
        """
        outer = prefect_context
        params = context.get("parameters") if "parameters" in context else outer.get("parameters")
        params = dict(params or {})
        for param in self.flow.parameters():
            if not param.required:
                params.setdefault(param.name, param.default)
        params.update(parameters or {})
        context["parameters"] = params
        context["flow_name"] = self.flow.name
        if "scheduled_start_time" in context:
            scheduled = context["scheduled_start_time"]
        else:
            scheduled = outer.get("scheduled_start_time")
            if scheduled is None:
                # a Scheduled starting state says when this run was meant to start
                start = getattr(state, "start_time", None) if isinstance(state, Scheduled) else None
                scheduled = context["scheduled_start_time"] = start or pendulum.now("utc")

        now = context["date"] if "date" in context else outer.get("date")
        if isinstance(now, str):  # e.g. typed in a UI: parse it, and keep the parsed value
            try:
                now = context["date"] = pendulum.parse(now)
            except Exception:
                pass
        if not isinstance(now, pendulum.DateTime):
            if now is not None:
                self.logger.warning(
                    "`date` was set in the context manually but could not be parsed into a pendulum "
                    "`DateTime` object. Additional context variables that rely on the current date i.e "
                    "`today` and `tomorrow` will be based on the current time instead of the `date` "
                    "context variable."
                )
            # the date keys follow the scheduled start (the schedule's event time, else now)
            now = scheduled if isinstance(scheduled, pendulum.DateTime) else pendulum.now("utc")
        for key, value in _date_keys(now).items():
            if key not in context and key not in outer:
                context[key] = value
        if "checkpointing" not in context and "checkpointing" not in outer:
            context["checkpointing"] = config.flows.checkpointing

        slugs = self.flow.slugs
        for task in self.flow.tasks:
            task_ctx = task_contexts.get(task)
            if task_ctx is None:
                task_contexts[task] = {
                    "task_name": task.name,
                    "task_slug": slugs.get(task, task.slug),
                }
            else:
                task_ctx["task_name"] = task.name
                task_ctx["task_slug"] = slugs.get(task, task.slug)
        state, context = super().initialize_run(state, context)
        return FlowRunnerInitializeResult(
            state=state, task_states=task_states, context=context, task_contexts=task_contexts
        )

    def run(
        self,
        state: Optional[State] = None,
        task_states: Optional[Dict[Task, State]] = None,
        return_tasks: Optional[Iterable[Task]] = None,
        parameters: Optional[Dict[str, Any]] = None,
        task_runner_state_handlers: Optional[Iterable[Callable]] = None,
        executor: Any = None,
        context: Optional[Dict[str, Any]] = None,
        task_contexts: Optional[Dict[Task, Dict[str, Any]]] = None,
    ) -> State:
        """Run the flow once: every task that can run now.

        Args:
            - state (State, optional): the flow's starting state (default Pending)
            - task_states (Dict[Task, State], optional): starting states of tasks (resume/retry)
            - return_tasks ([Task], optional): tasks whose states go in `state.result`
            - parameters (dict, optional): parameter values
            - task_runner_state_handlers ([Callable], optional): handlers for every TaskRunner
            - executor (Executor, optional): where tasks run (default: the flow's, else config)
            - context (dict, optional): context keys for the run (over the current context)
            - task_contexts (Dict[Task, dict], optional): context keys per task

        Returns:
            - State: the flow's state: Success/Failed when the terminal tasks finished, else the
                Running state holding the task states so far
        """
        self.logger.info(f"Beginning Flow run for '{self.flow.name}'")
        parameters = dict(parameters or {})
        task_states = dict(task_states or {})
        task_contexts = dict(task_contexts or {})
        run_context = dict(context or {})
        if executor is None:
            executor = getattr(self.flow, "executor", None) or _default_executor()
        self.logger.debug("Using executor type %s", type(executor).__name__)
        try:
            state, task_states, run_context, task_contexts = self.initialize_run(
                state=state,
                task_states=task_states,
                context=run_context,
                task_contexts=task_contexts,
                parameters=parameters,
            )
            with prefect_context(run_context):
                state = self.check_flow_is_pending_or_running(state)
                state = self.check_flow_reached_start_time(state)
                state = self.set_flow_to_running(state)
                state = self.get_flow_run_state(
                    state,
                    task_states=task_states,
                    task_contexts=task_contexts,
                    return_tasks=return_tasks,
                    task_runner_state_handlers=task_runner_state_handlers,
                    executor=executor,
                )
        except ENDRUN as exc:
            state = exc.state
        except Exception as exc:
            message = f"Unexpected error while running flow: {exc!r}"
            self.logger.exception(message)
            if run_context.get("raise_on_exception") or prefect_context.get("raise_on_exception"):
                raise
            state = self.handle_state_change(
                state or Pending(), Failed(message=message, result=exc)
            )
        return state

    @contextmanager
    def check_for_cancellation(self) -> Iterator[None]:
        """The block of a flow run that can be cancelled (nothing cancels a local run)."""
        yield

    # --- steps ------------------------------------------------------------------------------------
    @call_state_handlers
    def check_flow_reached_start_time(self, state: State) -> State:
        """A Scheduled flow state with a start time in the future ends the run unchanged.

        Args:
            - state (State): the flow's state

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: when the start time is in the future
        """
        if (
            isinstance(state, Scheduled)
            and state.start_time
            and state.start_time > pendulum.now("utc")
        ):
            self.logger.debug(
                f"Flow '{self.flow.name}': start_time has not been reached; ending run."
            )
            raise ENDRUN(state)
        return state

    @call_state_handlers
    def check_flow_is_pending_or_running(self, state: State) -> State:
        """Only Pending and Running flow states go on (several runs of one flow run may overlap).

        Args:
            - state (State): the flow's state

        Returns:
            - State: the state, unchanged

        Raises:
            - ENDRUN: for any other state
        """
        if state.is_finished():
            self.logger.info("Flow run has already finished.")
            raise ENDRUN(state)
        if not (state.is_pending() or state.is_running()):
            self.logger.info("Flow is not ready to run.")
            raise ENDRUN(state)
        return state

    @call_state_handlers
    def set_flow_to_running(self, state: State) -> State:
        """Pending -> Running; Running stays Running.

        Args:
            - state (State): the flow's state

        Returns:
            - State: Running

        Raises:
            - ENDRUN: for any other state
        """
        if state.is_pending():
            return Running(message="Running flow.")
        if state.is_running():
            return state
        raise ENDRUN(state)

    @executors.run_with_heartbeat
    @call_state_handlers
    def get_flow_run_state(
        self,
        state: State,
        task_states: Dict[Task, State],
        task_contexts: Dict[Task, Dict[str, Any]],
        return_tasks: Optional[Iterable[Task]],
        task_runner_state_handlers: Optional[Iterable[Callable]],
        executor: Any,
    ) -> State:
        """Submit every task that can run, in topological order, wait for the ones that decide
        the flow's state, and decide it (`determine_final_state`).

        Finished tasks are not run again, except Cached ones (to check the cache), Mapped ones (to
        regenerate their children) and resource setup/cleanup and secret tasks (rerun unless
        Cached). Constant tasks take their value without running. A mapped task runs its parent
        first (which decides the number of children), then one task run per child.

        Args:
            - state (State): the flow's state (Running)
            - task_states (Dict[Task, State]): starting task states (updated in place)
            - task_contexts (Dict[Task, dict]): context keys per task
            - return_tasks ([Task], optional): tasks whose states go in the result
            - task_runner_state_handlers ([Callable], optional): handlers for every TaskRunner
            - executor (Executor): where the task runs happen

        Returns:
            - State: the flow's new state

        Raises:
            - ENDRUN: when the flow is not Running
            - ValueError: when a return task is not in the flow
        """
        from prefect_classic.engine.results import ConstantResult
        from prefect_classic.tasks.core.constants import Constant
        from prefect_classic.tasks.core.resource_manager import (
            ResourceCleanupTask,
            ResourceSetupTask,
        )
        from prefect_classic.tasks.secrets import SecretBase

        if not state.is_running():
            self.logger.info("Flow is not in a Running state.")
            raise ENDRUN(state)
        return_tasks = set(return_tasks or ())
        flow = self.flow
        if return_tasks.difference(flow.tasks):
            raise ValueError("Some tasks in return_tasks were not found in the flow.")
        rerun_types = (ResourceSetupTask, ResourceCleanupTask, SecretBase)
        flow_result = flow.result
        runner_cls = self.task_runner_cls
        upstream_index = flow._edge_index()[0]
        constants = flow.constants
        # the children (states or futures) of each mapped task; kept apart from the Mapped state
        # so that futures are never shipped inside a state
        mapped_children: Dict[Task, list] = {}

        with self.check_for_cancellation(), executor.start():
            for task in flow.sorted_tasks():
                task_state = task_states.get(task)
                if task_state is None and isinstance(task, Constant):
                    task_states[task] = task_state = Success(result=task.value)
                if (
                    isinstance(task, rerun_types)
                    and isinstance(task_state, State)
                    and task_state.is_finished()
                    and not task_state.is_cached()
                ):
                    task_states[task] = task_state = Pending()
                if (
                    isinstance(task_state, State)
                    and task_state.is_finished()
                    and not task_state.is_cached()
                    and not task_state.is_mapped()
                ):
                    continue

                upstream_states: Dict[Edge, Any] = {}
                reduced_children: Dict[Edge, list] = {}  # children of Mapped upstreams taken whole
                is_mapped = False
                for edge in upstream_index[task]:
                    is_mapped = is_mapped or edge.mapped
                    upstream = task_states.get(edge.upstream_task)
                    if upstream is None:
                        upstream = Pending(message="Task state not available.")
                    if edge.flattened and not isinstance(upstream, Mapped):
                        upstream = (
                            executors.flatten_upstream_state(upstream)
                            if isinstance(upstream, State)
                            else executor.submit(executors.flatten_upstream_state, upstream)
                        )
                    upstream_states[edge] = upstream
                    if not edge.mapped and isinstance(upstream, Mapped):
                        children = mapped_children.get(edge.upstream_task, [])
                        if edge.flattened:
                            children = executors.flatten_mapped_children(children, executor)
                        reduced_children[edge] = children
                task_constants = constants.get(task)
                if task_constants:
                    for key, value in task_constants.items():
                        upstream_states[Edge(Constant(value), task, key=key)] = Success(
                            "Auto-generated constant value", result=ConstantResult(value=value)
                        )
                task_ctx = task_contexts.get(task) or {}

                shared = {  # what the task's run and its children's runs have in common
                    "task": task,
                    "flow_result": flow_result,
                    "task_runner_cls": runner_cls,
                    "task_runner_state_handlers": task_runner_state_handlers,
                    "upstream_mapped_states": reduced_children,
                }
                extra_context = {"task_name": task.name, "task_tags": task.tags, "task_index": None}
                if not is_mapped:
                    task_states[task] = executor.submit(
                        run_task,
                        state=task_state,
                        upstream_states=upstream_states,
                        context=task_ctx,
                        extra_context=extra_context,
                        **shared,
                    )
                    continue

                # a mapped task: its upstream states decide how many children (depth first)
                upstream_states = executor.wait(upstream_states)
                parent = executor.wait(
                    executor.submit(
                        run_task,
                        state=task_state,
                        upstream_states=upstream_states,
                        context=task_ctx,
                        is_mapped_parent=True,
                        extra_context=extra_context,
                        **shared,
                    )
                )
                task_states[task] = parent
                prior_children = task_state.map_states if isinstance(task_state, Mapped) else None
                child_upstreams = executors.iter_upstream_states_for_mapping(
                    parent, upstream_states, mapped_children, executor
                )
                submit_many = (
                    executor.submit_many
                    if isinstance(executor, Executor)
                    else functools.partial(Executor.submit_many, executor)
                )  # duck-typed executors
                submitted = submit_many(
                    run_task,
                    _ChildCalls(
                        child_upstreams,
                        task_state,
                        prior_children,
                        task_ctx,
                        parent.n_map_states if isinstance(parent, Mapped) else 0,
                    ),
                    extra_context={"task_name": task.name, "task_tags": task.tags},
                    **shared,
                )
                if isinstance(parent, Mapped):
                    mapped_children[task] = submitted

            # terminal tasks decide whether the flow run is finished; reference tasks its state
            terminal_tasks = flow.terminal_tasks()
            reference_tasks = flow.reference_tasks()
            final_tasks = terminal_tasks | reference_tasks | return_tasks
            final_states = executor.wait(
                {
                    t: task_states[t]
                    if t in task_states
                    else Pending("Task not evaluated by FlowRunner.")
                    for t in final_tasks
                }
            )
            every_final_state: Dict[Task, Any] = dict(final_states)
            for t, s in final_states.items():
                if s.is_mapped():
                    if t in mapped_children:
                        s.map_states = executor.wait(mapped_children[t])
                    s.result = [child.result for child in s.map_states]
                    every_final_state[t] = s.map_states

        key_states = set(_states_of(every_final_state, reference_tasks))
        terminal_states = set(_states_of(every_final_state, terminal_tasks))
        return_states = {t: final_states[t] for t in return_tasks}
        return self.determine_final_state(
            state=state,
            key_states=key_states,
            return_states=return_states,
            terminal_states=terminal_states,
        )

    def determine_final_state(
        self,
        state: State,
        key_states: Set[State],
        return_states: Dict[Task, State],
        terminal_states: Set[State],
    ) -> State:
        """The flow's state: still Running until every terminal task has finished; then Failed when
        a reference task failed, else Success. The flow's `terminal_state_handler`, when set, may
        replace that state.

        Args:
            - state (State): the flow's current state
            - key_states (Set[State]): the reference tasks' states (mapped children included)
            - return_states (Dict[Task, State]): the states to return in the result
            - terminal_states (Set[State]): the terminal tasks' states (mapped children included)

        Returns:
            - State: the flow's state
        """
        if not all(s.is_finished() for s in terminal_states):
            self.logger.info("Flow run RUNNING: terminal tasks are incomplete.")
            state.result = return_states
        elif any(s.is_failed() for s in key_states):
            self.logger.info("Flow run FAILED: some reference tasks failed.")
            state = Failed(message="Some reference tasks failed.", result=return_states)
        elif all(s.is_successful() for s in key_states):
            self.logger.info("Flow run SUCCESS: all reference tasks succeeded")
            state = Success(message="All reference tasks succeeded.", result=return_states)
        else:
            self.logger.info("Flow run SUCCESS: no reference tasks failed")
            state = Success(message="No reference tasks failed.", result=return_states)
        handler = getattr(self.flow, "terminal_state_handler", None)
        if handler:
            new_state = handler(self.flow, state, key_states)
            if new_state is not None:
                return new_state
        return state


class _ChildCalls:
    """The per-child arguments of `run_task` for a mapped task, made lazily (one child at a time
    when iterated): the child's starting state (its earlier state when the task was Mapped
    before), its upstream states and its context (`map_index`). `len()` is the number of children
    the mapped parent announced (executors size their batches by it)."""

    def __init__(
        self,
        children: Iterator[Dict[Edge, Any]],
        task_state: Any,
        prior_children: Optional[list],
        task_ctx: Dict[str, Any],
        expected: int,
    ):
        self._children = children
        self._task_state = task_state
        self._prior_children = prior_children
        self._task_ctx = task_ctx
        self._expected = expected

    def __len__(self) -> int:
        return self._expected

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        prior_children, task_ctx = self._prior_children, self._task_ctx
        for index, child_upstream in enumerate(self._children):
            if prior_children is None:
                current = self._task_state
            else:
                current = prior_children[index] if index < len(prior_children) else None
            yield {
                "state": current,
                "upstream_states": child_upstream,
                "context": {**task_ctx, "map_index": index},
            }


def _states_of(states: Dict[Task, Any], tasks: Iterable[Task]) -> Iterator[State]:
    """The states of `tasks`, with a mapped task's children in place of its Mapped state."""
    for t in tasks:
        found = states[t]
        if isinstance(found, list):
            yield from (s for s in found if s is not None)
        else:
            yield found


# --- Flow.run ---------------------------------------------------------------------------------------
def run_flow(
    flow: Any,
    parameters: Optional[Dict[str, Any]] = None,
    run_on_schedule: Optional[bool] = None,
    runner_cls: Optional[type] = None,
    **kwargs: Any,
) -> State:
    """What `Flow.run()` does: run until every task is finished, waiting for retries; with a
    schedule (and `run_on_schedule`), do that at each scheduled time. After each flow run, the
    Cached states of tasks with `cache_for` join the process's output caches.

    Args:
        - flow (Flow): the flow
        - parameters (dict, optional): parameter values
        - run_on_schedule (bool, optional): follow the flow's schedule (default: config
            `flows.run_on_schedule`)
        - runner_cls (type, optional): the FlowRunner class (default: config)
        - **kwargs: keywords naming a flow parameter are parameter values; the others go to
            `FlowRunner.run` (`executor`, `state`, `task_states`, `context`, `task_contexts`, ...)

    Returns:
        - State: the final state of the (last) flow run; `state.result` maps every task to its state

    Raises:
        - ValueError: for parameters the flow does not have, required parameters without a
            value, or a `return_tasks` keyword (flow.run always returns every task)
    """
    if "return_tasks" in kwargs:
        raise ValueError(
            "The `return_tasks` keyword cannot be provided to `flow.run()`; all task states are always "
            "returned. If you want to receive a subset of task states, use a FlowRunner directly."
        )
    flow_params = flow.parameters()
    known = {p.name for p in flow_params}
    parameters = dict(parameters or {})
    for name in known & set(kwargs):
        parameters[name] = kwargs.pop(name)
    unknown = [name for name in parameters if name not in known]
    if unknown:
        raise ValueError(
            f"Flow.run received the following unexpected parameters: {', '.join(unknown)}"
        )
    missing = sorted(p.name for p in flow_params if p.required and p.name not in parameters)
    if missing:
        raise ValueError(
            f"Flow.run did not receive the following required parameters: {', '.join(missing)}"
        )
    if runner_cls is None:
        from prefect_classic.engine import get_default_flow_runner_class

        runner_cls = get_default_flow_runner_class()
    if run_on_schedule is None:
        run_on_schedule = bool(config.flows.run_on_schedule)
    if flow.schedule is not None and run_on_schedule:
        from prefect_classic.schedules.runner import run_on_schedule as scheduled

        return scheduled(
            flow,
            lambda start, defaults: _run_until_finished(
                flow, runner_cls, {**parameters, **defaults}, start, dict(kwargs)
            ),
        )
    return _run_until_finished(flow, runner_cls, parameters, None, kwargs)


def _run_until_finished(
    flow: Any,
    runner_cls: type,
    parameters: Dict[str, Any],
    scheduled_start: Optional[pendulum.DateTime],
    kwargs: Dict[str, Any],
) -> State:
    """One local flow run from `Scheduled`: FlowRunner passes until the flow run is finished (or a
    Paused task is not approved), sleeping until the earliest Retrying/Scheduled start time
    between passes; then the output caches are updated."""
    kwargs = dict(kwargs)
    start_time = scheduled_start or pendulum.now("utc")
    state: State = kwargs.pop("state", None) or Scheduled(start_time=start_time, result={})
    if not isinstance(state.result, dict):
        state.result = {}
    state.result.update(kwargs.pop("task_states", None) or {})
    run_context = dict(kwargs.pop("context", None) or {})
    run_context.setdefault("flow_run_id", kwargs.pop("flow_run_id", None) or str(uuid.uuid4()))
    run_context.setdefault("flow_run_name", kwargs.pop("flow_run_name", None) or str(uuid.uuid4()))
    run_context["scheduled_start_time"] = start_time
    run_context["flow_id"] = flow.name
    given_contexts = kwargs.pop("task_contexts", None) or {}
    slugs = getattr(flow, "slugs", {})
    failed_to_start = False
    if state.is_scheduled():  # wait for the flow run's start time (as Prefect 1 does)
        time.sleep(max((start_time - pendulum.now("utc")).total_seconds(), 0))
    while not state.is_finished():
        task_contexts = {}
        for t in flow.tasks:
            ctx = dict(given_contexts.get(t) or ())
            ctx["task_run_id"] = _uuid4_str()
            ctx["task_id"] = slugs.get(t, t.slug)
            task_contexts[t] = ctx
        runner = runner_cls(flow=flow)
        state = runner.run(
            state=state,
            parameters=parameters,
            task_states=state.result,
            return_tasks=flow.tasks,
            context=run_context,
            task_contexts=task_contexts,
            **kwargs,
        )
        if not isinstance(state.result, dict) or state.is_scheduled():
            failed_to_start = True  # e.g. initialize_run failed: do not loop forever
            break
        if state.is_finished():
            break
        if not _approve_paused(state.result, runner.logger):
            break
        next_start = _next_start(state.result.values())
        if next_start is None:
            break
        if next_start > pendulum.now("utc"):
            runner.logger.info(f"Waiting for next available Task run at {next_start}")
        _sleep_until(next_start)
    if not failed_to_start and isinstance(state.result, dict):
        _update_output_caches(state.result, run_context["flow_run_id"])
    if not state._result or state.result is None:
        state.result = {}
    elif isinstance(state.result, Exception):
        flow.logger.error(f"Unexpected error occured in {runner_cls.__name__}: {state.result!r}")
        return state
    if isinstance(state.result, dict):
        for t in flow.tasks:
            if t not in state.result:
                state.result[t] = Pending(message="Task not run.")
    return state


def _update_output_caches(task_states: Dict[Task, State], flow_run_id: str) -> None:
    """Keep the unexpired Cached states of this flow run in the output caches, under each task's
    `cache_key` (or name), dropping expired entries. Cache hits of this run (states that another
    run cached, maybe copied back from a worker process) are not added again."""
    caches = prefect_context.get("caches")
    if caches is None:
        return
    now = pendulum.now("utc")
    for task, state in task_states.items():
        if isinstance(state, Cached):
            fresh: List[State] = [state]
        elif isinstance(state, Mapped):
            fresh = [s for s in state.map_states if s is not None and s.is_cached()]
        else:
            continue
        fresh = [s for s in fresh if s.context.get("flow_run_id", flow_run_id) == flow_run_id]
        if not fresh:
            continue
        key = memory_key(task)
        known = caches.get(key)
        kept: List[State] = []
        seen: Set[int] = set()
        for s in (known or []) + fresh:
            expiration = getattr(s, "cached_result_expiration", None)
            if expiration is not None and expiration > now and id(s) not in seen:
                seen.add(id(s))
                kept.append(s)
        caches[key] = kept


def _next_start(states: Iterable[State]) -> Optional[pendulum.DateTime]:
    times = []
    for s in states:
        for child in s.map_states if isinstance(s, Mapped) else [s]:
            start = getattr(child, "start_time", None)
            if start is not None and child.is_scheduled() and not isinstance(child, Paused):
                times.append(start)
    return min(times) if times else None


def _sleep_until(when: Any) -> None:
    time.sleep(max((when - pendulum.now("utc")).total_seconds(), 0))


def _uuid4_str() -> str:
    """`str(uuid.uuid4())` at a third of the cost: 16 random bytes with the version-4 and
    RFC 4122 variant bits set (one per task run id of every flow run)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _approve_paused(task_states: Dict[Task, State], logger: Any) -> bool:
    """Ask on stdin whether each Paused task may resume (Prefect 1's local behaviour).

    Returns:
        - bool: False when a Paused task was not approved (the run stops there)
    """
    for t, s in list(task_states.items()):
        if isinstance(s, Paused):
            try:
                answer = input(f"{t} is currently Paused; enter 'y' to resume:\n")
            except (EOFError, OSError):
                answer = ""
            if answer.strip().lower() != "y":
                logger.info(f"Task '{t.name}' was not approved to resume; ending the flow run.")
                return False
            task_states[t] = Resume("Approval given to resume.")
    return True
