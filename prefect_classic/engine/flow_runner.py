"""The flow run: walk the graph in topological order and run each task through an executor."""
import datetime
import os
import time
import uuid
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Set

import pendulum

from prefect_classic.configuration import config
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.engine.runner import ENDRUN, Runner
from prefect_classic.engine.state import (
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
from prefect_classic.engine.task_runner import TaskRunner
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.logging import get_logger

__all__ = ["FlowRunner", "FlowRunnerInitializeResult", "run_flow", "run_task"]


class FlowRunnerInitializeResult(NamedTuple):
    """What `FlowRunner.initialize_run` returns."""

    state: State
    task_states: Dict[Task, State]
    context: Dict[str, Any]
    task_contexts: Dict[Task, Dict[str, Any]]


def run_task(task: Task, state: Optional[State] = None, upstream_states: Optional[Dict[Edge, State]] = None,
             context: Optional[Dict[str, Any]] = None, flow_result: Any = None,
             task_runner_cls: Optional[type] = None, task_runner_state_handlers: Optional[List[Callable]] = None,
             constants: Optional[Dict[str, Any]] = None, is_mapped_parent: bool = False) -> State:
    """Run one task (or one mapped child) with a TaskRunner: what executors call.

    Args:
        - task (Task): the task
        - state (State, optional): its starting state
        - upstream_states (Dict[Edge, State], optional): the upstream states
        - context (dict, optional): extra context (e.g. `map_index`)
        - flow_result (Result, optional): the flow's default Result
        - task_runner_cls (type, optional): the TaskRunner class
        - task_runner_state_handlers ([Callable], optional): runner-level state handlers
        - constants (dict, optional): plain-value arguments
        - is_mapped_parent (bool, optional): compute the children count only

    Returns:
        - State: the task run's final state
    """
    runner = (task_runner_cls or TaskRunner)(task, state_handlers=task_runner_state_handlers, flow_result=flow_result)
    return runner.run(state=state, upstream_states=upstream_states, context=context,
                      is_mapped_parent=is_mapped_parent, constants=constants)


def _date_keys(now: pendulum.DateTime) -> Dict[str, Any]:
    return {
        "date": now,
        "today": now.strftime("%Y-%m-%d"),
        "yesterday": now.add(days=-1).strftime("%Y-%m-%d"),
        "tomorrow": now.add(days=1).strftime("%Y-%m-%d"),
        "today_nodash": now.strftime("%Y%m%d"),
        "yesterday_nodash": now.add(days=-1).strftime("%Y%m%d"),
        "tomorrow_nodash": now.add(days=1).strftime("%Y%m%d"),
    }


def _element_state(state: State, index: int) -> State:
    return Success(result=state._result.from_value(state.result[index]))


def _flattened_state(state: State) -> State:
    """`state` with its list-of-lists result flattened by one level (done once per mapped task,
    not once per child)."""
    from prefect_classic.engine.task_runner import _flatten_one

    return Success(result=state._result.from_value(_flatten_one(state.result)))


def _flatten_mapped(state: Mapped) -> Mapped:
    """A Mapped state whose children are the grandchildren of `state`: one Success per item of
    each successful child's list result (unsuccessful children stay as they are, so their
    failure reaches the downstream children)."""
    children: List[State] = []
    for child in state.map_states:
        value = child.result if child.is_successful() else None
        if isinstance(value, (list, tuple)):
            children.extend(Success(result=child._result.from_value(item)) for item in value)
        else:
            children.append(child)
    return Mapped(state.message, map_states=children, result=[c.result for c in children])


def _default_executor() -> Any:
    from prefect_classic.utilities.importing import import_object

    return import_object(config.engine.executor.default_class)()


class FlowRunner(Runner):
    """Runs a flow: every task in topological order through an executor.

    Args:
        - flow (Flow): the flow
        - task_runner_cls (type, optional): the TaskRunner class
        - state_handlers (Iterable[Callable], optional): `handler(runner, old, new)` handlers
    """

    def __init__(self, flow: Any, task_runner_cls: Optional[type] = None,
                 state_handlers: Optional[Iterable[Callable]] = None):
        super().__init__(state_handlers=state_handlers)
        self.flow = flow
        if task_runner_cls is None:
            from prefect_classic.utilities.importing import import_object

            task_runner_cls = import_object(config.engine.task_runner.default_class)
        self.task_runner_cls = task_runner_cls
        self.logger = get_logger("FlowRunner")

    def __repr__(self) -> str:
        return f"<FlowRunner: {self.flow.name}>"

    def call_runner_target_handlers(self, old_state: State, new_state: State) -> State:
        """Call the flow's state handlers (`handler(flow, old, new)`).

        Returns:
            - State: the new state, possibly replaced
        """
        self.logger.debug(f"Flow '{self.flow.name}': Handling state change from "
                          f"{type(old_state).__name__} to {type(new_state).__name__}")
        for handler in self.flow.state_handlers:
            new_state = handler(self.flow, old_state, new_state) or new_state
        return new_state

    def initialize_run(self, state: Optional[State], task_states: Dict[Task, State],  # type: ignore[override]
                       context: Dict[str, Any], task_contexts: Dict[Task, Dict[str, Any]],
                       parameters: Dict[str, Any]) -> FlowRunnerInitializeResult:
        """Fill the run's context: flow name and id, parameters, date keys, checkpointing.

        Returns:
            - FlowRunnerInitializeResult: state, task states, context and task contexts
        """
        state = state or Pending()
        context = dict(context)
        params = dict(context.get("parameters") or {})
        for param in self.flow.parameters():
            if not param.required:
                params.setdefault(param.name, param.default)
        params.update(parameters)
        context["parameters"] = params
        context["flow_name"] = self.flow.name
        context.setdefault("flow_run_id", str(uuid.uuid4()))
        context.setdefault("flow_run_name", context["flow_run_id"])
        context.setdefault("checkpointing", prefect_context.get("checkpointing", config.flows.checkpointing))
        now = pendulum.now("utc")
        if isinstance(state, Scheduled) and state.start_time:
            context.setdefault("scheduled_start_time", state.start_time)
        context.setdefault("scheduled_start_time", now)
        for key, value in _date_keys(context["scheduled_start_time"]).items():
            context.setdefault(key, value)
        context.setdefault("caches", prefect_context.get("caches"))
        return FlowRunnerInitializeResult(state, dict(task_states), context, dict(task_contexts))

    def run(self, state: Optional[State] = None, task_states: Optional[Dict[Task, State]] = None,
            return_tasks: Optional[Iterable[Task]] = None, parameters: Optional[Dict[str, Any]] = None,
            task_runner_state_handlers: Optional[Iterable[Callable]] = None, executor: Any = None,
            context: Optional[Dict[str, Any]] = None,
            task_contexts: Optional[Dict[Task, Dict[str, Any]]] = None) -> State:
        """Run the flow once: every task that can run now.

        Args:
            - state (State, optional): the flow's starting state (default Pending)
            - task_states (Dict[Task, State], optional): starting states of tasks (resume/retry)
            - return_tasks ([Task], optional): tasks whose states go in `state.result`
            - parameters (dict, optional): parameter values
            - task_runner_state_handlers ([Callable], optional): handlers for every TaskRunner
            - executor (Executor, optional): where tasks run (default: the flow's, else config)
            - context (dict, optional): extra context for the run
            - task_contexts (Dict[Task, dict], optional): extra context per task

        Returns:
            - State: the flow's state: Success/Failed when every task finished, else Running
        """
        return_tasks = set(return_tasks or ())
        if return_tasks - self.flow.tasks:
            raise ValueError("Some tasks in return_tasks were not found in the flow.")
        parameters = dict(parameters or {})
        executor = executor or self.flow.executor or _default_executor()
        state, task_states, ctx, task_contexts = self.initialize_run(
            state, task_states or {}, context or {}, task_contexts or {}, parameters)
        with prefect_context(ctx):
            self.logger.info(f"Beginning Flow run for '{self.flow.name}'")
            steps = [self.check_flow_is_pending_or_running, self.check_flow_reached_start_time,
                     self.check_required_parameters, self.set_flow_to_running]
            state = self.run_steps(state, steps)
            if state.is_running():
                try:
                    with executor.start():
                        new_state = self.get_flow_run_state(
                            state, task_states, task_contexts, return_tasks,
                            list(task_runner_state_handlers or []), executor)
                except ENDRUN as exc:
                    new_state = exc.state
                except Exception as exc:
                    msg = f"Unexpected error while running flow: {exc!r}"
                    self.logger.exception(msg)
                    if prefect_context.get("raise_on_exception"):
                        raise
                    new_state = Failed(msg, result=exc)
                if new_state is not state:
                    try:
                        new_state = self.handle_state_change(state, new_state)
                    except ENDRUN as exc:
                        new_state = exc.state
                state = new_state
        return state

    # --- steps ------------------------------------------------------------------------------------
    def check_flow_is_pending_or_running(self, state: State) -> State:
        """Only Pending and Running flow states go on."""
        if state.is_pending() or state.is_running():
            return state
        self.logger.info("Flow run has already finished.")
        raise ENDRUN(state)

    def check_flow_reached_start_time(self, state: State) -> State:
        """A Scheduled flow state in the future ends the run unchanged."""
        if isinstance(state, Scheduled) and state.start_time and state.start_time > pendulum.now("utc"):
            self.logger.debug(f"Flow '{self.flow.name}': start_time has not been reached; ending run.")
            raise ENDRUN(state)
        return state

    def check_required_parameters(self, state: State) -> State:
        """Fail the run when a required parameter has no value."""
        given = prefect_context.get("parameters") or {}
        missing = sorted(p.name for p in self.flow.parameters() if p.required and p.name not in given)
        if missing:
            raise ENDRUN(Failed(f"Required parameters were not provided: {', '.join(missing)}"))
        return state

    def set_flow_to_running(self, state: State) -> State:
        """Pending -> Running."""
        if state.is_pending():
            return Running(message="Running flow.")
        return state

    def get_flow_run_state(self, state: State, task_states: Dict[Task, State],
                           task_contexts: Dict[Task, Dict[str, Any]], return_tasks: Set[Task],
                           task_runner_state_handlers: List[Callable], executor: Any) -> State:
        """Run (submit) every task in order, wait for them, and decide the flow's state.

        Returns:
            - State: the flow's new state
        """
        flow = self.flow
        flow_result = flow.result
        runner_cls = self.task_runner_cls
        constants = flow.constants
        for task in flow.sorted_tasks():
            prior = task_states.get(task)
            if prior is not None and prior.is_finished() and not prior.is_cached() and not prior.is_mapped():
                continue
            upstream_states = {e: task_states.get(e.upstream_task) or Pending() for e in flow._upstream[task]}
            task_ctx = task_contexts.get(task)
            if any(e.mapped for e in upstream_states):
                task_states[task] = self._run_mapped(task, prior, upstream_states, task_ctx, executor,
                                                     flow_result, task_runner_state_handlers)
                continue
            for edge, up in upstream_states.items():
                if not edge.mapped and isinstance(up, Mapped):
                    upstream_states[edge] = self._resolve_mapped(up, executor)
            task_states[task] = executor.submit(
                run_task, task=task, state=prior, upstream_states=upstream_states, context=task_ctx,
                flow_result=flow_result, task_runner_cls=runner_cls,
                task_runner_state_handlers=task_runner_state_handlers, constants=constants.get(task),
                extra_context={"task_name": task.name, "task_slug": flow.slugs.get(task, task.slug)},
            )
        final_states = executor.wait(task_states)
        for s in final_states.values():
            if isinstance(s, Mapped):
                self._resolve_mapped(s, executor)
        return self.determine_final_state(state, final_states, return_tasks)

    def _resolve_mapped(self, state: Mapped, executor: Any) -> Mapped:
        state.map_states = executor.wait(state.map_states)
        state.result = [s.result for s in state.map_states]
        return state

    def _run_mapped(self, task: Task, prior: Optional[State], upstream_states: Dict[Edge, State],
                    task_ctx: Optional[Dict[str, Any]], executor: Any, flow_result: Any,
                    handlers: List[Callable]) -> State:
        upstream_states = {e: (executor.wait(s) if not isinstance(s, State) else s)
                           for e, s in upstream_states.items()}
        for edge, up in list(upstream_states.items()):
            if isinstance(up, Mapped) and (not edge.mapped or edge.flattened):
                self._resolve_mapped(up, executor)
                if edge.mapped:
                    upstream_states[edge] = _flatten_mapped(up)
            elif edge.mapped and edge.flattened and up.is_successful() and isinstance(up.result, (list, tuple)):
                upstream_states[edge] = _flattened_state(up)
        start = prior if prior is not None and not prior.is_mapped() else None
        parent = run_task(task, state=start, upstream_states=upstream_states, context=task_ctx,
                          flow_result=flow_result, task_runner_cls=self.task_runner_cls,
                          task_runner_state_handlers=handlers, is_mapped_parent=True)
        if not isinstance(parent, Mapped):
            return parent
        prior_children = prior.map_states if isinstance(prior, Mapped) else []
        constants = self.flow.constants.get(task)
        children: List[Any] = []
        for i in range(parent.n_map_states):
            child_prior = prior_children[i] if i < len(prior_children) else None
            if child_prior is not None and child_prior.is_finished() and not child_prior.is_cached():
                children.append(child_prior)
                continue
            child_upstream = {}
            for edge, up in upstream_states.items():
                if not edge.mapped:
                    child_upstream[edge] = up
                elif isinstance(up, Mapped):
                    child_upstream[edge] = up.map_states[i]
                else:
                    child_upstream[edge] = _element_state(up, i)
            child_ctx = {**task_ctx, "map_index": i} if task_ctx else {"map_index": i}
            children.append(executor.submit(
                run_task, task=task, state=child_prior, upstream_states=child_upstream, context=child_ctx,
                flow_result=flow_result, task_runner_cls=self.task_runner_cls,
                task_runner_state_handlers=handlers, constants=constants,
                extra_context={"task_name": task.name, "map_index": i},
            ))
        mapped = Mapped("Mapped tasks submitted for execution.", map_states=children, n_map_states=len(children))
        if children and isinstance(children[0], State):
            mapped.result = [c.result for c in children]
        return mapped

    def determine_final_state(self, state: State, task_states: Dict[Task, State], return_tasks: Set[Task]) -> State:
        """The flow's state from its terminal and reference tasks.

        Returns:
            - State: Running (terminal tasks unfinished), Failed (a reference task failed) or
                Success
        """
        return_states = {t: s for t, s in task_states.items() if t in return_tasks}
        terminal = [task_states.get(t) or Pending() for t in self.flow.terminal_tasks()]
        if not all(_all_finished(s) for s in terminal) or not all(_all_finished(s) for s in task_states.values()):
            self.logger.info("Flow run RUNNING: terminal tasks are incomplete.")
            state.result = return_states
            return state
        key_states: List[State] = []
        for t in self.flow.reference_tasks():
            s = task_states.get(t) or Pending()
            key_states.extend(s.map_states if isinstance(s, Mapped) and s.map_states else [s])
        if any(s.is_failed() for s in key_states):
            self.logger.info("Flow run FAILED: some reference tasks failed.")
            return Failed(message="Some reference tasks failed.", result=return_states)
        if all(s.is_successful() for s in key_states):
            self.logger.info("Flow run SUCCESS: all reference tasks succeeded")
            return Success(message="All reference tasks succeeded.", result=return_states)
        self.logger.info("Flow run SUCCESS: no reference tasks failed")
        return Success(message="No reference tasks failed.", result=return_states)


def _all_finished(state: State) -> bool:
    if isinstance(state, Mapped):
        return all(s.is_finished() for s in state.map_states)
    return state.is_finished()


def _next_start(states: Iterable[State]) -> Optional[datetime.datetime]:
    times = []
    for s in states:
        for child in (s.map_states if isinstance(s, Mapped) else [s]):
            if isinstance(child, Scheduled) and not isinstance(child, Paused) and child.start_time is not None:
                times.append(child.start_time)
    return min(times) if times else None


def _sleep_until(when: datetime.datetime) -> None:
    delay = (when - pendulum.now("utc")).total_seconds()
    if delay > 0:
        time.sleep(delay)


def run_flow(flow: Any, parameters: Optional[Dict[str, Any]] = None, run_on_schedule: Optional[bool] = None,
             runner_cls: Optional[type] = None, **kwargs: Any) -> State:
    """What `Flow.run()` does: run until every task is finished, waiting for retries; with a
    schedule, do that at each scheduled time.

    Args:
        - flow (Flow): the flow
        - parameters (dict, optional): parameter values
        - run_on_schedule (bool, optional): follow the flow's schedule
        - runner_cls (type, optional): the FlowRunner class
        - **kwargs: keywords naming a flow parameter are parameter values; the others go to
            `FlowRunner.run` (`executor`, `task_states`, `context`, `task_contexts`, ...)

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
        raise ValueError(f"Flow.run received the following unexpected parameters: {', '.join(unknown)}")
    missing = sorted(p.name for p in flow_params if p.required and p.name not in parameters)
    if missing:
        raise ValueError(f"Flow.run did not receive the following required parameters: {', '.join(missing)}")
    if runner_cls is None:
        from prefect_classic.utilities.importing import import_object

        runner_cls = import_object(config.engine.flow_runner.default_class)
    if run_on_schedule is None:
        run_on_schedule = bool(config.flows.run_on_schedule)
    if flow.schedule is not None and run_on_schedule:
        from prefect_classic.schedules.runner import run_on_schedule as scheduled

        return scheduled(flow, lambda start, defaults: _run_until_finished(
            flow, runner_cls, {**parameters, **defaults}, start, kwargs))
    return _run_until_finished(flow, runner_cls, parameters, None, kwargs)


def _run_until_finished(flow: Any, runner_cls: type, parameters: Dict[str, Any],
                        scheduled_start: Optional[pendulum.DateTime], kwargs: Dict[str, Any]) -> State:
    """One local flow run: FlowRunner passes until every task is finished (or a Paused task is
    not approved), sleeping until the earliest Retrying/Scheduled start time between passes."""
    kwargs = dict(kwargs)
    state: Optional[State] = kwargs.pop("state", None)
    task_states: Dict[Task, State] = dict(kwargs.pop("task_states", None) or {})
    run_context = dict(kwargs.pop("context", None) or {})
    run_context.setdefault("flow_run_id", str(uuid.uuid4()))
    run_context.setdefault("flow_run_name", str(uuid.uuid4()))
    if scheduled_start is not None:
        run_context["scheduled_start_time"] = scheduled_start
    task_contexts = {t: dict(c) for t, c in (kwargs.pop("task_contexts", None) or {}).items()}
    slugs = getattr(flow, "slugs", {})
    for t in flow.tasks:
        ctx = task_contexts.get(t)
        if ctx is None:
            task_contexts[t] = {"task_run_id": _uuid4_str(), "task_id": slugs.get(t, t.slug)}
        else:
            ctx.setdefault("task_run_id", _uuid4_str())
            ctx.setdefault("task_id", slugs.get(t, t.slug))
    runner = runner_cls(flow)
    while True:
        state = runner.run(state=state, parameters=parameters, task_states=task_states, return_tasks=flow.tasks,
                           context=run_context, task_contexts=task_contexts, **kwargs)
        if state.is_finished() or not isinstance(state.result, dict) or not state.is_running():
            break
        task_states = dict(state.result)
        if not _approve_paused(task_states, runner.logger):
            break
        next_start = _next_start(task_states.values())
        if next_start is None:
            break
        if next_start > pendulum.now("utc"):
            runner.logger.info(f"Waiting for next available Task run at {next_start}")
        _sleep_until(next_start)
    if not isinstance(state.result, dict):
        if isinstance(state.result, Exception):
            runner.logger.error(f"Unexpected error occured in {runner_cls.__name__}: {state.result!r}")
            return state
        state.result = {}
    for t in flow.tasks:
        if t not in state.result:
            state.result[t] = Pending(message="Task not run.")
    return state


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
