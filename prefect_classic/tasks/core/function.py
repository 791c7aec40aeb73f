"""FunctionTask: a task whose `run()` is a plain function."""

import functools
import inspect
from typing import Any, Callable

from prefect_classic.core.task import Task, _validate_run_signature

__all__ = ["FunctionTask"]


class FunctionTask(Task):
    """A task that calls `fn` with its arguments (what `@task` builds).

    The task takes the function's name, docstring and module (and `__wrapped__` is the
    function); `nout` is read from a `Tuple[...]` return annotation when not given.

    Args:
        - fn (Callable): the function; no `*args`, no reserved argument names
        - name (str, optional): the name (default: the function's name)
        - **kwargs: other `Task` arguments

    Raises:
        - TypeError: when `fn` is not callable
        - ValueError: when `fn` has an unsupported signature

    Example:
        ```python
        subtract = FunctionTask(lambda x: x - 42, name="Subtract 42")
        ```
    """

    def __init__(self, fn: Callable, name: str = None, **kwargs: Any):  # type: ignore[assignment]
        if not callable(fn):
            raise TypeError("`fn` must be callable")
        if name is None:
            name = getattr(fn, "__name__", type(self).__name__)
        _validate_run_signature(fn)
        self.run = fn  # type: ignore[method-assign]
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]
        super().__init__(name=name, **kwargs)

    @property
    def fn(self) -> Callable:
        """The wrapped function."""
        return self.run

    def _source(self) -> str:
        try:
            return inspect.getsource(self.run)
        except (OSError, TypeError):
            return repr(self.run)
