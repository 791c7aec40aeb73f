"""Concurrent runs computing the same cache key: one runs and writes, the others read its record
(file locks for LocalResult storage, conditional puts for S3)."""

import subprocess
import sys
import textwrap
import threading
import time

import pytest

from prefect_classic import Flow, Parameter, task
from prefect_classic.engine import caching
from prefect_classic.engine.results import S3Result
from prefect_classic.engine.task_runner import TaskRunner

KEY = "concurrent key"


def test_a_second_thread_waits_for_the_first_and_reads_its_record():
    calls = []
    started, proceed = threading.Event(), threading.Event()

    @task(cache_key_fn=lambda c, p: KEY)
    def slow():
        calls.append(threading.current_thread().name)
        started.set()
        assert proceed.wait(10), "the test never let the first run finish"
        return "computed once"

    states = {}

    def run(name):
        states[name] = TaskRunner(slow).run()

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    lock = caching.record_store_for(caching.default_storage()).lock_manager._stripe(KEY)
    deadline = time.monotonic() + 10
    while lock.waiters == 0 and time.monotonic() < deadline:  # the second run is blocked on the key
        second.join(0.01)
    assert lock.waiters == 1 and second.is_alive()
    proceed.set()
    first.join(10)
    second.join(10)
    assert calls == ["first"]
    assert states["first"].is_successful() and not states["first"].is_cached()
    assert states["second"].is_cached() and states["second"].result == "computed once"


CHILD = textwrap.dedent(
    """
    import json, sys
    from prefect_classic import Flow, task

    @task(cache_key_fn=lambda c, p: "concurrent key")
    def slow():
        print("BODY RAN", flush=True)
        return "from the child"

    with Flow("child") as flow:
        out = slow()
    print("READY", flush=True)
    state = flow.run()
    print(json.dumps([type(state.result[out]).__name__, state.result[out].result]), flush=True)
    """
)


def test_a_process_waits_for_the_key_locked_by_another_process(tmp_path, storage_dir, child_env):
    """The parent holds the key's lock while it "computes"; the child, started meanwhile, blocks,
    then reads the parent's record instead of running the task."""
    store = caching.record_store_for(caching.default_storage())
    lease = store.lock_manager.acquire(KEY, owner=object())
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdout.readline().strip() == "READY"
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)  # blocked on the lock (it would finish at once otherwise)
        header = {
            "mode": "policy",
            "task": "slow",
            "key": KEY,
            "created_at": time.time(),
            "expires_at": None,
        }
        store.write(
            KEY, caching.encode_record(header, store.serializer.serialize("from the parent")), False
        )
    finally:
        lease.release()
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "BODY RAN" not in out and out.strip().splitlines()[-1] == '["Cached", "from the parent"]'


def test_s3_conditional_put_keeps_the_first_record(s3_bucket, s3_kwargs):
    store = caching.record_store_for(S3Result(s3_bucket, boto3_kwargs=s3_kwargs))
    assert store.read("k") is None
    assert store.write("k", b"first", exclusive=True) is True
    assert store.write("k", b"second", exclusive=True) is False
    assert store.read("k") == b"first"
    assert store.write("k", b"third", exclusive=False) is True  # refreshes overwrite
    assert store.read("k") == b"third"


def test_an_s3_run_that_loses_the_race_adopts_the_stored_value(s3_bucket, s3_kwargs):
    """While the task runs, another process stores a record under its key; the conditional put
    of this run fails and it ends Cached with the other value, so both agree."""
    storage = S3Result(s3_bucket, boto3_kwargs=s3_kwargs)
    store = caching.record_store_for(storage)

    @task(cache_key_fn=lambda c, p: "raced", result_storage=storage)
    def racing():
        header = {
            "mode": "policy",
            "task": "other",
            "key": "raced",
            "created_at": time.time(),
            "expires_at": None,
        }
        store.write(
            "raced", caching.encode_record(header, store.serializer.serialize("theirs")), True
        )
        return "ours"

    with Flow("race") as flow:
        out = racing()
    state = flow.run().result[out]
    assert state.is_cached() and state.result == "theirs"


def test_a_run_that_ends_before_running_releases_the_key_lock():
    """A miss takes the key's lock; when the run then ends early (its trigger fails), the lock is
    released, so the next run of the key can proceed instead of waiting forever."""

    @task
    def upstream(fail):
        if fail:
            raise ValueError("upstream failed")
        return 1

    @task(cache_key_fn=lambda c, p: "early-end key")
    def downstream(x):
        return x + 1

    with Flow("early-end") as flow:
        out = downstream(upstream(Parameter("fail")))
    assert flow.run(fail=True).result[out].is_failed()  # TriggerFailed after the miss
    states = []
    second = threading.Thread(
        target=lambda: states.append(flow.run(fail=False).result[out]), daemon=True
    )
    second.start()
    second.join(20)
    assert not second.is_alive(), "the second run is stuck on the key's lock"
    assert states[0].is_successful() and states[0].result == 2
