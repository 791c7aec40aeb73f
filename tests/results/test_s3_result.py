"""S3Result against a real (moto) S3 server on 127.0.0.1; error injection via botocore's Stubber."""

import json
import pickle
import socket
import sys

import cloudpickle
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.results import S3Result
from prefect_classic.engine.serializers import (
    CompressedSerializer,
    JSONSerializer,
    PickleSerializer,
)


@pytest.fixture
def result(s3_bucket, s3_kwargs):
    return S3Result(s3_bucket, boto3_kwargs=s3_kwargs, location="{flow}/{task}.bin")


class TestInit:
    def test_options(self):
        r = S3Result("bucket", boto3_kwargs={"region_name": "eu-west-1"}, location="x", value=1)
        assert isinstance(r, Result)
        assert (r.bucket, r.boto3_kwargs, r.location, r.value) == (
            "bucket",
            {"region_name": "eu-west-1"},
            "x",
            1,
        )
        assert r.serializer == PickleSerializer()
        assert S3Result("b").boto3_kwargs == {}

    def test_no_client_until_used(self):
        assert S3Result("bucket")._client is None

    def test_equality(self):
        assert S3Result("b", location="x") == S3Result("b", location="x")
        assert S3Result("b") != S3Result("c")
        assert S3Result("b", boto3_kwargs={"region_name": "a"}) != S3Result("b")


class TestRoundTrip:
    def test_write_read_exists(self, result, s3_client, s3_bucket):
        assert not result.exists("{flow}/{task}.bin", flow="f", task="t")
        written = result.write({"a": [1, 2]}, flow="f", task="t")
        assert isinstance(written, S3Result) and written is not result
        assert (written.value, written.location) == ({"a": [1, 2]}, "f/t.bin")
        assert (result.value, result.location) == (None, "{flow}/{task}.bin")

        stored = s3_client.get_object(Bucket=s3_bucket, Key="f/t.bin")["Body"].read()
        assert PickleSerializer().deserialize(stored) == {"a": [1, 2]}

        assert result.exists("{flow}/{task}.bin", flow="f", task="t")
        assert result.exists("f/t.bin")
        read = result.read("f/t.bin")
        assert (read.value, read.location) == ({"a": [1, 2]}, "f/t.bin")
        assert result.value is None

    def test_default_location(self, s3_bucket, s3_kwargs):
        r = S3Result(s3_bucket, boto3_kwargs=s3_kwargs)
        first, second = r.write(1), r.write(2)
        assert first.location != second.location
        assert r.read(first.location).value == 1
        assert r.read(second.location).value == 2

    def test_serializer_is_used(self, s3_bucket, s3_kwargs, s3_client):
        r = S3Result(
            s3_bucket, boto3_kwargs=s3_kwargs, location="x.json", serializer=JSONSerializer()
        )
        r.write({"k": 1})
        stored = s3_client.get_object(Bucket=s3_bucket, Key="x.json")["Body"].read()
        assert json.loads(stored) == {
            "k": 1
        }  # what Prefect 1 reads; the checksum line is whitespace
        compressed = S3Result(
            s3_bucket,
            boto3_kwargs=s3_kwargs,
            location="x.gz",
            serializer=CompressedSerializer(JSONSerializer(), format="gzip"),
        )
        compressed.write(list(range(1000)))
        assert compressed.read("x.gz").value == list(range(1000))

    def test_overwrite(self, result):
        result.write("one", flow="f", task="t")
        result.write("two", flow="f", task="t")
        assert result.read("f/t.bin").value == "two"

    def test_empty_object_reads_as_none(self, result, s3_client, s3_bucket):
        s3_client.put_object(Bucket=s3_bucket, Key="empty", Body=b"")
        assert result.read("empty").value is None

    def test_large_value(self, result):
        value = b"\x01" * (6 * 1024 * 1024)
        result.write(value, flow="big", task="t")
        assert result.read("big/t.bin").value == value


class TestClient:
    def test_created_once_and_shared_with_copies(self, result):
        client = result.client
        assert result.client is client
        written = result.write(1, flow="f", task="t")
        assert written.client is client
        assert result.read("f/t.bin").client is client

    def test_boto3_kwargs_reach_the_client(self, result, moto_url):
        assert result.client.meta.endpoint_url == moto_url
        assert result.client.meta.region_name == "us-east-1"

    @pytest.mark.parametrize(
        "dumps, loads", [(pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)]
    )
    def test_client_is_not_pickled_and_is_rebuilt(self, result, dumps, loads):
        result.write("v", flow="f", task="t")
        assert result._client is not None
        clone = loads(dumps(result))
        assert clone._client is None
        assert clone == result
        assert clone.read("f/t.bin").value == "v"
        assert clone.client is not result.client

    def test_missing_boto3_is_a_clear_import_error(self, monkeypatch):
        from prefect_classic.utilities import aws

        monkeypatch.setattr(aws, "boto3", None)
        monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` fails
        with pytest.raises(ImportError, match="pip install boto3"):
            _ = S3Result("bucket").client


class TestErrors:
    """Anything but "not found" raises ResultStorageError naming the bucket, the key and the cause."""

    def test_read_missing_key(self, result, s3_bucket):
        with pytest.raises(ResultStorageError) as exc_info:
            result.read("no/such.key")
        msg = str(exc_info.value)
        assert s3_bucket in msg and "no/such.key" in msg and "does not exist" in msg
        assert exc_info.value.__cause__ is not None

    def test_write_to_missing_bucket(self, s3_kwargs):
        r = S3Result("no-such-bucket", boto3_kwargs=s3_kwargs, location="k")
        with pytest.raises(ResultStorageError, match="'no-such-bucket'.*'k'.*NoSuchBucket"):
            r.write(1)

    @pytest.mark.parametrize(
        "status, code, retried",
        [(500, "InternalError", True), (403, "AccessDenied", False), (503, "SlowDown", True)],
    )
    def test_exists_raises_on_errors_other_than_not_found(
        self, result, s3_bucket, status, code, retried, quick_retries
    ):
        """Server errors are retried (`max_retries` times), others are not."""
        with Stubber(result._transfer_client()) as stub:
            for _ in range(result.max_retries + 1 if retried else 1):
                stub.add_client_error(
                    "get_object", service_error_code=code, http_status_code=status
                )
            with pytest.raises(ResultStorageError) as exc_info:
                result.exists("f/t.bin")
            stub.assert_no_pending_responses()
        msg = str(exc_info.value)
        assert s3_bucket in msg and "f/t.bin" in msg and code in msg
        assert ("after 4 attempts" in msg) is retried

    @pytest.mark.parametrize("code", ["404", "NoSuchKey", "NotFound"])
    def test_exists_is_false_for_not_found(self, result, code):
        with Stubber(result._transfer_client()) as stub:
            stub.add_client_error("get_object", service_error_code=code, http_status_code=404)
            assert result.exists("f/t.bin") is False

    def test_write_server_error(self, result, s3_bucket, quick_retries):
        with Stubber(result._transfer_client()) as stub:
            for _ in range(4):
                stub.add_client_error(
                    "put_object", service_error_code="InternalError", http_status_code=500
                )
            with pytest.raises(ResultStorageError) as exc_info:
                result.write(1, flow="f", task="t")
        msg = str(exc_info.value)
        assert (
            s3_bucket in msg
            and "f/t.bin" in msg
            and "InternalError" in msg
            and "after 4 attempts" in msg
        )

    def test_read_server_error(self, result, s3_bucket, quick_retries):
        with Stubber(result._transfer_client()) as stub:
            for _ in range(4):
                stub.add_client_error(
                    "get_object", service_error_code="InternalError", http_status_code=500
                )
            with pytest.raises(
                ResultStorageError, match=f"'{s3_bucket}'.*'f/t.bin'.*4 attempts.*InternalError"
            ):
                result.read("f/t.bin")

    def test_unreachable_endpoint(self, aws_env):
        with socket.socket() as sock:  # a loopback port with nothing listening
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        r = S3Result(
            "bucket",
            boto3_kwargs={
                "endpoint_url": f"http://127.0.0.1:{port}",
                "config": Config(
                    retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2
                ),
            },
            location="k",
        )
        for call in (lambda: r.write(1), lambda: r.read("k"), lambda: r.exists("k")):
            with pytest.raises(ResultStorageError, match="'bucket'.*'k'.*EndpointConnectionError"):
                call()

    def test_serialization_errors_are_not_wrapped(self, s3_bucket, s3_kwargs):
        r = S3Result(s3_bucket, boto3_kwargs=s3_kwargs, location="k", serializer=JSONSerializer())
        with pytest.raises(TypeError, match="JSONSerializer"):
            r.write(object())
        assert not r.exists("k")
