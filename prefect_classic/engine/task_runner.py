"""The task run: a pipeline of small steps, each taking and returning a State.

```
check_task_is_ready          finished states end the run unchanged
check_task_reached_start_time Scheduled/Retrying in the future stay as they are
check_upstream_finished      unfinished upstream ends the run
check_upstream_skipped       skipped upstream -> Skipped (skip_on_upstream_skip)
load_inputs                  inputs from upstream results, constants and cached inputs
check_task_ready_to_map      (mapped parents only) -> Mapped(n_map_states)
set_task_run_name            task_run_name template -> context
check_target / check_task_is_cached
check_task_trigger           trigger -> TriggerFailed / Skipped / Paused
set_task_to_running
get_task_run_state           run() with timeout and signals; checkpoint on Success
cache_result                 cache_for -> Cached in context caches
check_for_retry              Failed with retries left -> Retrying(cached_inputs)
```
A LOOP signal re-runs the pipeline with `task_loop_count`/`task_loop_result` in context.
"""
import threading
from contextlib import redirect_stdout
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import pendulum

from prefect_classic import transactions as _transactions
from prefect_classic.configuration import config
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.engine.result.base import NoResult, Result, ResultStorageError
from prefect_classic.engine.runner import ENDRUN, Runner
from prefect_classic.engine.state import (
    Cached,
    Failed,
    Looped,
    Mapped,
    Paused,
    Pending,
    Resume,
    Retrying,
    Running,
    Scheduled,
    Skipped,
    State,
    Success,
    TimedOut,
    TriggerFailed,
)
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.logging import RedirectToLog, get_logger
from prefect_classic.utilities.templates import TemplateError, format_template, template_fields

__all__ = ["TaskRunner", "TaskRunnerInitializeResult"]

PER_CHILD_FIELDS = {"map_index", "task_full_name", "task_run_name"}


class TaskRunnerInitializeResult(NamedTuple):
    """What `TaskRunner.initialize_run` returns."""

    state: State
    context: Dict[str, Any]


class TaskTimeoutSignal(Exception):
    """Raised when a task run exceeds its timeout."""


class _Run:
    """Per-run scratch data shared by the steps (upstream states and inputs)."""

    __slots__ = ("upstream_states", "inputs", "is_mapped_parent", "constants", "_all_upstream")

    def __init__(self, upstream_states: Dict[Edge, State], is_mapped_parent: bool, constants: Dict[str, Any]):
        self.upstream_states = upstream_states
        self.is_mapped_parent = is_mapped_parent
        self.constants = constants
        self.inputs: Dict[str, Result] = {}
        self._all_upstream: Optional[List[State]] = None

    def all_upstream(self) -> List[State]:
        """Every upstream state, with the children of Mapped states used whole (reduce edges)."""
        if self._all_upstream is None:
            self._all_upstream = _all_upstream(self.upstream_states)
        return self._all_upstream

    def raw_inputs(self) -> Dict[str, Any]:
        return {k: r.value for k, r in self.inputs.items()}


def _all_upstream(upstream_states: Dict[Edge, State]) -> List[State]:
    found: List[State] = []
    for edge, s in upstream_states.items():
        if isinstance(s, Mapped) and not edge.mapped:
            found.extend(s.map_states)
        else:
            found.append(s)
    return found


def formatting_kwargs(raw_inputs: Dict[str, Any]) -> Dict[str, Any]:
    """The values templates see: parameters, then context, then the task's inputs.

    Args:
        - raw_inputs (dict): the task's input values

    Returns:
        - dict: the template values
    """
    values = {**(prefect_context.get("parameters") or {}), **prefect_context.to_dict(), **raw_inputs}
    values.pop("self", None)
    return values


class TaskRunner(Runner):
    """Runs one task (or one mapped child) through the step pipeline.

    Args:
        - task (Task): the task
        - state_handlers (Iterable[Callable], optional): `handler(runner, old, new)` handlers
        - flow_result (Result, optional): the flow's Result, used when the task has none
    """

    def __init__(self, task: Task, state_handlers: Optional[List[Callable]] = None, flow_result: Any = None):
        self.task = task
        self.state_handlers = list(state_handlers or [])
        self.logger = _RUNNER_LOGGER
        result = task.result if task.result is not None else flow_result
        if result is None:
            result = Result()
        if task.target is not None:
            result = result.copy()
            if isinstance(task.target, str):
                result.location, result._formatter = task.target, None
            else:
                result.location, result._formatter = None, task.target
        self.result: Result = result

    def __repr__(self) -> str:
        return f"<TaskRunner: {self.task.name}>"

    def call_runner_target_handlers(self, old_state: State, new_state: State) -> State:
        """Call the task's state handlers (`handler(task, old, new)`), logging the change.

        Returns:
            - State: the new state, possibly replaced by a handler
        """
        if self.logger.isEnabledFor(10):
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                f"Handling state change from {type(old_state).__name__} to {type(new_state).__name__}"
            )
        for handler in self.task.state_handlers:
            new_state = handler(self.task, old_state, new_state) or new_state
        return new_state

    def initialize_run(self, state: Optional[State], context: Dict[str, Any]) -> TaskRunnerInitializeResult:  # type: ignore[override]
        """Set up run count, resume and loop bookkeeping in the run's context.

        Args:
            - state (State, optional): the starting state (default Pending)
            - context (dict): the context keys for this run (updated in place)

        Returns:
            - TaskRunnerInitializeResult: the state and context
        """
        state = state or Pending()
        if isinstance(state, Retrying):
            run_count = state.run_count + 1
        else:
            run_count = state.context.get("task_run_count", 1) if state.context else 1
        if isinstance(state, Resume) or (
            isinstance(state, Paused) and state.start_time and state.start_time <= pendulum.now("utc")
        ):
            context["resume"] = True
        if state.context and "_loop_count" in state.context:
            context["task_loop_count"] = state.context["_loop_count"]
            context["task_loop_result"] = state.result
        context["task_run_count"] = run_count
        context["task_name"] = self.task.name
        context["task_tags"] = self.task.tags
        context["task_slug"] = context.get("task_id") or self.task.slug
        if "checkpointing" not in context and "checkpointing" not in prefect_context:
            context["checkpointing"] = config.flows.checkpointing
        context["logger"] = self.task.logger
        return TaskRunnerInitializeResult(state=state, context=context)

    def run(self, state: Optional[State] = None, upstream_states: Optional[Dict[Edge, State]] = None,
            context: Optional[Dict[str, Any]] = None, is_mapped_parent: bool = False,
            constants: Optional[Dict[str, Any]] = None) -> State:
        """Run the task's pipeline and return its final state.

        Args:
            - state (State, optional): the starting state (default Pending)
            - upstream_states (Dict[Edge, State], optional): the upstream tasks' states
            - context (dict, optional): extra context for this run (e.g. `map_index`)
            - is_mapped_parent (bool, optional): this is the parent of a mapped task: compute the
                number of children instead of running
            - constants (dict, optional): plain-value arguments bound in the flow

        Returns:
            - State: the final state
        """
        ctx = dict(context) if context else {}
        map_index = ctx.setdefault("map_index", prefect_context.get("map_index"))
        full_name = self.task.name if map_index is None else f"{self.task.name}[{map_index}]"
        ctx["task_full_name"] = full_name
        run = _Run(upstream_states or {}, is_mapped_parent, constants or {})
        try:
            state, ctx = self.initialize_run(state, ctx)
        except Exception as exc:  # pragma: no cover - defensive
            return Failed(f"Task '{full_name}': Unexpected error while initializing: {exc!r}", result=exc)
        with prefect_context(ctx):
            if "task_loop_count" not in ctx:
                self.logger.info(f"Task '{full_name}': Starting task run...")
            state = self._run_pipeline(state, run, full_name)
            while isinstance(state, Looped):
                prefect_context.update(task_loop_result=state.result, task_loop_count=(state.loop_count or 1) + 1)
                state = self._run_pipeline(Pending(message=f"Looping task (on loop index {state.loop_count})"),
                                           run, full_name)
            self.logger.info(f"Task '{full_name}': Finished task run for task with final state: '{type(state).__name__}'")
        return state

    def _run_pipeline(self, state: State, run: _Run, full_name: str) -> State:
        steps = self.MAPPED_PARENT_STEPS if run.is_mapped_parent else self.STEPS
        try:
            return self.run_steps(state, [getattr(self, name) for name in steps], run)
        except Exception as exc:
            msg = f"Task '{full_name}': Unexpected error while running task: {exc!r}"
            self.logger.exception(msg)
            if prefect_context.get("raise_on_exception"):
                raise
            return Failed(message=msg, result=exc)

    STEPS: Tuple[str, ...] = (
        "check_task_is_ready", "check_task_reached_start_time", "check_upstream_finished",
        "check_upstream_skipped", "load_inputs", "set_task_run_name", "check_target_or_cache",
        "check_policy_cache", "check_task_trigger", "set_task_to_running", "get_task_run_state",
        "cache_result", "store_policy_cache", "check_for_retry", "check_task_is_looping",
    )
    MAPPED_PARENT_STEPS: Tuple[str, ...] = (
        "check_task_is_ready", "check_task_reached_start_time", "check_upstream_finished",
        "check_upstream_skipped", "check_task_ready_to_map",
    )

    # --- steps ------------------------------------------------------------------------------------
    def check_task_is_ready(self, state: State, run: _Run) -> State:
        """Go on from Pending, Mapped or Cached states; end the run for any other state."""
        if state.is_pending() or state.is_cached() or state.is_mapped():
            return state
        self.logger.debug(f"Task '{prefect_context.get('task_full_name')}': Task is already finished.")
        raise ENDRUN(state)

    def check_task_reached_start_time(self, state: State, run: _Run) -> State:
        """End the run unchanged when a Scheduled state's start time is still in the future."""
        if isinstance(state, Scheduled) and state.start_time and state.start_time > pendulum.now("utc"):
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name')}': start_time has not been reached; ending run."
            )
            raise ENDRUN(state)
        return state

    def check_upstream_finished(self, state: State, run: _Run) -> State:
        """End the run unchanged unless every upstream state is finished."""
        if run.upstream_states and not all(s.is_finished() for s in run.all_upstream()):
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name')}': Not all upstream states are finished; ending run."
            )
            raise ENDRUN(state)
        return state

    def check_upstream_skipped(self, state: State, run: _Run) -> State:
        """Skip when an upstream task skipped and the task has `skip_on_upstream_skip`."""
        if self.task.skip_on_upstream_skip and run.upstream_states and any(
            s.is_skipped() for s in run.all_upstream()
        ):
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name')}': Upstream states were skipped; ending run."
            )
            raise ENDRUN(Skipped(
                "Upstream task was skipped; if this was not the intended behavior, consider changing "
                "`skip_on_upstream_skip=False` for this task."
            ))
        return state

    def load_inputs(self, state: State, run: _Run) -> State:
        """Collect inputs: constants, then upstream results by edge key, then cached inputs (a
        retry re-uses the inputs it ran with, without reading upstream results again)."""
        inputs: Dict[str, Result] = {k: Result(value=v) for k, v in run.constants.items()}
        cached = state.cached_inputs if state.is_pending() else None
        for edge, upstream in run.upstream_states.items():
            key = edge.key
            if key is None or (cached and key in cached):
                continue
            res = upstream._result
            if edge.flattened and not edge.mapped:
                res = res.from_value(_flatten_one(res.value))
            inputs[key] = res
        if cached:
            inputs.update(cached)
        run.inputs = inputs
        return state

    def check_task_ready_to_map(self, state: State, run: _Run) -> State:
        """For a mapped parent: compute how many children to run; Failed if nothing can be mapped."""
        mapped = [(e, s) for e, s in run.upstream_states.items() if e.mapped]
        if run.upstream_states and not any(s.is_successful() for _, s in mapped):
            raise ENDRUN(Failed("No upstream states can be mapped over."))
        lengths = []
        for _edge, s in mapped:
            if s.is_mapped():
                lengths.append(s.n_map_states)  # type: ignore[attr-defined]
                continue
            value = s.result  # a flattened edge arrives already flattened (FlowRunner)
            if not hasattr(value, "__getitem__") or not hasattr(value, "__len__"):
                raise ENDRUN(Failed("At least one upstream state has an unmappable result."))
            lengths.append(len(value))
        raise ENDRUN(Mapped("Ready to proceed with mapping.", n_map_states=min(lengths, default=0)))

    def set_task_run_name(self, state: State, run: _Run) -> State:
        """Format the task's `task_run_name` template into context `task_run_name`."""
        if self.task.task_run_name:
            name = format_template(self.task.task_run_name, **formatting_kwargs(run.raw_inputs()))
            prefect_context.update(task_run_name=name)
        return state

    def check_target_or_cache(self, state: State, run: _Run) -> State:
        """Tasks with a target check the target; others check the output caches."""
        if self.task.target is not None:
            return self.check_target(state, run)
        return self.check_task_is_cached(state, run)

    def check_target(self, state: State, run: _Run) -> State:
        """Enter Cached with the stored value when the task's target exists.

        A target that exists but cannot be read logs a warning naming it, and the task runs again.
        """
        raw = run.raw_inputs()
        kwargs = formatting_kwargs(raw)
        target = self.task.target
        if prefect_context.get("map_index") is not None and isinstance(target, str) \
                and not template_fields(target) & (PER_CHILD_FIELDS | {e.key for e in run.upstream_states if e.mapped}):
            raise ENDRUN(Failed(
                f"Target {target!r} of mapped task '{self.task.name}' has no per-child field, so every "
                "child would write the same location; add {map_index} (or a mapped input's name) to the template."
            ))
        try:
            location = format_template(target, **kwargs)  # type: ignore[arg-type]
        except TemplateError as exc:
            raise ENDRUN(Failed(f"Could not format the target of task '{self.task.name}': {exc}", result=exc)) from exc
        try:
            if not self.result.exists(location):  # already formatted: values may contain braces
                return state
            found = self.result.read(location)
        except (ResultStorageError, NotImplementedError) as exc:  # store failed / cannot store: don't overwrite
            raise ENDRUN(Failed(f"Could not check the target of task '{self.task.name}': {exc}", result=exc)) from exc
        except Exception as exc:
            self.logger.warning(
                f"Task '{prefect_context.get('task_full_name')}': target {location} exists but could not be "
                f"read ({exc!r}); running the task again and replacing it."
            )
            return state
        return Cached(
            result=found, cached_result_expiration=None, cached_parameters=kwargs.get("parameters"),
            message=f"Result found at task target {location}",
        )

    def check_task_is_cached(self, state: State, run: _Run) -> State:
        """Reuse a valid, unexpired Cached state: the state given, or one from context caches.

        Candidates come from `context.caches[cache_key or name]`. As in Prefect 1, results
        cached during this flow run serve later runs only, and a mapped child only reuses
        results cached by the child with the same `map_index` (so that children of a mapped
        task never receive each other's results).
        """
        task = self.task
        if state.is_cached() or task.cache_for is not None:
            raw = run.raw_inputs()
            parameters = prefect_context.get("parameters")
            if state.is_cached():
                if task.cache_validator(state, raw, parameters):
                    return state
                state = Pending("Cache was invalid; ready to run.")
            if task.cache_for is not None:
                candidate = self._find_cached_state(raw, parameters)
                if candidate is not None:
                    return candidate
                self.logger.warning(
                    f"Task '{prefect_context.get('task_full_name')}': Can't use cache because it is now invalid"
                )
        return state

    def _find_cached_state(self, raw: Dict[str, Any], parameters: Optional[Dict[str, Any]]) -> Optional[State]:
        caches = prefect_context.get("caches")
        candidates = caches.get(self.task.cache_key or self.task.name) if caches else None
        if not candidates:
            return None
        validator = self.task.cache_validator
        run_id = prefect_context.get("flow_run_id")
        map_index = prefect_context.get("map_index")
        for candidate in candidates:
            origin = candidate.context
            if origin:
                if run_id is not None and origin.get("flow_run_id") == run_id:
                    continue
                if map_index is not None and origin.get("map_index", map_index) != map_index:
                    continue
            if validator(candidate, raw, parameters):
                return candidate
        return None

    def check_policy_cache(self, state: State, run: _Run) -> State:
        """Policy-based caching (`cache_policy`, `cache_key_fn`, durable `cache_for`): a stored
        record under the task's cache key -> Cached. See `prefect_classic.engine.policy_cache`."""
        if state.is_finished() or not _uses_durable_cache(self.task):  # e.g. an in-memory cache hit
            return state
        from prefect_classic.engine import policy_cache

        return policy_cache.check(self, state, run)

    def store_policy_cache(self, state: State, run: _Run) -> State:
        """Write the cache record of a successful run under the task's cache key."""
        if not _uses_durable_cache(self.task):
            return state
        from prefect_classic.engine import policy_cache

        return policy_cache.store(self, state, run)

    def check_task_trigger(self, state: State, run: _Run) -> State:
        """Call the task's trigger; a signal it raises ends the run in the signal's state."""
        if state.is_finished():  # Cached
            raise ENDRUN(state)
        try:
            if not self.task.trigger(run.upstream_states):
                raise signals.TRIGGERFAIL("Trigger failed")
        except signals.PrefectStateSignal as exc:
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name')}': {type(exc).__name__} signal raised during execution."
            )
            if prefect_context.get("raise_on_exception"):
                raise
            new_state = exc.state
            if new_state.is_pending():
                new_state.cached_inputs = run.inputs
            raise ENDRUN(new_state) from exc
        except Exception as exc:
            self.logger.exception(
                f"Task '{prefect_context.get('task_full_name')}': Unexpected error while evaluating task trigger: {exc!r}"
            )
            if prefect_context.get("raise_on_exception"):
                raise
            raise ENDRUN(TriggerFailed(f"Unexpected error while checking task trigger: {exc!r}", result=exc)) from exc
        return state

    def set_task_to_running(self, state: State, run: _Run) -> State:
        """Pending -> Running."""
        if not state.is_pending():
            raise ENDRUN(state)
        return Running(message="Starting task run.")

    def get_task_run_state(self, state: State, run: _Run) -> State:
        """Call `task.run(**inputs)` (with its timeout) and turn the outcome into a state.

        Signals become their states; other errors become Failed; a timeout becomes TimedOut.
        On success the value is checkpointed through the task's Result when checkpointing is on.
        """
        raw = run.raw_inputs()
        name = prefect_context.get("task_full_name", self.task.name)
        new_state: Optional[State] = None
        try:
            value = self._call_run(raw)
        except TaskTimeoutSignal as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            return TimedOut("Task timed out during execution.", result=exc)
        except ENDRUN as exc:
            return exc.state
        except signals.LOOP as exc:
            new_state = exc.state
            value = new_state.result
            new_state.message = new_state.message or f"Task is looping ({new_state.loop_count})"  # type: ignore[attr-defined]
        except signals.SUCCESS as exc:
            new_state = exc.state
            value = new_state.result
            if value is exc:
                value = None
        except signals.PrefectStateSignal as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            self.logger.info(f"Task '{name}': {type(exc).__name__} signal raised during execution.")
            if exc.state.is_pending():
                exc.state.cached_inputs = run.inputs
            return exc.state
        except Exception as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            self.logger.error(f"Task '{name}': Exception encountered during task execution!", exc_info=True)
            return Failed(f"Error during execution of task: {exc!r}", result=exc)

        result = self.checkpoint(value, raw)
        if isinstance(result, State):
            return result
        if new_state is not None:
            new_state.result = result
            return new_state
        return Success(result=result, message="Task run succeeded.")

    def _call_run(self, raw: Dict[str, Any]) -> Any:
        task = self.task
        if task.timeout is None and not task.log_stdout:
            return task.run(**raw)
        if task.log_stdout:
            with redirect_stdout(RedirectToLog(task.logger)):  # type: ignore[type-var]
                return _run_with_timeout(task, raw)
        return _run_with_timeout(task, raw)

    def checkpoint(self, value: Any, raw_inputs: Dict[str, Any]) -> Any:
        """Write `value` through the task's Result when checkpointing applies.

        Returns:
            - Result: the written Result (with its location) or one holding the value; or a
                Failed state when the write fails
        """
        task = self.task
        if value is None or task.checkpoint is False or not self._checkpointing():
            return self.result.from_value(value)
        try:
            return self.result.write(value, **formatting_kwargs(raw_inputs))
        except NotImplementedError:
            return self.result.from_value(value)
        except Exception as exc:
            msg = f"Error checkpointing the result of task '{prefect_context.get('task_full_name')}': {exc}"
            self.logger.error(msg, exc_info=True)
            return Failed(msg, result=exc)

    def _checkpointing(self) -> bool:
        return prefect_context.get("checkpointing") is True or (
            self.task.target is not None and self.task.checkpoint is True
        )

    def cache_result(self, state: State, run: _Run) -> State:
        """Success with `cache_for` -> a Cached state, stored in context caches.

        The stored state's context records the flow run and map index it came from; expired
        entries under the same key are dropped when a new one is stored.
        """
        task = self.task
        if task.cache_for is None or not state.is_successful() or state.is_skipped() or state.is_cached():
            return state
        now = pendulum.now("utc")
        origin: Dict[str, Any] = {}
        run_id = prefect_context.get("flow_run_id")
        if run_id is not None:
            origin["flow_run_id"] = run_id
        map_index = prefect_context.get("map_index")
        if map_index is not None:
            origin["map_index"] = map_index
        cached = Cached(
            result=state._result, cached_inputs=dict(run.inputs),
            cached_result_expiration=now + task.cache_for,
            cached_parameters=prefect_context.get("parameters"), message=state.message, context=origin,
        )
        caches = prefect_context.get("caches")
        if caches is not None:
            key = task.cache_key or task.name
            entries = caches.get(key)
            if entries is None:
                caches[key] = [cached]
            else:
                expiration = entries[0].cached_result_expiration if entries else None
                if expiration is not None and expiration <= now:
                    entries[:] = [c for c in entries if c.cached_result_expiration is None
                                  or c.cached_result_expiration > now]
                entries.append(cached)
        return cached

    def check_for_retry(self, state: State, run: _Run) -> State:
        """Failed with retries left (and a matching `retry_on`) -> Retrying with cached inputs."""
        task = self.task
        if not state.is_failed() or not task.max_retries:
            return state
        if task.retry_on and state.result is not None and not any(
            isinstance(state.result, t) for t in task.retry_on
        ):
            self.logger.info(
                f"Task '{prefect_context.get('task_full_name')}': Skipping retry. Exception of type "
                f"{type(state.result).__name__!r} is not an instance of the retry on exception types."
            )
            return state
        run_count = prefect_context.get("task_run_count", 1)
        if run_count > task.max_retries:
            return state
        loop_context = None
        if prefect_context.get("task_loop_count") is not None:
            loop_context = {"_loop_count": prefect_context.get("task_loop_count")}
        return Retrying(
            start_time=pendulum.now("utc") + task.retry_delay,  # type: ignore[operator]
            message=f"Retrying Task (after attempt {run_count} of {task.max_retries + 1})",
            run_count=run_count, cached_inputs=dict(run.inputs), context=loop_context,
            result=prefect_context.get("task_loop_result", NoResult) if loop_context else NoResult,
        )

    def check_task_is_looping(self, state: State, run: _Run) -> State:
        """Looped states are handled by `run()`, which runs the pipeline again."""
        return state


_RUNNER_LOGGER = get_logger("TaskRunner")


def _uses_durable_cache(task: Task) -> bool:
    # policy caching, persist_result=True (DEFAULT policy), durable cache_for; and every task while
    # a transaction is open (its failures roll the transaction back)
    return (task.cache_policy is not None or task.cache_key_fn is not None or task.persist_result is True
            or (task.cache_for is not None and task.persist_result is not False)
            or _transactions.ACTIVE_COUNT > 0)


def _flatten_one(value: Any) -> list:
    out: list = []
    for item in value or ():
        if isinstance(item, (list, tuple)):
            out.extend(item)
        else:
            out.append(item)
    return out


def _run_with_timeout(task: Task, raw: Dict[str, Any]) -> Any:
    """Run `task.run(**raw)` in a worker thread, giving up after `task.timeout` seconds.

    The thread is left to finish on its own (Python threads cannot be killed); the runner and the
    flow run go on at once.
    """
    if task.timeout is None:
        return task.run(**raw)
    outcome: Dict[str, Any] = {}
    snapshot = prefect_context.to_dict()

    def target() -> None:
        try:
            with prefect_context(snapshot):
                outcome["value"] = task.run(**raw)
        except BaseException as exc:  # noqa: B036 - re-raised in the caller
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"prefect-timeout-{task.name}", daemon=True)
    worker.start()
    worker.join(task.timeout)
    if worker.is_alive():
        raise TaskTimeoutSignal(f"Task '{task.name}' timed out after {task.timeout} seconds")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
