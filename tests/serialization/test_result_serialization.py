"""Result and serializer schemas: metadata in Prefect 1's shape, never values or secrets."""

import json
import os

import pytest
from marshmallow import ValidationError

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
from prefect_classic.serialization.result import SerializerSchema, StateResultSchema


def round_trip(schema, obj):
    return schema.load(json.loads(json.dumps(schema.dump(obj))))


@pytest.mark.parametrize(
    "result, attrs",
    [
        (Result(location="loc"), ["location"]),
        (
            LocalResult(dir="/data/results", validate_dir=False, location="a/b.pkl"),
            ["dir", "location"],
        ),
        (
            S3Result(bucket="bkt", location="k.pkl", serializer=serializers.JSONSerializer()),
            ["bucket", "location", "serializer"],
        ),
        (GCSResult(bucket="bkt", location="k.pkl"), ["bucket", "location", "serializer"]),
        (
            AzureResult("box", connection_string="c", location="k.pkl"),
            ["container", "location", "serializer"],
        ),
        (PrefectResult(location="[1, 2]"), ["location", "serializer"]),
        (ConstantResult(location="const"), ["location"]),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Result) else "",
)
def test_each_result_type_round_trips_its_metadata(result, attrs):
    loaded = round_trip(StateResultSchema(), result)
    assert type(loaded) is type(result)
    for attr in attrs:
        assert getattr(loaded, attr) == getattr(result, attr)
    assert StateResultSchema().dump(result)["type"] == type(result).__name__


def test_the_azure_connection_string_is_never_written():
    data = StateResultSchema().dump(AzureResult("box", connection_string="AccountKey=SECRET-KEY;"))
    assert "SECRET-KEY" not in json.dumps(data)
    assert (data["type"], data["container"]) == ("AzureResult", "box")


def test_no_result_round_trips_to_the_singleton():
    assert round_trip(StateResultSchema(), NoResult) is NoResult


def test_values_are_never_written():
    for result in (
        LocalResult(dir="/d", validate_dir=False, location="x", value="VALUE-XYZ"),
        ConstantResult(value="VALUE-XYZ"),
        Result(value="VALUE-XYZ"),
    ):
        assert "VALUE-XYZ" not in json.dumps(StateResultSchema().dump(result))


def test_loading_a_local_result_does_not_create_its_folder(tmp_path):
    folder = tmp_path / "elsewhere"
    loaded = StateResultSchema().load({"type": "LocalResult", "dir": str(folder), "location": "x"})
    assert loaded.dir == str(folder)
    assert not os.path.exists(folder)


def test_s3_credentials_are_never_written():
    result = S3Result(
        bucket="b", boto3_kwargs={"aws_secret_access_key": "SECRET-KEY"}, location="x"
    )
    assert "SECRET-KEY" not in json.dumps(StateResultSchema().dump(result))


def test_secret_result_writes_the_name_and_loads_a_clear_error_on_read():
    class FakeSecret:
        name = "API_TOKEN"

        def run(self, name=None):
            return "the-token"

    data = StateResultSchema().dump(SecretResult(FakeSecret(), value="the-token"))
    assert "the-token" not in json.dumps(data)
    assert (data["location"], data["secret_type"]) == ("API_TOKEN", "FakeSecret")
    loaded = StateResultSchema().load(data)
    assert isinstance(loaded, SecretResult)
    with pytest.raises(ValueError, match="not serialized"):
        loaded.read(loaded.location)


def test_custom_result_classes_load_as_base_results_with_their_location():
    class MyResult(Result):
        pass

    data = StateResultSchema().dump(MyResult(location="s3://x"))
    assert data["type"] == "CustomResult"
    loaded = StateResultSchema().load(data)
    assert type(loaded) is Result
    assert loaded.location == "s3://x"


@pytest.mark.parametrize("data", [{"type": "SafeResult", "location": "x"}, {"location": "x"}])
def test_unknown_result_types_load_as_a_base_result_with_the_location(data):
    """As in Prefect 1 (e.g. the SafeResults of old Prefect versions)."""
    loaded = StateResultSchema().load(data)
    assert type(loaded) is Result
    assert (loaded.location, loaded.value) == ("x", None)


def test_prefect_result_with_a_pickle_serializer_is_rejected():
    with pytest.raises(ValidationError):
        StateResultSchema().load(
            {"type": "PrefectResult", "location": "1", "serializer": {"type": "PickleSerializer"}}
        )


class UpperSerializer(serializers.Serializer):
    """A serializer defined outside the package."""

    def serialize(self, value):
        return str(value).upper().encode()

    def deserialize(self, value):
        return value.decode()


@pytest.mark.parametrize(
    "serializer",
    [
        serializers.PickleSerializer(),
        serializers.JSONSerializer(),
        serializers.DateTimeSerializer(),
        serializers.PandasSerializer("csv", serialize_kwargs={"index": False}),
        serializers.CompressedSerializer(serializers.JSONSerializer(), format="gzip"),
        UpperSerializer(),
    ],
    ids=lambda s: type(s).__name__,
)
def test_serializers_round_trip(serializer):
    loaded = round_trip(SerializerSchema(), serializer)
    assert type(loaded) is type(serializer)
    assert loaded == serializer or isinstance(loaded, UpperSerializer)


def test_custom_compression_functions_cannot_be_loaded():
    custom = serializers.CompressedSerializer(
        serializers.JSONSerializer(), compress=bytes, decompress=bytes
    )
    data = SerializerSchema().dump(custom)
    assert data["format"] is None
    with pytest.raises(ValidationError, match="custom compression"):
        SerializerSchema().load(data)


def test_unknown_serializer_class_path_is_a_validation_error():
    with pytest.raises(ValidationError, match="Unknown serializer"):
        SerializerSchema().load({"type": "CustomSerializer", "serializer_type": "nowhere.Missing"})
    with pytest.raises(ValidationError):
        SerializerSchema().load({"type": "MsgPackSerializer"})
