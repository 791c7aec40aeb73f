"""S3Result, GCSResult and AzureResult behind a fault-injecting HTTP proxy in front of the real
local servers (moto, the GCS emulator, Azurite): a damaged or failed transfer is retried with
backoff; a download that keeps arriving damaged is damage (`ResultCorruptError`: the task runs
again), a fault that outlasts the retries fails with its cause; a wrong value is never served.
Each request waits at most `timeout` seconds, so that with the defaults a service that does not
answer is reported in under 30 s."""

import logging
import time
import urllib.parse

import pendulum
import pytest

from prefect_classic import Flow, task
from prefect_classic.engine.result.base import ResultCorruptError, ResultStorageError
from prefect_classic.engine.results import AzureResult, GCSResult, S3Result
from prefect_classic.engine.results._bucket import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    BucketResult,
)
from prefect_classic.engine.serializers import DateTimeSerializer, JSONSerializer

VALUE = {"rows": list(range(2000)), "label": "the real value"}
WHEN = pendulum.datetime(2024, 5, 1, 8, 0, tz="UTC")


class S3Backend:
    name = "s3"

    def __init__(self, request, proxy_to, **config):
        from botocore.config import Config

        self.bucket = request.getfixturevalue("s3_bucket")
        self.client = request.getfixturevalue("s3_client")
        kwargs = request.getfixturevalue("s3_kwargs")
        self.proxy = proxy_to(kwargs["endpoint_url"])
        # botocore checks response checksums itself; to see our own checks at work, some tests
        # turn that off
        config = Config(**config) if config else None
        self.boto3_kwargs = dict(kwargs, endpoint_url=self.proxy.url, config=config)

    def result(self, **kwargs):
        return S3Result(self.bucket, boto3_kwargs=self.boto3_kwargs, **kwargs)

    def is_download(self, method, path, key="out"):
        return method == "GET" and urllib.parse.urlsplit(path).path == f"/{self.bucket}/{key}"

    def is_upload(self, method, path, key="out"):
        return method == "PUT" and urllib.parse.urlsplit(path).path == f"/{self.bucket}/{key}"

    def get(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def metadata(self, key):
        return self.client.head_object(Bucket=self.bucket, Key=key)["Metadata"]

    def replace_keeping_metadata(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, Metadata=self.metadata(key))


class GCSBackend:
    name = "gcs"

    def __init__(self, request, proxy_to):
        self.bucket = request.getfixturevalue("gcs_bucket")
        self.client = request.getfixturevalue("gcs_client")
        self.proxy = proxy_to(request.getfixturevalue("gcs_url"))
        request.getfixturevalue("monkeypatch").setenv("STORAGE_EMULATOR_HOST", self.proxy.url)

    def result(self, **kwargs):
        return GCSResult(self.bucket, **kwargs)

    def is_download(self, method, path, key="out"):
        return method == "GET" and path.startswith(f"/download/storage/v1/b/{self.bucket}/o/{key}?")

    def is_upload(self, method, path, key="out"):
        return method == "POST" and path.startswith(f"/upload/storage/v1/b/{self.bucket}/o?")

    def get(self, key):
        return self.client.bucket(self.bucket).blob(key).download_as_bytes()

    def metadata(self, key):
        return self.client.bucket(self.bucket).get_blob(key).metadata or {}

    def replace_keeping_metadata(self, key, data):
        blob = self.client.bucket(self.bucket).blob(key)
        blob.metadata = self.metadata(key)
        blob.upload_from_string(data)


class AzureBackend:
    name = "azure"

    def __init__(self, request, proxy_to):
        self.container = request.getfixturevalue("azure_container")
        self.service = request.getfixturevalue("azure_service")
        url = request.getfixturevalue("azurite_url")
        self.proxy = proxy_to(url)
        self.account_path = urllib.parse.urlsplit(url).path
        connection = request.getfixturevalue("azure_connection_string")
        self.connection_string = connection.replace(url, self.proxy.url + self.account_path)

    def result(self, **kwargs):
        return AzureResult(self.container, connection_string=self.connection_string, **kwargs)

    def is_download(self, method, path, key="out"):
        return (
            method == "GET"
            and urllib.parse.urlsplit(path).path == f"{self.account_path}/{self.container}/{key}"
        )

    def is_upload(self, method, path, key="out"):
        return (
            method == "PUT"
            and urllib.parse.urlsplit(path).path == f"{self.account_path}/{self.container}/{key}"
        )

    def get(self, key):
        return self.service.get_blob_client(self.container, key).download_blob().readall()

    def metadata(self, key):
        return self.service.get_blob_client(self.container, key).get_blob_properties().metadata

    def replace_keeping_metadata(self, key, data):
        blob = self.service.get_blob_client(self.container, key)
        blob.upload_blob(data, overwrite=True, metadata=self.metadata(key))


BACKENDS = {"s3": S3Backend, "gcs": GCSBackend, "azure": AzureBackend}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, fault_proxy_to, quick_retries):
    return BACKENDS[request.param](request, fault_proxy_to)


def flip(data: bytes) -> bytes:
    return data[:-5] + bytes([data[-5] ^ 0x01]) + data[-4:]


class TestOneFaultIsRetried:
    @pytest.mark.parametrize("fault", ["truncate", "short", "flip", "error500", "hang"])
    def test_a_damaged_or_failed_download_is_retried(self, backend, fault):
        result = backend.result(location="out", timeout=1)
        result.write(VALUE)
        backend.proxy.arm(fault, times=1, match=backend.is_download)
        assert result.read("out").value == VALUE
        assert [f for f, _, _ in backend.proxy.injected] == [fault]

    @pytest.mark.parametrize("fault", ["error500", "hang"])
    def test_a_failed_upload_is_retried(self, backend, fault):
        result = backend.result(location="out", timeout=1)
        backend.proxy.arm(fault, times=1, match=backend.is_upload)
        result.write(VALUE)
        assert [f for f, _, _ in backend.proxy.injected] == [fault]
        assert result.read("out").value == VALUE

    def test_a_failed_existence_check_is_retried(self, backend):
        result = backend.result(location="out", timeout=1)
        result.write(VALUE)
        backend.proxy.arm("error500", times=2)
        assert result.exists("out") is True
        assert len(backend.proxy.injected) == 2


class TestPersistentFaults:
    @pytest.mark.parametrize("fault", ["truncate", "short", "flip"])
    def test_a_download_damaged_every_time_is_damage(self, backend, fault):
        result = backend.result(location="out", max_retries=2)
        result.write(VALUE)
        backend.proxy.arm(fault, times=None, match=backend.is_download)
        with pytest.raises(
            ResultCorruptError, match="'out'.*arrived damaged in each of 3 attempts"
        ):
            result.read("out")
        if backend.name != "azure":  # the Azure SDK makes more requests per attempt itself
            assert len(backend.proxy.injected) == 3

    def test_server_errors_that_persist_fail_naming_the_cause(self, backend):
        result = backend.result(location="out", max_retries=2)
        result.write(VALUE)
        backend.proxy.arm("error500", times=None)
        for call in (
            lambda: result.read("out"),
            lambda: result.write(1),
            lambda: result.exists("out"),
        ):
            with pytest.raises(
                ResultStorageError,
                match="(?s)'out' \\(after 3 attempts\\).*(500|InternalError|Internal Server Error)",
            ):
                call()

    def test_a_service_that_never_answers_is_reported_within_the_bound(self, backend):
        result = backend.result(location="out", max_retries=1, timeout=0.5)
        result.write(VALUE)
        backend.proxy.arm("hang", times=None, match=backend.is_download)
        start = time.monotonic()
        with pytest.raises(ResultStorageError, match="after 2 attempts"):
            result.read("out")
        # two attempts of at most `timeout` each, one backoff (10 ms here), and some slack
        assert time.monotonic() - start < 2 * 0.5 + 1.5

    def test_not_found_is_not_retried(self, backend):
        result = backend.result(location="out")
        with pytest.raises(ResultStorageError, match="does not exist"):
            result.read("nothing-here")
        assert result.exists("nothing-here") is False
        assert len([r for r in backend.proxy.requests if "nothing-here" in r[1]]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("name", ["s3", "gcs", "azure"])
def test_with_the_default_settings_a_hung_service_is_reported_within_30_seconds(
    request, fault_proxy_to, name
):
    backend = BACKENDS[name](request, fault_proxy_to)
    result = backend.result(location="out")
    assert result.timeout == DEFAULT_TIMEOUT
    result.write(VALUE)
    backend.proxy.arm("hang", times=None)
    start = time.monotonic()
    with pytest.raises(ResultStorageError, match=f"after {result.max_retries + 1} attempts"):
        result.read("out")
    assert time.monotonic() - start < 30


class TestOurOwnChecksums:
    """The services' own checksums catch damage in transit; ours also catch damage at rest and
    stand in where the SDK does not check."""

    def test_a_framed_value_damaged_at_rest_is_damage(self, backend):
        result = backend.result(location="out")
        result.write(VALUE)
        backend.replace_keeping_metadata("out", flip(backend.get("out")))
        with pytest.raises(ResultCorruptError, match="damaged"):
            result.read("out")

    def test_other_serializers_keep_plain_bytes_and_the_checksum_in_metadata(self, backend):
        result = backend.result(location="out", serializer=DateTimeSerializer())
        result.write(WHEN)
        assert backend.get("out") == DateTimeSerializer().serialize(WHEN)
        assert any(v.startswith("sha256:") for v in backend.metadata("out").values())
        assert result.read("out").value == WHEN
        backend.replace_keeping_metadata("out", DateTimeSerializer().serialize(WHEN.add(years=1)))
        with pytest.raises(ResultCorruptError, match="SHA-256"):
            result.read("out")

    @pytest.mark.parametrize("fault", ["short", "flip"])
    def test_s3_without_botocore_checks_is_still_safe(
        self, request, fault_proxy_to, quick_retries, fault
    ):
        backend = S3Backend(request, fault_proxy_to, response_checksum_validation="when_required")
        result = backend.result(location="out", serializer=JSONSerializer())
        result.write(VALUE)
        backend.proxy.arm(fault, times=1, match=backend.is_download)
        assert result.read("out").value == VALUE
        backend.proxy.arm(fault, times=None, match=backend.is_download)
        with pytest.raises(ResultCorruptError):
            result.read("out")


class TestInFlows:
    def test_a_target_that_keeps_arriving_damaged_is_recomputed(self, backend, caplog):
        runs = []

        @task(target="out", checkpoint=True, result=backend.result(max_retries=1))
        def produce():
            runs.append(1)
            return VALUE

        flow = Flow("cloud-damage", tasks=[produce])
        assert flow.run().is_successful() and len(runs) == 1
        backend.proxy.arm("flip", times=None, match=backend.is_download)
        caplog.set_level(logging.WARNING, logger="prefect")
        state = flow.run()
        assert state.is_successful() and state.result[produce].result == VALUE
        assert len(runs) == 2
        assert any("arrived damaged" in r.getMessage() for r in caplog.records)

    def test_a_target_that_cannot_be_read_fails_the_task_with_the_cause(self, backend):
        runs = []

        @task(target="out", checkpoint=True, result=backend.result(max_retries=1))
        def produce():
            runs.append(1)
            return VALUE

        flow = Flow("cloud-down", tasks=[produce])
        assert flow.run().is_successful()
        backend.proxy.arm("error500", times=None, match=backend.is_download)
        state = flow.run().result[produce]
        assert state.is_failed() and "after 2 attempts" in state.message
        assert len(runs) == 1  # not recomputed over a value it could not see

    @pytest.mark.parametrize("name", ["gcs", "azure"])
    def test_a_cache_record_damaged_at_rest_is_recomputed(
        self, request, fault_proxy_to, quick_retries, caplog, name
    ):
        """Cache records on GCS and Azure storage are written through the Result, so they carry
        its checksum too (records on local and S3 storage are written by the cache itself)."""
        backend = BACKENDS[name](request, fault_proxy_to)
        runs = []

        @task(cache_key_fn=lambda context, parameters: "the-key", result_storage=backend.result())
        def produce():
            runs.append(1)
            return VALUE

        flow = Flow("cloud-records", tasks=[produce])
        assert flow.run().is_successful() and flow.run().result[produce].is_cached()
        assert len(runs) == 1
        backend.replace_keeping_metadata("the-key", flip(backend.get("the-key")))
        caplog.set_level(logging.WARNING, logger="prefect")
        state = flow.run().result[produce]
        assert state.is_successful() and state.result == VALUE and len(runs) == 2
        assert any(
            "the-key" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
        )


class TestArguments:
    @pytest.mark.parametrize(
        "cls, argument", [(S3Result, "bucket"), (GCSResult, "bucket"), (AzureResult, "container")]
    )
    @pytest.mark.parametrize(
        "given, error, says",
        [
            (None, TypeError, "not None"),
            ("", ValueError, "empty string"),
            (["b"], TypeError, r"not \['b'\]"),
        ],
    )
    def test_the_bucket_name_is_checked_when_the_result_is_built(
        self, cls, argument, given, error, says
    ):
        with pytest.raises(
            error, match=f"{cls.__name__}: `{argument}` must be the {argument}'s name.*{says}"
        ):
            cls(given)

    @pytest.mark.parametrize("cls", [S3Result, GCSResult, AzureResult])
    @pytest.mark.parametrize(
        "settings, says",
        [
            ({"max_retries": -1}, "max_retries"),
            ({"max_retries": 1.5}, "max_retries"),
            ({"max_retries": True}, "max_retries"),
            ({"timeout": 0}, "timeout"),
            ({"timeout": "5"}, "timeout"),
        ],
    )
    def test_retry_settings_are_checked(self, cls, settings, says):
        with pytest.raises(TypeError, match=f"{cls.__name__}: `{says}`"):
            cls("box", **settings)

    def test_settings_are_kept_and_compared(self):
        r = S3Result("box", max_retries=0, timeout=2.5)
        assert (r.max_retries, r.timeout) == (0, 2.5)
        assert r != S3Result("box")
        assert S3Result("box") == S3Result(
            "box", max_retries=DEFAULT_MAX_RETRIES, timeout=DEFAULT_TIMEOUT
        )

    @pytest.mark.parametrize("cls", [S3Result, GCSResult, AzureResult])
    def test_old_pickles_get_the_default_settings(self, cls):
        r = cls("box")
        state = r.__getstate__()
        del state["max_retries"], state["timeout"]
        clone = cls.__new__(cls)
        clone.__setstate__(state)
        assert (clone.max_retries, clone.timeout) == (r.max_retries, DEFAULT_TIMEOUT)

    @pytest.mark.parametrize("cls, sdk_overhead", [(S3Result, 0), (GCSResult, 0), (AzureResult, 2)])
    def test_the_default_worst_case_is_under_30_seconds(self, cls, sdk_overhead):
        """Each attempt waits at most `timeout` (Azure: its SDK adds two 1 s pauses to a
        download), then the backoff; the retries of a hung service end in under 30 s."""
        r = cls("box")
        backoff = sum(BucketResult.retry_backoff * 2**n * 1.25 for n in range(r.max_retries))
        assert (r.max_retries + 1) * (r.timeout + sdk_overhead) + backoff < 30


def test_a_user_botocore_config_wins_over_ours(s3_bucket, s3_kwargs):
    from botocore.config import Config

    r = S3Result(s3_bucket, boto3_kwargs=dict(s3_kwargs, config=Config(read_timeout=99)), timeout=3)
    config = r._transfer_client().meta.config
    assert (config.read_timeout, config.connect_timeout) == (99, 3)
    assert r.client.meta.config.read_timeout == 99  # `client` is built as Prefect 1 built it
