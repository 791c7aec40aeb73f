"""How the task runner uses policy caching: records, errors, mapped tasks, runs outside flows."""

import datetime
import threading
import time

from prefect_classic import Flow, task
from prefect_classic.cache_policies import DEFAULT, INPUTS, TASK_SOURCE
from prefect_classic.core.edge import Edge
from prefect_classic.engine import caching
from prefect_classic.engine.state import Success
from prefect_classic.engine.task_runner import TaskRunner
from prefect_classic.tasks.core.constants import Constant


def test_the_record_holds_the_value_and_its_metadata(storage_dir):
    @task(cache_key_fn=lambda c, p: "record-key", cache_expiration=datetime.timedelta(minutes=5))
    def make():
        return {"answer": 42}

    before = time.time()
    with Flow("record") as flow:
        make()
    flow.run()
    header, value_bytes = caching.decode_record((storage_dir / "record-key").read_bytes())
    assert header["key"] == "record-key" and header["task"] == "make" and header["mode"] == "policy"
    assert before <= header["created_at"] <= time.time()
    assert abs(header["expires_at"] - header["created_at"] - 300) < 1e-6
    assert caching.default_storage().serializer.deserialize(value_bytes) == {"answer": 42}


def test_the_file_name_is_the_computed_cache_key(storage_dir):
    @task(cache_policy=INPUTS)
    def add(x, y=10):
        return x + y

    with Flow("names") as flow:
        add(1)
    flow.run()
    expected = INPUTS.compute_key(
        add, {"x": 1, "y": 10}, {}, None
    )  # defaults are part of the inputs
    assert [p.name for p in storage_dir.iterdir() if not p.name.startswith(".")] == [expected]


def test_a_corrupt_record_is_ignored_and_replaced(storage_dir, prefect_logs):
    calls = []

    @task(cache_key_fn=lambda c, p: "corrupt-key")
    def make():
        calls.append(1)
        return "fresh"

    storage_dir.mkdir(parents=True)
    (storage_dir / "corrupt-key").write_bytes(b"not a record")
    assert TaskRunner(make).run().result == "fresh"
    assert prefect_logs.contains("could not be read")
    assert TaskRunner(make).run().is_cached() and calls == [1]


def test_an_unhashable_input_runs_the_task_uncached_with_a_warning(prefect_logs, storage_dir):
    calls = []

    @task
    def make_lock():
        return threading.Lock()

    @task(cache_policy=INPUTS)
    def use(x, lock):
        calls.append(x)
        return x

    @task(cache_policy=INPUTS - "lock")
    def use_ignoring_lock(x, lock):
        calls.append(-x)
        return x

    with Flow("unhashable") as flow:
        lock = make_lock()
        use(1, lock)
        use_ignoring_lock(1, lock)
    assert flow.run().is_successful() and flow.run().is_successful()
    assert calls.count(1) == 2 and calls.count(-1) == 1
    assert prefect_logs.contains("input 'lock' cannot be hashed")
    assert prefect_logs.contains("INPUTS - 'lock'")


def test_mapped_children_are_keyed_by_their_own_inputs():
    calls = []

    @task(cache_policy=INPUTS)
    def square(x):
        calls.append(x)
        return x * x

    with Flow("mapped") as flow:
        out = square.map([1, 2, 2, 3])
    first = flow.run().result[out]
    assert first.result == [1, 4, 4, 9]
    assert sorted(calls) == [1, 2, 3]  # the repeated 2 is Cached
    again = flow.run().result[out]
    assert all(s.is_cached() for s in again.map_states) and len(calls) == 3


def test_default_policy_outside_a_flow_caches_nothing_across_task_runs():
    calls = []

    @task(cache_policy=DEFAULT)
    def add(x):
        calls.append(x)
        return x + 1

    x_is_1 = {Edge(Constant(1), add, key="x"): Success(result=1)}
    assert [TaskRunner(add).run(upstream_states=x_is_1).is_cached() for _ in range(2)] == [
        False,
        False,
    ]

    @task(cache_policy=TASK_SOURCE)
    def constant():
        calls.append("constant")
        return 7

    assert [TaskRunner(constant).run().is_cached() for _ in range(2)] == [False, True]
    assert calls == [1, 1, "constant"]


def test_a_hit_carries_the_stored_value_and_the_cache_key_as_its_location(storage_dir):
    @task(cache_key_fn=lambda c, p: "json-key")
    def make():
        return [1, 2, 3]

    with Flow("json") as flow:
        out = make()
    flow.run()
    hit = flow.run().result[out]
    assert hit.is_cached() and hit.result == [1, 2, 3]
    assert hit._result.location == "json-key"
