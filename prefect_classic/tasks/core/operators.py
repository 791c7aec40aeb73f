"""Operator tasks: what `task + 1`, `task[0]`, `task.is_equal(x)` and friends create."""
import operator
from typing import Any

from prefect_classic.core.task import Task

__all__ = ['Add', 'And', 'Div', 'Equal', 'FloorDiv', 'GetAttr', 'GetItem', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Mod', 'Mul', 'Not', 'NotEqual', 'Or', 'Pow', 'Sub', 'Xor']


class _Operator(Task):
    """Base of operator tasks: auto-generated tasks with a two-argument `run`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.auto_generated = True


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
        return x ** y


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
    """Evaluates `x[key]`."""

    def run(self, task_result: Any, key: Any) -> Any:  # type: ignore[override]
        """Return `task_result[key]`."""
        return task_result[key]


class GetAttr(_Operator):
    """Evaluates `getattr(x, attr)` (dotted names allowed)."""

    def run(self, task_result: Any, attr: str) -> Any:  # type: ignore[override]
        """Return the attribute `attr` of `task_result`."""
        return operator.attrgetter(attr)(task_result)
