"""Task: a unit of work with a `run()` method, and the graph operations built on it."""

import collections.abc
import copy
import datetime
import enum
import functools
import inspect
import warnings
import weakref
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Type,
    Union,
)

from prefect_classic.configuration import config
from prefect_classic.core._arg_checks import (
    as_retry_on,
    as_timeout,
    check_collection,
    check_mappable,
    check_task_arguments,
    check_task_attributes,
)
from prefect_classic.core._task_operators import TaskOperators
from prefect_classic.core._task_signature import (  # noqa: F401  (RESERVED_ARGUMENTS: re-exported)
    RESERVED_ARGUMENTS,
    call_signature,
    infer_run_nout,
    run_signature,
    validate_run_signature,
)
from prefect_classic.core._task_signature import (  # noqa: F401  (the name FunctionTask imports)
    validate_run_signature as _validate_run_signature,
)
from prefect_classic.utilities.context import context
from prefect_classic.utilities.edges import EdgeAnnotation
from prefect_classic.utilities.logging import get_logger

__all__ = ["EXTRA_CALL_PARAMETERS", "NoDefault", "Task", "TaskMetaclass", "instance_property"]


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


class TaskMetaclass(type):
    """Checks each Task subclass's `run` signature when the class is created, and warns when a
    Task instance is passed to a Task constructor (a common mistake)."""

    def __new__(mcs, name: str, parents: tuple, methods: dict) -> "TaskMetaclass":
        if "run" in methods:
            validate_run_signature(methods["run"])
        if "__init__" in methods:
            old_init = methods["__init__"]

            @functools.wraps(old_init)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                if any(isinstance(a, Task) for a in args + tuple(kwargs.values())):
                    cls_name = type(self).__name__
                    warnings.warn(
                        f"A Task was passed as an argument to {cls_name}, you likely want to first "
                        f"initialize {cls_name} with any static (non-Task) arguments, then call the "
                        "initialized task with any dynamic (Task) arguments instead. For example:\n\n"
                        f"  my_task = {cls_name}(...)  # static (non-Task) args go here\n"
                        "  res = my_task(...)  # dynamic (Task) args go here",
                        stacklevel=2,
                    )
                old_init(self, *args, **kwargs)

            methods = dict(methods)
            methods["__init__"] = init
        return super().__new__(mcs, name, parents, methods)

    @property
    def _reserved_attributes(cls) -> Tuple[str, ...]:
        """The instance attributes `Task.__init__` sets; a subclass that sets one of them before
        calling `Task.__init__` would see it overwritten (computed once, from a plain Task)."""
        found = Task.__dict__.get("_cached_reserved_attributes")
        if found is None:
            with context(_unused_task_tracker=set()):
                found = tuple(sorted(Task().__dict__))
            Task._cached_reserved_attributes = found  # type: ignore[attr-defined]
        return found


class Task(TaskOperators, metaclass=TaskMetaclass):
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
        - TypeError: if `tags` is a string, `timeout` is not an int/timedelta, `retry_on` holds
            something other than exception classes, or `run()` has positional-only parameters
        - ValueError: for invalid retry, timeout or cache settings

    Subclasses that set an attribute `Task.__init__` also sets (`name`, `tags`, `target`, …)
    before calling it get a warning: the value would be overwritten.
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

        if type(self) is not Task:
            for attr in _attributes_set_early(self):
                warnings.warn(
                    f"`{type(self).__name__}` sets a `{attr}` attribute, which will be overwritten by "
                    "`prefect.Task`. Please rename this attribute to avoid this issue.",
                    stacklevel=3,
                )
        check_task_arguments(
            name,
            slug,
            trigger,
            skip_on_upstream_skip,
            cache_validator,
            cache_key,
            checkpoint,
            state_handlers,
            on_failure,
            log_stdout,
            result,
            target,
            task_run_name,
            cache_policy,
            cache_key_fn,
            cache_expiration,
            refresh_cache,
            persist_result,
            result_storage,
        )

        self.name = name or type(self).__name__
        self.slug = slug
        positional_only = [
            n
            for n, p in run_signature(self).parameters.items()
            if p.kind is inspect.Parameter.POSITIONAL_ONLY
        ]
        if positional_only:
            raise TypeError(
                f"Found positional-only parameters in the function signature for task {self.name}: "
                f"{positional_only}. Prefect passes arguments using keywords and does not support "
                "positional-only parameters."
            )
        self.logger = get_logger(self.name)

        if isinstance(tags, str):
            raise TypeError("Tags should be a set of tags, not a string.")
        if tags is not None and not isinstance(tags, collections.abc.Iterable):
            raise TypeError(f"`tags` must be a collection of strings (received {tags!r}).")
        self.tags: Set[str] = (set(tags) if tags is not None else set()) | set(
            context.get("tags", ())
        )

        defaults = config.tasks.defaults
        if max_retries is None:
            max_retries = defaults.max_retries or 0
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(
                f"`max_retries` must be a non-negative integer (received {max_retries!r})."
            )
        if retry_delay is None and max_retries:
            retry_delay = defaults.retry_delay or None
            if isinstance(retry_delay, (int, float)) and not isinstance(retry_delay, bool):
                retry_delay = datetime.timedelta(seconds=retry_delay)
        if timeout is None:
            timeout = defaults.timeout if defaults.timeout is not False else None
        if max_retries > 0 and retry_delay is None:
            raise ValueError(
                "A datetime.timedelta `retry_delay` must be provided if max_retries > 0"
            )
        if retry_on and not max_retries > 0:
            raise ValueError("A number of `max_retries` must be provided if `retry_on` is set.")
        self.retry_on: Optional[Set[Type[Exception]]] = as_retry_on(retry_on)
        if retry_delay is not None and not max_retries:
            raise ValueError(
                "A `max_retries` argument greater than 0 must be provided if specifying a retry delay."
            )
        if retry_delay is not None and (
            not isinstance(retry_delay, datetime.timedelta) or retry_delay.total_seconds() < 0
        ):
            raise ValueError(
                f"`retry_delay` must be a non-negative datetime.timedelta (received {retry_delay!r})."
            )
        self.max_retries: int = max_retries
        self.retry_delay: Optional[datetime.timedelta] = retry_delay
        self.timeout: Optional[int] = as_timeout(timeout)

        self.trigger = trigger or triggers.all_successful
        self.skip_on_upstream_skip = skip_on_upstream_skip

        if cache_for is not None and (
            not isinstance(cache_for, datetime.timedelta) or cache_for.total_seconds() <= 0
        ):
            raise ValueError(
                f"`cache_for` must be a positive datetime.timedelta (received {cache_for!r})."
            )
        if (
            cache_for is None
            and cache_validator is not None
            and cache_validator is not cache_validators.never_use
        ):
            warnings.warn(
                "cache_validator provided without specifying cache expiration (cache_for); "
                "this Task will not be cached.",
                stacklevel=3,
            )
        self.cache_for = cache_for
        self.cache_key = cache_key
        default_validator = (
            cache_validators.never_use if cache_for is None else cache_validators.duration_only
        )
        self.cache_validator = cache_validator or default_validator
        self.checkpoint = checkpoint
        self.result = result
        self.target = target
        _point_result_at_target(self)
        self.task_run_name = task_run_name

        self.state_handlers: List[Callable] = list(state_handlers or [])
        self.on_failure = on_failure
        if on_failure is not None:
            self.state_handlers.append(_failure_callback(on_failure))
        self.auto_generated = False
        self.log_stdout = log_stdout
        if nout is None:
            nout = infer_run_nout(self.run)
        if not isinstance(nout, (int, type(None))) or (nout is not None and nout < 0):
            raise ValueError(f"`nout` must be a non-negative integer (received {nout!r}).")
        self.nout = nout

        if cache_policy is not None and cache_key_fn is not None:
            raise ValueError(
                "Pass either `cache_policy` or `cache_key_fn`, not both (received "
                f"cache_policy={cache_policy!r}, cache_key_fn={cache_key_fn!r})."
            )
        self.cache_policy = cache_policy
        self.cache_key_fn = cache_key_fn
        self.cache_expiration = cache_expiration
        self.refresh_cache = refresh_cache
        self.persist_result = persist_result
        self.result_storage = result_storage

        # a flow block tracks the tasks created inside it, to warn about those never added
        tracker = context.get("_unused_task_tracker")
        if tracker is not None and not _is_constant(self):
            tracker.add(self)

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

    def __copy__(self) -> "Task":
        # a plain shallow copy (the logger is shared; `copy()` renews it when the name changes)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.logger = get_logger(self.name)

    @instance_property
    def __signature__(self) -> inspect.Signature:
        """An instance's signature (what calling it accepts): its `run()` arguments plus the
        keyword-only arguments of `Task.__call__` (`mapped`, `task_args`, `upstream_tasks`,
        `flow`); it returns a Task. Memoized per `run` function."""
        return call_signature(self, EXTRA_CALL_PARAMETERS)

    # --- run ------------------------------------------------------------------------------------
    def run(self) -> Any:
        """The work this task does. Override it in subclasses; its return value is the result.

        Raise a signal (`FAIL`, `SUCCESS`, `RETRY`, `SKIP`, `LOOP`, `PAUSE`) to choose the state.
        """

    def inputs(self) -> Dict[str, Dict[str, Any]]:
        """Describe the `run()` arguments.

        Returns:
            - dict: `{name: {"type": annotation (Any if none), "default": default (None if none),
                "required": whether it has no default}}`
        """
        found = {}
        for name, p in inspect.signature(self.run).parameters.items():
            ann = p.annotation if p.annotation is not inspect.Parameter.empty else Any
            required = p.default is inspect.Parameter.empty
            found[name] = {
                "type": ann,
                "default": None if required else p.default,
                "required": required,
            }
        return found

    def outputs(self) -> Any:
        """The return annotation of `run()` (Any when there is none)."""
        ann = inspect.signature(self.run).return_annotation
        return Any if ann is inspect.Signature.empty else ann

    # --- copies and graph -------------------------------------------------------------------------
    def copy(self, **task_args: Any) -> "Task":
        """Return a copy with the given attributes changed.

        A copy of a task with a slug gets the slug `<slug>-copy` (unless `slug` is given); tags
        of enclosing `tags(...)` blocks are added.

        Args:
            - **task_args (Any): attributes to set on the copy

        Returns:
            - Task: the copy

        Raises:
            - AttributeError: when an attribute does not exist on the task
        """
        flow = context.get("flow")
        if (
            flow is not None
            and self in flow.tasks
            and (flow.edges_to(self) or flow.edges_from(self))
        ):
            warnings.warn(
                "You are making a copy of a task that has dependencies on or to other tasks in the "
                "active flow context. The copy will not retain those dependencies.",
                stacklevel=2,
            )
        check_task_attributes(task_args)
        new = copy.copy(self)
        if new.slug and "slug" not in task_args:
            task_args["slug"] = new.slug + "-copy"
        for attr, val in task_args.items():
            if not hasattr(new, attr):
                raise AttributeError(f"{self} does not have {attr} as an attribute")
            setattr(new, attr, val)
        if "name" in task_args:
            new.logger = get_logger(new.name)
        _point_result_at_target(new)
        new.tags = set(self.tags) | set(new.tags) | set(context.get("tags", ()))
        new.state_handlers = list(new.state_handlers)
        tracker = context.get("_unused_task_tracker")
        if tracker is not None:
            tracker.discard(self)
            if not _is_constant(new):
                tracker.add(new)
        return new

    def __call__(
        self,
        *args: Any,
        mapped: bool = False,
        task_args: Optional[dict] = None,
        upstream_tasks: Optional[Iterable[Any]] = None,
        flow: Any = None,
        **kwargs: Any,
    ) -> "Task":
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
        if task_args is not None and not isinstance(task_args, collections.abc.Mapping):
            raise TypeError(
                f"`task_args` must be a dict of task attributes (received {task_args!r})."
            )
        check_collection(
            "upstream_tasks", upstream_tasks
        )  # before the copy, which a flow block tracks
        new = self.copy(**(task_args or {}))
        positional_only = [
            n
            for n, p in run_signature(new).parameters.items()
            if p.kind is inspect.Parameter.POSITIONAL_ONLY
        ]
        if positional_only:
            raise TypeError(
                "Prefect passes arguments to task as keyword arguments. "
                f"Positional-Only arguments found : {positional_only}"
            )
        new.bind(*args, mapped=mapped, upstream_tasks=upstream_tasks, flow=flow, **kwargs)
        return new

    def bind(
        self,
        *args: Any,
        mapped: bool = False,
        upstream_tasks: Optional[Iterable[Any]] = None,
        flow: Any = None,
        **kwargs: Any,
    ) -> "Task":
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
            from prefect_classic.tasks.core.function import FunctionTask

            shown = self.name if isinstance(self, FunctionTask) else f"{type(self).__name__}(...)"
            raise ValueError(
                f"Could not infer an active Flow context while creating edge to {self}. This often "
                "means you called a task outside a `with Flow(...)` block. If you're trying to run "
                f"this task outside of a Flow context, you need to call `{shown}.run(...)`"
            )
        self.set_dependencies(
            flow=flow, upstream_tasks=upstream_tasks, keyword_tasks=callargs, mapped=mapped
        )
        self.tags.update(context.get("tags", ()))
        return self

    def map(
        self,
        *args: Any,
        upstream_tasks: Optional[Iterable[Any]] = None,
        flow: Any = None,
        task_args: Optional[dict] = None,
        **kwargs: Any,
    ) -> "Task":
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

        Raises:
            - TypeError: when a positional argument cannot be indexed (so not mapped over)
        """
        run_params = [
            p.name
            for p in run_signature(self).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        for position, arg in enumerate(args):
            check_mappable(
                self, run_params[position] if position < len(run_params) else f"#{position}", arg
            )
        task_args = dict(task_args or {})
        task_args.setdefault("nout", None)  # a mapped task returns one list, whatever `run` returns
        new = self.copy(**task_args)
        return new.bind(*args, mapped=True, upstream_tasks=upstream_tasks, flow=flow, **kwargs)

    def set_dependencies(
        self,
        flow: Any = None,
        upstream_tasks: Optional[Iterable[Any]] = None,
        downstream_tasks: Optional[Iterable[Any]] = None,
        keyword_tasks: Optional[Mapping[str, Any]] = None,
        mapped: bool = False,
        validate: Optional[bool] = None,
    ) -> "Task":
        """Add this task's dependencies to a flow (see `Flow.set_dependencies`).

        Args:
            - flow (Flow, optional): the flow (default: the one in context)
            - upstream_tasks ([Task], optional): tasks that run before this one
            - downstream_tasks ([Task], optional): tasks that run after this one
            - keyword_tasks (dict, optional): `{argument: task or value}`
            - mapped (bool, optional): map over the upstream tasks
            - validate (bool, optional): validate the flow afterwards

        Returns:
            - Task: this task

        Raises:
            - ValueError: when there is no flow
        """
        flow = flow if flow is not None else context.get("flow")
        if flow is None:
            raise ValueError("No Flow was passed, and could not infer an active Flow context.")
        flow.set_dependencies(
            task=self,
            upstream_tasks=upstream_tasks,
            downstream_tasks=downstream_tasks,
            keyword_tasks=keyword_tasks,
            mapped=mapped,
            validate=validate,
        )
        return self

    def set_upstream(
        self, task: Any, flow: Any = None, key: Optional[str] = None, mapped: bool = False
    ) -> "Task":
        """Make `task` run before this one (optionally passing its result as `key`).

        Args:
            - task (Task): the upstream task
            - flow (Flow, optional): the flow (default: the one in context)
            - key (str, optional): the argument that receives the upstream result
            - mapped (bool, optional): map this task over the upstream result

        Returns:
            - Task: this task
        """
        if key is not None:
            return self.set_dependencies(flow=flow, keyword_tasks={key: task}, mapped=mapped)
        return self.set_dependencies(flow=flow, upstream_tasks=[task], mapped=mapped)

    def set_downstream(
        self, task: Any, flow: Any = None, key: Optional[str] = None, mapped: bool = False
    ) -> "Task":
        """Make `task` run after this one (optionally receiving this result as `key`).

        Args:
            - task (Task): the downstream task
            - flow (Flow, optional): the flow (default: the one in context)
            - key (str, optional): the downstream argument that receives this result
            - mapped (bool, optional): map the downstream task over this result

        Returns:
            - Task: this task
        """
        if key is not None:
            task.set_dependencies(flow=flow, keyword_tasks={key: self}, mapped=mapped)
        else:
            task.set_dependencies(flow=flow, upstream_tasks=[self], mapped=mapped)
        return self

    def pipe(_prefect_self, _prefect_task: Any, **kwargs: Any) -> "Task":
        """Pass this task's result to another task: `a.pipe(b, y=1)` is `b(a, y=1)` (handy in
        long chains). Given an annotation class (`unmapped`, `flatten`, ...), wrap this task in
        it instead.

        Args:
            - _prefect_task (Union[Task, type]): the task to call, or an `EdgeAnnotation` class
            - **kwargs (Any): more arguments for that task

        Returns:
            - Task: the new task

        Raises:
            - ValueError: when a `self` keyword is given
        """
        from prefect_classic.utilities.tasks import as_task

        if "self" in kwargs:
            raise ValueError('You cannot use the keyword argument "self" in .pipe.')
        if inspect.isclass(_prefect_task) and issubclass(_prefect_task, EdgeAnnotation):
            return as_task(_prefect_task(_prefect_self))
        return _prefect_task(_prefect_self, **kwargs)

    # --- serialization ------------------------------------------------------------------------
    def serialize(self) -> dict:
        """Return this task's metadata as Prefect 1's JSON-compatible dict."""
        from prefect_classic.serialization.task import TaskSchema

        return TaskSchema().dump(self)

    # --- operators: `|` makes a state dependency; arithmetic and comparisons are in TaskOperators
    def __getitem__(self, key: Any) -> "Task":
        """A task whose result is `self[key]` (named `<name>[<key>]`, keeping this task's result
        and checkpoint settings)."""
        from prefect_classic.tasks.core.operators import GetItem

        name = f"{self.name}[{key.name}]" if isinstance(key, Task) else f"{self.name}[{key!r}]"
        return GetItem(checkpoint=self.checkpoint, name=name, result=self.result).bind(self, key)

    def __or__(self, other: Any) -> Any:
        """`self | other` makes `other` run after `self` (a state dependency) and returns `other`."""
        self.set_dependencies(downstream_tasks=[other])
        return other

    def __ror__(self, other: Any) -> "Task":
        """`other | self` makes this task run after `other` and returns this task."""
        self.set_dependencies(upstream_tasks=[other])
        return self


_CLASS_RESERVED: "weakref.WeakKeyDictionary[type, Tuple[str, ...]]" = weakref.WeakKeyDictionary()


def _attributes_set_early(task: Task) -> List[str]:
    """The attributes `Task.__init__` sets that a subclass already has (on its class, or set on
    the instance before calling `Task.__init__`): they are about to be overwritten."""
    cls = type(task)
    reserved: Tuple[str, ...] = Task._reserved_attributes  # type: ignore[attr-defined]
    on_class = _CLASS_RESERVED.get(cls)
    if on_class is None:
        on_class = _CLASS_RESERVED[cls] = tuple(a for a in reserved if hasattr(cls, a))
    own = task.__dict__
    if not own:
        return list(on_class)
    return [a for a in reserved if a in own or a in on_class]


#: the keyword-only arguments of `Task.__call__`, added to every task instance's signature
EXTRA_CALL_PARAMETERS = [
    p
    for p in inspect.signature(Task.__call__).parameters.values()
    if p.kind is inspect.Parameter.KEYWORD_ONLY
]


def _is_constant(task: Task) -> bool:
    from prefect_classic.tasks.core.constants import Constant

    return isinstance(task, Constant)


def _point_result_at_target(task: Task) -> None:
    """With both a `target` and a `result`, the result (a copy) is located at the target."""
    if not (task.target and task.result):
        return
    location = getattr(task.result, "location", None)
    if location and location != task.target:
        warnings.warn(
            "Both `result.location` and `target` were provided. The `target` value will be used.",
            stacklevel=4,
        )
    task.result = task.result.copy()
    task.result.location = task.target


def _failure_callback(on_failure: Callable) -> Callable:
    def on_failure_handler(task: Task, old_state: Any, new_state: Any) -> Any:
        if new_state.is_failed():
            on_failure(task, new_state)
        return new_state

    on_failure_handler.__name__ = getattr(on_failure, "__name__", "on_failure")
    return on_failure_handler
