"""`ConstantResult`: a value held in memory, such as a constant task input."""

from typing import Any

from prefect_classic.engine.result.base import Result
from prefect_classic.engine.results._unstored import UnstoredResult

__all__ = ["ConstantResult"]


class ConstantResult(UnstoredResult):
    """A Result that is its own backend: the value lives on the instance and is never stored.

    Used internally for constant task inputs. `write` raises `ValueError`.

    Args:
        - value (Any, optional): the constant
        - **kwargs (Any, optional): other `Result` options except `serializer`

    Raises:
        - ValueError: when a `serializer` is given
    """

    write_error = "Cannot write values to `ConstantResult` types."

    def __init__(self, value: Any = None, **kwargs: Any) -> None:
        super().__init__(value=value, **kwargs)

    def read(self, location: str) -> Result:
        """Return this Result, whatever `location` is.

        Args:
            - location (str): unused

        Returns:
            - Result: this ConstantResult
        """
        return self

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Always `True`: the constant is always available.

        Args:
            - location (str): unused
            - **kwargs (Any): unused

        Returns:
            - bool: `True`
        """
        return True
