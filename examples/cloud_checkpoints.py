"""Checkpointing to S3 and GCS, pointed at local emulators.

`raw` is checkpointed to an S3 bucket through `S3Result`, `summary` to a GCS bucket through
`GCSResult`, each at a templated target. The second run finds both targets and is Cached.

Where the storage lives (read from the environment):

- S3: `AWS_ENDPOINT_URL` (e.g. a moto server, `http://127.0.0.1:5000`) with the usual AWS
  credential variables; bucket `$EXAMPLE_S3_BUCKET` (default `prefect-classic-example`)
- GCS: `STORAGE_EMULATOR_HOST` (e.g. gcp-storage-emulator, `http://127.0.0.1:9023`), used
  anonymously; bucket `$EXAMPLE_GCS_BUCKET` (default `prefect-classic-example`)

When an endpoint is not set, the example starts that emulator itself on 127.0.0.1 when it is
loaded, for the life of the process (this needs `moto[server]` / `gcp-storage-emulator`, both in
the `test` extra). It never talks to real AWS or Google Cloud.

    python examples/cloud_checkpoints.py
    prefect-classic run examples/cloud_checkpoints.py
"""

import os
import sys
import uuid

from prefect_classic import Flow, Parameter, task
from prefect_classic.engine.results import GCSResult, S3Result

S3_BUCKET = os.environ.get("EXAMPLE_S3_BUCKET", "prefect-classic-example")
GCS_BUCKET = os.environ.get("EXAMPLE_GCS_BUCKET", "prefect-classic-example")
GCS_PROJECT = os.environ.get("GOOGLE_CLOUD_PROJECT", "prefect-classic-example")
CALLS = {"raw": 0, "summary": 0}


def start_moto() -> str:
    """Serve moto's S3 on a free loopback port (a daemon thread: it ends with the process)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"


def start_gcs_emulator() -> str:
    """Serve an in-memory GCS emulator on a free loopback port, in a daemon thread."""
    from gcp_storage_emulator.server import create_server

    server = create_server("127.0.0.1", 0, in_memory=True)
    server._api.daemon = True  # let the process exit without stopping it
    server.start()
    return f"http://127.0.0.1:{server._api._httpd.server_address[1]}"


# Endpoints: the configured ones, or emulators started here for this process.
if os.environ.get("AWS_ENDPOINT_URL"):
    S3_OPTIONS = {
        "endpoint_url": os.environ["AWS_ENDPOINT_URL"],
        "region_name": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    }
else:  # moto accepts any keys
    S3_OPTIONS = {
        "endpoint_url": start_moto(),
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
if not os.environ.get("STORAGE_EMULATOR_HOST"):
    os.environ["STORAGE_EMULATOR_HOST"] = start_gcs_emulator()

S3 = S3Result(bucket=S3_BUCKET, boto3_kwargs=S3_OPTIONS)
GCS = GCSResult(bucket=GCS_BUCKET, project=GCS_PROJECT)


@task
def create_buckets() -> None:
    """Make sure both buckets exist (emulators start empty)."""
    s3 = S3.client
    if S3_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=S3_BUCKET)
    if GCS.client.lookup_bucket(GCS_BUCKET) is None:
        GCS.client.create_bucket(GCS_BUCKET)


@task(checkpoint=True, result=S3, target="{flow_name}/{run_key}/raw.pickle")
def raw(n: int) -> list:
    CALLS["raw"] += 1
    return [i * i for i in range(n)]


@task(checkpoint=True, result=GCS, target="{flow_name}/{run_key}/summary.pickle")
def summary(values: list) -> dict:
    CALLS["summary"] += 1
    return {"count": len(values), "total": sum(values)}


with Flow("cloud-checkpoints") as flow:
    n = Parameter("n", default=10)
    run_key = Parameter("run_key", default="default")  # part of the targets' paths
    flow.add_task(run_key)
    ready = create_buckets()
    values = raw(n, upstream_tasks=[ready])
    result = summary(values, upstream_tasks=[ready])


if __name__ == "__main__":
    key = uuid.uuid4().hex[:8]  # fresh targets for this demonstration
    first = flow.run(parameters={"run_key": key})
    second = flow.run(parameters={"run_key": key})
    for title, state in (("first", first), ("second", second)):
        print(f"== {title} run: {type(state).__name__}")
        for t in (values, result):
            s = state.result[t]
            print(f"   {t.name:<8} {type(s).__name__:<7} location={s._result.location}")
    print("summary:", second.result[result].result, "| run() calls:", CALLS)
    ok = (
        first.is_successful()
        and second.is_successful()
        and second.result[values].is_cached()
        and second.result[result].is_cached()
        and CALLS == {"raw": 1, "summary": 1}
    )
    sys.exit(0 if ok else 1)
