"""Helpers for building tasks: `@task`, `as_task`, `tags`, `apply_map`, `defaults_from_attrs`."""

import functools
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

from prefect_classic.utilities.context import context
from prefect_classic.utilities.edges import EdgeAnnotation, flatten, mapped, unmapped

__all__ = [
    "apply_map",
    "as_task",
    "defaults_from_attrs",
    "pause_task",
    "tags",
    "task",
    "unmapped",
    "mapped",
    "flatten",
]


@contextmanager
def tags(*tags: str) -> Iterator[None]:
    """Add tags to every task created inside the block.

    Args:
        - *tags (str): the tags
    """
    current = set(context.get("tags", ()))
    with context(tags=current | set(tags)):
        yield


def _holds_no_task(x: Any) -> bool:
    """Whether `x` is a plain value: not a task or annotation, and no collection inside it holds
    one (checked without binding anything, so nothing is added to a flow)."""
    from prefect_classic.core.task import Task

    if isinstance(x, (Task, EdgeAnnotation)):
        return False
    if isinstance(x, (list, tuple, set)):
        return all(_holds_no_task(i) for i in x)
    if isinstance(x, dict):
        return all(_holds_no_task(v) for v in x.values())
    return True


def as_task(x: Any, flow: Any = None) -> Any:
    """Wrap a value as a task.

    Tasks stay as they are and annotations (`unmapped`, `flatten`, ...) are unwrapped. A value
    with no task inside becomes one `Constant` (a whole list of plain values is one Constant);
    a list, tuple, set or dict that holds tasks becomes a `List`/`Tuple`/`Set`/`Dict` task bound
    to its items in `flow` (default: the flow in context). Generated tasks are marked
    `auto_generated`.

    Args:
        - x (Any): the value
        - flow (Flow, optional): the flow collection tasks are bound in

    Returns:
        - Task: the task
    """
    from prefect_classic.core.task import Task

    if isinstance(x, Task):
        return x
    if isinstance(x, EdgeAnnotation):
        return as_task(x.value, flow=flow)
    from prefect_classic.tasks.core import collections as coll
    from prefect_classic.tasks.core.constants import Constant

    made: Task
    if _holds_no_task(x):
        made = Constant(x)
    elif isinstance(x, list):
        made = coll.List().bind(*x, flow=flow)
    elif isinstance(x, tuple):
        made = coll.Tuple().bind(*x, flow=flow)
    elif isinstance(x, set):
        made = coll.Set().bind(*x, flow=flow)
    elif isinstance(x, dict):
        made = coll.Dict().bind(keys=list(x.keys()), values=list(x.values()), flow=flow)
    else:  # pragma: no cover  (every other value holds no task)
        return x
    made.auto_generated = True
    return made


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
    raise signals.PAUSE(
        message or "Pause signal raised during task execution.", start_time=start_time
    )


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
    """Fill `run()` keyword arguments that were not passed from the task's attributes of the
    same name (an argument passed explicitly, even as None, is kept).

    Args:
        - *attr_args (str): the argument/attribute names

    Returns:
        - Callable: the decorator for `run`
    """

    def wrapper(run_method: Callable) -> Callable:
        @functools.wraps(run_method)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            for attr in attr_args:
                kwargs.setdefault(attr, getattr(self, attr))
            return run_method(self, *args, **kwargs)

        return method

    return wrapper


def apply_map(func: Callable, *args: Any, flow: Any = None, **kwargs: Any) -> Any:
    """Map a function that adds several tasks to a flow over its arguments, element by element,
    as if every task it creates were mapped.

    Arguments wrapped in `unmapped` are passed whole; arguments wrapped in `flatten` are
    flattened one level before mapping. Control flow built by `func` (`case`, `merge`) applies
    per element.

    Every task `func` creates depends (directly or through another task it created) on every
    mapped argument, so all of them map over the same elements and run only once the inputs
    are ready.

    Args:
        - func (Callable): a function that creates tasks from its arguments
        - *args: arguments to map over (tasks, sequences, or annotated values)
        - flow (Flow, optional): the flow (default: the one in context); when given, `func` must
            accept a `flow` keyword argument
        - **kwargs: keyword arguments to map over

    Returns:
        - Any: what `func` returns

    Raises:
        - ValueError: when there is no flow
        - TypeError: when an argument is neither a task, an annotation nor a sequence

    Example:
        ```python
        def inc_if_even(x):
            with case(is_even(x), True):
                x2 = inc(x)
            return merge(x, x2)

        with Flow("example") as flow:
            apply_map(inc_if_even, range(10))
        ```
    """
    from collections.abc import Sequence

    from prefect_classic.core.flow import Flow
    from prefect_classic.core.task import Task
    from prefect_classic.tasks.core.constants import Constant

    flow_given = flow is not None
    if flow is None:
        flow = context.get("flow")
        if flow is None:
            raise ValueError("Couldn't infer a flow in the current context")
    for value in (*args, *kwargs.values()):
        if not isinstance(value, (Task, EdgeAnnotation, Sequence)):
            raise TypeError(f"Cannot map over non-sequence object of type `{type(value).__name__}`")

    tasks_before = set(flow.tasks)
    scratch = Flow("temporary flow")
    # for every argument task: (mapped?, a Constant?, flattened?)
    arg_info: dict = {}
    # id(value) of each mapped constant -> its Constant task (mapped constants become real edges)
    mapped_constants: dict = {}

    def prepare(value: Any) -> Any:
        # an enclosing `case` or resource block must not claim the scratch flow's tasks
        with context(case=None, resource=None):
            arg = as_task(value, flow=scratch)
            is_mapped = not isinstance(value, unmapped)
            is_constant = isinstance(arg, Constant)
            if not is_constant:
                scratch.add_task(arg)
        arg_info[arg] = (is_mapped, is_constant, isinstance(value, flatten))
        if not is_constant:
            flow.add_task(arg)
        if is_mapped and is_constant:
            mapped_constants[id(arg.value)] = arg
        return arg

    call_args = [prepare(a) for a in args]
    call_kwargs = {k: prepare(v) for k, v in kwargs.items()}
    with context(mapped=True, case=None, resource=None):
        with scratch:
            if flow_given:
                result = func(*call_args, flow=scratch, **call_kwargs)
            else:
                result = func(*call_args, **call_kwargs)

    # copy the subgraph into the flow (inside the caller's own case/resource blocks); an edge
    # is mapped unless it starts at an argument passed `unmapped`
    for t in scratch.tasks:
        flow.add_task(t)
    for edge in scratch.edges:
        is_mapped, _, is_flat = arg_info.get(edge.upstream_task, (True, False, False))
        flow.add_edge(
            edge.upstream_task,
            edge.downstream_task,
            key=edge.key,
            mapped=is_mapped,
            flattened=is_flat,
        )
    for t, consts in scratch.constants.items():
        for key, value in consts.items():
            const_task = mapped_constants.get(id(value))
            if const_task is None:
                flow.constants[t][key] = value
                continue
            flow.add_task(const_task)
            flow.add_edge(const_task, t, key=key, mapped=True, flattened=arg_info[const_task][2])

    # tasks with no upstream task created here get every argument (except unmapped constants)
    # as a direct upstream dependency: all children share the same inputs and length
    created = scratch.tasks - tasks_before - set(arg_info)
    for t in created:
        upstream = flow.upstream_tasks(t)
        if upstream & created:
            continue
        for arg, (is_mapped, is_constant, is_flat) in arg_info.items():
            if arg not in upstream and (is_mapped or not is_constant):
                flow.add_edge(arg, t, mapped=is_mapped, flattened=is_flat)
    return result
