"""
Schemas for Results and their serializers, in Prefect 1's JSON shape.

A Result is written as its metadata only: `{"type": "LocalResult", "location": ...,
"dir": ..., "serializer": {"type": "PickleSerializer", ...}, "__version__": ...}`; its
value is never written (a `PrefectResult`'s location *is* its JSON value). Loading gives a
Result of the same type with that location and no value; `state.load_result()` reads the
value back. As in Prefect 1, a Result class this package does not know is written with type
`"CustomResult"`, and any type it does not know (a custom class, or an old `SafeResult`)
loads as a base `Result` holding the location. The `"serializer"` key is an addition to
Prefect 1's shape (Prefect 1 ignores it); without it the Result type's default
serializer is used.
"""

from typing import Any, Dict, Mapping, Optional

from marshmallow import ValidationError, fields, post_load

from prefect_classic.engine import serializers
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import (
    AzureResult,
    ConstantResult,
    GCSResult,
    LocalResult,
    PrefectResult,
    S3Result,
    SecretResult,
)
from prefect_classic.serialization.fields import JSONCompatible, Nested
from prefect_classic.serialization.schema import (
    ObjectSchema,
    OneOfSchema,
    from_qualified_name,
    to_qualified_name,
)

__all__ = [
    "AzureResultSchema",
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

    class Meta:
        object_class = serializers.PickleSerializer


class JSONSerializerSchema(ObjectSchema):
    """Schema for `JSONSerializer`."""

    class Meta:
        object_class = serializers.JSONSerializer


class DateTimeSerializerSchema(ObjectSchema):
    """Schema for `DateTimeSerializer`."""

    class Meta:
        object_class = serializers.DateTimeSerializer


class PandasSerializerSchema(ObjectSchema):
    """Schema for `PandasSerializer`: the file type and the pandas keyword arguments."""

    class Meta:
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

    class Meta:
        object_class = serializers.CompressedSerializer

    serializer = Nested(lambda: SerializerSchema, required=True)
    format = fields.String(allow_none=True)
    compress_kwargs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)
    decompress_kwargs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if self.context.get("create_object", True) and data.get("format") is None:
            raise ValidationError(
                {
                    "format": [
                        "A CompressedSerializer with custom compression functions cannot be loaded."
                    ]
                }
            )
        try:
            return super().create_object(data, **kwargs)
        except ImportError as exc:
            raise ValidationError({"format": [str(exc)]}) from exc


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
        try:
            found = from_qualified_name(value)
        except ValueError:
            found = None
        if not (isinstance(found, type) and issubclass(found, serializers.Serializer)):
            raise ValidationError(
                f"Unknown serializer {value!r}: import the module defining it before loading."
            )
        return found

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if not self.context.get("create_object", True):
            return data
        try:
            return data["serializer_type"]()
        except TypeError as exc:
            raise ValidationError(
                f"Cannot create serializer {data['serializer_type']!r}: {exc}"
            ) from exc


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


class _LocatedResultSchema(ObjectSchema):
    location = fields.String(allow_none=True)
    serializer = Nested(SerializerSchema, allow_none=True)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if data.get("serializer") is None:
            data.pop("serializer", None)  # the Result type's default
        return super().create_object(data, **kwargs)


class ResultSchema(_LocatedResultSchema):
    """Schema for the base `Result`: its location and serializer."""

    class Meta:
        object_class = Result


class NoResultSchema(ObjectSchema):
    """Schema for `NoResult` (no fields); loads the `NoResult` singleton."""

    class Meta:
        object_class = type(NoResult)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        return NoResult if self.context.get("create_object", True) else data


class CustomResultSchema(ObjectSchema):
    """
    Schema for Result classes this package does not know: written with type
    `"CustomResult"` and the class's import path; loads a base `Result` with the location
    (the custom class cannot be rebuilt from JSON).
    """

    class Meta:
        object_class = Result
        exclude_fields = ["type"]

    location = fields.String(allow_none=True)
    type = fields.Method("_dump_type", deserialize="_load_type")

    def _dump_type(self, obj: Any) -> str:
        return to_qualified_name(type(obj))

    def _load_type(self, value: Any) -> Any:
        return value

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if not self.context.get("create_object", True):
            return data
        return Result(location=data.get("location"))


class AzureResultSchema(_LocatedResultSchema):
    """Schema for `AzureResult`: container, location and serializer (the connection string
    holds a secret and is never written)."""

    class Meta:
        object_class = AzureResult

    container = fields.String(required=True)


class ConstantResultSchema(ObjectSchema):
    """Schema for `ConstantResult`: its location only (the constant is not written)."""

    class Meta:
        object_class = ConstantResult

    location = fields.String(allow_none=True)


class GCSResultSchema(_LocatedResultSchema):
    """Schema for `GCSResult`: bucket, location and serializer."""

    class Meta:
        object_class = GCSResult

    bucket = fields.String(required=True)


class LocalResultSchema(_LocatedResultSchema):
    """Schema for `LocalResult`: dir, location and serializer. The folder is not checked
    or created on load (it may belong to another machine)."""

    class Meta:
        object_class = LocalResult

    dir = fields.String(allow_none=True)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if not self.context.get("create_object", True):
            return data
        data["validate_dir"] = False
        if data.get("dir") is None:
            data.pop("dir", None)
        return super().create_object(data, **kwargs)


class PrefectResultSchema(_LocatedResultSchema):
    """Schema for `PrefectResult`: the location holds the JSON value itself."""

    class Meta:
        object_class = PrefectResult

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        try:
            return super().create_object(data, **kwargs)
        except TypeError as exc:  # a serializer other than JSON/DateTime
            raise ValidationError({"serializer": [str(exc)]}) from exc


class S3ResultSchema(_LocatedResultSchema):
    """Schema for `S3Result`: bucket, location and serializer (`boto3_kwargs` may hold
    credentials and are never written)."""

    class Meta:
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

    class Meta:
        object_class = SecretResult
        exclude_fields = ["secret_type"]

    location = fields.String(allow_none=True)
    secret_type = fields.Method(
        "_dump_secret_type", deserialize="_load_secret_type", allow_none=True
    )

    def _dump_secret_type(self, obj: Any) -> Optional[str]:
        task = getattr(obj, "secret_task", None)
        return None if task is None else type(task).__name__

    def _load_secret_type(self, value: Any) -> Any:
        return value

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if not self.context.get("create_object", True):
            return data
        data["secret_task"] = _UnavailableSecret(data.get("secret_type"))
        return super().create_object(data, **kwargs)


class StateResultSchema(OneOfSchema):
    """
    Dispatches between the result schemas on the Result's class name. Result classes
    defined elsewhere are written as `"CustomResult"`, and any type this package does not
    know (or data without a type) loads as a `"CustomResult"`: a base `Result` with the
    location, as in Prefect 1.
    """

    type_schemas = {
        "Result": ResultSchema,
        "CustomResult": CustomResultSchema,
        "AzureResult": AzureResultSchema,
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
        "AzureResult": AzureResult,
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

    def get_data_type(self, data: Mapping[str, Any]) -> Any:
        name = data.get(self.type_field)
        return name if isinstance(name, str) and name in self.type_schemas else "CustomResult"
