"""`PrefectResult`: a JSON-serializable value stored in the location string itself."""

from typing import Any, Union

from prefect_classic.engine.result.base import Result
from prefect_classic.engine.serializers import DateTimeSerializer, JSONSerializer

__all__ = ["PrefectResult"]

_ALLOWED = (JSONSerializer, DateTimeSerializer)


class PrefectResult(Result):
    """A Result whose location *is* the value, as JSON text, so it needs no storage backend.

    Suited to small JSON-serializable values (or datetimes with `DateTimeSerializer`).

    Args:
        - **kwargs (Any, optional): `Result` options: `value`, and `serializer`, which must be a
            `JSONSerializer` (the default) or a `DateTimeSerializer`

    Raises:
        - TypeError: for any other serializer
    """

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.get("serializer") is None:
            kwargs["serializer"] = JSONSerializer()
        super().__init__(**kwargs)

    @property  # type: ignore[override]
    def serializer(self) -> Union[JSONSerializer, DateTimeSerializer]:
        """The serializer: a `JSONSerializer` or a `DateTimeSerializer`."""
        return self.__dict__["serializer"]

    @serializer.setter
    def serializer(self, value: Any) -> None:
        if not isinstance(value, _ALLOWED):
            raise TypeError(
                "PrefectResult only supports JSONSerializer or DateTimeSerializer, "
                f"not {type(value).__name__}"
            )
        self.__dict__["serializer"] = value

    def read(self, location: str) -> Result:
        """Decode the value held in `location`.

        Args:
            - location (str): the serialized value (JSON text)

        Returns:
            - Result: a new PrefectResult with `value` and `location` set
        """
        new = self.copy()
        new.value = self.deserialize_from_bytes(location.encode("utf-8"))
        new.location = location
        return new

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Serialize `value_` into the location; nothing is stored anywhere else.

        Args:
            - value_ (Any): a value the serializer accepts
            - **kwargs (Any): unused; accepted for interface compatibility

        Returns:
            - Result: a new PrefectResult with `value` set and the serialized text as `location`

        Raises:
            - TypeError: when the value cannot be serialized
        """
        new = self.copy()
        new.location = self.serialize_to_bytes(value_).decode("utf-8")
        new.value = value_
        return new

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether `location` holds a value this Result can decode.

        Args:
            - location (str): the serialized value
            - **kwargs (Any): unused; accepted for interface compatibility

        Returns:
            - bool: whether `location` deserializes
        """
        try:
            self.deserialize_from_bytes(location.encode("utf-8"))
        except Exception:
            return False
        return True
