"""PrefectResult, ConstantResult and SecretResult, which keep values out of external storage."""

import pickle

import pendulum
import pytest

import prefect_classic.engine.results as results
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.results import ConstantResult, PrefectResult, SecretResult
from prefect_classic.engine.serializers import (
    CompressedSerializer,
    DateTimeSerializer,
    JSONSerializer,
    PickleSerializer,
)


def test_exports():
    assert sorted(results.__all__) == [
        "AzureResult",
        "ConstantResult",
        "GCSResult",
        "LocalResult",
        "PrefectResult",
        "S3Result",
        "SecretResult",
    ]
    for name in results.__all__:
        assert issubclass(getattr(results, name), Result)


class TestPrefectResult:
    def test_default_serializer_is_json(self):
        assert PrefectResult().serializer == JSONSerializer()

    @pytest.mark.parametrize(
        "serializer", [PickleSerializer(), CompressedSerializer(JSONSerializer(), format="gzip")]
    )
    def test_only_text_serializers(self, serializer):
        with pytest.raises(TypeError, match="JSONSerializer or DateTimeSerializer"):
            PrefectResult(serializer=serializer)
        r = PrefectResult()
        with pytest.raises(TypeError, match="JSONSerializer or DateTimeSerializer"):
            r.serializer = serializer
        assert r.serializer == JSONSerializer()

    def test_write_puts_the_json_in_the_location(self):
        r = PrefectResult(location="ignored/{x}")
        new = r.write({"a": [1, 2]}, x=1)
        assert new is not r
        assert (new.value, new.location) == ({"a": [1, 2]}, '{"a": [1, 2]}')
        assert (r.value, r.location) == (None, "ignored/{x}")

    def test_read_parses_the_location(self):
        new = PrefectResult().read('{"a": 1}')
        assert (new.value, new.location) == ({"a": 1}, '{"a": 1}')
        assert PrefectResult().read(PrefectResult().write([None, "x"]).location).value == [
            None,
            "x",
        ]

    def test_datetimes(self):
        r = PrefectResult(serializer=DateTimeSerializer())
        dt = pendulum.datetime(2020, 5, 6, 7, tz="UTC")
        written = r.write(dt)
        assert written.location == "2020-05-06T07:00:00Z"
        assert r.read(written.location).value == dt

    def test_non_json_values_raise(self):
        with pytest.raises(TypeError, match="JSONSerializer.*set"):
            PrefectResult().write({1, 2})

    def test_exists_means_decodable(self):
        r = PrefectResult()
        assert r.exists('{"a": 1}')
        assert r.exists("3")
        assert not r.exists("{not json")
        assert not r.exists("{x}", x=1)

    def test_equality_and_pickling(self):
        r = PrefectResult().write({"a": 1})
        assert r == PrefectResult(value={"a": 1}, location='{"a": 1}')
        assert r != PrefectResult(
            serializer=DateTimeSerializer(), value={"a": 1}, location='{"a": 1}'
        )
        clone = pickle.loads(pickle.dumps(r))
        assert clone == r and clone.serializer == JSONSerializer()


class TestConstantResult:
    def test_holds_value(self):
        r = ConstantResult(value=[1, 2])
        assert r.value == [1, 2]
        assert ConstantResult().value is None

    def test_no_serializer(self):
        with pytest.raises(ValueError, match="serializer"):
            ConstantResult(value=1, serializer=JSONSerializer())

    def test_read_returns_itself(self):
        r = ConstantResult(value=5)
        assert r.read("anything") is r
        assert r.read("anything").value == 5

    def test_cannot_be_written(self):
        with pytest.raises(ValueError, match="Cannot write values to `ConstantResult`"):
            ConstantResult(value=1).write(2)

    def test_always_exists(self):
        assert ConstantResult().exists("anything")
        assert ConstantResult().exists("{x}", x=1)

    def test_from_value_and_pickling(self):
        r = ConstantResult(value=1).from_value(2)
        assert isinstance(r, ConstantResult) and r.value == 2
        assert pickle.loads(pickle.dumps(r)) == r


class FakeSecretTask:
    """Stands in for a Secret task: a name and a `run(name=...)` returning the secret."""

    def __init__(self, name="MY_SECRET"):
        self.name = name
        self.calls: list = []

    def run(self, name=None):
        self.calls.append(name)
        return f"value-of-{name}"


class TestSecretResult:
    def test_location_defaults_to_the_task_name(self):
        task = FakeSecretTask()
        r = SecretResult(task)
        assert r.secret_task is task
        assert r.location == "MY_SECRET"
        assert SecretResult(task, location="OTHER").location == "OTHER"

    def test_no_serializer(self):
        with pytest.raises(ValueError, match="serializer"):
            SecretResult(FakeSecretTask(), serializer=JSONSerializer())

    def test_read_runs_the_task_each_time(self):
        task = FakeSecretTask()
        r = SecretResult(task)
        first = r.read("A")
        second = r.read("A")
        assert (first.value, first.location) == ("value-of-A", "A")
        assert second.value == "value-of-A"
        assert task.calls == ["A", "A"]
        assert r.value is None

    def test_cannot_be_written(self):
        with pytest.raises(ValueError, match="SecretResults cannot be written to"):
            SecretResult(FakeSecretTask()).write("s3cr3t")

    def test_repr_hides_the_value(self):
        r = SecretResult(FakeSecretTask()).from_value("s3cr3t")
        assert "s3cr3t" not in repr(r)
