"""Task: a unit of work with a `run()` method, and the graph operations built on it."""
import copy
import datetime
import enum
import functools
import inspect
import warnings
import weakref
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Union

from prefect_classic.configuration import config
from prefect_classic.utilities.context import context
from prefect_classic.utilities.logging import get_logger

__all__ = ["NoDefault", "Task", "TaskMetaclass", "instance_property"]

RESERVED_ARGUMENTS = ("upstream_tasks", "mapped", "task_args", "flow")


class NoDefault(enum.Enum):
    """Marks "no default value" (a required Parameter)."""

    value = "no_default"

    def __repr__(self) -> str:
        return "<no default>"


class instance_property:
    """A property that exists on instances only: on the class it raises AttributeError.

    Args:
        - func (Callable): the getter
    """

    def __init__(self, func: Callable):
        self.func = func
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, obj: Any, cls: Any) -> Any:
        if obj is None:
            raise AttributeError
        return self.func(obj)


def _validate_run_signature(run: Callable) -> None:
    func = inspect.unwrap(run)
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "This function can not be inspected (common with builtins and numpy functions). "
            "Wrap it in a standard Python function to use it as a task."
        ) from exc
    params = list(sig.parameters.values())
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        raise ValueError(
            "Tasks with variable positional arguments (*args) are not supported, because all "
            "Prefect arguments are stored as keywords. As a workaround, consider modifying the "
            "run() method to accept **kwargs and feeding the values to *args."
        )
    violations = [p.name for p in params if p.name in RESERVED_ARGUMENTS
                  and p.kind is not inspect.Parameter.VAR_KEYWORD]
    if violations:
        raise ValueError(
            f"Tasks cannot have the following argument names: {', '.join(violations)}. "
            "These are reserved keyword arguments."
        )


_BOUND_SIGNATURES: "weakref.WeakKeyDictionary[Any, inspect.Signature]" = weakref.WeakKeyDictionary()
_PLAIN_SIGNATURES: "weakref.WeakKeyDictionary[Any, inspect.Signature]" = weakref.WeakKeyDictionary()


def run_signature(task: "Task") -> inspect.Signature:
    """The signature of `task.run`, memoized per function (building a flow inspects it for every
    bound argument, and `inspect.signature` is slow).

    Args:
        - task (Task): the task

    Returns:
        - inspect.Signature: the signature of the (bound) `run`
    """
    run = task.run
    func = getattr(run, "__func__", None)
    cache, key = (_BOUND_SIGNATURES, func) if func is not None else (_PLAIN_SIGNATURES, run)
    try:
        return cache[key]
    except KeyError:
        sig = cache[key] = inspect.signature(run)
        return sig
    except TypeError:  # not weak-referenceable (builtins, some callables)
        return inspect.signature(run)


class TaskMetaclass(type):
    """Checks each Task subclass's `run` signature when the class is created, and warns when a
    Task instance is passed to a Task constructor (a common mistake)."""

    def __new__(mcs, name: str, parents: tuple, methods: dict) -> "TaskMetaclass":
        if "run" in methods:
            _validate_run_signature(methods["run"])
        if "__init__" in methods:
            old_init = methods["__init__"]

            @functools.wraps(old_init)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                if any(isinstance(a, Task) for a in args + tuple(kwargs.values())):
                    cls_name = type(self).__name__
                    warnings.warn(
                        f"A Task was passed as an argument to {cls_name}; you likely want to first "
                        f"initialize {cls_name} with static (non-Task) arguments, then call the "
                        "initialized task with the dynamic (Task) arguments.",
                        stacklevel=2,
                    )
                old_init(self, *args, **kwargs)

            methods = dict(methods)
            methods["__init__"] = init
        return super().__new__(mcs, name, parents, methods)


def _as_timeout(timeout: Any) -> Optional[int]:
    if timeout is None or timeout is False:
        return None
    if isinstance(timeout, datetime.timedelta):
        if timeout.microseconds:
            warnings.warn("Task timeouts do not support a sub-second resolution; smaller units will be ignored!",
                          stacklevel=3)
        timeout = int(timeout.total_seconds())
    if isinstance(timeout, bool) or not isinstance(timeout, int):
        raise TypeError("Only integer timeouts (representing seconds) or timedelta timeouts are supported.")
    if timeout <= 0:
        raise ValueError(f"`timeout` must be a positive number of seconds (received {timeout}).")
    return timeout


class Task(metaclass=TaskMetaclass):
    """A unit of work: subclass it and implement `run()`, or use the `@task` decorator.

    Args:
        - name (str, optional): the task's name (default: the class name)
        - slug (str, optional): a unique id within a flow (default: assigned by the flow)
        - tags ([str], optional): tags; tags of enclosing `tags(...)` blocks are added
        - max_retries (int, optional): how many times to retry on failure (needs `retry_delay`)
        - retry_delay (timedelta, optional): how long to wait before a retry
        - retry_on (Union[Exception, Iterable[Exception]], optional): retry only on these errors
        - timeout (Union[int, timedelta], optional): seconds a run may take before TimedOut
        - trigger (Callable, optional): decides from upstream states whether to run
            (default `triggers.all_successful`)
        - skip_on_upstream_skip (bool, optional): skip when an upstream task skipped (default True)
        - cache_for (timedelta, optional): keep the output cached this long
        - cache_validator (Callable, optional): decides whether a cached output is still valid
            (default `duration_only` when `cache_for` is set)
        - cache_key (str, optional): the key the output cache is stored under (default: the name);
            tasks sharing a key share a cache, even across flows
        - checkpoint (bool, optional): write the output through `result` when checkpointing is on
        - state_handlers (Iterable[Callable], optional): `handler(task, old_state, new_state)`
            called on every state change; a returned State replaces the new state
        - on_failure (Callable, optional): `fn(task, state)` called when the task fails
        - log_stdout (bool, optional): send `print` output to the logger
        - result (Result, optional): where the output is written for checkpoints and targets
        - target (Union[str, Callable], optional): a templated location; when it exists the task
            is Cached with its value instead of running
        - task_run_name (Union[str, Callable], optional): a templated name for each run
        - nout (int, optional): how many values `run()` returns, for tuple unpacking
        - cache_policy, cache_key_fn, cache_expiration, refresh_cache, persist_result,
          result_storage: policy-based caching (see `prefect_classic.cache_policies`)

    Raises:
        - TypeError: if `tags` is a string or `timeout` is not an int/timedelta
        - ValueError: for invalid retry, timeout or cache settings
    """

    __iter__: Any

    def __init__(
        self,
        name: Optional[str] = None,
        slug: Optional[str] = None,
        tags: Optional[Iterable[str]] = None,
        max_retries: Optional[int] = None,
        retry_delay: Optional[datetime.timedelta] = None,
        retry_on: Any = None,
        timeout: Union[int, datetime.timedelta, None] = None,
        trigger: Optional[Callable[[Dict[Any, Any]], bool]] = None,
        skip_on_upstream_skip: bool = True,
        cache_for: Optional[datetime.timedelta] = None,
        cache_validator: Optional[Callable] = None,
        cache_key: Optional[str] = None,
        checkpoint: Optional[bool] = None,
        state_handlers: Optional[List[Callable]] = None,
        on_failure: Optional[Callable] = None,
        log_stdout: bool = False,
        result: Any = None,
        target: Union[str, Callable, None] = None,
        task_run_name: Union[str, Callable, None] = None,
        nout: Optional[int] = None,
        cache_policy: Any = None,
        cache_key_fn: Optional[Callable] = None,
        cache_expiration: Optional[datetime.timedelta] = None,
        refresh_cache: Optional[bool] = None,
        persist_result: Optional[bool] = None,
        result_storage: Any = None,
    ):
        from prefect_classic import triggers
        from prefect_classic.engine import cache_validators

        self.name = name or type(self).__name__
        self.slug = slug
        self.logger = get_logger(self.name)

        if isinstance(tags, str):
            raise TypeError("Tags should be a set of tags, not a string.")
        self.tags: Set[str] = (set(tags) if tags is not None else set()) | set(context.get("tags", ()))

        defaults = config.tasks.defaults
        max_retries = max_retries if max_retries is not None else defaults.max_retries
        retry_delay = retry_delay if retry_delay is not None else (defaults.retry_delay or None)
        timeout = timeout if timeout is not None else defaults.timeout
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"`max_retries` must be a non-negative integer (received {max_retries!r}).")
        if max_retries > 0 and retry_delay is None:
            raise ValueError("A datetime.timedelta `retry_delay` must be provided if max_retries > 0")
        if retry_delay is not None and not max_retries:
            raise ValueError(
                "A `max_retries` argument greater than 0 must be provided if specifying a retry delay."
            )
        if retry_delay is not None and (not isinstance(retry_delay, datetime.timedelta)
                                        or retry_delay.total_seconds() < 0):
            raise ValueError(f"`retry_delay` must be a non-negative datetime.timedelta (received {retry_delay!r}).")
        if retry_on is not None and not max_retries:
            raise ValueError("`retry_on` is only valid with `max_retries` > 0.")
        self.max_retries: int = max_retries
        self.retry_delay: Optional[datetime.timedelta] = retry_delay
        self.retry_on: Optional[Set[type]] = (
            None if retry_on is None else set(retry_on if isinstance(retry_on, Iterable) else [retry_on])
        )
        self.timeout: Optional[int] = _as_timeout(timeout)

        self.trigger = trigger or triggers.all_successful
        self.skip_on_upstream_skip = skip_on_upstream_skip

        if cache_for is not None and (not isinstance(cache_for, datetime.timedelta)
                                      or cache_for.total_seconds() <= 0):
            raise ValueError(f"`cache_for` must be a positive datetime.timedelta (received {cache_for!r}).")
        if cache_for is None and cache_validator is not None and cache_validator is not cache_validators.never_use:
            warnings.warn(
                "cache_validator provided without specifying cache expiration (cache_for); "
                "this Task will not be cached.",
                stacklevel=2,
            )
        self.cache_for = cache_for
        self.cache_key = cache_key
        default_validator = cache_validators.never_use if cache_for is None else cache_validators.duration_only
        self.cache_validator = cache_validator or default_validator
        self.checkpoint = checkpoint
        self.result = result
        self.target = target
        if target is not None and getattr(result, "location", None):
            warnings.warn(
                "Both `result.location` and `target` set on task. Task result will use target as location.",
                stacklevel=2,
            )
        if state_handlers is not None and not isinstance(state_handlers, (list, tuple)):
            raise TypeError("state_handlers should be iterable.")
        self.state_handlers: List[Callable] = list(state_handlers or [])
        self.on_failure = on_failure
        if on_failure is not None:
            self.state_handlers.append(_failure_callback(on_failure))
        self.auto_generated = False
        self.log_stdout = log_stdout
        self.task_run_name = task_run_name
        if nout is not None and (not isinstance(nout, int) or nout < 0):
            raise ValueError(f"`nout` must be a non-negative integer (received {nout!r}).")
        self.nout = nout

        if cache_expiration is not None and not isinstance(cache_expiration, datetime.timedelta):
            raise ValueError(f"`cache_expiration` must be a datetime.timedelta (received {cache_expiration!r}).")
        if cache_policy is not None and cache_key_fn is not None:
            raise ValueError("Pass either `cache_policy` or `cache_key_fn`, not both.")
        self.cache_policy = cache_policy
        self.cache_key_fn = cache_key_fn
        self.cache_expiration = cache_expiration
        self.refresh_cache = refresh_cache
        self.persist_result = persist_result
        self.result_storage = result_storage

    def __repr__(self) -> str:
        return f"<Task: {self.name}>"

    __hash__ = object.__hash__  # identity, at C speed (the comparison operators build tasks)

    def __iter__(self) -> Iterator["Task"]:  # type: ignore[no-redef]
        if self.nout is None:
            raise TypeError(
                "Task is not iterable. If your task returns multiple results, pass `nout` to the task "
                "decorator/constructor, or provide a `Tuple` return-type annotation to your task."
            )
        return (self[i] for i in range(self.nout))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("logger", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.logger = get_logger(self.name)

    @instance_property
    def __signature__(self) -> inspect.Signature:
        """An instance's signature is its `run()` signature plus the graph keywords."""
        sig = inspect.signature(self.run)
        extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None)
                 for n in ("mapped", "task_args", "upstream_tasks", "flow")]
        params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        var_kw = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.VAR_KEYWORD]
        return sig.replace(parameters=params + extra + var_kw)

    # --- run ------------------------------------------------------------------------------------
    def run(self) -> Any:
        """The work this task does. Override it in subclasses; its return value is the result.

        Raise a signal (`FAIL`, `SUCCESS`, `RETRY`, `SKIP`, `LOOP`, `PAUSE`) to choose the state.
        """

    def inputs(self) -> Dict[str, Dict[str, Any]]:
        """The `run()` arguments: `{name: {"type": annotation, "required": bool}}`."""
        sig = inspect.signature(self.run)
        found = {}
        for name, p in sig.parameters.items():
            if p.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
                continue
            ann = p.annotation if p.annotation is not inspect.Parameter.empty else Any
            found[name] = {"type": ann, "required": p.default is inspect.Parameter.empty}
        return found

    def outputs(self) -> Any:
        """The return annotation of `run()` (Any when there is none)."""
        ann = inspect.signature(self.run).return_annotation
        return Any if ann is inspect.Signature.empty else ann

    # --- copies and graph -------------------------------------------------------------------------
    def copy(self, **task_args: Any) -> "Task":
        """Return a copy with a new slug and the given attributes changed.

        Args:
            - **task_args (Any): attributes to set on the copy

        Returns:
            - Task: the copy

        Raises:
            - AttributeError: when an attribute does not exist on the task
        """
        flow = context.get("flow")
        if flow is not None and self in flow.tasks and (flow.edges_to(self) or flow.edges_from(self)):
            warnings.warn(
                "You are making a copy of a task that has dependencies on or to other tasks in the "
                "active flow context. The copy will not retain those dependencies.",
                stacklevel=2,
            )
        new = copy.copy(self)
        task_args.setdefault("slug", None)
        for attr, val in task_args.items():
            if not hasattr(new, attr):
                raise AttributeError(f"{self} does not have {attr} as an attribute")
            setattr(new, attr, val)
        if "name" in task_args:
            new.logger = get_logger(new.name)
        new.tags = set(self.tags) | set(new.tags) | set(context.get("tags", ()))
        new.state_handlers = list(new.state_handlers)
        return new

    def __call__(self, *args: Any, mapped: bool = False, task_args: Optional[dict] = None,
                 upstream_tasks: Optional[Iterable[Any]] = None, flow: Any = None, **kwargs: Any) -> "Task":
        """Copy this task and bind arguments to the copy (the functional API).

        Args:
            - *args, **kwargs: `run()` arguments: tasks or plain values
            - mapped (bool, optional): map over the arguments
            - task_args (dict, optional): attributes to change on the copy (e.g. `name`)
            - upstream_tasks ([Task], optional): extra upstream dependencies without data
            - flow (Flow, optional): the flow (default: the one in context)

        Returns:
            - Task: the bound copy
        """
        new = self.copy(**(task_args or {}))
        new.bind(*args, mapped=mapped, upstream_tasks=upstream_tasks, flow=flow, **kwargs)
        return new

    def bind(self, *args: Any, mapped: bool = False, upstream_tasks: Optional[Iterable[Any]] = None,
             flow: Any = None, **kwargs: Any) -> "Task":
        """Bind arguments to this task (no copy) in the flow.

        Args:
            - *args, **kwargs: `run()` arguments: tasks or plain values
            - mapped (bool, optional): map over the arguments
            - upstream_tasks ([Task], optional): extra upstream dependencies without data
            - flow (Flow, optional): the flow (default: the one in context)

        Returns:
            - Task: this task

        Raises:
            - ValueError: when there is no flow to bind in
            - TypeError: when the arguments do not fit `run()`
        """
        sig = run_signature(self)
        callargs = dict(sig.bind(*args, **kwargs).arguments)
        for p in sig.parameters.values():
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                callargs.update(callargs.pop(p.name, {}))
        flow = flow if flow is not None else context.get("flow")
        if flow is None:
            raise ValueError(
                f"Could not infer an active Flow context while creating edge to {self}. This often "
                "means you called a task outside a `with Flow(...)` block. If you're trying to run "
                f"this task outside of a Flow context, you need to call `{self}.run(...)`"
            )
        self.set_dependencies(flow=flow, upstream_tasks=upstream_tasks, keyword_tasks=callargs,
                              mapped=mapped)
        return self

    def map(self, *args: Any, upstream_tasks: Optional[Iterable[Any]] = None, flow: Any = None,
            task_args: Optional[dict] = None, **kwargs: Any) -> "Task":
        """Copy this task and map it over its arguments: one child run per element.

        Wrap an argument in `unmapped(...)` to pass it whole to every child, or in `flatten(...)`
        to map over a flattened list of lists.

        Args:
            - *args, **kwargs: `run()` arguments to map over
            - upstream_tasks ([Task], optional): extra upstream dependencies (mapped unless unmapped)
            - flow (Flow, optional): the flow (default: the one in context)
            - task_args (dict, optional): attributes to change on the copy

        Returns:
            - Task: the mapped copy
        """
        new = self.copy(**(task_args or {}))
        return new.bind(*args, mapped=True, upstream_tasks=upstream_tasks, flow=flow, **kwargs)

    def set_dependencies(self, flow: Any = None, upstream_tasks: Optional[Iterable[Any]] = None,
                         downstream_tasks: Optional[Iterable[Any]] = None,
                         keyword_tasks: Optional[Dict[str, Any]] = None, mapped: bool = False,
                         validate: Optional[bool] = None) -> None:
        """Add this task's dependencies to a flow (see `Flow.set_dependencies`).

        Args:
            - flow (Flow, optional): the flow (default: the one in context)
            - upstream_tasks ([Task], optional): tasks that run before this one
            - downstream_tasks ([Task], optional): tasks that run after this one
            - keyword_tasks (dict, optional): `{argument: task or value}`
            - mapped (bool, optional): map over the upstream tasks
            - validate (bool, optional): validate the flow afterwards
        """
        flow = flow if flow is not None else context.get("flow")
        if flow is None:
            raise ValueError("No Flow was passed, and could not infer an active Flow context.")
        flow.set_dependencies(task=self, upstream_tasks=upstream_tasks, downstream_tasks=downstream_tasks,
                              keyword_tasks=keyword_tasks, mapped=mapped, validate=validate)

    def set_upstream(self, task: Any, flow: Any = None, key: Optional[str] = None, mapped: bool = False) -> None:
        """Make `task` run before this one (optionally passing its result as `key`).

        Args:
            - task (Task): the upstream task
            - flow (Flow, optional): the flow (default: the one in context)
            - key (str, optional): the argument that receives the upstream result
            - mapped (bool, optional): map this task over the upstream result
        """
        if key is not None:
            self.set_dependencies(flow=flow, keyword_tasks={key: task}, mapped=mapped)
        else:
            self.set_dependencies(flow=flow, upstream_tasks=[task], mapped=mapped)

    def set_downstream(self, task: Any, flow: Any = None, key: Optional[str] = None, mapped: bool = False) -> None:
        """Make `task` run after this one (optionally receiving this result as `key`).

        Args:
            - task (Task): the downstream task
            - flow (Flow, optional): the flow (default: the one in context)
            - key (str, optional): the downstream argument that receives this result
            - mapped (bool, optional): map the downstream task over this result
        """
        task.set_upstream(self, flow=flow, key=key, mapped=mapped)

    # --- serialization ------------------------------------------------------------------------
    def serialize(self) -> dict:
        """Return this task's metadata as Prefect 1's JSON-compatible dict."""
        from prefect_classic.serialization.task import TaskSchema

        return TaskSchema().dump(self)

    # --- operators --------------------------------------------------------------------------------
    def _op(self, op_name: str, *args: Any) -> "Task":
        from prefect_classic.tasks.core import operators

        return getattr(operators, op_name)()(*args)

    def __getitem__(self, key: Any) -> "Task":
        return self._op("GetItem", self, key)

    def __add__(self, other: Any) -> "Task":
        return self._op("Add", self, other)

    def __sub__(self, other: Any) -> "Task":
        return self._op("Sub", self, other)

    def __mul__(self, other: Any) -> "Task":
        return self._op("Mul", self, other)

    def __truediv__(self, other: Any) -> "Task":
        return self._op("Div", self, other)

    def __floordiv__(self, other: Any) -> "Task":
        return self._op("FloorDiv", self, other)

    def __mod__(self, other: Any) -> "Task":
        return self._op("Mod", self, other)

    def __pow__(self, other: Any) -> "Task":
        return self._op("Pow", self, other)

    def __and__(self, other: Any) -> "Task":
        return self._op("And", self, other)

    def __or__(self, other: Any) -> "Task":
        return self._op("Or", self, other)

    def __xor__(self, other: Any) -> "Task":
        return self._op("Xor", self, other)

    def __invert__(self) -> "Task":
        return self._op("Not", self)

    def __radd__(self, other: Any) -> "Task":
        return self._op("Add", other, self)

    def __rsub__(self, other: Any) -> "Task":
        return self._op("Sub", other, self)

    def __rmul__(self, other: Any) -> "Task":
        return self._op("Mul", other, self)

    def __rtruediv__(self, other: Any) -> "Task":
        return self._op("Div", other, self)

    def __rfloordiv__(self, other: Any) -> "Task":
        return self._op("FloorDiv", other, self)

    def __rmod__(self, other: Any) -> "Task":
        return self._op("Mod", other, self)

    def __rpow__(self, other: Any) -> "Task":
        return self._op("Pow", other, self)

    def __rand__(self, other: Any) -> "Task":
        return self._op("And", other, self)

    def __ror__(self, other: Any) -> "Task":
        return self._op("Or", other, self)

    def __rxor__(self, other: Any) -> "Task":
        return self._op("Xor", other, self)

    def is_equal(self, other: Any) -> "Task":
        """A task whose result is `self == other`."""
        return self._op("Equal", self, other)

    def is_not_equal(self, other: Any) -> "Task":
        """A task whose result is `self != other`."""
        return self._op("NotEqual", self, other)

    def not_(self) -> "Task":
        """A task whose result is `not self`."""
        return self._op("Not", self)

    def or_(self, other: Any) -> "Task":
        """A task whose result is `self or other`."""
        return self._op("Or", self, other)

    def and_(self, other: Any) -> "Task":
        """A task whose result is `self and other`."""
        return self._op("And", self, other)

    def __gt__(self, other: Any) -> "Task":
        return self._op("GreaterThan", self, other)

    def __ge__(self, other: Any) -> "Task":
        return self._op("GreaterThanOrEqual", self, other)

    def __lt__(self, other: Any) -> "Task":
        return self._op("LessThan", self, other)

    def __le__(self, other: Any) -> "Task":
        return self._op("LessThanOrEqual", self, other)


def _failure_callback(on_failure: Callable) -> Callable:
    def on_failure_handler(task: Task, old_state: Any, new_state: Any) -> Any:
        if new_state.is_failed():
            on_failure(task, new_state)
        return new_state

    on_failure_handler.__name__ = getattr(on_failure, "__name__", "on_failure")
    return on_failure_handler
