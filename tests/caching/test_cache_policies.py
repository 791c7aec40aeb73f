"""Cache policies compute keys from inputs, code, parameters and run ids, and compose."""

import threading

import pytest

from prefect_classic import Task, task
from prefect_classic.cache_policies import (
    DEFAULT,
    FLOW_PARAMETERS,
    INPUTS,
    NONE,
    RUN_ID,
    TASK_SOURCE,
    CacheKeyFnPolicy,
    CachePolicy,
    CompoundCachePolicy,
    FlowParameters,
    Inputs,
    RunId,
    TaskRunContext,
    TaskSource,
    policy_for,
)
from prefect_classic.utilities.hashing import HashError


def make_context(
    task_obj, inputs=None, flow_parameters=None, flow_run_id="flow-run-1", task_run_id="task-run-1"
):
    return TaskRunContext(
        task=task_obj,
        parameters=inputs or {},
        flow_parameters=flow_parameters or {},
        flow_run_id=flow_run_id,
        task_run_id=task_run_id,
    )


@task
def add_one(x):
    return x + 1


def key(policy, inputs=None, flow_parameters=None, task_obj=add_one, **ctx):
    inputs = inputs or {}
    return policy.compute_key(
        task_obj,
        inputs,
        flow_parameters or {},
        make_context(task_obj, inputs, flow_parameters, **ctx),
    )


def test_the_module_constants_are_the_documented_policies():
    assert isinstance(INPUTS, Inputs) and isinstance(TASK_SOURCE, TaskSource)
    assert isinstance(FLOW_PARAMETERS, FlowParameters) and isinstance(RUN_ID, RunId)
    assert DEFAULT == CompoundCachePolicy([INPUTS, TASK_SOURCE, RUN_ID])
    assert all(
        isinstance(p, CachePolicy)
        for p in (INPUTS, TASK_SOURCE, FLOW_PARAMETERS, RUN_ID, NONE, DEFAULT)
    )


def test_inputs_key_depends_on_input_values_only():
    assert key(INPUTS, {"x": 1}) == key(INPUTS, {"x": 1}, flow_run_id="other-run")
    assert key(INPUTS, {"x": 1}) != key(INPUTS, {"x": 2})
    assert key(INPUTS, {"x": 1}) != key(INPUTS, {"y": 1})


def test_subtracting_a_name_from_inputs_ignores_that_input():
    policy = INPUTS - "debug"
    assert key(policy, {"x": 1, "debug": True}) == key(policy, {"x": 1, "debug": False})
    assert key(policy, {"x": 1, "debug": True}) != key(policy, {"x": 2, "debug": True})
    assert key(INPUTS, {"x": 1, "debug": True}) != key(INPUTS, {"x": 1, "debug": False})
    assert repr(INPUTS - "a" - "b") == "INPUTS - 'a' - 'b'"


def test_subtracting_from_a_compound_policy_applies_to_its_inputs_part():
    policy = DEFAULT - "debug"
    assert key(policy, {"x": 1, "debug": 1}) == key(policy, {"x": 1, "debug": 2})
    with pytest.raises(TypeError, match="INPUTS"):
        _ = TASK_SOURCE - "x"
    with pytest.raises(TypeError, match="INPUTS"):
        _ = (TASK_SOURCE + RUN_ID) - "x"


def test_task_source_hashes_the_function_of_a_decorated_task():
    @task
    def first(x):
        return x + 1

    @task
    def second(x):
        return x + 2

    assert key(TASK_SOURCE, task_obj=first) == key(
        TASK_SOURCE, task_obj=first.copy()
    )  # copies share code
    assert key(TASK_SOURCE, task_obj=first) != key(TASK_SOURCE, task_obj=second)


def test_task_source_hashes_the_run_method_of_a_task_subclass():
    class Double(Task):
        def run(self, x):
            return 2 * x

    class Triple(Task):
        def run(self, x):
            return 3 * x

    assert key(TASK_SOURCE, task_obj=Double()) == key(TASK_SOURCE, task_obj=Double(name="other"))
    assert key(TASK_SOURCE, task_obj=Double()) != key(TASK_SOURCE, task_obj=Triple())


def test_flow_parameters_key_depends_on_the_parameter_values():
    assert key(FLOW_PARAMETERS, {"x": 1}, {"p": 1}) == key(FLOW_PARAMETERS, {"x": 2}, {"p": 1})
    assert key(FLOW_PARAMETERS, flow_parameters={"p": 1}) != key(
        FLOW_PARAMETERS, flow_parameters={"p": 2}
    )


def test_run_id_is_the_flow_run_id_or_else_the_task_run_id():
    assert key(RUN_ID) == "flow-run-1"
    assert key(RUN_ID, flow_run_id=None, task_run_id="solo") == "solo"


def test_cache_key_fn_receives_the_run_context_and_the_inputs():
    seen = []

    def fn(context, parameters):
        seen.append((context.task.name, context.flow_run_id, context.task_run_id, dict(parameters)))
        return f"key-{parameters['x']}"

    assert key(CacheKeyFnPolicy(fn), {"x": 3}) == "key-3"
    assert seen == [("add_one", "flow-run-1", "task-run-1", {"x": 3})]


def test_cache_key_fn_returning_none_means_no_caching_and_other_types_are_rejected():
    assert key(CacheKeyFnPolicy(lambda c, p: None)) is None
    with pytest.raises(TypeError, match="str or None"):
        key(CacheKeyFnPolicy(lambda c, p: 42))


def test_compound_keys_cover_every_part_and_none_from_a_part_disables_caching():
    both = INPUTS + FLOW_PARAMETERS
    assert key(both, {"x": 1}, {"p": 1}) != key(both, {"x": 1}, {"p": 2})
    assert key(both, {"x": 1}, {"p": 1}) != key(both, {"x": 2}, {"p": 1})
    assert key(INPUTS + CacheKeyFnPolicy(lambda c, p: None), {"x": 1}) is None


def test_none_policy_never_gives_a_key_even_when_combined():
    assert key(NONE, {"x": 1}) is None
    assert NONE + INPUTS is NONE and INPUTS + NONE is NONE


def test_an_unhashable_input_raises_an_error_naming_it_and_suggesting_fixes():
    with pytest.raises(HashError) as info:
        key(INPUTS, {"x": 1, "lock": threading.Lock()})
    message = str(info.value)
    assert "'lock'" in message and "INPUTS - 'lock'" in message and "cache_key_fn" in message
    assert key(INPUTS - "lock", {"x": 1, "lock": threading.Lock()}) == key(INPUTS, {"x": 1})


def test_policy_for_resolves_the_task_kwargs():
    def fn(c, p):
        return "k"

    assert policy_for(Task(cache_policy=INPUTS)) is INPUTS
    assert policy_for(Task(cache_key_fn=fn)) == CacheKeyFnPolicy(fn)
    assert policy_for(Task(persist_result=True)) is DEFAULT
    assert policy_for(Task(cache_policy=INPUTS, persist_result=False)) is None
    assert policy_for(Task()) is None
    with pytest.raises(ValueError, match="not both"):
        Task(cache_policy=INPUTS, cache_key_fn=fn)
