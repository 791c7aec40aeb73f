"""Checkpointing and targets through S3Result (moto server) and GCSResult (GCS emulator) on
127.0.0.1, in real flow runs; storage errors are injected by patching one client method."""

import json
import textwrap

import cloudpickle
import pendulum
import pytest

from prefect_classic import Flow, task
from prefect_classic.engine.results import GCSResult, S3Result
from prefect_classic.utilities.configuration import set_temporary_config


class S3Store:
    """The moto bucket of a test, seen through a plain boto3 client."""

    name = "S3Result"

    def __init__(self, bucket, client, boto3_kwargs):
        self.bucket, self.client, self.boto3_kwargs = bucket, client, boto3_kwargs

    def result(self, **kwargs):
        return S3Result(self.bucket, boto3_kwargs=self.boto3_kwargs, **kwargs)

    def result_source(self):
        return f"S3Result({self.bucket!r}, boto3_kwargs={self.boto3_kwargs!r})"

    def keys(self):
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def get(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def fail(self, monkeypatch, result, action):
        """Make `action` ("exists", "read" or "write") fail with an HTTP 500 from S3."""
        from botocore.exceptions import ClientError

        method = {"exists": "get_object", "read": "get_object", "write": "upload_fileobj"}[action]
        error = ClientError(
            {
                "Error": {"Code": "InternalError", "Message": "We encountered an internal error"},
                "ResponseMetadata": {"HTTPStatusCode": 500},
            },
            method,
        )

        def raise_500(*args, **kwargs):
            raise error

        monkeypatch.setattr(result._transfer_client(), method, raise_500)
        return "InternalError"


class GCSStore:
    """The emulator bucket of a test, seen through a plain google-cloud-storage client."""

    name = "GCSResult"

    def __init__(self, bucket, client, env):
        self.bucket, self.client, self.env = bucket, client, env

    def result(self, **kwargs):
        return GCSResult(self.bucket, **kwargs)

    def result_source(self):
        return f"GCSResult({self.bucket!r})"

    def keys(self):
        return sorted(b.name for b in self.client.list_blobs(self.bucket))

    def get(self, key):
        return self.client.bucket(self.bucket).blob(key).download_as_bytes()

    def put(self, key, data):
        self.client.bucket(self.bucket).blob(key).upload_from_string(data)

    def fail(self, monkeypatch, result, action):
        """Make `action` ("exists", "read" or "write") fail with an HTTP 500 from GCS."""
        from google.api_core.exceptions import InternalServerError
        from google.cloud.storage import Blob

        method = {"exists": "exists", "read": "download_as_bytes", "write": "upload_from_string"}[
            action
        ]
        error = InternalServerError("backend exploded")

        def raise_500(*args, **kwargs):
            raise error

        monkeypatch.setattr(Blob, method, raise_500)
        return "InternalServerError: 500 backend exploded"


@pytest.fixture(params=["s3", "gcs"])
def store(request):
    if request.param == "s3":
        kwargs = request.getfixturevalue("s3_kwargs")
        return S3Store(
            request.getfixturevalue("s3_bucket"), request.getfixturevalue("s3_client"), kwargs
        )
    env = request.getfixturevalue("gcs_env")
    return GCSStore(
        request.getfixturevalue("gcs_bucket"), request.getfixturevalue("gcs_client"), env
    )


# the seed's target example with the store's Result; run in a fresh process, it reports the task's
# state as JSON and notes each body execution in a file
TARGET_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from prefect_classic import Flow, task
    from prefect_classic.engine.results import GCSResult, S3Result

    @task(target="func_task_target.txt", checkpoint=True, result={result})
    def func_task():
        with open(sys.argv[0] + ".calls", "a") as f:
            f.write("ran\\n")
        return 99

    state = Flow("seed-003", tasks=[func_task]).run().result[func_task]
    print(json.dumps({{"state": type(state).__name__, "message": state.message, "result": state.result,
                      "location": state._result.location}}))
    """
)


def test_target_is_written_then_reused_by_a_new_process_without_running_the_body(
    store, run_python, tmp_path
):
    """The seed's target example with S3Result/GCSResult: this process fills the target; a new
    process finds it and enters Cached without running the body."""
    calls = []

    @task(target="func_task_target.txt", checkpoint=True, result=store.result())
    def func_task():
        calls.append(1)
        return 99

    first = Flow("seed-003", tasks=[func_task]).run().result[func_task]
    assert first.is_successful() and first._result.location == "func_task_target.txt"
    assert store.keys() == ["func_task_target.txt"]
    assert cloudpickle.loads(store.get("func_task_target.txt")) == 99

    proc = run_python(TARGET_SCRIPT.format(result=store.result_source()))
    second = json.loads(proc.stdout.strip().splitlines()[-1])
    assert second == {
        "state": "Cached",
        "message": "Result found at task target func_task_target.txt",
        "result": 99,
        "location": "func_task_target.txt",
    }
    assert calls == [1] and not list(tmp_path.glob("*.calls")), "the body ran again"


def test_checkpointed_values_are_stored_at_their_locations(store):
    """@task(checkpoint=True, result=...) with checkpointing on: the Success state's location is
    the object key, which holds the value."""

    @task(checkpoint=True, result=store.result())
    def func_task():
        return {"answer": 99}

    with set_temporary_config({"flows.checkpointing": True}):
        state = Flow("persist", tasks=[func_task]).run().result[func_task]
    key = state._result.location
    assert state.is_successful() and store.keys() == [key]
    assert key.startswith(pendulum.now("utc").format("YYYY/")) and key.endswith(".prefect_result")
    assert cloudpickle.loads(store.get(key)) == {"answer": 99}


def test_weekday_target(store):
    @task(target="{date:%A}/{task_name}.txt", checkpoint=True, result=store.result())
    def func_task():
        return 99

    flow = Flow("weekday", tasks=[func_task])
    days = {pendulum.now("utc").format("dddd")}
    first = flow.run().result[func_task]
    days.add(pendulum.now("utc").format("dddd"))
    (key,) = store.keys()
    assert key.split("/")[0] in days and key.split("/")[1] == "func_task.txt"
    assert first._result.location == key
    assert flow.run().result[func_task].is_cached()


def test_mapped_children_write_their_own_objects(store):
    @task(target="sq/{map_index}.bin", checkpoint=True, result=store.result())
    def square(x):
        return x * x

    with Flow("mapped") as flow:
        out = square.map([2, 3])
    assert flow.run().result[out].result == [4, 9]
    assert store.keys() == ["sq/0.bin", "sq/1.bin"]
    assert all(s.is_cached() for s in flow.run().result[out].map_states)


def test_corrupt_object_warns_naming_the_location_and_is_replaced(store, prefect_logs):
    store.put("t.bin", b"\x80\x04 definitely not a pickle")

    @task(target="t.bin", checkpoint=True, result=store.result())
    def fresh():
        return "fresh"

    state = Flow("corrupt", tasks=[fresh]).run().result[fresh]
    assert state.is_successful() and not state.is_cached()
    warnings = [r.getMessage() for r in prefect_logs.records if r.levelname == "WARNING"]
    assert any("t.bin" in w and "could not be read" in w for w in warnings), warnings
    assert cloudpickle.loads(store.get("t.bin")) == "fresh"


@pytest.mark.parametrize("action", ["exists", "read", "write"])
def test_server_errors_fail_the_task_naming_bucket_key_and_cause(
    store, monkeypatch, action, quick_retries
):
    """A 500 that outlasts the retries while checking, reading or writing the target -> the task
    is Failed (it does not run again over a value it could not see), and the message names the
    bucket, the key, the cause and the attempts; a 500 on read does not overwrite the stored
    value."""
    result = store.result()
    calls = []

    @task(target="t.bin", checkpoint=True, result=result)
    def value():
        calls.append(1)
        return "new"

    if action == "read":
        store.put("t.bin", cloudpickle.dumps("stored"))
    # a task with a target works on its own copy of the result, located at the target
    cause = store.fail(monkeypatch, value.result, action)
    state = Flow("errors", tasks=[value]).run()
    task_state = state.result[value]
    assert state.is_failed() and task_state.is_failed()
    assert repr(store.bucket) in task_state.message and "'t.bin'" in task_state.message
    assert cause in task_state.message and store.name in task_state.message
    assert "after 4 attempts" in task_state.message
    assert calls == ([1] if action == "write" else [])
    assert store.keys() == (["t.bin"] if action == "read" else [])
