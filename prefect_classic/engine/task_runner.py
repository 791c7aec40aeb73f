"""The task run: a pipeline of small steps, each taking a State and returning a State.

`TaskRunner.run` reads top to bottom (see the comments there for why the steps come in that
order). Every step is a public method with Prefect 1's name and signature, so a subclass can
override one, and every step goes through `call_state_handlers`: a change of state runs the
task's and the runner's state handlers. A step ends the run early by raising `ENDRUN(state)`.

Context keys a task run adds (on top of the flow run's): `map_index`, `task_full_name`
(`name[3]` for a mapped child), `task_name`, `task_tags`, `task_run_count` (1, then +1 per
retry), `checkpointing`, `logger`, `resume` (after a Resume), `task_loop_count` and
`task_loop_result` (LOOP iterations after the first) and `task_run_name` (templated).
"""
from contextlib import redirect_stdout
from typing import Any, Callable, Dict, Iterable, NamedTuple, Optional, Tuple

import pendulum

from prefect_classic import transactions as _transactions
from prefect_classic.configuration import config
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.engine.cache_validators import compares_inputs
from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.runner import (
    _LOGGERS,
    ENDRUN,
    Runner,
    call_state_handlers,
    check_state_handlers,
    runner_logger,
)
from prefect_classic.engine.state import (
    Cached,
    Failed,
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
from prefect_classic.exceptions import TaskTimeoutSignal
from prefect_classic.utilities import executors
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.executors import RecursiveCall, tail_recursive
from prefect_classic.utilities.logging import RedirectToLog
from prefect_classic.utilities.templates import TemplateError, format_template, template_fields

__all__ = ["ENDRUN", "TaskRunner", "TaskRunnerInitializeResult", "TaskTimeoutSignal", "formatting_kwargs"]

#: template fields that differ between the children of a mapped task
PER_CHILD_FIELDS = {"map_index", "task_full_name", "task_run_name"}


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
    values = {**(prefect_context.get("parameters") or {}), **prefect_context.to_dict(), **raw_inputs}
    values.pop("self", None)
    return values


def _raw(inputs: Dict[str, Result]) -> Dict[str, Any]:
    return {k: r.value for k, r in inputs.items()}


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


class TaskRunner(Runner):
    """Runs one task (or one mapped child): decides its state before, during and after `run()`.

    Args:
        - task (Task): the task
        - state_handlers (Iterable[Callable], optional): `handler(runner, old, new)` handlers,
            called after the task's own on every state change
        - flow_result (Result, optional): the flow's Result, used when the task has none
    """

    def __init__(self, task: Task, state_handlers: Optional[Iterable[Callable]] = None, flow_result: Any = None):
        self.task = task
        self.state_handlers = [] if state_handlers is None else check_state_handlers(state_handlers)
        cls = type(self)
        self.logger = _LOGGERS.get(cls) or runner_logger(cls)
        self.flow_result = flow_result
        self._context_layers = prefect_context._layers[:]
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

    def initialize_run(self, state: Optional[State], context: Dict[str, Any]) -> TaskRunnerInitializeResult:  # type: ignore[override]
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
            isinstance(state, Paused) and state.start_time and state.start_time <= pendulum.now("utc")
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
        if "checkpointing" not in context and "checkpointing" not in prefect_context:
            try:
                checkpointing = (context.get("config") or prefect_context.get("config"))["flows"]["checkpointing"]
            except (KeyError, TypeError):
                checkpointing = config.flows.checkpointing
            context["checkpointing"] = checkpointing
        context["logger"] = self.task.logger
        return TaskRunnerInitializeResult(state=state, context=context)

    @tail_recursive
    def run(self, state: Optional[State] = None, upstream_states: Optional[Dict[Edge, State]] = None,
            context: Optional[Dict[str, Any]] = None, is_mapped_parent: bool = False) -> State:
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
            ctx: Dict[str, Any] = {"map_index": prefect_context.get("map_index")}
        else:
            ctx = dict(context)
            ctx.setdefault("map_index", None)
        map_index = ctx["map_index"]
        name = self.task.name
        full_name = ctx["task_full_name"] = name if map_index is None else f"{name}[{map_index}]"
        # the start and final log lines come once per run, LOOP iterations included; a task run
        # inside another task's LOOP iteration leaves them out (as in Prefect 1)
        log_info = self.logger.isEnabledFor(20) and prefect_context.get("task_loop_count") is None
        task_inputs: Dict[str, Result] = {}
        try:
            state, ctx = self.initialize_run(state, ctx)
        except (ENDRUN, signals.PrefectStateSignal) as exc:
            return exc.state
        except Exception as exc:
            return self._unexpected_error(exc, full_name)

        with prefect_context(ctx):
            try:
                if log_info and ctx.get("task_loop_count") is None:
                    self.logger.info(f"Task '{full_name}': Starting task run...")
                # a finished (or running) task ends here; Pending, Cached and Mapped go on
                state = self.check_task_is_ready(state)
                # a Scheduled or Retrying state in the future waits
                state = self.check_task_reached_start_time(state)
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
                    self._mapped_input_names = {e.key for e in upstream_states if e.mapped and e.key}
                    state = self.check_target(state, task_inputs)
                else:
                    state = self.check_task_is_cached(state, task_inputs)
                durable = _uses_durable_cache(self.task)
                if durable:
                    state = self.check_policy_cache(state, task_inputs)
                # the trigger comes after the caches: a trigger may PAUSE, and a Paused state
                # keeps the inputs
                state = self.check_task_trigger(state, upstream_states)
                state = self.set_task_to_running(state, task_inputs)
                state = self.get_task_run_state(state, task_inputs)
                # a success with cache_for becomes Cached; durable records are written after
                state = self.cache_result(state, task_inputs)
                if durable:
                    state = self.store_policy_cache(state, task_inputs)
                # a failure with retries left becomes Retrying
                state = self.check_for_retry(state, task_inputs)
                # a Looped state runs the pipeline again (with the loop count and result)
                state = self.check_task_is_looping(state, task_inputs, upstream_states, ctx)
            except (ENDRUN, signals.PrefectStateSignal) as exc:
                state = exc.state
            except RecursiveCall:
                raise
            except Exception as exc:
                state = self._unexpected_error(exc, full_name)
            if log_info:
                self.logger.info(f"Task '{full_name}': Finished task run for task with final state: "
                                 f"'{type(state).__name__}'")
        return state

    def _unexpected_error(self, exc: Exception, full_name: str) -> State:
        message = f"Task '{full_name}': Unexpected error while running task: {exc!r}"
        self.logger.exception(message)
        if prefect_context.get("raise_on_exception"):
            raise exc
        return Failed(message=message, result=exc)

    # --- the steps ------------------------------------------------------------------------------
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
                self.logger.debug(f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                                  "Not all upstream states are finished; ending run.")
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
            self.logger.debug(f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                              "Upstream states were skipped; ending run.")
            raise ENDRUN(state=Skipped(
                message="Upstream task was skipped; if this was not the intended behavior, consider "
                        "changing `skip_on_upstream_skip=False` for this task."
            ))
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
            state.cached_inputs = {edge.key: up._result for edge, up in upstream_states.items() if edge.key}
            raise ENDRUN(state)
        if upstream_states and not any(edge.mapped and up.is_successful() for edge, up in upstream_states.items()):
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
            self.logger.debug(f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                              f"{type(exc).__name__} signal raised during execution.")
            if prefect_context.get("raise_on_exception"):
                raise
            raise ENDRUN(exc.state) from exc
        except Exception as exc:
            self.logger.exception(f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                                  f"Unexpected error while evaluating task trigger: {exc!r}")
            if prefect_context.get("raise_on_exception"):
                raise
            raise ENDRUN(TriggerFailed(f"Unexpected error while checking task trigger: {exc!r}", result=exc)) from exc
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
                self.logger.debug(f"Task '{name}': Task is not ready to run or state was unrecognized ({state}).")
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
                self.logger.debug(f"Task '{prefect_context.get('task_full_name', self.task.name)}' is "
                                  "scheduled without a known start_time; ending run.")
                raise ENDRUN(state)
            if state.start_time > pendulum.now("utc"):
                self.logger.debug(f"Task '{prefect_context.get('task_full_name', self.task.name)}': "
                                  "start_time has not been reached; ending run.")
                raise ENDRUN(state)
        return state

    def get_task_inputs(self, state: State, upstream_states: Dict[Edge, State]) -> Dict[str, Result]:
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

    def load_results(self, state: State, upstream_states: Dict[Edge, State]) -> Tuple[State, Dict[Edge, State]]:
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
    def check_target(self, state: State, inputs: Dict[str, Result]) -> State:
        """A value stored at the task's target (formatted with the parameters, context and
        inputs) ends the run as Cached with that value.

        A mapped child's target must differ per child; a target that exists but cannot be read
        logs a warning and the task runs again.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: Cached with the stored value, or the state unchanged
        """
        target = self.task.target
        if not target or not self.result:
            return state
        kwargs = formatting_kwargs(_raw(inputs))
        per_child = getattr(self, "_mapped_input_names", None)
        if prefect_context.get("map_index") is not None and isinstance(target, str) \
                and not template_fields(target) & (PER_CHILD_FIELDS | (set(inputs) if per_child is None else per_child)):
            raise ENDRUN(Failed(
                f"Target {target!r} of mapped task '{self.task.name}' has no per-child field, so every "
                "child would write the same location; add {map_index} (or a mapped input's name) to the template."
            ))
        try:
            if callable(target):  # a callable gives the template, as in Prefect 1
                target = target(**kwargs)
            location = format_template(target, **kwargs)
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
                f"Task '{prefect_context.get('task_full_name', self.task.name)}': target {location} exists but "
                f"could not be read ({exc!r}); running the task again and replacing it."
            )
            return state
        return Cached(result=found, cached_result_expiration=None, cached_parameters=kwargs.get("parameters"),
                      message=f"Result found at task target {location}")

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
            if task.cache_validator(state, _raw(inputs), prefect_context.get("parameters")):
                return state
            state = Pending("Cache was invalid; ready to run.")
        if task.cache_for is not None:
            candidate = self._find_cached_state(_raw(inputs), prefect_context.get("parameters"))
            if candidate is not None:
                return candidate
            self.logger.warning(f"Task '{prefect_context.get('task_full_name', task.name)}': "
                                "Can't use cache because it is now invalid")
        return state

    def _find_cached_state(self, raw: Dict[str, Any], parameters: Optional[Dict[str, Any]]) -> Optional[State]:
        caches = prefect_context.get("caches")
        candidates = caches.get(self.task.cache_key or self.task.name) if caches else None
        if not candidates:
            return None
        validator = self.task.cache_validator
        run_id = prefect_context.get("flow_run_id")
        map_index = prefect_context.get("map_index")
        if map_index is not None and compares_inputs(validator):
            map_index = None  # the same inputs give the same result, whichever child made it
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

    @call_state_handlers
    def check_policy_cache(self, state: State, inputs: Dict[str, Result]) -> State:
        """Durable caching (`cache_policy`, `cache_key_fn`, `persist_result`, durable `cache_for`):
        a stored record under the task's cache key ends the run as Cached. See
        `prefect_classic.engine.policy_cache`.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: Cached on a hit, else the state
        """
        if state.is_finished() or not _uses_durable_cache(self.task):  # e.g. an in-memory cache hit
            return state
        from prefect_classic.engine import policy_cache

        return policy_cache.check(self, state, inputs)

    @call_state_handlers
    def store_policy_cache(self, state: State, inputs: Dict[str, Result]) -> State:
        """Write the durable cache record of a successful run under the task's cache key.

        Args:
            - state (State): the current state
            - inputs (Dict[str, Result]): the inputs

        Returns:
            - State: the state (or the value another process stored first, as Cached)
        """
        if not _uses_durable_cache(self.task):
            return state
        from prefect_classic.engine import policy_cache

        return policy_cache.store(self, state, inputs)

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
            self.logger.debug(f"Task '{prefect_context.get('task_full_name', self.task.name)}': Can't set "
                              "state to Running because it isn't Pending; ending run.")
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
            self.logger.debug(f"Task '{prefect_context.get('task_full_name', task.name)}': Can't run task "
                              "because it's not in a Running state; ending run.")
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
            self.logger.error(f"Task '{prefect_context.get('task_full_name', task.name)}': "
                              "Exception encountered during task execution!", exc_info=True)
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
        if value is None or task.checkpoint is False or not (
            prefect_context.get("checkpointing") is True or (task.target is not None and task.checkpoint is True)
        ):
            return self.result.from_value(value)
        try:
            return self.result.write(value, **formatting_kwargs(raw_inputs))
        except NotImplementedError:
            return self.result.from_value(value)

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
        task = self.task
        if task.cache_for is None or not state.is_successful() or state.is_skipped() or state.is_cached():
            return state
        origin: Dict[str, Any] = {}
        run_id = prefect_context.get("flow_run_id")
        if run_id is not None:
            origin["flow_run_id"] = run_id
        map_index = prefect_context.get("map_index")
        if map_index is not None:
            origin["map_index"] = map_index
        return Cached(
            result=state._result, cached_inputs=dict(inputs),
            cached_result_expiration=pendulum.now("utc") + task.cache_for,
            cached_parameters=prefect_context.get("parameters"), message=state.message, context=origin,
        )

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
        if task.retry_on and state.result is not None and not any(isinstance(state.result, t) for t in task.retry_on):
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
            run_count=run_count, cached_inputs=dict(inputs), context=loop_context, result=loop_result,
        )

    def check_task_is_looping(self, state: State, inputs: Optional[Dict[str, Result]] = None,
                              upstream_states: Optional[Dict[Edge, State]] = None,
                              context: Optional[Dict[str, Any]] = None) -> State:
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
        raise RecursiveCall(self.run, self, Pending(message=f"Looping task (on loop index {state.loop_count})"),  # type: ignore[attr-defined]
                            upstream_states=upstream_states, context=context)


def _is_deleted(value: Any) -> bool:
    from prefect_classic.utilities.context import _DELETED

    return value is _DELETED


def _uses_durable_cache(task: Task) -> bool:
    # policy caching, persist_result=True (DEFAULT policy), durable cache_for; and every task while
    # a transaction is open (its failures roll the transaction back)
    return (task.cache_policy is not None or task.cache_key_fn is not None or task.persist_result is True
            or (task.cache_for is not None and task.persist_result is not False)
            or _transactions.ACTIVE_COUNT > 0)
