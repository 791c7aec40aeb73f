"""AzureResult: against Azurite on 127.0.0.1 when it can be installed (see conftest.py), and its
error paths (no connection string, no SDK, an unreachable account) always."""

import json
import pickle
import socket
import sys

import cloudpickle
import pytest

import prefect_classic
from prefect_classic import Flow, task
from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.results import AzureResult
from prefect_classic.engine.serializers import JSONSerializer, PickleSerializer


@pytest.fixture
def result(azure_container, azure_connection_string):
    return AzureResult(
        azure_container, connection_string=azure_connection_string, location="{flow}/{task}.bin"
    )


class TestInit:
    def test_options(self, monkeypatch):
        monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
        r = AzureResult("box", connection_string="cs", location="x", value=1)
        assert isinstance(r, Result)
        assert (r.container, r.connection_string, r.connection_string_secret) == ("box", "cs", None)
        assert (r.location, r.value, r.serializer) == ("x", 1, PickleSerializer())
        assert AzureResult("box").connection_string is None

    def test_connection_string_from_the_environment_at_creation(self, monkeypatch):
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", "from-env")
        assert AzureResult("box").connection_string == "from-env"
        assert AzureResult("box", connection_string="given").connection_string == "given"

    def test_no_service_until_used(self):
        assert AzureResult("box", connection_string="cs")._client is None


class TestErrorPaths:
    """What a user sees when Azure cannot be reached or configured; no Azurite needed."""

    def test_no_connection_string_is_a_clear_error(self, monkeypatch):
        monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
        r = AzureResult("box", location="k")
        with pytest.raises(ValueError, match="AZURE_STORAGE_CONNECTION_STRING"):
            r.initialize_service()
        with pytest.raises(ValueError, match="no connection string"):
            r.write(1)

    def test_a_missing_secret_is_a_clear_error(self, monkeypatch):
        monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
        with pytest.raises(ValueError, match='Local Secret "AZ" was not found'):
            AzureResult("box", connection_string_secret="AZ").initialize_service()

    def test_missing_sdk_is_a_clear_import_error(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "azure.storage.blob", None)
        with pytest.raises(ImportError, match="pip install azure-storage-blob"):
            _ = AzureResult("box", connection_string="AccountName=a;AccountKey=k").service

    def test_a_keyless_connection_string_needs_azure_identity(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "azure.identity", None)
        with pytest.raises(ImportError, match="pip install azure-identity"):
            _ = AzureResult("box", connection_string="BlobEndpoint=http://127.0.0.1:1/acct").service

    def test_unreachable_account_names_container_and_blob(self, monkeypatch):
        from azure.storage.blob import BlobServiceClient

        with socket.socket() as sock:  # a loopback port with nothing listening
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        r = AzureResult("box", connection_string="unused", location="k")
        r.service = BlobServiceClient.from_connection_string(
            f"DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;"
            f"BlobEndpoint=http://127.0.0.1:{port}/a;",
            retry_total=0,
        )
        for call in (lambda: r.write(1), lambda: r.read("k"), lambda: r.exists("k")):
            with pytest.raises(ResultStorageError, match="container 'box', blob 'k'"):
                call()

    def test_the_service_is_not_pickled(self):
        r = AzureResult("box", connection_string="cs")
        r.service = object()  # stands for a live, unpicklable client
        clone = cloudpickle.loads(cloudpickle.dumps(r))
        assert clone._client is None
        assert clone == r


class TestOnAzurite:
    def test_write_read_exists(self, result, azure_service, azure_container):
        assert not result.exists("{flow}/{task}.bin", flow="f", task="t")
        written = result.write({"a": [1, 2]}, flow="f", task="t")
        assert isinstance(written, AzureResult) and written is not result
        assert (written.value, written.location) == ({"a": [1, 2]}, "f/t.bin")
        assert (result.value, result.location) == (None, "{flow}/{task}.bin")

        stored = azure_service.get_blob_client(azure_container, "f/t.bin").download_blob().readall()
        assert PickleSerializer().deserialize(stored) == {"a": [1, 2]}
        assert result.exists("f/t.bin")
        assert result.read("f/t.bin").value == {"a": [1, 2]}

    def test_rewriting_a_location_replaces_the_value(self, result):
        result.write("one", flow="f", task="t")
        result.write("two", flow="f", task="t")
        assert result.read("f/t.bin").value == "two"

    def test_serializer_is_used(self, azure_container, azure_connection_string, azure_service):
        r = AzureResult(
            azure_container,
            connection_string=azure_connection_string,
            location="x.json",
            serializer=JSONSerializer(),
        )
        r.write({"k": 1})
        stored = azure_service.get_blob_client(azure_container, "x.json").download_blob().readall()
        assert json.loads(stored) == {
            "k": 1
        }  # what Prefect 1 reads; the checksum line is whitespace

    def test_missing_blob(self, result, azure_container):
        assert result.exists("no/such.blob") is False
        with pytest.raises(
            ResultStorageError, match=f"'{azure_container}'.*'no/such.blob'.*does not exist"
        ):
            result.read("no/such.blob")

    def test_missing_container(self, azure_connection_string):
        r = AzureResult(
            "no-such-container", connection_string=azure_connection_string, location="k"
        )
        assert r.exists("k") is False
        with pytest.raises(ResultStorageError, match="'no-such-container'.*'k'"):
            r.write(1)

    def test_connection_string_from_a_local_secret(
        self, azure_container, azure_connection_string, monkeypatch
    ):
        monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
        r = AzureResult(azure_container, connection_string_secret="AZ_CONN", location="s.bin")
        with prefect_classic.context(secrets={"AZ_CONN": azure_connection_string}):
            r.write(5)
        assert r.read("s.bin").value == 5

    @pytest.mark.parametrize(
        "dumps, loads", [(pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)]
    )
    def test_pickled_result_rebuilds_its_service(self, result, dumps, loads):
        result.write("v", flow="f", task="t")
        clone = loads(dumps(result))
        assert clone._client is None
        assert clone.read("f/t.bin").value == "v"

    def test_target_makes_the_second_run_cached(self, azure_container, azure_connection_string):
        calls = []

        @task(
            target="{task_name}/{x}.bin",
            checkpoint=True,
            result=AzureResult(azure_container, connection_string=azure_connection_string),
        )
        def double(x):
            calls.append(x)
            return 2 * x

        with Flow("azure-target") as flow:
            double(21)

        first, second = flow.run(), flow.run()
        assert calls == [21]
        (state,) = second.result.values()
        assert state.is_cached() and state.result == 42
        assert first.is_successful() and second.is_successful()
