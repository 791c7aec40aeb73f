"""FilterTask: drop unwanted results (e.g. failures) from a list, typically after a map."""

from typing import Any, Callable, Optional

from prefect_classic import triggers
from prefect_classic.core.task import Task
from prefect_classic.engine.result.base import NoResultType

__all__ = ["FilterTask"]


def _default_filter(value: Any) -> bool:
    return not isinstance(value, (BaseException, NoResultType)) and value is not None


class FilterTask(Task):
    """Keeps the items of a list for which `filter_func` is true (default: drops None,
    exceptions and missing results). Runs even when upstream tasks failed.

    Args:
        - filter_func (Callable, optional): `item -> bool`
        - log_func (Callable, optional): `filtered list -> str` to log after filtering
        - **kwargs: other Task arguments
    """

    def __init__(
        self,
        filter_func: Optional[Callable[[Any], bool]] = None,
        log_func: Optional[Callable[[list], str]] = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("skip_on_upstream_skip", False)
        kwargs.setdefault("trigger", triggers.all_finished)
        self.filter_func = filter_func or _default_filter
        self.log_func = log_func
        super().__init__(**kwargs)

    def run(self, task_results: list) -> list:  # type: ignore[override]
        """Return the items that pass the filter.

        Args:
            - task_results (list): the items
        """
        kept = [r for r in task_results if self.filter_func(r)]
        if self.log_func is not None:
            self.logger.info(self.log_func(kept))
        return kept
