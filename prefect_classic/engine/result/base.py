"""The Result contract: every storage backend is a Result with `read`/`write`/`exists`/`format`."""
import uuid
from typing import Any, Callable, Optional, Union

import pendulum

from prefect_classic.utilities.logging import get_logger
from prefect_classic.utilities.templates import format_template

__all__ = ["NoResult", "NoResultType", "Result", "ResultNotImplementedError", "ResultStorageError"]


class ResultNotImplementedError(NotImplementedError):
    """A Result operation (`read`, `write`, `exists`) that this Result type does not provide,
    such as storing a value with the base `Result` class."""


_NOT_STORED = (
    "{name} does not store values: choose a Result subclass that does, such as LocalResult, "
    "S3Result or GCSResult"
)


class ResultStorageError(RuntimeError):
    """A storage backend failed to read, write or check a result; the message names the backend's
    bucket/path, the key and the cause (the original exception is chained as `__cause__`)."""


class Result:
    """A task's output and where/how it is stored.

    Args:
        - value (Any, optional): the value
        - location (Union[str, Callable], optional): where the value lives; a `str.format` template
            (formatted with context values and task inputs) or a callable taking those as kwargs
        - serializer (Serializer, optional): how the value becomes bytes; default `PickleSerializer`
    """

    def __init__(
        self,
        value: Any = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Any = None,
    ):
        self.value = value
        if serializer is None:
            serializer = _default_serializer()
        self.serializer = serializer
        if location is None or isinstance(location, str):
            self.location: Optional[str] = location
            self._formatter: Optional[Callable[..., str]] = None
        else:
            self.location = None
            self._formatter = location

    @property
    def logger(self) -> Any:
        """The logger of this Result type (`prefect.<ClassName>`)."""
        return get_logger(type(self).__name__)

    def __eq__(self, other: Any) -> bool:
        if type(self) is not type(other):
            return False
        for attr in self.__dict__:
            if attr.startswith("_"):
                continue
            if getattr(self, attr, object()) != getattr(other, attr, object()):
                return False
        return True

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.value!r}>"

    def __getstate__(self) -> dict:
        return self.__dict__.copy()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def copy(self) -> "Result":
        """Return a shallow copy of this Result (SDK clients are shared, not rebuilt)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)  # not copy.copy: that goes through __getstate__
        return new

    def from_value(self, value: Any) -> "Result":
        """Return a copy holding `value` and no location.

        Args:
            - value (Any): the value

        Returns:
            - Result: the new Result
        """
        new = self.copy()
        new.location = None
        new.value = value
        return new

    @property
    def default_location(self) -> str:
        """A fresh location for results written without a template: `YYYY/M/D/<uuid>.prefect_result`."""
        date = pendulum.now("utc").format("YYYY/M/D")
        return f"{date}/{uuid.uuid4()}.prefect_result"

    def format(self, **kwargs: Any) -> "Result":
        """Return a copy whose location is rendered from the template with `kwargs`.

        Args:
            - **kwargs (Any): template values (context keys and task inputs)

        Returns:
            - Result: the new Result with a concrete `location`
        """
        new = self.copy()
        if isinstance(new.location, str):
            new.location = format_template(new.location, **kwargs)
        elif new._formatter is not None:
            new.location = format_template(new._formatter, **kwargs)
        else:
            new.location = new.default_location
        return new

    def serialize_to_bytes(self, value: Any) -> bytes:
        """Serialize `value` with this Result's serializer.

        Args:
            - value (Any): the value

        Returns:
            - bytes: the serialized value
        """
        return self.serializer.serialize(value)

    def deserialize_from_bytes(self, data: bytes) -> Any:
        """Deserialize bytes with this Result's serializer.

        Args:
            - data (bytes): the serialized value

        Returns:
            - Any: the value
        """
        return self.serializer.deserialize(data)

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether a value is stored at `location` (formatted with `kwargs`).

        Args:
            - location (str): the location (template)
            - **kwargs (Any): template values

        Returns:
            - bool: whether it exists

        Raises:
            - ResultNotImplementedError: on the base class, which stores nothing
        """
        raise ResultNotImplementedError(_NOT_STORED.format(name=type(self).__name__))

    def read(self, location: str) -> "Result":
        """Read the value stored at `location`.

        Args:
            - location (str): the location

        Returns:
            - Result: a new Result with `value` and `location` set

        Raises:
            - ResultNotImplementedError: on the base class, which stores nothing
        """
        raise ResultNotImplementedError(_NOT_STORED.format(name=type(self).__name__))

    def write(self, value_: Any, **kwargs: Any) -> "Result":
        """Serialize and store `value_` at this Result's location formatted with `kwargs`.

        Args:
            - value_ (Any): the value (named `value_` as in Prefect 1, so that a task input
                called `value` can be passed in `kwargs`)
            - **kwargs (Any): template values

        Returns:
            - Result: a new Result with `value` and the concrete `location`

        Raises:
            - ResultNotImplementedError: on the base class, which stores nothing
        """
        raise ResultNotImplementedError(_NOT_STORED.format(name=type(self).__name__))


_DEFAULT_SERIALIZER: Any = None


def _default_serializer() -> Any:
    """One shared PickleSerializer (serializers hold no per-value state)."""
    global _DEFAULT_SERIALIZER
    if _DEFAULT_SERIALIZER is None:
        from prefect_classic.engine.serializers import PickleSerializer

        _DEFAULT_SERIALIZER = PickleSerializer()
    return _DEFAULT_SERIALIZER


class NoResultType(Result):
    """The absence of a result (a task that has not run), as opposed to a result of `None`."""

    def __init__(self) -> None:
        self.value = None
        self.location = None
        self._formatter = None
        self.serializer = None

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<No result>"

    def __str__(self) -> str:
        return "NoResult"

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()  # type: ignore[misc]

    def __reduce__(self) -> Any:
        return (_no_result, ())

    def copy(self) -> "NoResultType":
        """NoResult is a singleton."""
        return self


def _no_result() -> "NoResultType":
    return NoResult


NoResult = NoResultType()
