"""The operators of Task (`a + b`, `a > b`, `a.is_equal(b)`, ...): each builds an operator task
bound to its operands (private to `prefect_classic.core`; `Task` inherits them)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect_classic.core.task import Task

__all__ = ["TaskOperators"]


class TaskOperators:
    """Arithmetic, logical and comparison operators that build tasks (see
    `prefect_classic.tasks.core.operators`). `==` and `hash` keep comparing tasks by identity."""

    __slots__ = ()

    def _op(self, op_name: str, *args: Any) -> "Task":
        from prefect_classic.tasks.core import operators

        return getattr(operators, op_name)().bind(*args)

    def __add__(self, other: Any) -> "Task":
        return self._op("Add", self, other)

    def __sub__(self, other: Any) -> "Task":
        return self._op("Sub", self, other)

    def __mul__(self, other: Any) -> "Task":
        return self._op("Mul", self, other)

    def __truediv__(self, other: Any) -> "Task":
        return self._op("Div", self, other)

    def __floordiv__(self, other: Any) -> "Task":
        return self._op("FloorDiv", self, other)

    def __mod__(self, other: Any) -> "Task":
        return self._op("Mod", self, other)

    def __pow__(self, other: Any) -> "Task":
        return self._op("Pow", self, other)

    def __and__(self, other: Any) -> "Task":
        return self._op("And", self, other)

    def __xor__(self, other: Any) -> "Task":
        return self._op("Xor", self, other)

    def __invert__(self) -> "Task":
        return self._op("Not", self)

    def __radd__(self, other: Any) -> "Task":
        return self._op("Add", other, self)

    def __rsub__(self, other: Any) -> "Task":
        return self._op("Sub", other, self)

    def __rmul__(self, other: Any) -> "Task":
        return self._op("Mul", other, self)

    def __rtruediv__(self, other: Any) -> "Task":
        return self._op("Div", other, self)

    def __rfloordiv__(self, other: Any) -> "Task":
        return self._op("FloorDiv", other, self)

    def __rmod__(self, other: Any) -> "Task":
        return self._op("Mod", other, self)

    def __rpow__(self, other: Any) -> "Task":
        return self._op("Pow", other, self)

    def __rand__(self, other: Any) -> "Task":
        return self._op("And", other, self)

    def __rxor__(self, other: Any) -> "Task":
        return self._op("Xor", other, self)

    def is_equal(self, other: Any) -> "Task":
        """A task whose result is `self == other` (`==` itself compares tasks)."""
        return self._op("Equal", self, other)

    def is_not_equal(self, other: Any) -> "Task":
        """A task whose result is `self != other`."""
        return self._op("NotEqual", self, other)

    def not_(self) -> "Task":
        """A task whose result is `not self`."""
        return self._op("Not", self)

    def or_(self, other: Any) -> "Task":
        """A task whose result is `self or other` (`|` makes a state dependency instead)."""
        return self._op("Or", self, other)

    def and_(self, other: Any) -> "Task":
        """A task whose result is `self and other`."""
        return self._op("And", self, other)

    def __gt__(self, other: Any) -> "Task":
        return self._op("GreaterThan", self, other)

    def __ge__(self, other: Any) -> "Task":
        return self._op("GreaterThanOrEqual", self, other)

    def __lt__(self, other: Any) -> "Task":
        return self._op("LessThan", self, other)

    def __le__(self, other: Any) -> "Task":
        return self._op("LessThanOrEqual", self, other)
