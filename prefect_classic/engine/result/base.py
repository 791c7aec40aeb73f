"""The Result contract: every storage backend is a Result with `read`/`write`/`exists`/`format`."""

import os
import uuid
from typing import Any, Callable, Optional, Tuple, Union

import pendulum

from prefect_classic.engine.result.checksum import ResultCorruptError, seal, unwrap
from prefect_classic.utilities.logging import get_logger
from prefect_classic.utilities.templates import format_template

__all__ = [
    "NoResult",
    "NoResultType",
    "Result",
    "ResultCorruptError",
    "ResultNotImplementedError",
    "ResultStorageError",
]


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


def _type_name(value: Any) -> str:
    cls = type(value)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def check_serializer(serializer: Any, owner: str) -> None:
    """Raise a TypeError unless `serializer` is a serializer instance: a `Serializer`, or an
    object with `serialize` and `deserialize` methods.

    Args:
        - serializer (Any): the value given
        - owner (str): who received it, for the message (e.g. `"S3Result"`)

    Raises:
        - TypeError: naming the argument and what was given
    """
    from prefect_classic.engine.serializers import Serializer

    if isinstance(serializer, Serializer):
        return
    if isinstance(serializer, type):
        hint = (
            f"; pass an instance, e.g. {serializer.__name__}()"
            if issubclass(serializer, Serializer)
            else ""
        )
        raise TypeError(
            f"{owner}: `serializer` must be a Serializer instance, not the class {serializer!r}{hint}"
        )
    if not (
        callable(getattr(serializer, "serialize", None))
        and callable(getattr(serializer, "deserialize", None))
    ):
        raise TypeError(
            f"{owner}: `serializer` must be a Serializer (such as PickleSerializer() or "
            f"JSONSerializer()), not {serializer!r} of type {_type_name(serializer)}"
        )


def check_location(location: Any, owner: str) -> Any:
    """Check a `location` argument: None, a string, a path (returned as a string) or a callable.

    Args:
        - location (Any): the value given
        - owner (str): who received it, for the message

    Returns:
        - Union[str, Callable, None]: the location

    Raises:
        - TypeError: naming the argument and what was given
    """
    if location is None or isinstance(location, str) or callable(location):
        return location
    if isinstance(location, os.PathLike):
        return os.fspath(location)
    raise TypeError(
        f"{owner}: `location` must be a string template or a callable returning the location, "
        f"not {location!r} of type {_type_name(location)}"
    )


class Result:
    """A task's output and where/how it is stored.

    Storage Results (`LocalResult`, `S3Result`, `GCSResult`, `AzureResult`) store a SHA-256
    checksum with every value they write and check it when they read the value back (see
    `prefect_classic.engine.result.checksum`); a mismatch raises `ResultCorruptError`.

    Args:
        - value (Any, optional): the value
        - location (Union[str, Callable], optional): where the value lives; a `str.format` template
            (formatted with context values and task inputs) or a callable taking those as kwargs
        - serializer (Serializer, optional): how the value becomes bytes; default `PickleSerializer`

    Raises:
        - TypeError: when `serializer` is not a Serializer instance, or `location` neither a
            string nor a callable
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
        else:
            check_serializer(serializer, type(self).__name__)
        location = check_location(location, type(self).__name__)
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

    def _encode(self, value: Any) -> Tuple[bytes, Optional[str]]:
        """The bytes to store for `value`, with their checksum: inside the bytes where the
        serializer's readers skip it, otherwise returned as text to store next to them."""
        payload = self.serialize_to_bytes(value)
        if type(self).serialize_to_bytes is not Result.serialize_to_bytes:
            return seal(None, payload)  # bytes of the subclass's own making: never framed
        return seal(self.serializer, payload)

    def _decode(self, data: bytes, checksum: Any = None, where: str = "") -> Any:
        """The value of stored bytes, after checking them against their checksum (`checksum`:
        the text stored next to them, a function returning it, or None).

        Raises:
            - ResultCorruptError: when the bytes do not match their checksum
        """
        return self.deserialize_from_bytes(unwrap(data, checksum, where))

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
