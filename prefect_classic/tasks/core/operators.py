"""Operator tasks: what `task + 1`, `task[0]`, `task.is_equal(x)` and friends create."""

import operator
from typing import Any

from prefect_classic.core.task import NoDefault, Task
from prefect_classic.utilities.tasks import defaults_from_attrs

__all__ = [
    "Add",
    "And",
    "Div",
    "Equal",
    "FloorDiv",
    "GetAttr",
    "GetItem",
    "GreaterThan",
    "GreaterThanOrEqual",
    "LessThan",
    "LessThanOrEqual",
    "Mod",
    "Mul",
    "Not",
    "NotEqual",
    "Or",
    "Pow",
    "Sub",
    "Xor",
]


class _Operator(Task):
    """Base of the operator tasks (plain tasks with a one- or two-argument `run`)."""


class Add(_Operator):
    """Evaluates `x + y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x + y`."""
        return x + y


class Sub(_Operator):
    """Evaluates `x - y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x - y`."""
        return x - y


class Mul(_Operator):
    """Evaluates `x * y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x * y`."""
        return x * y


class Div(_Operator):
    """Evaluates `x / y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x / y`."""
        return x / y


class FloorDiv(_Operator):
    """Evaluates `x // y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x // y`."""
        return x // y


class Pow(_Operator):
    """Evaluates `x ** y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x ** y`."""
        return x**y


class Mod(_Operator):
    """Evaluates `x % y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x % y`."""
        return x % y


class And(_Operator):
    """Evaluates `x and y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x and y`."""
        return x and y


class Or(_Operator):
    """Evaluates `x or y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x or y`."""
        return x or y


class Xor(_Operator):
    """Evaluates `x ^ y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x ^ y`."""
        return x ^ y


class Equal(_Operator):
    """Evaluates `x == y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x == y`."""
        return x == y


class NotEqual(_Operator):
    """Evaluates `x != y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x != y`."""
        return x != y


class GreaterThan(_Operator):
    """Evaluates `x > y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x > y`."""
        return x > y


class GreaterThanOrEqual(_Operator):
    """Evaluates `x >= y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x >= y`."""
        return x >= y


class LessThan(_Operator):
    """Evaluates `x < y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x < y`."""
        return x < y


class LessThanOrEqual(_Operator):
    """Evaluates `x <= y`."""

    def run(self, x: Any, y: Any) -> Any:  # type: ignore[override]
        """Return `x <= y`."""
        return x <= y


class Not(_Operator):
    """Evaluates `not x`."""

    def run(self, x: Any) -> bool:  # type: ignore[override]
        """Return `not x`."""
        return not x


class GetItem(_Operator):
    """Evaluates `task_result[key]`.

    Args:
        - default (Any, optional): returned when the key is missing (default: raise KeyError)
        - *args, **kwargs: other Task arguments
    """

    def __init__(self, default: Any = NoDefault.value, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.default = default

    @defaults_from_attrs("default")
    def run(self, task_result: Any, key: Any, default: Any = NoDefault.value) -> Any:  # type: ignore[override]
        """Return `task_result[key]`, or `default` (when given) if the key is missing."""
        try:
            return task_result[key]
        except KeyError:
            if default is NoDefault.value:
                raise
            return default


class GetAttr(_Operator):
    """Evaluates `getattr(task_result, attr)` (dotted names reach nested attributes).

    Args:
        - default (Any, optional): returned when the attribute is missing (default: raise
            AttributeError)
        - *args, **kwargs: other Task arguments
    """

    def __init__(self, default: Any = NoDefault.value, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.default = default

    @defaults_from_attrs("default")
    def run(self, task_result: Any, attr: str, default: Any = NoDefault.value) -> Any:  # type: ignore[override]
        """Return the attribute `attr` of `task_result`, or `default` (when given) if missing."""
        try:
            return operator.attrgetter(attr)(task_result)
        except AttributeError:
            if default is NoDefault.value:
                raise
            return default
