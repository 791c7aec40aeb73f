"""LocalExecutor: runs each submitted function immediately, in this thread."""

from typing import Any, Callable, Dict, Iterable, List, Optional

from prefect_classic.executors.base import Executor

__all__ = ["LocalExecutor"]


class LocalExecutor(Executor):
    """Runs task runs synchronously in the calling thread (the default executor)."""

    def submit(self, fn: Callable, *args: Any, extra_context: Any = None, **kwargs: Any) -> Any:
        """Call `fn(*args, **kwargs)` now and return its result."""
        return fn(*args, **kwargs)

    def submit_many(
        self,
        fn: Callable,
        calls: Iterable[Dict[str, Any]],
        extra_context: Optional[dict] = None,
        **shared: Any,
    ) -> List[Any]:
        """Call `fn(**shared, **call)` for each call, one after the other (through `submit` when
        a subclass or the instance overrides it).

        Returns:
            - list: the results, in the order of `calls`
        """
        if type(self).submit is not LocalExecutor.submit or "submit" in self.__dict__:
            return super().submit_many(fn, calls, extra_context, **shared)
        return [fn(**shared, **call) for call in calls]

    def wait(self, futures: Any) -> Any:
        """Results are already computed: return them as they are."""
        return futures
