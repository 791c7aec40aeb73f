import base64
import bz2
import datetime
import gzip
import json
import pickle
import sys
import threading
import zlib

import cloudpickle
import pendulum
import pytest

from prefect_classic.engine.serializers import (
    CompressedSerializer,
    DateTimeSerializer,
    JSONSerializer,
    PandasSerializer,
    PickleSerializer,
    Serializer,
)


class TestBaseSerializer:
    def test_methods_must_be_implemented(self):
        with pytest.raises(NotImplementedError, match="Serializer"):
            Serializer().serialize(1)
        with pytest.raises(NotImplementedError, match="Serializer"):
            Serializer().deserialize(b"1")

    def test_equality_is_by_type(self):
        assert PickleSerializer() == PickleSerializer()
        assert JSONSerializer() == JSONSerializer()
        assert PickleSerializer() != JSONSerializer()
        assert JSONSerializer() != DateTimeSerializer()
        assert PickleSerializer() != "PickleSerializer"


class TestPickleSerializer:
    @pytest.mark.parametrize(
        "value", [None, 1, "x", b"\x00\xff", [1, {"a": (2, 3)}], {1, 2}, 1.5, Exception("boom")]
    )
    def test_round_trip(self, value):
        s = PickleSerializer()
        data = s.serialize(value)
        assert isinstance(data, bytes)
        out = s.deserialize(data)
        if isinstance(value, Exception):
            assert type(out) is type(value) and out.args == value.args
        else:
            assert out == value

    def test_lambdas_and_local_classes(self):
        class Local:
            def __init__(self, x):
                self.x = x

        s = PickleSerializer()
        fn = s.deserialize(s.serialize(lambda x: x + 1))
        assert fn(1) == 2
        assert s.deserialize(s.serialize(Local(3))).x == 3

    def test_output_is_cloudpickle(self):
        assert cloudpickle.loads(PickleSerializer().serialize([1, 2])) == [1, 2]

    def test_reads_legacy_base64_pickles(self):
        legacy = base64.b64encode(cloudpickle.dumps({"old": True}))
        assert PickleSerializer().deserialize(legacy) == {"old": True}

    def test_unpicklable_value_names_its_type(self):
        with pytest.raises(TypeError, match="PickleSerializer.*_thread.lock"):
            PickleSerializer().serialize(threading.Lock())

    def test_garbage_raises_the_original_error(self):
        with pytest.raises(pickle.UnpicklingError):
            PickleSerializer().deserialize(b"definitely not a pickle")


class TestJSONSerializer:
    @pytest.mark.parametrize("value", [None, 1, 1.5, "x", True, [1, "a"], {"a": {"b": [None]}}])
    def test_round_trip(self, value):
        s = JSONSerializer()
        data = s.serialize(value)
        assert json.loads(data.decode("utf-8")) == value
        assert s.deserialize(data) == value

    def test_unicode(self):
        s = JSONSerializer()
        assert s.deserialize(s.serialize({"ключ": "値"})) == {"ключ": "値"}

    @pytest.mark.parametrize(
        "value", [object(), {1, 2}, b"bytes", {"nested": [datetime.date(2020, 1, 1)]}]
    )
    def test_non_json_values_raise_naming_the_type(self, value):
        with pytest.raises(
            TypeError, match=f"JSONSerializer.*{type(value).__name__}.*not JSON serializable"
        ):
            JSONSerializer().serialize(value)

    def test_circular_reference_raises_value_error(self):
        value: list = []
        value.append(value)
        with pytest.raises(ValueError, match="JSONSerializer.*list.*[Cc]ircular"):
            JSONSerializer().serialize(value)


class TestDateTimeSerializer:
    def test_round_trip_keeps_instant_and_offset(self):
        s = DateTimeSerializer()
        dt = pendulum.datetime(2021, 3, 4, 5, 6, 7, 890000, tz="America/New_York")
        data = s.serialize(dt)
        assert data == b"2021-03-04T05:06:07.890000-05:00"
        out = s.deserialize(data)
        assert isinstance(out, pendulum.DateTime)
        assert out == dt
        assert out.utcoffset() == dt.utcoffset()

    def test_stdlib_datetimes(self):
        s = DateTimeSerializer()
        dt = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        assert s.deserialize(s.serialize(dt)) == dt

    def test_naive_datetimes_are_utc(self):
        s = DateTimeSerializer()
        out = s.deserialize(s.serialize(datetime.datetime(2020, 1, 2, 3, 4, 5)))
        assert out == pendulum.datetime(2020, 1, 2, 3, 4, 5, tz="UTC")

    @pytest.mark.parametrize("value", ["2020-01-01", 5, datetime.date(2020, 1, 1), None])
    def test_non_datetimes_raise_naming_the_type(self, value):
        with pytest.raises(TypeError, match=f"DateTimeSerializer.*{type(value).__name__}"):
            DateTimeSerializer().serialize(value)


class TestCompressedSerializer:
    @pytest.mark.parametrize("fmt", ["bz2", "gzip", "lzma", "zlib"])
    def test_round_trip_and_compression(self, fmt):
        s = CompressedSerializer(PickleSerializer(), format=fmt)
        value = {"data": "a" * 100_000}
        data = s.serialize(value)
        assert len(data) < len(PickleSerializer().serialize(value)) // 10
        assert s.deserialize(data) == value

    def test_output_is_the_named_format(self):
        s = CompressedSerializer(JSONSerializer(), format="gzip")
        assert gzip.decompress(s.serialize([1, 2])) == b"[1, 2]"

    def test_compress_kwargs_are_passed(self):
        fast = CompressedSerializer(JSONSerializer(), format="zlib", compress_kwargs={"level": 0})
        data = fast.serialize("x" * 1000)
        assert len(data) > 1000  # level 0 stores without compressing
        assert fast.deserialize(data) == "x" * 1000

    def test_decompress_kwargs_are_passed(self):
        calls = []

        def decompress(data, **kwargs):
            calls.append(kwargs)
            return zlib.decompress(data)

        s = CompressedSerializer(
            JSONSerializer(),
            compress=zlib.compress,
            decompress=decompress,
            decompress_kwargs={"a": 1},
        )
        assert s.deserialize(s.serialize({"k": 1})) == {"k": 1}
        assert calls == [{"a": 1}]

    def test_custom_functions(self):
        s = CompressedSerializer(
            JSONSerializer(), compress=lambda b: b[::-1], decompress=lambda b: b[::-1]
        )
        assert s.serialize("abc") == b'"cba"'
        assert s.deserialize(s.serialize("abc")) == "abc"

    def test_format_names_a_compression_module(self):
        """Any importable module with `compress` and `decompress` works, as in Prefect 1; the
        errors name the module and list the standard library's formats."""
        with pytest.raises(ImportError, match="'zip' is not installed.*bz2, gzip, lzma, zlib"):
            CompressedSerializer(PickleSerializer(), format="zip")
        with pytest.raises(
            ValueError, match="'json' module does not have 'compress' and 'decompress'"
        ):
            CompressedSerializer(PickleSerializer(), format="json")

    def test_a_format_equals_its_module_functions(self):
        assert CompressedSerializer(PickleSerializer(), format="bz2") == CompressedSerializer(
            PickleSerializer(), compress=bz2.compress, decompress=bz2.decompress
        )

    def test_needs_format_or_both_functions(self):
        with pytest.raises(ValueError, match="format"):
            CompressedSerializer(PickleSerializer())
        with pytest.raises(ValueError, match="compress"):
            CompressedSerializer(PickleSerializer(), compress=zlib.compress)
        with pytest.raises(ValueError, match="not both"):
            CompressedSerializer(PickleSerializer(), format="zlib", compress=zlib.compress)

    def test_wraps_only_serializers(self):
        with pytest.raises(TypeError, match="Serializer"):
            CompressedSerializer("json", format="gzip")  # type: ignore[arg-type]

    def test_errors_of_the_wrapped_serializer_propagate(self):
        with pytest.raises(TypeError, match="JSONSerializer.*object"):
            CompressedSerializer(JSONSerializer(), format="gzip").serialize(object())

    def test_equality_compares_configuration(self):
        base = CompressedSerializer(PickleSerializer(), format="gzip")
        assert base == CompressedSerializer(PickleSerializer(), format="gzip")
        assert base != CompressedSerializer(JSONSerializer(), format="gzip")
        assert base != CompressedSerializer(PickleSerializer(), format="bz2")
        assert base != CompressedSerializer(
            PickleSerializer(), format="gzip", compress_kwargs={"compresslevel": 1}
        )
        assert base != PickleSerializer()

    def test_picklable(self):
        s = CompressedSerializer(JSONSerializer(), format="lzma")
        clone = cloudpickle.loads(cloudpickle.dumps(s))
        assert clone == s
        assert clone.deserialize(s.serialize([1])) == [1]


class TestPandasSerializer:
    @pytest.fixture(autouse=True)
    def no_pandas(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError

    def test_constructs_without_pandas(self):
        s = PandasSerializer("csv", serialize_kwargs={"index": False})
        assert s.file_type == "csv"
        assert s.serialize_kwargs == {"index": False}
        assert s.deserialize_kwargs == {}

    def test_use_without_pandas_is_a_clear_import_error(self):
        s = PandasSerializer("csv")
        with pytest.raises(
            ImportError, match="PandasSerializer requires pandas.*pip install pandas"
        ):
            s.serialize(object())
        with pytest.raises(ImportError, match="PandasSerializer requires pandas"):
            s.deserialize(b"a,b\n1,2\n")

    def test_equality_compares_configuration(self):
        assert PandasSerializer("csv") == PandasSerializer("csv")
        assert PandasSerializer("csv") != PandasSerializer("parquet")
        assert PandasSerializer("csv") != PandasSerializer("csv", serialize_kwargs={"index": False})
        assert PandasSerializer("csv") != PandasSerializer("csv", deserialize_kwargs={"sep": ";"})
        assert PandasSerializer("csv") != PickleSerializer()


@pytest.mark.parametrize(
    "serializer",
    [
        PickleSerializer(),
        JSONSerializer(),
        DateTimeSerializer(),
        CompressedSerializer(PickleSerializer(), format="bz2"),
        PandasSerializer("csv"),
    ],
)
def test_serializers_pickle_and_compare_equal(serializer):
    assert pickle.loads(pickle.dumps(serializer)) == serializer
