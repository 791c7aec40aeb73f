"""The Executor interface: where task runs execute."""

from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from prefect_classic.utilities.logging import get_logger

__all__ = ["Executor"]


class Executor:
    """Base class of executors.

    A FlowRunner calls `start()` once per flow run, `submit()` for each task run and `wait()`
    for the states it needs. Futures returned by `submit` may be passed to later `submit` calls
    (inside dicts and lists); executors resolve them before calling the function.
    """

    def __init__(self) -> None:
        self.name = type(self).__name__
        self.logger = get_logger(type(self).__name__)

    def __repr__(self) -> str:
        return f"<Executor: {self.name}>"

    @contextmanager
    def start(self) -> Iterator[None]:
        """Set up what the executor needs for one flow run, and tear it down after."""
        yield

    def submit(self, fn: Callable, *args: Any, extra_context: Any = None, **kwargs: Any) -> Any:
        """Run `fn(*args, **kwargs)` and return a future (or the value itself).

        Args:
            - fn (Callable): the function
            - *args, **kwargs: its arguments (futures allowed)
            - extra_context (dict, optional): information about the task run (e.g. its name)

        Returns:
            - Any: a future, or the result
        """
        raise NotImplementedError()

    def submit_many(
        self,
        fn: Callable,
        calls: Iterable[Dict[str, Any]],
        extra_context: Optional[dict] = None,
        **shared: Any,
    ) -> List[Any]:
        """Submit `fn(**shared, **call)` for each keyword dict in `calls` (the children of a
        mapped task), taking `calls` lazily, one at a time.

        Here: one `submit()` per call (a subclass that overrides `submit` is honoured). The Dask
        executors override it to keep at most a window of calls in flight and return results.

        Args:
            - fn (Callable): the function
            - calls (Iterable[dict]): the keyword arguments of each call
            - extra_context (dict, optional): information shared by the calls (e.g. `task_name`,
                `task_tags`); each call's `task_index` is its position in `calls`
            - **shared (Any): keyword arguments common to every call

        Returns:
            - list: one future (or result) per call, in the order of `calls`
        """
        extra = dict(extra_context or {})
        submitted = []
        for index, call in enumerate(calls):
            extra["task_index"] = index
            submitted.append(self.submit(fn, extra_context=dict(extra), **shared, **call))
        return submitted

    def wait(self, futures: Any) -> Any:
        """Resolve futures (nested in lists, tuples, sets and dict values) into their results.

        Args:
            - futures (Any): futures or structures of futures

        Returns:
            - Any: the same structure with results in place of futures
        """
        raise NotImplementedError()
