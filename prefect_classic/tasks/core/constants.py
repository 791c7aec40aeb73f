"""Constant: a task that returns a fixed value."""
from typing import Any

from prefect_classic.core.task import Task

__all__ = ["Constant"]


class Constant(Task):
    """A task that returns `value`.

    Args:
        - value (Any): the value
        - name (str, optional): the name (default: the value's repr, shortened)
        - **kwargs: other `Task` arguments
    """

    def __init__(self, value: Any, name: str = None, **kwargs: Any):  # type: ignore[assignment]
        self.value = value
        if name is None:
            text = repr(value)
            name = text if len(text) <= 20 else text[:17] + "..."
        super().__init__(name=name, **kwargs)

    def run(self) -> Any:
        """Return the value."""
        return self.value
