"""Annotations that change how an argument is connected: `unmapped`, `mapped`, `flatten`."""

from typing import Any, Dict

__all__ = ["EdgeAnnotation", "flatten", "mapped", "unmapped"]


class EdgeAnnotation:
    """Wraps a task (or plain value) passed as an argument and annotates the edge it makes.

    Annotations nest: `mapped(flatten(x))` carries both. When two annotations set the same key,
    the innermost one wins (`unmapped(mapped(x))` is mapped), as in Prefect 1.

    Args:
        - value (Any): the task or value; a non-task becomes a task when the edge is created
    """

    annotations: Dict[str, bool] = {}

    def __init__(self, value: Any):
        merged = dict(type(self).annotations)
        if isinstance(value, EdgeAnnotation):
            merged.update(value.annotations)
            value = value.value
        self.value: Any = value
        self.annotations = merged

    @property
    def task(self) -> Any:
        """The wrapped task or value (another name for `value`)."""
        return self.value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


class unmapped(EdgeAnnotation):
    """Pass the whole value to every mapped child instead of mapping over it.

    Example:
        ```python
        add.map(x=numbers, y=unmapped(100))
        ```
    """

    annotations = {"mapped": False}


class mapped(EdgeAnnotation):
    """Map over this argument (for plain task calls, where mapping is not the default).

    Example:
        ```python
        add(x=mapped(numbers), y=100)
        ```
    """

    annotations = {"mapped": True}


class flatten(EdgeAnnotation):
    """Flatten a list of lists by one level before passing (or mapping over) it.

    Example:
        ```python
        add.map(x=flatten(nested_lists))
        ```
    """

    annotations = {"flattened": True}
