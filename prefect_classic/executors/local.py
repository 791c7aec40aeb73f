"""LocalExecutor: runs each submitted function immediately, in this thread."""
from typing import Any, Callable

from prefect_classic.executors.base import Executor

__all__ = ["LocalExecutor"]


class LocalExecutor(Executor):
    """Runs task runs synchronously in the calling thread (the default executor)."""

    def submit(self, fn: Callable, *args: Any, extra_context: Any = None, **kwargs: Any) -> Any:
        """Call `fn(*args, **kwargs)` now and return its result."""
        return fn(*args, **kwargs)

    def wait(self, futures: Any) -> Any:
        """Results are already computed: return them as they are."""
        return futures
