"""GCSResult against a real gcp-storage-emulator on 127.0.0.1 with the real google-cloud-storage
client; server errors are injected by patching blob methods."""

import json
import pickle
import sys

import cloudpickle
import pytest
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.cloud.storage import Blob

from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.results import GCSResult
from prefect_classic.engine.serializers import JSONSerializer, PickleSerializer


@pytest.fixture
def result(gcs_bucket):
    return GCSResult(gcs_bucket, location="{flow}/{task}.bin")


class TestInit:
    def test_options(self):
        r = GCSResult("bucket", location="x", serializer=JSONSerializer(), project="p", value=1)
        assert isinstance(r, Result)
        assert (r.bucket, r.location, r.serializer, r.project, r.value) == (
            "bucket",
            "x",
            JSONSerializer(),
            "p",
            1,
        )
        assert GCSResult("b").serializer == PickleSerializer()

    def test_no_client_until_used(self):
        assert GCSResult("bucket")._client is None

    def test_equality(self):
        assert GCSResult("b", location="x") == GCSResult("b", location="x")
        assert GCSResult("b") != GCSResult("c")


class TestRoundTrip:
    def test_write_read_exists(self, result, gcs_client, gcs_bucket):
        assert not result.exists("{flow}/{task}.bin", flow="f", task="t")
        written = result.write({"a": [1, 2]}, flow="f", task="t")
        assert isinstance(written, GCSResult) and written is not result
        assert (written.value, written.location) == ({"a": [1, 2]}, "f/t.bin")
        assert (result.value, result.location) == (None, "{flow}/{task}.bin")

        stored = gcs_client.bucket(gcs_bucket).blob("f/t.bin").download_as_bytes()
        assert PickleSerializer().deserialize(stored) == {"a": [1, 2]}

        assert result.exists("{flow}/{task}.bin", flow="f", task="t")
        assert result.exists("f/t.bin")
        read = result.read("f/t.bin")
        assert (read.value, read.location) == ({"a": [1, 2]}, "f/t.bin")

    def test_default_location(self, gcs_bucket):
        r = GCSResult(gcs_bucket)
        first, second = r.write(1), r.write(2)
        assert first.location != second.location
        assert r.read(first.location).value == 1
        assert r.read(second.location).value == 2

    def test_serializer_is_used(self, gcs_bucket, gcs_client):
        r = GCSResult(gcs_bucket, location="x.json", serializer=JSONSerializer())
        r.write({"k": 1})
        stored = gcs_client.bucket(gcs_bucket).blob("x.json").download_as_bytes()
        assert json.loads(stored) == {
            "k": 1
        }  # what Prefect 1 reads; the checksum line is whitespace
        assert r.read("x.json").value == {"k": 1}

    def test_overwrite(self, result):
        result.write("one", flow="f", task="t")
        result.write("two", flow="f", task="t")
        assert result.read("f/t.bin").value == "two"

    def test_empty_blob_reads_as_none(self, result, gcs_client, gcs_bucket):
        gcs_client.bucket(gcs_bucket).blob("empty").upload_from_string(b"")
        assert result.read("empty").value is None


class TestClient:
    def test_emulator_client_is_anonymous(self, result, gcs_url):
        client = result.client
        assert isinstance(client._credentials, AnonymousCredentials)
        assert client.project == "test-project"
        assert result.client is client
        assert result.gcs_bucket.name == result.bucket and result.gcs_bucket.client is client

    def test_explicit_project(self, gcs_env):
        assert GCSResult("b", project="mine").client.project == "mine"

    def test_created_once_and_shared_with_copies(self, result):
        client, bucket = result.client, result.gcs_bucket
        written = result.write(1, flow="f", task="t")
        assert written.client is client and written.gcs_bucket is bucket
        assert result.read("f/t.bin").gcs_bucket is bucket

    @pytest.mark.parametrize(
        "dumps, loads", [(pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)]
    )
    def test_client_is_not_pickled_and_is_rebuilt(self, result, dumps, loads):
        result.write("v", flow="f", task="t")
        assert result._client is not None and result._gcs_bucket is not None
        clone = loads(dumps(result))
        assert clone._client is None and clone._gcs_bucket is None
        assert clone == result
        assert clone.read("f/t.bin").value == "v"

    def test_missing_library_is_a_clear_import_error(self, monkeypatch):
        import google.cloud

        monkeypatch.setitem(sys.modules, "google.cloud.storage", None)
        monkeypatch.delattr(google.cloud, "storage")
        with pytest.raises(ImportError, match="pip install google-cloud-storage"):
            _ = GCSResult("bucket").client

    @pytest.mark.parametrize(
        "bucket, error, says",
        [
            (None, TypeError, "not None"),
            ("", ValueError, "empty"),
            (5, TypeError, "not 5"),
            ("  ", ValueError, "empty"),
        ],
    )
    def test_a_bucket_name_is_required(self, bucket, error, says):
        """Prefect 1 accepted a missing bucket and failed at the first transfer; the bucket is
        checked when the Result is created, naming the argument and what was given."""
        with pytest.raises(error, match=f"GCSResult: `bucket` must be the bucket's name.*{says}"):
            GCSResult(bucket)
        with pytest.raises(TypeError, match="`bucket`.*None"):
            GCSResult()


def fail_with(exc):
    def method(self, *args, **kwargs):
        raise exc

    return method


class TestErrors:
    """Anything but "not found" raises ResultStorageError naming the bucket, the blob and the cause."""

    def test_read_missing_blob(self, result, gcs_bucket):
        with pytest.raises(ResultStorageError) as exc_info:
            result.read("no/such.blob")
        msg = str(exc_info.value)
        assert gcs_bucket in msg and "no/such.blob" in msg and "NotFound" in msg
        assert isinstance(exc_info.value.__cause__, gexc.NotFound)

    def test_write_to_missing_bucket(self, gcs_env):
        with pytest.raises(ResultStorageError, match="'no-such-bucket'.*'k'.*NotFound"):
            GCSResult("no-such-bucket", location="k").write(1)

    def test_exists_in_missing_bucket_is_false(self, gcs_env):
        assert GCSResult("no-such-bucket").exists("k") is False

    @pytest.mark.parametrize(
        "error",
        [
            gexc.InternalServerError("backend exploded"),
            gexc.Forbidden("no access"),
            ConnectionError("reset"),
        ],
        ids=["500", "403", "connection"],
    )
    def test_exists_raises_on_errors_other_than_not_found(
        self, result, gcs_bucket, monkeypatch, error
    ):
        monkeypatch.setattr(Blob, "exists", fail_with(error))
        with pytest.raises(ResultStorageError) as exc_info:
            result.exists("f/t.bin")
        msg = str(exc_info.value)
        assert gcs_bucket in msg and "f/t.bin" in msg and str(error) in msg
        assert exc_info.value.__cause__ is error

    def test_exists_is_false_for_not_found(self, result, monkeypatch):
        monkeypatch.setattr(Blob, "exists", fail_with(gexc.NotFound("gone")))
        assert result.exists("f/t.bin") is False

    def test_write_server_error(self, result, gcs_bucket, monkeypatch):
        monkeypatch.setattr(
            Blob, "upload_from_string", fail_with(gexc.InternalServerError("backend exploded"))
        )
        with pytest.raises(
            ResultStorageError,
            match=f"'{gcs_bucket}'.*'f/t.bin'.*InternalServerError.*backend exploded",
        ):
            result.write(1, flow="f", task="t")

    def test_read_server_error(self, result, gcs_bucket, monkeypatch):
        monkeypatch.setattr(
            Blob, "download_as_bytes", fail_with(gexc.ServiceUnavailable("try later"))
        )
        with pytest.raises(
            ResultStorageError, match=f"'{gcs_bucket}'.*'f/t.bin'.*ServiceUnavailable.*try later"
        ):
            result.read("f/t.bin")

    def test_serialization_errors_are_not_wrapped(self, gcs_bucket):
        r = GCSResult(gcs_bucket, location="k", serializer=JSONSerializer())
        with pytest.raises(TypeError, match="JSONSerializer"):
            r.write(object())
        assert not r.exists("k")
