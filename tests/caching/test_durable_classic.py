"""Durable classic caching: `cache_for` tasks with a storage Result and checkpointing (or
`persist_result=True`) also keep cache records, so a new process honours their caches; without
those, Prefect 1's in-memory behaviour is unchanged. "A new process" is simulated in-process by
emptying the in-memory output caches, and checked for real with child processes."""

import datetime
import json
import os
import textwrap
import time

import pytest

from prefect_classic import Flow, Parameter, task
from prefect_classic.engine import cache_validators
from prefect_classic.engine.results import LocalResult
from prefect_classic.utilities import context as context_module
from prefect_classic.utilities.configuration import set_temporary_config

HOUR = datetime.timedelta(hours=1)


def fresh_process_run(flow, **parameters):
    """Run the flow as a new process would: with empty in-memory caches."""
    context_module.CACHES.clear()
    return flow.run(**parameters)


@pytest.fixture
def checkpointing():
    with set_temporary_config({"flows.checkpointing": True}):
        yield


@pytest.fixture
def results_dir(tmp_path):
    return tmp_path / "results"


def counting_task(calls, results_dir, **kwargs):
    @task(result=LocalResult(dir=str(results_dir)), **kwargs)
    def double(x):
        calls.append(x)
        return 2 * x

    return double


def test_cache_for_with_a_local_result_and_checkpointing_hits_in_a_new_process(
    checkpointing, results_dir
):
    calls = []
    double = counting_task(calls, results_dir, cache_for=HOUR)
    with Flow("durable") as flow:
        out = double(3)

    assert flow.run().result[out].is_cached()  # cache_result turns the Success into Cached
    hit = fresh_process_run(flow).result[out]
    assert hit.is_cached() and hit.result == 6 and calls == [3]
    assert hit.cached_result_expiration > datetime.datetime.now(
        datetime.timezone.utc
    ) + datetime.timedelta(minutes=59)
    assert context_module.CACHES["double"] == [
        hit
    ]  # the durable hit also feeds the in-memory cache


def test_without_checkpointing_or_persist_result_caches_stay_in_memory(results_dir, storage_dir):
    calls = []
    double = counting_task(calls, results_dir, cache_for=HOUR)
    with Flow("in-memory") as flow:
        out = double(3)

    flow.run()
    assert flow.run().result[out].is_cached() and calls == [3]  # Prefect 1's in-memory cache
    fresh_process_run(flow)
    assert calls == [3, 3]
    assert list(results_dir.iterdir()) == [] and not storage_dir.exists()  # no records anywhere


def test_persist_result_true_with_cache_for_uses_the_default_storage(storage_dir):
    calls = []

    @task(cache_for=HOUR, persist_result=True)
    def double(x):
        calls.append(x)
        return 2 * x

    with Flow("persisted") as flow:
        out = double(4)
    flow.run()
    assert fresh_process_run(flow).result[out].result == 8 and calls == [4]
    assert len([n for n in os.listdir(storage_dir) if not n.startswith(".")]) == 1


def test_persist_result_false_keeps_cache_for_in_memory(checkpointing, results_dir):
    calls = []
    double = counting_task(calls, results_dir, cache_for=HOUR, persist_result=False)
    with Flow("not-persisted") as flow:
        double(3)
    flow.run()
    fresh_process_run(flow)
    assert calls == [3, 3]


def test_all_inputs_validator_compares_input_hashes(checkpointing, results_dir):
    calls = []
    double = counting_task(
        calls, results_dir, cache_for=HOUR, cache_validator=cache_validators.all_inputs
    )
    with Flow("inputs") as flow:
        x = Parameter("x")
        out = double(x)

    for value in (1, 2, 1, 2):
        state = fresh_process_run(flow, x=value).result[out]
        assert state.result == 2 * value
    assert calls == [1, 2]


def test_all_parameters_validator_compares_parameter_hashes(checkpointing, results_dir):
    calls = []
    double = counting_task(
        calls, results_dir, cache_for=HOUR, cache_validator=cache_validators.all_parameters
    )
    with Flow("parameters") as flow:
        out = double(5)
    flow.add_task(Parameter("p"))

    assert fresh_process_run(flow, p="a").result[out].result == 10
    assert fresh_process_run(flow, p="b").result[out].result == 10
    assert fresh_process_run(flow, p="a").result[out].is_cached()
    assert calls == [5, 5]


def test_partial_inputs_only_validator_compares_only_the_named_inputs(checkpointing, results_dir):
    calls = []

    @task(
        cache_for=HOUR,
        result=LocalResult(dir=str(results_dir)),
        cache_validator=cache_validators.partial_inputs_only(validate_on=["x"]),
    )
    def add(x, noise):
        calls.append((x, noise))
        return x + noise

    with Flow("partial") as flow:
        x, noise = Parameter("x"), Parameter("noise")
        out = add(x, noise)

    assert fresh_process_run(flow, x=1, noise=10).result[out].result == 11
    assert fresh_process_run(flow, x=1, noise=20).result[out].result == 11  # noise is not compared
    assert fresh_process_run(flow, x=2, noise=20).result[out].result == 22
    assert calls == [(1, 10), (2, 20)]


def test_duration_only_records_expire_with_cache_for(checkpointing, results_dir):
    calls = []
    double = counting_task(calls, results_dir, cache_for=datetime.timedelta(seconds=0.3))
    with Flow("expiring") as flow:
        double(1)
    flow.run()
    fresh_process_run(flow)
    assert calls == [1]
    time.sleep(0.35)  # the cache_for duration passes
    fresh_process_run(flow)
    assert calls == [1, 1]


def test_cache_key_is_shared_by_tasks_in_different_flows(checkpointing, results_dir):
    calls = []
    first = counting_task(calls, results_dir, cache_for=HOUR, cache_key="shared-key")
    second = counting_task(calls, results_dir, cache_for=HOUR, cache_key="shared-key")
    with Flow("one") as flow_one:
        first(7)
    with Flow("two") as flow_two:
        out = second(7)
    flow_one.run()
    assert fresh_process_run(flow_two).result[out].result == 14 and calls == [7]


DURABLE_SCRIPT = textwrap.dedent(
    """
    import datetime, json, sys
    from prefect_classic import Flow, task
    from prefect_classic.engine.results import LocalResult

    results, marker = sys.argv[1:3]

    def note(name):
        with open(marker, "a") as f:
            f.write(name + "\\n")

    @task(cache_for=datetime.timedelta(hours=1), result=LocalResult(dir=results))
    def cached_for_an_hour(x):
        note("cache_for")
        return x * 2

    @task(target="target-{x}.pickle", checkpoint=True, result=LocalResult(dir=results))
    def with_target(x):
        note("target")
        return x + 100

    with Flow("durable") as flow:
        a = cached_for_an_hour(3)
        b = with_target(4)
    state = flow.run()
    print(json.dumps({name: [type(state.result[t]).__name__, state.result[t].result]
                      for name, t in (("cache_for", a), ("target", b))}))
    """
)


def test_a_second_process_gets_a_durable_cache_for_hit_and_a_target_hit(run_python, tmp_path):
    marker = tmp_path / "calls.txt"
    args = (str(tmp_path / "results"), str(marker))
    env = {"PREFECT__FLOWS__CHECKPOINTING": "true"}
    first = json.loads(run_python(DURABLE_SCRIPT, *args, env=env).stdout.strip().splitlines()[-1])
    second = json.loads(run_python(DURABLE_SCRIPT, *args, env=env).stdout.strip().splitlines()[-1])
    assert first == {"cache_for": ["Cached", 6], "target": ["Success", 104]}
    assert second == {"cache_for": ["Cached", 6], "target": ["Cached", 104]}
    assert sorted(marker.read_text().split()) == ["cache_for", "target"]  # each body ran once
