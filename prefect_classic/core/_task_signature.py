"""How Task `run()` signatures are read and checked (private to `prefect_classic.core`).

Reading a signature with `inspect` is slow and building a flow asks for it once per bound
argument, so signatures are memoized per function (weakly: functions of discarded task
classes are not kept alive).
"""

import inspect
import typing
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

if TYPE_CHECKING:
    from prefect_classic.core.task import Task

__all__ = [
    "RESERVED_ARGUMENTS",
    "call_signature",
    "infer_run_nout",
    "run_signature",
    "validate_run_signature",
]

RESERVED_ARGUMENTS = ("upstream_tasks", "mapped", "task_args", "flow")


def validate_run_signature(run: Callable) -> None:
    """Check that a task's `run` (or a function made into a task) can be called with keywords.

    Args:
        - run (Callable): the function

    Raises:
        - ValueError: when it cannot be inspected, takes `*args`, or uses a reserved argument name
            (`upstream_tasks`, `mapped`, `task_args`, `flow`)
    """
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
    violations = [
        p.name
        for p in params
        if p.name in RESERVED_ARGUMENTS and p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    if violations:
        raise ValueError(
            f"Tasks cannot have the following argument names: {', '.join(violations)}. "
            "These are reserved keyword arguments."
        )


_BOUND_SIGNATURES: "weakref.WeakKeyDictionary[Any, inspect.Signature]" = weakref.WeakKeyDictionary()
_PLAIN_SIGNATURES: "weakref.WeakKeyDictionary[Any, inspect.Signature]" = weakref.WeakKeyDictionary()
_CALL_SIGNATURES: "weakref.WeakKeyDictionary[Any, inspect.Signature]" = weakref.WeakKeyDictionary()


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


_NOUTS: "weakref.WeakKeyDictionary[Any, Optional[int]]" = weakref.WeakKeyDictionary()


def infer_run_nout(run: Callable) -> Optional[int]:
    """How many values `run` returns, read from a `Tuple[...]` return annotation (memoized per
    function).

    Returns:
        - Optional[int]: the tuple's length (0 for `Tuple[()]`), or None when the annotation is
            missing, not a tuple, or a variable-length tuple
    """
    key = getattr(run, "__func__", run)
    try:
        return _NOUTS[key]
    except (KeyError, TypeError):
        pass
    nout = _read_nout(run)
    try:
        _NOUTS[key] = nout
    except TypeError:  # not weak-referenceable
        pass
    return nout


def _read_nout(run: Callable) -> Optional[int]:
    try:
        ret = inspect.signature(run).return_annotation
        if isinstance(ret, str):  # postponed annotations (`from __future__ import annotations`)
            ret = typing.get_type_hints(run).get("return", ret)
    except Exception:
        return None
    if ret is inspect.Parameter.empty or ret in (typing.Tuple, tuple):
        return None
    if typing.get_origin(ret) not in (typing.Tuple, tuple):
        return None
    args = typing.get_args(ret)
    if len(args) == 1 and args[0] == ():
        return 0
    if len(args) == 2 and args[1] is Ellipsis:
        return None
    return len(args)


def call_signature(task: "Task", extra: List[inspect.Parameter]) -> inspect.Signature:
    """What calling a task instance accepts: its `run()` arguments plus the keyword-only
    arguments `extra` (those of `Task.__call__`); memoized per `run` function.

    Args:
        - task (Task): the task
        - extra ([inspect.Parameter]): the keyword-only parameters to add

    Returns:
        - inspect.Signature: the signature, returning a Task
    """
    run = task.run
    key = getattr(run, "__func__", run)
    try:
        return _CALL_SIGNATURES[key]
    except (KeyError, TypeError):
        pass
    order = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.VAR_POSITIONAL,
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.VAR_KEYWORD,
    )
    by_kind: Dict[Any, List[inspect.Parameter]] = {kind: [] for kind in order}
    for p in run_signature(task).parameters.values():
        by_kind[p.kind].append(p)
    by_kind[inspect.Parameter.KEYWORD_ONLY].extend(extra)
    sig = inspect.Signature([p for kind in order for p in by_kind[kind]], return_annotation="Task")
    try:
        _CALL_SIGNATURES[key] = sig
    except TypeError:  # not weak-referenceable
        pass
    return sig
