"""Transactions across processes: seed 002's rollback seen by the next process, SERIALIZABLE
runs racing on one key computing once, keys taken in opposite orders never deadlocking, bounded
lock waits, and storage that cannot give SERIALIZABLE refusing it clearly. The children report on
stdout; where a child must be inside its task body at a given moment it says so and waits for a
line on stdin (no sleeps)."""

import json
import subprocess
import sys
import textwrap
import time

import pytest

from prefect_classic import Flow, task
from prefect_classic.engine import caching
from prefect_classic.engine.results import S3Result
from prefect_classic.transactions import IsolationLevel, UnsupportedIsolationLevel, transaction

SEED_002 = textwrap.dedent(
    """
    import json, sys
    from prefect_classic import Flow, Parameter, task
    from prefect_classic.transactions import transaction

    calls = []

    @task(cache_key_fn=lambda *args, **kwargs: "static-key-1")
    def load_data():
        calls.append("load_data")
        return "some-data"

    @task(cache_key_fn=lambda *args, **kwargs: "static-key-2")
    def process_data(data, fail):
        calls.append("process_data")
        if fail:
            raise RuntimeError("Error! Abort!")
        return len(data)

    with Flow("multi_task_cache") as flow:
        data = load_data()
        processed = process_data(data=data, fail=Parameter("fail"))

    with transaction() as txn:
        state = flow.run(fail=sys.argv[1] == "fail")
    print(json.dumps({"calls": calls, "load_data": type(state.result[data]).__name__,
                      "rolled_back": txn.is_rolled_back()}))
    """
)


def last_json(proc):
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_seed_002_a_failed_transaction_makes_the_next_process_recompute(run_python):
    first = last_json(run_python(SEED_002, "fail"))
    assert first == {
        "calls": ["load_data", "process_data"],
        "load_data": "Success",
        "rolled_back": True,
    }
    second = last_json(run_python(SEED_002, "ok"))
    assert second["calls"] == ["load_data", "process_data"]  # load_data runs again
    assert second["rolled_back"] is False
    third = last_json(run_python(SEED_002, "ok"))
    assert third["calls"] == [] and third["load_data"] == "Cached"


# --- SERIALIZABLE --------------------------------------------------------------------------------------
KEYED_RUN = textwrap.dedent(
    """
    import json, sys
    from prefect_classic import Flow, task
    from prefect_classic.transactions import transaction

    first_key, second_key, isolation = sys.argv[1], sys.argv[2], sys.argv[3]
    ran = []

    def keyed(key, hold):
        @task(name=key, cache_key_fn=lambda *a, **k: key)
        def body(upstream=None):
            ran.append(key)
            if hold:
                print("HOLDING", key, flush=True)
                assert sys.stdin.readline().strip() == "GO"
            return f"{key} computed"
        return body

    with Flow("keys") as flow:
        first = keyed(first_key, hold=True)()
        second = keyed(second_key, hold=False)(upstream=first) if second_key != "-" else None

    print("STARTING", flush=True)
    with transaction(isolation_level=isolation, lock_timeout=float(sys.argv[4])) as txn:
        state = flow.run()
    states = {t.name: [type(s).__name__, s.message] for t, s in state.result.items()}
    print(json.dumps({"ran": ran, "states": states, "committed": txn.is_committed()}), flush=True)
    """
)


def start(tmp_path, child_env, *args, name="child"):
    script = tmp_path / f"{name}.py"
    script.write_text(KEYED_RUN)
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


def read_until(proc, prefix):
    for line in proc.stdout:
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"child ended before printing {prefix!r}: {proc.stderr.read()}")


def finish(proc, timeout=90):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_two_processes_racing_on_one_key_under_serializable_compute_once(tmp_path, child_env):
    first = start(
        tmp_path, child_env, "race key", "-", IsolationLevel.SERIALIZABLE, "120", name="first"
    )
    second = None
    try:
        assert (
            read_until(first, "HOLDING") == "HOLDING race key"
        )  # computing, holding the key's lock
        second = start(
            tmp_path, child_env, "race key", "-", IsolationLevel.SERIALIZABLE, "120", name="second"
        )
        assert read_until(second, "STARTING") == "STARTING"
        with pytest.raises(subprocess.TimeoutExpired):
            second.wait(timeout=1.0)  # blocked on the lock (it would finish at once otherwise)
        first.stdin.write("GO\n")
        first.stdin.flush()
        one, two = finish(first), finish(second)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert one["ran"] == ["race key"] and one["committed"]
    assert two["ran"] == [] and two["states"]["race key"][0] == "Cached"


def test_transactions_taking_two_keys_in_opposite_orders_do_not_deadlock(tmp_path, child_env):
    """Each process holds its first key (its first task is computing) when both go on to take
    the other's key; both finish promptly, long before the lock timeout (120 s)."""
    manager = caching.record_store_for(caching.default_storage()).lock_manager
    a, b = "alpha key", "beta key"
    assert manager.stripe_of(a) != manager.stripe_of(b)
    ab = start(tmp_path, child_env, a, b, IsolationLevel.SERIALIZABLE, "120", name="ab")
    ba = start(tmp_path, child_env, b, a, IsolationLevel.SERIALIZABLE, "120", name="ba")
    began = time.monotonic()
    try:
        assert read_until(ab, "HOLDING") == f"HOLDING {a}"
        assert read_until(ba, "HOLDING") == f"HOLDING {b}"
        for proc in (ab, ba):
            proc.stdin.write("GO\n")
            proc.stdin.flush()
        first, second = finish(ab, timeout=60), finish(ba, timeout=60)
    finally:
        for proc in (ab, ba):
            if proc.poll() is None:
                proc.kill()
    assert time.monotonic() - began < 60
    for report in (first, second):
        assert report["committed"], report
        assert all(name in ("Success", "Cached") for name, _ in report["states"].values()), report


def test_a_lock_held_too_long_fails_the_run_naming_the_key(tmp_path, child_env):
    manager = caching.record_store_for(caching.default_storage()).lock_manager
    lease = manager.acquire("held key", owner="the test")
    try:
        script = tmp_path / "waiter.py"
        script.write_text(
            textwrap.dedent(
                """
            import json
            from prefect_classic import Flow, task

            @task(cache_key_fn=lambda *a, **k: "held key")
            def waiter():
                return 1

            with Flow("waiter") as flow:
                out = waiter()
            state = flow.run().result[out]
            print(json.dumps([type(state).__name__, state.message]))
            """
            )
        )
        began = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            env=child_env({"PREFECT__TASKS__CACHE_LOCK_TIMEOUT": "0.5"}),
        )
    finally:
        lease.release()
    assert proc.returncode == 0, proc.stderr
    name, message = json.loads(proc.stdout.strip().splitlines()[-1])
    assert name == "Failed" and "'held key'" in message and "Timed out after 0.5 s" in message
    assert time.monotonic() - began < 30


def test_serializable_refuses_storage_without_locks(s3_bucket, s3_kwargs):
    @task(
        cache_key_fn=lambda *a, **k: "bucket key",
        result_storage=S3Result(s3_bucket, boto3_kwargs=s3_kwargs),
    )
    def in_bucket():
        return 1

    with Flow("bucket") as flow:
        out = in_bucket()
    with transaction(isolation_level=IsolationLevel.SERIALIZABLE) as txn:
        state = flow.run().result[out]
    assert state.is_failed() and isinstance(state.result, UnsupportedIsolationLevel)
    assert "SERIALIZABLE" in state.message and "S3Result" in state.message
    assert txn.is_rolled_back()
    with transaction(isolation_level=IsolationLevel.READ_COMMITTED) as txn:
        assert flow.run().result[out].is_successful()
    assert txn.is_committed()


def test_isolation_level_and_lock_timeout_are_checked():
    with pytest.raises(ValueError, match="isolation_level"):
        transaction(isolation_level="REPEATABLE_READ")
    with pytest.raises(ValueError, match="lock_timeout"):
        transaction(lock_timeout=-1)
    outer = transaction(isolation_level=IsolationLevel.SERIALIZABLE, lock_timeout=5)
    with outer:
        with transaction() as inner:
            assert (
                inner.isolation_level == IsolationLevel.SERIALIZABLE and inner.lock_timeout == 5.0
            )
    assert transaction().isolation_level == IsolationLevel.READ_COMMITTED
