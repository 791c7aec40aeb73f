"""The task run: a pipeline of small steps, each taking a State and returning a State.

`TaskRunner.run` reads top to bottom (see the comments there for why the steps come in that
order). Every step is a public method with Prefect 1's name and signature, so a subclass can
override one, and every step goes through `call_state_handlers`: a change of state runs the
task's and the runner's state handlers. A step ends the run early by raising `ENDRUN(state)`.

Context keys a task run adds (on top of the flow run's): `map_index`, `task_full_name`
(`name[3]` for a mapped child), `task_name`, `task_tags`, `task_run_count` (1, then +1 per
retry), `checkpointing`, `logger`, `resume` (after a Resume), `task_loop_count` and
`task_loop_result` (LOOP iterations after the first), `task_run_name` (templated) and
`cache_scope` (the run's `CacheScope`: the keys the caching steps exchange and why they come in
their order are listed in `prefect_classic.engine.caching`).
"""

from contextlib import redirect_stdout
from operator import attrgetter
from typing import Any, Callable, Dict, Iterable, NamedTuple, Optional, Tuple

import pendulum

from prefect_classic.configuration import config
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.engine.caching.plans import uses_records
from prefect_classic.engine.caching.scope import CacheScope
from prefect_classic.engine.caching.steps import CachingSteps
from prefect_classic.engine.caching.targets import PER_CHILD_FIELDS  # noqa: F401  (importable here as before)
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.runner import (
    _LOGGERS,
    ENDRUN,
    Runner,
    call_state_handlers,
    check_state_handlers,
    runner_logger,
)
from prefect_classic.engine.state import (
    Failed,
    Paused,
    Pending,
    Resume,
    Retrying,
    Running,
    Scheduled,
    State,
    Success,
    TimedOut,
)
from prefect_classic.engine.task_readiness import ReadinessSteps
from prefect_classic.exceptions import TaskTimeoutSignal
from prefect_classic.utilities import executors
from prefect_classic.utilities.context import SEEN_TRUTHY, current_layers
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.context import read as read_context
from prefect_classic.utilities.executors import RecursiveCall, tail_recursive
from prefect_classic.utilities.logging import RedirectToLog, log_line
from prefect_classic.utilities.templates import format_template

_UNSET = object()

__all__ = [
    "ENDRUN",
    "TaskRunner",
    "TaskRunnerInitializeResult",
    "TaskTimeoutSignal",
    "formatting_kwargs",
]


class TaskRunnerInitializeResult(NamedTuple):
    """What `TaskRunner.initialize_run` returns."""

    state: State
    context: Dict[str, Any]


def formatting_kwargs(raw_inputs: Dict[str, Any]) -> Dict[str, Any]:
    """The values templates see: parameters, then context, then the task's inputs (`self`
    excluded, so that it cannot clash with a method's own `self`).

    Args:
        - raw_inputs (dict): the task's input values

    Returns:
        - dict: the template values
    """
    values = {
        **(prefect_context.get("parameters") or {}),
        **prefect_context.to_dict(),
        **raw_inputs,
    }
    values.pop("self", None)
    return values


def _raw(inputs: Dict[str, Result]) -> Dict[str, Any]:
    return {k: r.value for k, r in inputs.items()}


class TaskRunner(ReadinessSteps, CachingSteps, Runner):
    """Runs one task (or one mapped child): decides its state before, during and after `run()`.

    Args:
        - task (Task): the task
        - state_handlers (Iterable[Callable], optional): `handler(runner, old, new)` handlers,
            called after the task's own on every state change
        - flow_result (Result, optional): the flow's Result, used when the task has none
    """

    def __init__(
        self,
        task: Task,
        state_handlers: Optional[Iterable[Callable]] = None,
        flow_result: Any = None,
    ):
        self.task = task
        self.state_handlers = [] if state_handlers is None else check_state_handlers(state_handlers)
        cls = type(self)
        self.logger = _LOGGERS.get(cls) or runner_logger(cls)
        self.flow_result = flow_result
        self._context_layers = current_layers()
        result = task.result if task.result is not None else flow_result
        if result is None:
            result = Result()
        if task.target is not None:
            result = result.copy()  # the target is this task's location, not the shared Result's
            if isinstance(task.target, str):
                result.location, result._formatter = task.target, None
            else:
                result.location, result._formatter = None, task.target
        self.result: Result = result

    @property
    def context(self) -> Dict[str, Any]:
        """The context this runner was created in (a flat copy, made when first asked for)."""
        layers = self.__dict__.get("_context_layers")
        if layers is not None:
            flat: Dict[str, Any] = {}
            for layer in layers:
                flat.update(layer)
            self.__dict__["_context"] = {k: v for k, v in flat.items() if not _is_deleted(v)}
            del self.__dict__["_context_layers"]
        return self.__dict__["_context"]

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.task.name}>"

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

    def initialize_run(
        self, state: Optional[State], context: Dict[str, Any]
    ) -> TaskRunnerInitializeResult:  # type: ignore[override]
        """Set up the run count, resume and loop bookkeeping in the run's context.

        The run count is the Retrying state's `run_count` + 1 (else the state's context
        `task_run_count`, else 1). A Resume state, or a Paused state whose start time has come,
        sets `resume`. A Retrying state from inside a LOOP restores the loop count and result.

        Args:
            - state (State, optional): the starting state (default Pending)
            - context (dict): the context keys for this run (updated in place)

        Returns:
            - TaskRunnerInitializeResult: the state and context
        """
        while isinstance(state, State) and state.is_meta_state():  # Submitted(Queued(x)) -> x
            state = state.state  # type: ignore[attr-defined]
        if state is None:
            state = Pending()
        if isinstance(state, Retrying):
            run_count = state.run_count + 1
        else:
            run_count = state.context.get("task_run_count", 1)
        if isinstance(state, Resume) or (
            isinstance(state, Paused)
            and state.start_time
            and state.start_time <= pendulum.now("utc")
        ):
            context["resume"] = True
        if "_loop_count" in state.context:
            loop_result = state._result
            if loop_result.value is None and loop_result.location is not None:
                loop_value = self.result.read(loop_result.location).value
            else:
                loop_value = loop_result.value
            context["task_loop_count"] = state.context.pop("_loop_count")
            context["task_loop_result"] = loop_value
        context["task_run_count"] = run_count
        context["task_name"] = self.task.name
        context["task_tags"] = self.task.tags
        if "checkpointing" not in context and read_context("checkpointing", _UNSET) is _UNSET:
            try:
                checkpointing = (context.get("config") or prefect_context.get("config"))["flows"][
                    "checkpointing"
                ]
            except (KeyError, TypeError):
                checkpointing = config.flows.checkpointing
            context["checkpointing"] = checkpointing
        context["logger"] = self.task.logger
        return TaskRunnerInitializeResult(state=state, context=context)

    @tail_recursive
    def run(
        self,
        state: Optional[State] = None,
        upstream_states: Optional[Dict[Edge, State]] = None,
        context: Optional[Dict[str, Any]] = None,
        is_mapped_parent: bool = False,
    ) -> State:
        """Run the task, if its state and its upstream states allow it, and return its new state.

        Args:
            - state (State, optional): the starting state (default Pending)
            - upstream_states (Dict[Edge, State], optional): the upstream tasks' states, by edge
            - context (dict, optional): context for this run (e.g. `map_index`); by default the
                run happens in the current context
            - is_mapped_parent (bool, optional): this is the parent of a mapped task: decide
                whether (and how many) children to run, instead of running

        Returns:
            - State: the final state
        """
        upstream_states = upstream_states or {}
        if context is None:
            ctx: Dict[str, Any] = {"map_index": read_context("map_index")}
        else:
            ctx = dict(context)
            ctx.setdefault("map_index", None)
        map_index = ctx["map_index"]
        name = self.task.name
        full_name = ctx["task_full_name"] = name if map_index is None else f"{name}[{map_index}]"
        # the start and final log lines come once per run, LOOP iterations included; a task run
        # inside another task's LOOP iteration leaves them out (as in Prefect 1)
        log_info = self.logger.isEnabledFor(20) and (
            "task_loop_count" not in SEEN_TRUTHY or read_context("task_loop_count") is None
        )
        task_inputs: Dict[str, Result] = {}
        # the scope's end releases the run's locks and reports its final state to the transaction
        with CacheScope(self, full_name) as scope:
            try:
                state, ctx = self.initialize_run(state, ctx)
            except (ENDRUN, signals.PrefectStateSignal) as exc:
                scope.final_state = exc.state
                return exc.state
            except Exception as exc:
                scope.final_state = self._unexpected_error(exc, full_name)
                return scope.final_state
            ctx["cache_scope"] = scope
            with prefect_context(ctx):
                try:
                    if log_info and ctx.get("task_loop_count") is None:
                        log_line(self.logger, 20, f"Task '{full_name}': Starting task run...", True)
                    # steps that cannot change the state are left out, unless replaced (see
                    # `_replaces_steps`): a step call costs more than the rest of a simple run
                    every_step = _replaces_steps(self)
                    # a finished (or running) task ends here; Pending, Cached and Mapped go on
                    state = self.check_task_is_ready(state)
                    # a Scheduled or Retrying state in the future waits
                    if every_step or isinstance(state, Scheduled):
                        state = self.check_task_reached_start_time(state)
                    if every_step or upstream_states:
                        # a task never runs before every upstream task has finished
                        state = self.check_upstream_finished(state, upstream_states)
                        # a skipped upstream skips this task (unless skip_on_upstream_skip=False)
                        state = self.check_upstream_skipped(state, upstream_states)
                    # hydrate results that carry only a location
                    state, upstream_states = self.load_results(state, upstream_states)
                    # the inputs, from the upstream results by edge key
                    task_inputs = self.get_task_inputs(state, upstream_states)
                    if is_mapped_parent:
                        # a mapped parent stops here: Mapped (with its number of children) or Failed
                        state = self.check_task_ready_to_map(state, upstream_states)
                    # the name of this task run (it may use the inputs)
                    self.set_task_run_name(task_inputs)
                    # a stored result ends the run as Cached: the target, or else the output caches,
                    # then the durable cache records
                    if self.task.target:
                        self._mapped_input_names = {
                            e.key for e in upstream_states if e.mapped and e.key
                        }
                        state = self.check_target(state, task_inputs)
                    elif every_step or self.task.cache_for is not None or state.is_cached():
                        state = self.check_task_is_cached(state, task_inputs)
                    durable = uses_records(self.task)
                    if durable:
                        state = self.check_policy_cache(state, task_inputs)
                    # the trigger comes after the caches: a trigger may PAUSE, and a Paused state
                    # keeps the inputs
                    state = self.check_task_trigger(state, upstream_states)
                    # only a Pending task runs: set_task_to_running ends the run of any other
                    # (a cache hit ends here), which a plain runner does without the exception
                    if every_step or state.is_pending() or self.logger.isEnabledFor(10):
                        state = self.set_task_to_running(state, task_inputs)
                        state = self.get_task_run_state(state, task_inputs)
                        # a success with cache_for becomes Cached; durable records come after
                        if every_step or self.task.cache_for is not None:
                            state = self.cache_result(state, task_inputs)
                        if durable:
                            state = self.store_policy_cache(state, task_inputs)
                        # a failure with retries left becomes Retrying
                        if every_step or state.is_failed():
                            state = self.check_for_retry(state, task_inputs)
                        # a Looped state runs the pipeline again (with the loop count and result)
                        if every_step or state.is_looped():
                            state = self.check_task_is_looping(
                                state, task_inputs, upstream_states, ctx
                            )
                except (ENDRUN, signals.PrefectStateSignal) as exc:
                    state = exc.state
                except RecursiveCall:
                    raise
                except Exception as exc:
                    state = self._unexpected_error(exc, full_name)
                scope.final_state = state
                if log_info:
                    log_line(
                        self.logger,
                        20,
                        f"Task '{full_name}': Finished task run for task with final state: "
                        f"'{type(state).__name__}'",
                    )
        return state

    def _unexpected_error(self, exc: Exception, full_name: str) -> State:
        message = f"Task '{full_name}': Unexpected error while running task: {exc!r}"
        self.logger.exception(message)
        if prefect_context.get("raise_on_exception"):
            raise exc
        return Failed(message=message, result=exc)

    # --- the steps ------------------------------------------------------------------------------
    def get_task_inputs(
        self, state: State, upstream_states: Dict[Edge, State]
    ) -> Dict[str, Result]:
        """The task's inputs: each keyed upstream edge gives its state's Result. A Pending state
        that carries `cached_inputs` (a retry) fills in the inputs no upstream state gives (the
        upstream states win, as in Prefect 1: a retry sees upstream results that changed).

        Args:
            - state (State): the current state
            - upstream_states (Dict[Edge, State]): the upstream states

        Returns:
            - Dict[str, Result]: the inputs, by argument name
        """
        cached = state.cached_inputs
        inputs: Dict[str, Result] = dict(cached) if cached and state.is_pending() else {}
        for edge, upstream in upstream_states.items():
            if edge.key is not None:
                inputs[edge.key] = upstream._result
        return inputs

    def load_results(
        self, state: State, upstream_states: Dict[Edge, State]
    ) -> Tuple[State, Dict[Edge, State]]:
        """Hydrate the results of the state and the upstream states (a hook: nothing to do when
        the states hold their values, as in a local run).

        Args:
            - state (State): the current state
            - upstream_states (Dict[Edge, State]): the upstream states

        Returns:
            - tuple: the state and the upstream states
        """
        return state, upstream_states

    def set_task_run_name(self, task_inputs: Dict[str, Result]) -> None:
        """Render the task's `task_run_name` (template or callable, with the parameters, context
        and inputs) into context `task_run_name`.

        Args:
            - task_inputs (Dict[str, Result]): the inputs
        """
        template = self.task.task_run_name
        if template:
            name = format_template(template, **formatting_kwargs(_raw(task_inputs)))
            prefect_context.update(task_run_name=name)

    @call_state_handlers
    def set_task_to_running(self, state: State, inputs: Dict[str, Result]) -> State:
        """Pending -> Running; any other state ends the run.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: Running

        Raises:
            - ENDRUN: when the state is not Pending
        """
        if not state.is_pending():
            if self.logger.isEnabledFor(10):
                self.logger.debug(
                    f"Task '{prefect_context.get('task_full_name', self.task.name)}': Can't set "
                    "state to Running because it isn't Pending; ending run."
                )
            raise ENDRUN(state)
        return Running(message="Starting task run.")

    @call_state_handlers
    def get_task_run_state(self, state: State, inputs: Dict[str, Result]) -> State:
        """Call `task.run(**inputs)` (within its timeout, stdout to the log with `log_stdout`) and
        turn the outcome into a state: a value is Success (checkpointed through the task's Result
        when checkpointing applies), a signal its state (SUCCESS and LOOP are checkpointed too),
        a timeout TimedOut, any other error Failed.

        Args:
            - state (State): the current state (Running)
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: the outcome

        Raises:
            - ENDRUN: when the state is not Running
        """
        task = self.task
        if not state.is_running():
            self.logger.debug(
                f"Task '{prefect_context.get('task_full_name', task.name)}': Can't run task "
                "because it's not in a Running state; ending run."
            )
            raise ENDRUN(state)
        raw = _raw(inputs)
        new_state: Optional[State] = None
        try:
            if task.timeout is None and not task.log_stdout:
                value = task.run(**raw)  # type: ignore[attr-defined]
            elif task.log_stdout:
                with redirect_stdout(RedirectToLog(self.logger)):  # type: ignore[type-var]
                    value = executors.run_task_with_timeout(task, kwargs=raw, logger=self.logger)
            else:
                value = executors.run_task_with_timeout(task, kwargs=raw, logger=self.logger)
        except TaskTimeoutSignal as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            return TimedOut("Task timed out during execution.", result=exc)
        except signals.LOOP as exc:
            new_state = exc.state
            value = new_state.result
            new_state.message = new_state.message or f"Task is looping ({new_state.loop_count})"  # type: ignore[attr-defined]
        except signals.SUCCESS as exc:
            new_state = exc.state
            value = new_state.result
        except signals.PrefectStateSignal as exc:
            self.logger.info(f"{type(exc).__name__} signal raised: {exc!r}")
            if prefect_context.get("raise_on_exception"):
                raise
            if exc.state.is_pending():  # RETRY, PAUSE: run again with the same inputs
                exc.state.cached_inputs = inputs
            return exc.state
        except Exception as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            self.logger.error(
                f"Task '{prefect_context.get('task_full_name', task.name)}': "
                "Exception encountered during task execution!",
                exc_info=True,
            )
            return Failed(f"Error during execution of task: {exc!r}", result=exc)

        try:
            result = self._checkpoint(value, raw)
        except Exception as exc:
            if prefect_context.get("raise_on_exception"):
                raise
            message = f"Error checkpointing the result of task '{prefect_context.get('task_full_name', task.name)}': {exc!r}"
            self.logger.error(message, exc_info=True)
            return Failed(message, result=exc)
        if new_state is not None:
            new_state.result = result
            return new_state
        return Success(result=result, message="Task run succeeded.")

    def _checkpoint(self, value: Any, raw_inputs: Dict[str, Any]) -> Result:
        """`value` as a Result, written through the task's Result when checkpointing applies: the
        run's `checkpointing` is on and the task does not say `checkpoint=False`, or the task has
        a target and `checkpoint=True`. A failed write raises (the task run fails)."""
        task = self.task
        if (
            value is None
            or task.checkpoint is False
            or not (
                read_context("checkpointing") is True
                or (task.target is not None and task.checkpoint is True)
            )
        ):
            return self.result.from_value(value)
        try:
            return self.result.write(value, **formatting_kwargs(raw_inputs))
        except NotImplementedError:
            return self.result.from_value(value)

    @call_state_handlers
    def check_for_retry(self, state: State, inputs: Dict[str, Result]) -> State:
        """A Failed state with retries left (and an error matching `retry_on`) becomes Retrying
        after `retry_delay`, keeping the inputs; inside a LOOP it also keeps the loop count and
        the last loop result, so the retry resumes the loop where it failed.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: Retrying, or the state unchanged
        """
        task = self.task
        if not state.is_failed():
            return state
        if (
            task.retry_on
            and state.result is not None
            and not any(isinstance(state.result, t) for t in task.retry_on)
        ):
            self.logger.info(
                f"Task '{prefect_context.get('task_full_name', task.name)}': Skipping retry. Exception of "
                f"type {type(state.result).__name__!r} is not an instance of the retry on exception types."
            )
            return state
        run_count = prefect_context.get("task_run_count", 1)
        if run_count > task.max_retries:
            return state
        loop_result = None
        loop_context = None
        loop_count = prefect_context.get("task_loop_count")
        if loop_count is not None:
            loop_value = prefect_context.get("task_loop_result")
            loop_result = self._checkpoint(loop_value, _raw(inputs))
            loop_context = {"_loop_count": loop_count}
        return Retrying(
            start_time=pendulum.now("utc") + task.retry_delay,  # type: ignore[operator]
            message=f"Retrying Task (after attempt {run_count} of {task.max_retries + 1})",
            run_count=run_count,
            cached_inputs=dict(inputs),
            context=loop_context,
            result=loop_result,
        )

    def check_task_is_looping(
        self,
        state: State,
        inputs: Optional[Dict[str, Result]] = None,
        upstream_states: Optional[Dict[Edge, State]] = None,
        context: Optional[Dict[str, Any]] = None,
    ) -> State:
        """A Looped state runs the task again (as a tail call of `run`) from Pending, with
        `task_loop_count` + 1 and `task_loop_result` in context.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result], optional): the inputs
            - upstream_states (Dict[Edge, State], optional): the upstream states
            - context (dict, optional): the run's context

        Returns:
            - State: the state, when it is not Looped

        Raises:
            - RecursiveCall: to run the pipeline again
        """
        if not state.is_looped():
            return state
        context = context if context is not None else {}
        context.update(task_loop_result=state.result, task_loop_count=state.loop_count + 1)  # type: ignore[attr-defined]
        raise RecursiveCall(
            self.run,
            self,
            Pending(message=f"Looping task (on loop index {state.loop_count})"),  # type: ignore[attr-defined]
            upstream_states=upstream_states,
            context=context,
        )


def _is_deleted(value: Any) -> bool:
    from prefect_classic.utilities.context import _DELETED

    return value is _DELETED


#: the steps `TaskRunner.run` leaves out when they cannot change the state (each returns its
#: state unchanged then, without a state change for the handlers to see)
_SKIPPABLE_STEPS = (
    "check_task_reached_start_time",
    "check_upstream_finished",
    "check_upstream_skipped",
    "check_task_is_cached",
    "cache_result",
    "check_for_retry",
    "check_task_is_looping",
    "set_task_to_running",
)
#: a class's functions for those steps, read in one call (`attrgetter` of several names)
_step_functions = attrgetter(*_SKIPPABLE_STEPS)
_ORIGINAL_STEPS = _step_functions(TaskRunner)
_SKIPPABLE_NAMES = frozenset(_SKIPPABLE_STEPS)


def _replaces_steps(runner: TaskRunner) -> bool:
    """Whether the runner's class (a subclass, or a patched TaskRunner) or the runner itself
    replaces one of the steps `run` may leave out: then `run` calls every step, as Prefect 1."""
    if _step_functions(type(runner)) != _ORIGINAL_STEPS:
        return True
    # (the runner's few attributes looked up in a set, not the eight names in its dict)
    return not _SKIPPABLE_NAMES.isdisjoint(runner.__dict__)
