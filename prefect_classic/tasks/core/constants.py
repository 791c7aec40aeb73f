"""Constant: a task that returns a fixed value."""

from typing import Any

from prefect_classic.core.task import Task

__all__ = ["Constant"]


class Constant(Task):
    """A task that returns `value`.

    Args:
        - value (Any): the value
        - name (str, optional): the name (default: the value's repr when it is at most 8
            characters, else `Constant[<type name>]`)
        - **kwargs: other `Task` arguments
    """

    def __init__(self, value: Any, name: str = None, **kwargs: Any):  # type: ignore[assignment]
        self.value = value
        if name is None:
            name = repr(value)
            if len(name) > 8:
                name = f"Constant[{type(value).__name__}]"
        super().__init__(name=name, **kwargs)

    def run(self) -> Any:
        """Return the value."""
        return self.value
