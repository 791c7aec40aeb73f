"""Helpers for building tasks: `@task`, `as_task`, `tags`, `apply_map`, `defaults_from_attrs`."""
import functools
import inspect
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

from prefect_classic.utilities.context import context
from prefect_classic.utilities.edges import EdgeAnnotation, flatten, mapped, unmapped

__all__ = ["apply_map", "as_task", "defaults_from_attrs", "pause_task", "tags", "task",
           "unmapped", "mapped", "flatten"]


@contextmanager
def tags(*tags: str) -> Iterator[None]:
    """Add tags to every task created inside the block.

    Args:
        - *tags (str): the tags
    """
    current = set(context.get("tags", ()))
    with context(tags=current | set(tags)):
        yield


def _contains_task(x: Any) -> bool:
    from prefect_classic.core.task import Task

    if isinstance(x, (Task, EdgeAnnotation)):
        return True
    if isinstance(x, (list, tuple, set)):
        return any(_contains_task(i) for i in x)
    if isinstance(x, dict):
        return any(_contains_task(k) or _contains_task(v) for k, v in x.items())
    return False


def as_task(x: Any, flow: Any = None) -> Any:
    """Wrap a value as a task: tasks stay as they are, collections holding tasks become
    collection tasks (List/Tuple/Set/Dict), anything else becomes a `Constant`.

    Args:
        - x (Any): the value
        - flow (Flow, optional): the flow collection tasks are bound in

    Returns:
        - Task: the task
    """
    from prefect_classic.core.task import Task

    if isinstance(x, (Task, EdgeAnnotation)):
        return x
    from prefect_classic.tasks.core import collections as coll
    from prefect_classic.tasks.core.constants import Constant

    if _contains_task(x):
        if isinstance(x, list):
            return coll.List().bind(*x, flow=flow)
        if isinstance(x, tuple):
            return coll.Tuple().bind(*x, flow=flow)
        if isinstance(x, set):
            return coll.Set().bind(*x, flow=flow)
        if isinstance(x, dict):
            return coll.Dict().bind(keys=list(x.keys()), values=list(x.values()), flow=flow)
    return Constant(value=x)


def pause_task(message: Optional[str] = None, duration: Any = None) -> None:
    """Pause the running task until it is resumed (or for `duration`), unless context says resume.

    Args:
        - message (str, optional): the Paused state's message
        - duration (timedelta, optional): pause this long, then resume by itself

    Raises:
        - PAUSE: unless the run was resumed
    """
    import pendulum

    from prefect_classic.engine import signals

    if context.get("resume", False):
        return
    start_time = pendulum.now("utc") + duration if duration is not None else None
    raise signals.PAUSE(message or "Pause signal raised during task execution.", start_time=start_time)


def _infer_nout(fn: Callable) -> Optional[int]:
    import typing

    try:
        ret = typing.get_type_hints(fn).get("return")
    except Exception:
        ret = inspect.signature(fn).return_annotation
    if getattr(ret, "__origin__", None) in (tuple, typing.Tuple):
        args = getattr(ret, "__args__", ())
        if args and args[-1] is not Ellipsis and args != ((),):
            return len(args)
    return None


def task(fn: Optional[Callable] = None, **task_init_kwargs: Any) -> Any:
    """Turn a function into a task (a `FunctionTask`), with or without arguments.

    Args:
        - fn (Callable, optional): the function
        - **task_init_kwargs (Any): `Task` keyword arguments (name, max_retries, result, target, …)

    Returns:
        - FunctionTask, or a decorator when called with keyword arguments only

    Example:
        ```python
        @task(max_retries=3, retry_delay=timedelta(seconds=1))
        def fetch(url):
            ...
        ```
    """
    from prefect_classic.tasks.core.function import FunctionTask

    if fn is None:
        return lambda fn: FunctionTask(fn=fn, **task_init_kwargs)
    return FunctionTask(fn=fn, **task_init_kwargs)


def defaults_from_attrs(*attr_args: str) -> Callable:
    """Fill `run()` keyword arguments left as None from the task's attributes of the same name.

    Args:
        - *attr_args (str): the argument/attribute names

    Returns:
        - Callable: the decorator for `run`
    """

    def wrapper(run_method: Callable) -> Callable:
        @functools.wraps(run_method)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            for attr in attr_args:
                if kwargs.get(attr, None) is None:
                    kwargs[attr] = getattr(self, attr)
            return run_method(self, *args, **kwargs)

        return method

    return wrapper


def apply_map(func: Callable, *args: Any, flow: Any = None, **kwargs: Any) -> Any:
    """Map a function that builds several tasks over its arguments, as if each task were mapped.

    Every task `func` creates is mapped over the mapped arguments (arguments wrapped in
    `unmapped` are passed whole); control flow built inside (`case`) applies per element.

    Args:
        - func (Callable): a function that creates tasks from its arguments
        - *args, **kwargs: the arguments (tasks or values) to map over
        - flow (Flow, optional): the flow (default: the one in context)

    Returns:
        - Any: what `func` returns, with its tasks mapped
    """
    from prefect_classic.core.flow import Flow

    flow = flow if flow is not None else context.get("flow")
    if flow is None:
        raise ValueError("Could not infer an active Flow context; pass `flow=` to apply_map.")

    mapped_inputs: list = []

    def placeholder(value: Any) -> Any:
        if isinstance(value, unmapped):
            return value.task
        wrapped = as_task(value.task if isinstance(value, EdgeAnnotation) else value, flow=flow)
        mapped_inputs.append(wrapped)
        return wrapped

    # build func's tasks in a scratch flow, then copy them into `flow`, mapping every edge that
    # starts at a mapped argument or at a task downstream of one
    scratch = Flow("apply_map")
    call_args = [placeholder(a) for a in args]
    call_kwargs = {k: placeholder(v) for k, v in kwargs.items()}
    with context(flow=scratch):
        res = func(*call_args, **call_kwargs)

    is_mapped = set(mapped_inputs)
    for t in scratch.sorted_tasks():
        flow.add_task(t)
        if t not in is_mapped and any(e.upstream_task in is_mapped for e in scratch.edges_to(t)):
            is_mapped.add(t)
    for e in scratch.edges:
        downstream_mapped = e.downstream_task in is_mapped and e.downstream_task not in mapped_inputs
        flow.add_edge(e.upstream_task, e.downstream_task, key=e.key,
                      mapped=e.mapped or (downstream_mapped and e.upstream_task in is_mapped),
                      flattened=e.flattened, validate=False)
    for t, consts in scratch.constants.items():
        flow.constants.setdefault(t, {}).update(consts)
    return res
