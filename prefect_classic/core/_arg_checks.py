"""Checks of `Task`, `Flow` and `Parameter` constructor arguments (private to `prefect_classic.core`).

Each check runs when a task or flow is built or a task is copied with new attributes, not per
task run; but the flow runner builds a `Constant` task for every constant argument of every
task run, so the Task checks skip the defaults (None and the documented default values) first:
building a plain task costs a few identity tests.
Every error names the argument and shows the value that was given.
"""

import collections.abc
import datetime
from typing import Any, Callable, Dict, Iterable, Optional, Set, Type

__all__ = [
    "as_retry_on",
    "as_timeout",
    "check_bool",
    "check_callable",
    "check_collection",
    "check_flow_arguments",
    "check_handlers",
    "check_mappable",
    "check_optional_bool",
    "check_parameter_default",
    "check_parameter_values",
    "check_run_arguments",
    "check_str",
    "check_task_arguments",
    "check_task_attributes",
]

_SHOWN_LENGTH = 80


def shown(value: Any) -> str:
    """`repr(value)`, shortened when long, for error messages.

    Args:
        - value (Any): the value that was given

    Returns:
        - str: its representation, at most about 80 characters
    """
    text = repr(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."


def check_callable(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None or callable."""
    if value is not None and not callable(value):
        raise TypeError(f"`{arg}` must be callable (received {shown(value)}).")


def check_str(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None or a string."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"`{arg}` must be a string (received {shown(value)}).")


def check_bool(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is True or False (`'no'` is not False)."""
    if value is not True and value is not False:
        raise TypeError(f"`{arg}` must be True or False (received {shown(value)}).")


def check_optional_bool(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None, True or False."""
    if value is not None and value is not True and value is not False:
        raise TypeError(f"`{arg}` must be True, False or None (received {shown(value)}).")


def check_collection(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None or a collection (a list, a set, a tuple...; not a
    string, whose characters would be taken one by one)."""
    if value is None:
        return
    if isinstance(value, (str, bytes)) or not isinstance(value, collections.abc.Iterable):
        raise TypeError(f"`{arg}` must be a collection such as a list (received {shown(value)}).")


def check_mapping(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None or a mapping (a dict)."""
    if value is not None and not isinstance(value, collections.abc.Mapping):
        raise TypeError(f"`{arg}` must be a dict (received {shown(value)}).")


def check_str_or_callable(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None, a (template) string or a callable."""
    if value is not None and not isinstance(value, str) and not callable(value):
        raise TypeError(f"`{arg}` must be a string or a callable (received {shown(value)}).")


def check_result(arg: str, value: Any) -> None:
    """Raise TypeError unless `value` is None or a Result: an instance (not the class) with
    `read` and `write` methods. Objects that only look like a Result are accepted, as Prefect 1
    accepts them (test doubles, adapters); a path string or a Result class is refused."""
    if value is None:
        return
    from prefect_classic.engine.result.base import Result

    if isinstance(value, Result):
        return
    if (
        not isinstance(value, type)
        and callable(getattr(value, "write", None))
        and callable(getattr(value, "read", None))
    ):
        return
    hint = (
        f"; pass an instance, e.g. `{value.__name__}()`"
        if (isinstance(value, type) and issubclass(value, Result))
        else ""
    )
    raise TypeError(f"`{arg}` must be a Result instance (received {shown(value)}{hint}).")


def check_cache_policy(value: Any) -> None:
    """Raise TypeError unless `value` is None or a CachePolicy."""
    if value is None:
        return
    from prefect_classic.cache_policies import CachePolicy

    if not isinstance(value, CachePolicy):
        raise TypeError(
            "`cache_policy` must be a CachePolicy such as `cache_policies.INPUTS` "
            f"(received {shown(value)})."
        )


def check_cache_expiration(value: Any) -> None:
    """Raise unless `value` is None or a positive timedelta.

    Raises:
        - ValueError: when it is not a timedelta, or not positive
    """
    if value is None:
        return
    if not isinstance(value, datetime.timedelta):
        raise ValueError(
            f"`cache_expiration` must be a datetime.timedelta (received {shown(value)})."
        )
    if value <= datetime.timedelta(0):
        raise ValueError(
            f"`cache_expiration` must be a positive datetime.timedelta (received {shown(value)})."
        )


def check_handlers(arg: str, handlers: Any) -> None:
    """Raise TypeError unless `handlers` is empty or a sequence (a list, a tuple; not a string)
    of callables."""
    if not handlers:
        return
    if isinstance(handlers, (str, bytes)) or not isinstance(handlers, collections.abc.Sequence):
        raise TypeError(
            f"{arg} should be iterable. (`{arg}` received {shown(handlers)}; pass a list "
            "of callables.)"
        )
    for handler in handlers:
        if not callable(handler):
            raise TypeError(
                f"`{arg}` must hold callables (received {shown(handler)} in {shown(handlers)})."
            )


def as_timeout(timeout: Any) -> Optional[int]:
    """A task timeout in whole seconds.

    Args:
        - timeout (Union[int, timedelta, None]): the given timeout

    Returns:
        - Optional[int]: seconds (sub-second parts of a timedelta dropped with a warning)

    Raises:
        - TypeError: when it is neither an int nor a timedelta
        - ValueError: when it is not positive
    """
    if isinstance(timeout, datetime.timedelta):
        if timeout.microseconds > 0:
            import warnings

            warnings.warn(
                "Task timeouts do not support a sub-second resolution; smaller units will be ignored!",
                stacklevel=4,
            )
        timeout = int(timeout.total_seconds())
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int)):
        raise TypeError(
            "Only integer timeouts (representing seconds) or timedelta timeouts are supported "
            f"(`timeout` received {shown(timeout)})."
        )
    if timeout is not None and timeout <= 0:
        raise ValueError(f"`timeout` must be a positive number of seconds (received {timeout}).")
    return timeout


def as_retry_on(retry_on: Any) -> Optional[Set[Type[Exception]]]:
    """The set of exception classes that allow a retry.

    Args:
        - retry_on (Union[type, Iterable[type], None]): one exception class or several

    Returns:
        - Optional[Set[type]]: the classes (None when empty)

    Raises:
        - TypeError: when something other than an Exception subclass is given (a string is
            refused whole, not read as a set of characters)
    """
    if not retry_on:
        return None
    if isinstance(retry_on, (str, bytes)):
        raise TypeError(
            f"Invalid `retry_on` value {retry_on!r}. Expected an exception type but got an "
            f"instance of {type(retry_on).__name__}; pass exception classes such as "
            "`retry_on={ValueError}`."
        )
    found = set(retry_on) if isinstance(retry_on, Iterable) else {retry_on}
    for exc_type in found:
        if not isinstance(exc_type, type):
            raise TypeError(
                f"Invalid `retry_on` value {exc_type!r}. Expected an exception type but got "
                f"an instance of {type(exc_type).__name__} (received {shown(retry_on)})."
            )
        if not issubclass(exc_type, Exception):
            raise TypeError(
                f"Invalid `retry_on` value {exc_type!r}. Expected an exception subclass "
                f"(received {shown(retry_on)})."
            )
    return found


# the attribute checks `Task.copy(**task_args)` applies to the attributes it changes
_ATTRIBUTE_CHECKS: Dict[str, Callable[[Any], None]] = {
    "name": lambda v: check_str("name", v),
    "slug": lambda v: check_str("slug", v),
    "trigger": lambda v: check_callable("trigger", v),
    "skip_on_upstream_skip": lambda v: check_bool("skip_on_upstream_skip", v),
    "cache_validator": lambda v: check_callable("cache_validator", v),
    "cache_key": lambda v: check_str("cache_key", v),
    "checkpoint": lambda v: check_optional_bool("checkpoint", v),
    "state_handlers": lambda v: check_handlers("state_handlers", v),
    "on_failure": lambda v: check_callable("on_failure", v),
    "log_stdout": lambda v: check_bool("log_stdout", v),
    "result": lambda v: check_result("result", v),
    "target": lambda v: check_str_or_callable("target", v),
    "task_run_name": lambda v: check_str_or_callable("task_run_name", v),
    "cache_policy": check_cache_policy,
    "cache_key_fn": lambda v: check_callable("cache_key_fn", v),
    "cache_expiration": check_cache_expiration,
    "refresh_cache": lambda v: check_optional_bool("refresh_cache", v),
    "persist_result": lambda v: check_optional_bool("persist_result", v),
    "result_storage": lambda v: check_result("result_storage", v),
}


def check_task_arguments(
    name: Any,
    slug: Any,
    trigger: Any,
    skip_on_upstream_skip: Any,
    cache_validator: Any,
    cache_key: Any,
    checkpoint: Any,
    state_handlers: Any,
    on_failure: Any,
    log_stdout: Any,
    result: Any,
    target: Any,
    task_run_name: Any,
    cache_policy: Any,
    cache_key_fn: Any,
    cache_expiration: Any,
    refresh_cache: Any,
    persist_result: Any,
    result_storage: Any,
) -> None:
    """Check the Task constructor arguments (the checks of `check_task_attributes`, with the
    defaults skipped first: every task construction pays for this, constants built during a
    flow run included).

    Raises:
        - TypeError, ValueError: naming the first bad argument and showing its value
    """
    if name is not None and type(name) is not str:
        check_str("name", name)
    if slug is not None and type(slug) is not str:
        check_str("slug", slug)
    if skip_on_upstream_skip is not True:
        check_bool("skip_on_upstream_skip", skip_on_upstream_skip)
    if log_stdout is not False:
        check_bool("log_stdout", log_stdout)
    if checkpoint is not None:
        check_optional_bool("checkpoint", checkpoint)
    if result is not None:
        check_result("result", result)
    if (
        trigger is not None
        or cache_validator is not None
        or on_failure is not None
        or cache_key_fn is not None
    ):
        check_callable("trigger", trigger)
        check_callable("cache_validator", cache_validator)
        check_callable("on_failure", on_failure)
        check_callable("cache_key_fn", cache_key_fn)
    if state_handlers:
        check_handlers("state_handlers", state_handlers)
    if cache_key is not None or target is not None or task_run_name is not None:
        check_str("cache_key", cache_key)
        check_str_or_callable("target", target)
        check_str_or_callable("task_run_name", task_run_name)
    if (
        cache_policy is not None
        or cache_expiration is not None
        or refresh_cache is not None
        or persist_result is not None
        or result_storage is not None
    ):
        check_cache_policy(cache_policy)
        check_cache_expiration(cache_expiration)
        check_optional_bool("refresh_cache", refresh_cache)
        check_optional_bool("persist_result", persist_result)
        check_result("result_storage", result_storage)


def check_task_attributes(task_args: Dict[str, Any]) -> None:
    """Check Task constructor arguments, or the attributes given to `Task.copy` (the same checks).

    Args:
        - task_args (dict): `{argument or attribute: value}`; names without a check are ignored

    Raises:
        - TypeError, ValueError: as the constructor would for the same value
    """
    for attr, value in task_args.items():
        check = _ATTRIBUTE_CHECKS.get(attr)
        if check is not None:
            check(value)


def check_flow_arguments(
    name: Any,
    schedule: Any,
    executor: Any,
    result: Any,
    state_handlers: Any,
    on_failure: Any,
    terminal_state_handler: Any,
    tasks: Any = None,
    edges: Any = None,
    reference_tasks: Any = None,
    validate: Any = None,
) -> None:
    """Check the Flow constructor arguments that Prefect 1 stored unchecked (or failed on with
    an error that did not name them).

    Raises:
        - TypeError: naming the first bad argument and showing its value
    """
    check_str("name", name)
    check_collection("tasks", tasks)
    check_collection("edges", edges)
    for edge in edges or ():
        if not hasattr(edge, "upstream_task") or not hasattr(edge, "downstream_task"):
            raise TypeError(
                f"`edges` must hold Edge objects, e.g. `Edge(a, b)` (received {shown(edge)})."
            )
    check_collection("reference_tasks", reference_tasks)
    check_optional_bool("validate", validate)
    check_schedule(schedule)
    check_executor(executor)
    check_result("result", result)
    check_handlers("state_handlers", state_handlers)
    check_callable("on_failure", on_failure)
    check_callable("terminal_state_handler", terminal_state_handler)


def check_schedule(value: Any) -> None:
    """Raise TypeError unless `value` is None or a schedule (an object with a `next` method,
    such as `prefect_classic.schedules.IntervalSchedule(...)`)."""
    if value is None:
        return
    if isinstance(value, type) or not callable(getattr(value, "next", None)):
        raise TypeError(
            "`schedule` must be a Schedule instance such as "
            f"`schedules.IntervalSchedule(interval=timedelta(days=1))` (received {shown(value)})."
        )


def check_executor(value: Any) -> None:
    """Raise TypeError unless `value` is None or an executor instance (with `start` and
    `submit` methods, such as `LocalExecutor()`)."""
    if value is None:
        return
    if (
        isinstance(value, type)
        or not callable(getattr(value, "start", None))
        or not callable(getattr(value, "submit", None))
    ):
        raise TypeError(
            "`executor` must be an Executor instance such as `LocalExecutor()` or "
            f"`LocalDaskExecutor()` (received {shown(value)})."
        )


def check_run_arguments(run_on_schedule: Any, kwargs: Dict[str, Any]) -> None:
    """Check the `flow.run` arguments that would otherwise fail obscurely inside the run.

    Args:
        - run_on_schedule (Any): the `run_on_schedule` argument
        - kwargs (dict): the other keyword arguments (`executor`, `task_states`, `context`, ...)

    Raises:
        - TypeError: naming the bad argument and showing its value
    """
    check_optional_bool("run_on_schedule", run_on_schedule)
    check_executor(kwargs.get("executor"))
    for arg in ("task_states", "context", "task_contexts"):
        check_mapping(arg, kwargs.get(arg))


def check_parameter_values(parameters: Any) -> None:
    """Raise ValueError unless `parameters` (given to `flow.run`) is None or a mapping."""
    if parameters is not None and not isinstance(parameters, collections.abc.Mapping):
        raise ValueError(
            "`parameters` must be a dict of {parameter name: value} "
            f"(received {shown(parameters)})."
        )


def check_mappable(task: Any, arg: str, value: Any) -> None:
    """Raise TypeError when a plain value given positionally to `task.map` cannot be mapped over
    (it has no `__getitem__`: a number, a set, a generator, None). Tasks and
    `unmapped(...)`/`flatten(...)` are decided at run time, and so are keyword values, as in
    Prefect 1 (a flow may be built, e.g. to be drawn, without being run).

    Args:
        - task (Task): the task being mapped
        - arg (str): the `run()` argument the value is given for
        - value (Any): the value
    """
    from prefect_classic.core.task import Task
    from prefect_classic.utilities.edges import EdgeAnnotation

    if isinstance(value, (Task, EdgeAnnotation)) or hasattr(value, "__getitem__"):
        return
    raise TypeError(
        f"Cannot map over unsubscriptable object of type {type(value)} given as `{arg}` to "
        f"{task!r} (received {shown(value)}); wrap it in `unmapped(...)` to pass it whole to "
        "every mapped run."
    )


def check_parameter_default(name: str, default: Any, datetimes: bool = False) -> None:
    """Raise TypeError unless a Parameter's default can be stored as JSON (as its result is).

    Args:
        - name (str): the parameter's name
        - default (Any): its default value
        - datetimes (bool, optional): also accept `datetime.datetime` (DateTimeParameter)
    """
    if default is None or isinstance(default, (str, int, float)):
        return
    if datetimes and isinstance(default, datetime.datetime):
        return
    import json

    try:
        json.dumps(default)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"Parameter {name!r}: `default` must be JSON-serializable (received {shown(default)}: "
            f"{exc})."
        ) from None
