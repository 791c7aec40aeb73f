"""The caching examples of seeds 000 and 002 (Prefect 3's caching docs), rewritten for classic
flows (`@task` functions and Task subclasses inside `with Flow`). "Sleeps" means the task's body
runs (counted with a list); "does not sleep" means the run is Cached and the body is not called."""

import datetime
import os
import random
import textwrap
import time

import pytest

from prefect_classic import Flow, Parameter, Task, task
from prefect_classic.cache_policies import INPUTS, NONE, RUN_ID, TASK_SOURCE
from prefect_classic.engine.results import LocalResult
from prefect_classic.transactions import transaction
from prefect_classic.utilities.configuration import set_temporary_config


def run_alone(task_obj, **kwargs):
    """Run one call of a task in its own flow run (Prefect 3's `my_task(**kwargs)` outside a
    flow); returns the task's final state."""
    with Flow("single-call") as flow:
        bound = task_obj(**kwargs)
    state = flow.run()
    return state.result[bound]


def state_names(flow_state, tasks):
    return [type(flow_state.result[t]).__name__ for t in tasks]


# --- seed 000: cache policies --------------------------------------------------------------------------
def test_task_source_policy_runs_once_across_flow_runs_until_the_code_changes():
    calls = []

    @task(cache_policy=TASK_SOURCE)
    def my_stateful_task():
        calls.append("v1")
        return 42

    first, second = run_alone(my_stateful_task), run_alone(my_stateful_task)
    assert calls == ["v1"]  # sleeps once, then does not sleep
    assert first.is_successful() and not first.is_cached()
    assert second.is_cached() and second.result == 42

    @task(cache_policy=TASK_SOURCE)
    def my_stateful_task():  # noqa: F811 - the same task with its code altered
        calls.append("v2")
        return 43

    changed = run_alone(my_stateful_task)
    assert calls == ["v1", "v2"] and changed.result == 43 and not changed.is_cached()


def test_task_source_of_a_task_subclass_is_its_run_method():
    calls = []

    class MyStatefulTask(Task):
        def run(self):
            calls.append("v1")
            return 42

    assert run_alone(MyStatefulTask(cache_policy=TASK_SOURCE)).result == 42
    assert run_alone(MyStatefulTask(cache_policy=TASK_SOURCE)).is_cached()
    assert calls == ["v1"]

    class MyStatefulTask(Task):  # noqa: F811 - redefined with a different body
        def run(self):
            calls.append("v2")
            return 43

    assert run_alone(MyStatefulTask(cache_policy=TASK_SOURCE)).result == 43
    assert calls == ["v1", "v2"]


def test_task_source_plus_inputs_reruns_for_new_inputs_or_new_code():
    calls = []

    @task(cache_policy=TASK_SOURCE + INPUTS)
    def my_cached_task(x: int):
        calls.append(x)
        return x + 42

    assert [run_alone(my_cached_task, x=x).result for x in (1, 1, 2)] == [43, 43, 44]
    assert calls == [1, 2]

    @task(cache_policy=TASK_SOURCE + INPUTS)
    def my_cached_task(x: int):  # noqa: F811
        calls.append(-x)
        return x + 42

    assert run_alone(my_cached_task, x=1).result == 43
    assert calls == [1, 2, -1]


def test_inputs_minus_debug_ignores_the_debug_input():
    calls = []

    @task(cache_policy=INPUTS - "debug")
    def my_cached_task(x: int, debug: bool = False):
        calls.append((x, debug))
        return x + 42

    assert run_alone(my_cached_task, x=1).result == 43
    hit = run_alone(my_cached_task, x=1, debug=True)  # still uses the cache
    assert hit.is_cached() and hit.result == 43
    assert run_alone(my_cached_task, x=1, debug=False).is_cached()
    assert calls == [(1, False)]


def test_a_static_cache_key_fn_shares_one_cache_entry_between_calls(storage_dir):
    calls = []

    def static_cache_key(context, parameters):
        return "static cache key"

    @task(cache_key_fn=static_cache_key)
    def my_cached_task(x: int):
        calls.append(x)
        return x + 1

    assert run_alone(my_cached_task, x=1).result == 2
    assert run_alone(my_cached_task, x=5).result == 2  # same key: the cached value
    assert calls == [1]
    assert (storage_dir / "static cache key").is_file()  # file name == cache key


def test_multi_task_transaction_writes_no_cache_until_both_tasks_succeed(storage_dir):
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
        fail = Parameter("fail", default=True)
        data = load_data()
        processed = process_data(data=data, fail=fail)

    with transaction() as txn:
        failed = flow.run()
    assert failed.is_failed() and failed.result[data].is_successful()
    assert txn.is_rolled_back()
    assert not (storage_dir / "static-key-1").exists()  # load_data succeeded, but wrote nothing
    assert not (storage_dir / "static-key-2").exists()

    with transaction() as txn:
        fixed = flow.run(fail=False)
    assert txn.is_committed() and fixed.result[processed].result == 9
    assert calls == ["load_data", "process_data", "load_data", "process_data"]  # reran together
    assert (storage_dir / "static-key-1").is_file() and (storage_dir / "static-key-2").is_file()

    with transaction():
        cached = flow.run(fail=False)
    assert state_names(cached, [data, processed]) == ["Cached", "Cached"]
    assert len(calls) == 4


def test_inputs_with_expiration_caches_repeated_calls_within_a_flow(prefect_logs):
    calls = []

    @task(cache_policy=INPUTS, cache_expiration=datetime.timedelta(days=1))
    def hello_task(name_input):
        calls.append(name_input)
        return "hello " + name_input

    with Flow("hello_flow") as flow:
        name_input = Parameter("name_input")
        first = hello_task(name_input)
        second = hello_task(name_input, upstream_tasks=[first])  # does not rerun

    state = flow.run(name_input="marvin")
    assert state_names(state, [first, second]) == ["Success", "Cached"]
    assert state.result[second].result == "hello marvin" and calls == ["marvin"]
    expiry = state.result[second].cached_result_expiration
    assert (
        datetime.timedelta(hours=23)
        < expiry - datetime.datetime.now(datetime.timezone.utc)
        <= datetime.timedelta(days=1)
    )
    assert prefect_logs.contains(
        "Task 'hello_task': Finished task run for task with final state: 'Cached'"
    )


def test_inputs_plus_run_id_caches_only_within_one_flow_run():
    calls = []

    @task(cache_policy=INPUTS + RUN_ID, cache_expiration=datetime.timedelta(days=1))
    def hello_task(name_input):
        calls.append(name_input)
        return "hello " + name_input

    with Flow("hello_flow") as flow:
        name_input = Parameter("name_input")
        first = hello_task(name_input)
        second = hello_task(name_input, upstream_tasks=[first])

    assert state_names(flow.run(name_input="a"), [first, second]) == ["Success", "Cached"]
    assert state_names(flow.run(name_input="a"), [first, second]) == ["Success", "Cached"]  # reruns
    assert calls == ["a", "a"]


def test_refresh_cache_true_always_reruns_and_overwrites_the_cache(storage_dir):
    def static_cache_key(context, parameters):
        return "static cache key"

    @task(cache_key_fn=static_cache_key, refresh_cache=True)
    def caching_task():
        return random.random()

    values = [run_alone(caching_task).result for _ in range(3)]
    assert len(set(values)) == 3

    @task(cache_key_fn=static_cache_key)
    def reader():
        return -1.0

    assert run_alone(reader).result == values[-1]  # the last refresh is what the cache holds


def test_global_refresh_setting_reruns_every_task_except_refresh_cache_false():
    calls = []

    def static_cache_key(context, parameters):
        return "shared static key"

    @task(cache_key_fn=static_cache_key)
    def default_task():
        calls.append("default")
        return random.random()

    @task(cache_key_fn=lambda c, p: "pinned key", refresh_cache=False)
    def pinned_task():
        calls.append("pinned")
        return random.random()

    first_default, first_pinned = run_alone(default_task).result, run_alone(pinned_task).result
    with set_temporary_config({"tasks.refresh_cache": True}):
        refreshed = run_alone(default_task)
        pinned = run_alone(pinned_task)
    assert not refreshed.is_cached() and refreshed.result != first_default
    assert pinned.is_cached() and pinned.result == first_pinned
    assert calls == ["default", "pinned", "default"]


REFRESH_SCRIPT = textwrap.dedent(
    """
    import random
    from prefect_classic import Flow, task

    @task(cache_key_fn=lambda c, p: "env default key")
    def default_task():
        return random.random()

    @task(cache_key_fn=lambda c, p: "env pinned key", refresh_cache=False)
    def pinned_task():
        return random.random()

    with Flow("refresh") as flow:
        a = default_task()
        b = pinned_task()
    state = flow.run()
    print(type(state.result[a]).__name__, state.result[a].result)
    print(type(state.result[b]).__name__, state.result[b].result)
    """
)


def test_refresh_environment_variable_in_a_new_process(run_python):
    """`PREFECT__TASKS__REFRESH_CACHE=true` refreshes tasks that do not say `refresh_cache=False`."""
    first = run_python(REFRESH_SCRIPT).stdout.split()
    again = run_python(REFRESH_SCRIPT).stdout.split()
    refreshed = run_python(
        REFRESH_SCRIPT, env={"PREFECT__TASKS__REFRESH_CACHE": "true"}
    ).stdout.split()
    assert first[0] == first[2] == "Success"
    assert again == ["Cached", first[1], "Cached", first[3]]
    assert refreshed[0] == "Success" and refreshed[1] != first[1]
    assert refreshed[2:] == ["Cached", first[3]]


# --- seed 002: how to cache workflow step outputs ------------------------------------------------------
def test_persist_result_true_uses_the_default_policy_within_a_flow_run():
    calls = []

    @task(persist_result=True)
    def add_one(x: int):
        calls.append(x)
        return x + 1

    with Flow("my_flow") as flow:
        a = add_one(1)  # will not be cached
        b = add_one(1, upstream_tasks=[a])  # will be cached
        c = add_one(2, upstream_tasks=[b])  # will not be cached

    state = flow.run()
    assert state_names(state, [a, b, c]) == ["Success", "Cached", "Success"]
    assert [state.result[t].result for t in (a, b, c)] == [2, 2, 3]
    assert calls == [1, 2]
    assert state_names(flow.run(), [a, b, c]) == ["Success", "Cached", "Success"]  # new run id


def test_inputs_policy_sleeps_only_for_new_inputs():
    calls = []

    class MyStatefulTask(Task):
        def run(self, x: int):
            calls.append(x)
            return x + 1

    stateful = MyStatefulTask(cache_policy=INPUTS)
    results = [run_alone(stateful, x=x) for x in (1, 1, 2)]
    assert [r.result for r in results] == [2, 2, 3]
    assert [r.is_cached() for r in results] == [False, True, False]
    assert calls == [1, 2]


def test_cache_expiration_makes_the_task_run_again_after_it_passes():
    calls = []

    @task(cache_policy=INPUTS, cache_expiration=datetime.timedelta(seconds=0.3))
    def my_stateful_task(x: int):
        calls.append(x)
        return x + 1

    assert not run_alone(my_stateful_task, x=1).is_cached()
    assert run_alone(my_stateful_task, x=1).is_cached()  # does not sleep
    time.sleep(0.35)  # ... the expiration passes ...
    assert not run_alone(my_stateful_task, x=1).is_cached()  # sleeps again
    assert calls == [1, 1]


def test_refresh_cache_true_with_task_source_never_uses_the_cache():
    @task(cache_policy=TASK_SOURCE, refresh_cache=True)
    def never_caching_task():
        return random.random()

    states = [run_alone(never_caching_task) for _ in range(2)]
    assert not any(s.is_cached() for s in states) and states[0].result != states[1].result


def test_refresh_cache_false_reads_an_existing_key_and_writes_a_missing_one():
    @task(cache_policy=TASK_SOURCE, refresh_cache=False)
    def caching_task():
        return random.random()

    with set_temporary_config({"tasks.refresh_cache": True}):
        first = run_alone(caching_task)
        second = run_alone(caching_task)
    assert not first.is_cached() and second.is_cached() and second.result == first.result


def test_inputs_plus_task_source_on_multiple_criteria():
    calls = []

    @task(cache_policy=INPUTS + TASK_SOURCE)
    def my_task(x: int):
        calls.append(x)
        return x + 1

    with Flow("multi") as flow:
        a = my_task(1)
        b = my_task(1, upstream_tasks=[a])
        c = my_task(2, upstream_tasks=[b])
    assert state_names(flow.run(), [a, b, c]) == ["Success", "Cached", "Success"]
    assert state_names(flow.run(), [a, b, c]) == ["Cached", "Cached", "Cached"]
    assert calls == [1, 2]


S3_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from prefect_classic import Flow, task
    from prefect_classic.cache_policies import INPUTS
    from prefect_classic.engine.results import S3Result

    bucket, endpoint, marker = sys.argv[1:4]
    storage = S3Result(bucket, boto3_kwargs={"endpoint_url": endpoint, "region_name": "us-east-1"})

    @task(cache_policy=INPUTS, result_storage=storage)
    def my_cached_task(x: int):
        with open(marker, "a") as f:
            f.write("ran\\n")
        return x + 42

    with Flow("distributed") as flow:
        out = my_cached_task(1)
    state = flow.run()
    print(json.dumps([type(state.result[out]).__name__, state.result[out].result]))
    """
)


def test_s3_result_storage_shares_the_cache_between_processes(
    run_python, s3_bucket, s3_kwargs, tmp_path
):
    marker = tmp_path / "ran.txt"
    args = (s3_bucket, s3_kwargs["endpoint_url"], str(marker))
    first = run_python(S3_SCRIPT, *args).stdout.strip().splitlines()[-1]
    second = run_python(S3_SCRIPT, *args).stdout.strip().splitlines()[-1]
    assert first == '["Success", 43]' and second == '["Cached", 43]'
    assert marker.read_text() == "ran\n"
    assert not os.path.exists(os.path.expanduser("~/.prefect/storage"))  # nothing written locally


def test_result_storage_can_be_a_local_result_in_any_folder(tmp_path):
    @task(cache_policy=INPUTS, result_storage=LocalResult(dir=str(tmp_path / "shared-cache")))
    def add(x):
        return x + 1

    assert run_alone(add, x=1).result == 2
    assert run_alone(add, x=1).is_cached()
    assert len(os.listdir(tmp_path / "shared-cache")) >= 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"persist_result": False, "cache_policy": INPUTS},
        {"cache_policy": NONE},
        {"cache_policy": INPUTS + NONE},
    ],
)
def test_persist_result_false_or_the_none_policy_turn_caching_off(kwargs, storage_dir):
    calls = []

    @task(**kwargs)
    def add(x):
        calls.append(x)
        return x + 1

    assert not run_alone(add, x=1).is_cached() and not run_alone(add, x=1).is_cached()
    assert calls == [1, 1] and not storage_dir.exists()
