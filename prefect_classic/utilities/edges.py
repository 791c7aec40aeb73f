"""Annotations that change how an argument is connected: `unmapped`, `mapped`, `flatten`."""
from typing import Any, Dict

__all__ = ["EdgeAnnotation", "flatten", "mapped", "unmapped"]


class EdgeAnnotation:
    """Wraps a task (or value) passed as an argument and annotates its edge.

    Args:
        - task (Any): the task or value
    """

    annotations: Dict[str, bool] = {}

    def __init__(self, task: Any):
        merged = dict(type(self).annotations)
        if isinstance(task, EdgeAnnotation):  # nested annotations combine
            merged = {**task.annotations, **merged}
            task = task.task
        self.task: Any = task
        self.annotations = merged

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.task!r})"


class unmapped(EdgeAnnotation):
    """Pass the whole value to every mapped child instead of mapping over it."""

    annotations = {"mapped": False}


class mapped(EdgeAnnotation):
    """Map over this argument (used with `task(...)` calls, where mapping is not the default)."""

    annotations = {"mapped": True}


class flatten(EdgeAnnotation):
    """Flatten a list of lists by one level before passing (or mapping over) it."""

    annotations = {"flattened": True}
