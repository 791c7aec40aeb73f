"""`UnstoredResult`: what `ConstantResult` and `SecretResult` share — a value that never goes to
storage, so there is no serializer and `write` always fails."""

from typing import Any, ClassVar

from prefect_classic.engine.result.base import Result

__all__ = ["UnstoredResult"]


class UnstoredResult(Result):
    """A Result whose value is never stored.

    Args:
        - **kwargs (Any, optional): `Result` options except `serializer`

    Raises:
        - ValueError: when a `serializer` is given
    """

    #: the message of the `ValueError` raised by `write`
    write_error: ClassVar[str] = "This Result cannot be written to."

    def __init__(self, **kwargs: Any) -> None:
        if "serializer" in kwargs:
            raise ValueError(f"Can't pass a serializer to a {type(self).__name__}.")
        super().__init__(**kwargs)

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Always fails: the value is never persisted.

        Args:
            - value_ (Any): unused
            - **kwargs (Any): unused

        Raises:
            - ValueError: always
        """
        raise ValueError(self.write_error)
