"""FunctionTask: a task whose `run()` is a plain function."""
import inspect
from typing import Any, Callable

from prefect_classic.core.task import Task, _validate_run_signature

__all__ = ["FunctionTask"]


class FunctionTask(Task):
    """A task that calls `fn` with its arguments (what `@task` builds).

    Args:
        - fn (Callable): the function; no `*args`, no reserved argument names
        - name (str, optional): the name (default: the function's name)
        - **kwargs: other `Task` arguments

    Raises:
        - ValueError: when `fn` is not callable or has an unsupported signature
    """

    def __init__(self, fn: Callable, name: str = None, **kwargs: Any):  # type: ignore[assignment]
        if not callable(fn):
            raise ValueError("fn must be callable")
        _validate_run_signature(fn)
        self.run = fn  # type: ignore[method-assign]
        if kwargs.get("nout") is None:
            from prefect_classic.utilities.tasks import _infer_nout

            kwargs["nout"] = _infer_nout(fn)
        self.__doc__ = getattr(fn, "__doc__", None)
        super().__init__(name=name or getattr(fn, "__name__", type(self).__name__), **kwargs)

    def __getstate__(self) -> dict:
        return super().__getstate__()

    @property
    def fn(self) -> Callable:
        """The wrapped function."""
        return self.run

    def _source(self) -> str:
        try:
            return inspect.getsource(self.run)
        except (OSError, TypeError):
            return repr(self.run)
