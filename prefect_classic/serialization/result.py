"""
Schemas for Results and their serializers, in Prefect 1's JSON shape.

A Result is written as its metadata only: `{"type": "LocalResult", "location": ...,
"dir": ..., "serializer": {"type": "PickleSerializer", ...}, "__version__": ...}`; its
value is never written (a `PrefectResult`'s location *is* its JSON value). Loading gives a
Result of the same type with that location and no value; `state.load_result()` reads the
value back. A Result class this package does not know is written with type
`"CustomResult"` and loads as a base `Result` holding the location, as in Prefect 1; any
other unknown type is a `ValidationError`. The `"serializer"` key is an addition to
Prefect 1's shape (Prefect 1 ignores it); without it the Result type's default
serializer is used.
"""

import sys
from typing import Any, Dict, Optional

from marshmallow import ValidationError, fields

from prefect_classic.engine import serializers
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import (
    ConstantResult,
    GCSResult,
    LocalResult,
    PrefectResult,
    S3Result,
    SecretResult,
)
from prefect_classic.serialization.schema import (
    JSONCompatible,
    ObjectSchema,
    OneOfSchema,
    to_qualified_name,
)

__all__ = [
    "CompressedSerializerSchema",
    "ConstantResultSchema",
    "CustomResultSchema",
    "CustomSerializerSchema",
    "DateTimeSerializerSchema",
    "GCSResultSchema",
    "JSONSerializerSchema",
    "LocalResultSchema",
    "NoResultSchema",
    "PandasSerializerSchema",
    "PickleSerializerSchema",
    "PrefectResultSchema",
    "ResultSchema",
    "S3ResultSchema",
    "SecretResultSchema",
    "SerializerSchema",
    "StateResultSchema",
]


# ---------------------------------------------------------------------------------------
# serializers
# ---------------------------------------------------------------------------------------


class PickleSerializerSchema(ObjectSchema):
    """Schema for `PickleSerializer`."""

    object_class = serializers.PickleSerializer


class JSONSerializerSchema(ObjectSchema):
    """Schema for `JSONSerializer`."""

    object_class = serializers.JSONSerializer


class DateTimeSerializerSchema(ObjectSchema):
    """Schema for `DateTimeSerializer`."""

    object_class = serializers.DateTimeSerializer


class PandasSerializerSchema(ObjectSchema):
    """Schema for `PandasSerializer`: the file type and the pandas keyword arguments."""

    object_class = serializers.PandasSerializer

    file_type = fields.String(required=True)
    serialize_kwargs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)
    deserialize_kwargs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)


class CompressedSerializerSchema(ObjectSchema):
    """
    Schema for `CompressedSerializer`: the wrapped serializer and the compression
    `format`. Serializers built with custom `compress`/`decompress` functions are written
    with `"format": null` and cannot be loaded (a `ValidationError` says so).
    """

    object_class = serializers.CompressedSerializer

    serializer = fields.Nested(lambda: SerializerSchema(), required=True)
    format = fields.String(allow_none=True)
    compress_kwargs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)
    decompress_kwargs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        if data.get("format") is None:
            raise ValidationError(
                {"format": ["A CompressedSerializer with custom compression functions cannot be loaded."]}
            )
        return super().create_object(data)


class CustomSerializerSchema(ObjectSchema):
    """
    Schema for a Serializer class defined outside this package: its import path is
    written as `"serializer_type"`. Loading finds the class among already-imported
    modules (nothing is imported) and calls it without arguments.
    """

    serializer_type = fields.Method("_dump_type", deserialize="_load_type", required=True)

    def _dump_type(self, obj: Any) -> str:
        return to_qualified_name(type(obj))

    def _load_type(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError("Not a valid class path.")
        found = _imported_object(value)
        if not (isinstance(found, type) and issubclass(found, serializers.Serializer)):
            raise ValidationError(
                f"Unknown serializer {value!r}: import the module defining it before loading."
            )
        return found

    def create_object(self, data: Dict[str, Any]) -> Any:
        try:
            return data["serializer_type"]()
        except TypeError as exc:
            raise ValidationError(f"Cannot create serializer {data['serializer_type']!r}: {exc}") from exc


def _imported_object(path: str) -> Any:
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:split]))
        if module is None:
            continue
        found: Any = module
        try:
            for attribute in parts[split:]:
                found = getattr(found, attribute)
        except AttributeError:
            return None
        return found
    return None


class SerializerSchema(OneOfSchema):
    """Dispatches between the serializer schemas on the serializer's class name."""

    type_schemas = {
        "PickleSerializer": PickleSerializerSchema,
        "JSONSerializer": JSONSerializerSchema,
        "DateTimeSerializer": DateTimeSerializerSchema,
        "PandasSerializer": PandasSerializerSchema,
        "CompressedSerializer": CompressedSerializerSchema,
        "CustomSerializer": CustomSerializerSchema,
    }

    def get_obj_type(self, obj: Any) -> str:
        name = type(obj).__name__
        own = getattr(serializers, name, None)
        return name if name in self.type_schemas and own is type(obj) else "CustomSerializer"


# ---------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------


def _serializer_field() -> fields.Field:
    return fields.Nested(SerializerSchema, allow_none=True)


class _LocatedResultSchema(ObjectSchema):
    location = fields.String(allow_none=True)
    serializer = _serializer_field()

    def create_object(self, data: Dict[str, Any]) -> Any:
        if data.get("serializer") is None:
            data.pop("serializer", None)
        return super().create_object(data)


class ResultSchema(_LocatedResultSchema):
    """Schema for the base `Result`: its location and serializer."""

    object_class = Result


class NoResultSchema(ObjectSchema):
    """Schema for `NoResult` (no fields); loads the `NoResult` singleton."""

    def create_object(self, data: Dict[str, Any]) -> Any:
        return NoResult


class CustomResultSchema(_LocatedResultSchema):
    """
    Schema for Result classes this package does not know: written with type
    `"CustomResult"`; loads a base `Result` with the location (the custom class cannot be
    rebuilt from JSON).
    """

    object_class = Result


class ConstantResultSchema(ObjectSchema):
    """Schema for `ConstantResult`: its location only (the constant is not written)."""

    object_class = ConstantResult

    location = fields.String(allow_none=True)


class GCSResultSchema(_LocatedResultSchema):
    """Schema for `GCSResult`: bucket, location and serializer."""

    object_class = GCSResult

    bucket = fields.String(required=True)


class LocalResultSchema(_LocatedResultSchema):
    """Schema for `LocalResult`: dir, location and serializer. The folder is not checked
    or created on load (it may belong to another machine)."""

    object_class = LocalResult

    dir = fields.String(allow_none=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        data["validate_dir"] = False
        if data.get("dir") is None:
            data.pop("dir", None)
        return super().create_object(data)


class PrefectResultSchema(_LocatedResultSchema):
    """Schema for `PrefectResult`: the location holds the JSON value itself."""

    object_class = PrefectResult


class S3ResultSchema(_LocatedResultSchema):
    """Schema for `S3Result`: bucket, location and serializer (`boto3_kwargs` may hold
    credentials and are never written)."""

    object_class = S3Result

    bucket = fields.String(required=True)


class _UnavailableSecret:
    """Stands in for the secret task of a loaded `SecretResult`: the task itself is not
    serialized, so reading the secret raises a clear error."""

    def __init__(self, secret_type: Optional[str] = None) -> None:
        self.secret_type = secret_type
        self.name = None

    def run(self, name: Optional[str] = None) -> Any:
        raise ValueError(
            f"The secret task of this SecretResult ({self.secret_type or 'unknown type'}) was "
            "not serialized; attach a secret task to read secret values."
        )


class SecretResultSchema(ObjectSchema):
    """Schema for `SecretResult`: the secret's name (location) and the secret task's class
    name (`"secret_type"`); secret values are never written."""

    object_class = SecretResult

    location = fields.String(allow_none=True)
    secret_type = fields.Method("_dump_secret_type", deserialize="_load_secret_type", allow_none=True)

    def _dump_secret_type(self, obj: Any) -> Optional[str]:
        task = getattr(obj, "secret_task", None)
        return None if task is None else type(task).__name__

    def _load_secret_type(self, value: Any) -> Any:
        return value

    def create_object(self, data: Dict[str, Any]) -> Any:
        data["secret_task"] = _UnavailableSecret(data.pop("secret_type", None))
        return super().create_object(data)


class StateResultSchema(OneOfSchema):
    """
    Dispatches between the result schemas on the Result's class name; Result classes
    defined elsewhere are written as `"CustomResult"`.
    """

    type_schemas = {
        "Result": ResultSchema,
        "CustomResult": CustomResultSchema,
        "ConstantResult": ConstantResultSchema,
        "GCSResult": GCSResultSchema,
        "LocalResult": LocalResultSchema,
        "PrefectResult": PrefectResultSchema,
        "S3Result": S3ResultSchema,
        "SecretResult": SecretResultSchema,
        "NoResultType": NoResultSchema,
    }

    _known_classes = {
        "Result": Result,
        "ConstantResult": ConstantResult,
        "GCSResult": GCSResult,
        "LocalResult": LocalResult,
        "PrefectResult": PrefectResult,
        "S3Result": S3Result,
        "SecretResult": SecretResult,
        "NoResultType": type(NoResult),
    }

    def get_obj_type(self, obj: Any) -> str:
        name = type(obj).__name__
        if self._known_classes.get(name) is type(obj):
            return name
        if not isinstance(obj, Result):
            raise ValidationError(f"Not a Result: {obj!r}")
        return "CustomResult"
