"""TaskSchema, ParameterSchema, EdgeSchema and FlowSchema in Prefect 1's JSON shape."""

import datetime
import json

import pendulum
import pytest
from marshmallow import ValidationError

from prefect_classic import Flow, Parameter, Task, task, triggers
from prefect_classic.core.edge import Edge
from prefect_classic.engine import cache_validators
from prefect_classic.engine.results import LocalResult
from prefect_classic.schedules import IntervalSchedule
from prefect_classic.serialization.edge import EdgeSchema
from prefect_classic.serialization.flow import FlowSchema, get_edges, get_tasks
from prefect_classic.serialization.task import ParameterSchema, TaskSchema


def via_json(data):
    return json.loads(json.dumps(data))


@task
def add(x: int, y: int = 1) -> int:
    return x + y


def test_task_serialize_writes_prefect1_fields():
    t = Task(
        name="t",
        slug="t-1",
        tags=["b", "a"],
        max_retries=2,
        retry_delay=datetime.timedelta(seconds=30),
        timeout=10,
        trigger=triggers.all_failed,
        cache_key="key",
    )
    data = t.serialize()
    assert data["type"] == "prefect_classic.core.task.Task"
    assert (data["name"], data["slug"], data["tags"]) == ("t", "t-1", ["a", "b"])
    assert (data["max_retries"], data["retry_delay"], data["timeout"]) == (2, 30, 10)
    assert data["trigger"] == {"fn": "prefect_classic.triggers.all_failed", "kwargs": {}}
    assert data["cache_validator"] == {
        "fn": "prefect_classic.engine.cache_validators.never_use",
        "kwargs": {},
    }
    assert data["cache_key"] == "key"
    assert "__version__" in data


def test_task_inputs_and_outputs_describe_run():
    data = add.serialize()
    assert data["inputs"] == {
        "x": {"required": True, "type": str(int)},
        "y": {"required": False, "type": str(int)},
    }
    assert data["outputs"] == str(int)


def test_task_settings_round_trip_into_a_base_task():
    original = Task(
        name="t",
        slug="t-1",
        tags=["x"],
        max_retries=1,
        retry_delay=datetime.timedelta(minutes=2),
        trigger=triggers.some_successful(at_least=2, at_most=0.5),
        cache_for=datetime.timedelta(hours=1),
        cache_validator=cache_validators.partial_parameters_only(["p"]),
        skip_on_upstream_skip=False,
    )
    loaded = TaskSchema().load(via_json(original.serialize()))
    assert type(loaded) is Task
    assert (loaded.name, loaded.slug, loaded.tags) == ("t", "t-1", {"x"})
    assert (loaded.max_retries, loaded.retry_delay) == (1, datetime.timedelta(minutes=2))
    assert loaded.cache_for == datetime.timedelta(hours=1)
    assert loaded.skip_on_upstream_skip is False
    assert loaded.serialize()["trigger"] == {
        "fn": "prefect_classic.triggers.some_successful",
        "kwargs": {"at_least": 2, "at_most": 0.5},
    }
    assert loaded.serialize()["cache_validator"] == {
        "fn": "prefect_classic.engine.cache_validators.partial_parameters_only",
        "kwargs": {"validate_on": ["p"]},
    }


def test_custom_trigger_is_written_by_name_and_loads_as_the_default_like_prefect1():
    def my_trigger(upstream_states):
        return True

    data = Task(trigger=my_trigger).serialize()
    assert data["trigger"]["fn"].endswith("my_trigger")
    assert TaskSchema().load(data).trigger is triggers.all_successful


def test_prefect1_function_names_resolve_to_functions():
    loaded = TaskSchema().load(
        {
            "name": "t",
            "slug": "t-1",
            "trigger": {"fn": "prefect.triggers.any_failed", "kwargs": {}},
            "cache_for": 60,
            "cache_validator": {"fn": "prefect.engine.cache_validators.duration_only"},
        }
    )
    assert loaded.trigger is triggers.any_failed
    assert loaded.cache_validator is cache_validators.duration_only
    some = TaskSchema().load(
        {"trigger": {"fn": "prefect.triggers.some_failed", "kwargs": {"at_least": 2}}}
    )
    assert some.trigger.__name__ == "some_failed"
    # a plain name (no kwargs) is read too
    assert (
        TaskSchema().load({"trigger": "prefect.triggers.all_failed"}).trigger is triggers.all_failed
    )


def test_bad_factory_arguments_are_validation_errors():
    with pytest.raises(ValidationError, match="some_failed"):
        TaskSchema().load(
            {"name": "t", "trigger": {"fn": "prefect.triggers.some_failed", "kwargs": {"nope": 1}}}
        )


def test_parameter_round_trips():
    p = Parameter("n", default=[1, 2], tags=["t"])
    data = ParameterSchema().dump(p)
    assert (data["name"], data["slug"], data["default"], data["required"]) == (
        "n",
        "n",
        [1, 2],
        False,
    )
    loaded = ParameterSchema().load(via_json(data))
    assert type(loaded) is Parameter
    assert (loaded.name, loaded.default, loaded.required, loaded.tags) == (
        "n",
        [1, 2],
        False,
        {"t"},
    )
    assert ParameterSchema().load({"name": "r", "required": True}).required is True


def test_edge_serialize_writes_slugs():
    edge = Edge(Task(slug="a-1"), Task(slug="b-1"), key="x", mapped=True)
    data = edge.serialize()
    assert data["upstream_task"]["slug"] == "a-1"
    assert data["downstream_task"]["slug"] == "b-1"
    assert (data["key"], data["mapped"], data["flattened"]) == ("x", True, False)


def test_edge_schema_loads_base_tasks_carrying_the_slugs():
    loaded = EdgeSchema().load(
        {"upstream_task": {"slug": "a-1"}, "downstream_task": {"slug": "b-1"}, "key": "x"}
    )
    assert (loaded.upstream_task.slug, loaded.downstream_task.slug, loaded.key) == (
        "a-1",
        "b-1",
        "x",
    )
    assert loaded.upstream_task.name == "Task"  # only the slug is written


def test_edge_schema_reuses_the_tasks_of_the_context_task_cache():
    a, b = Task("a", slug="a-1"), Task("b", slug="b-1")
    context = {"task_cache": {"a-1": a, "b-1": b}}
    loaded = EdgeSchema(context=context).load(Edge(a, b, key="x").serialize())
    assert (loaded.upstream_task, loaded.downstream_task) == (a, b)
    assert EdgeSchema().load({}, create_object=False) == {}


def make_flow():
    schedule = IntervalSchedule(
        start_date=pendulum.datetime(2021, 1, 1, tz="Europe/Berlin"),
        interval=datetime.timedelta(hours=1),
    )
    with Flow(
        "etl",
        schedule=schedule,
        result=LocalResult(dir="/res", validate_dir=False, location="{task_name}"),
    ) as flow:
        n = Parameter("n", default=3)
        first = add(n)
        second = add(first, y=first)
    flow.set_reference_tasks([first])
    return flow, first, second


def test_flow_serialize_writes_prefect1_fields_sorted_by_slug():
    flow, first, second = make_flow()
    data = flow.serialize()
    assert data["name"] == "etl"
    assert data["type"] == "prefect_classic.core.flow.Flow"
    assert [t["slug"] for t in data["tasks"]] == sorted(t.slug for t in flow.tasks)
    assert [p["name"] for p in data["parameters"]] == ["n"]
    assert [r["slug"] for r in data["reference_tasks"]] == [first.slug]
    assert len(data["edges"]) == 3
    assert data["schedule"]["clocks"][0]["type"] == "IntervalClock"
    assert data["result"]["type"] == "LocalResult" and data["result"]["location"] == "{task_name}"
    assert "__version__" in data
    assert [t.slug for t in get_tasks(flow)] == [t["slug"] for t in data["tasks"]]
    assert len(get_edges(flow)) == 3


def test_flow_round_trips_its_graph_schedule_and_result():
    flow, first, second = make_flow()
    loaded = FlowSchema().load(via_json(flow.serialize()))
    by_slug = {t.slug: t for t in loaded.tasks}
    assert set(by_slug) == {t.slug for t in flow.tasks}
    assert type(by_slug["n"]) is Parameter and by_slug["n"].default == 3
    assert {(e.upstream_task.slug, e.downstream_task.slug, e.key) for e in loaded.edges} == {
        (e.upstream_task.slug, e.downstream_task.slug, e.key) for e in flow.edges
    }
    assert {t.slug for t in loaded.reference_tasks()} == {first.slug}
    after = pendulum.datetime(2021, 3, 1, tz="UTC")
    assert loaded.schedule.next(3, after=after) == flow.schedule.next(3, after=after)
    assert (type(loaded.result), loaded.result.location) == (LocalResult, "{task_name}")
    assert FlowSchema().dump(loaded)["edges"] == flow.serialize()["edges"]


PREFECT1_FLOW = """
{"name": "hello-flow", "type": "prefect.core.flow.Flow", "schedule": null,
 "parameters": [],
 "tasks": [
   {"type": "prefect.tasks.core.function.FunctionTask", "name": "extract", "slug": "extract-1",
    "tags": [], "max_retries": 0, "retry_delay": null, "inputs": {}, "outputs": "typing.Any",
    "timeout": null, "trigger": {"fn": "prefect.triggers.all_successful", "kwargs": {}}, "skip_on_upstream_skip": true,
    "cache_for": null, "cache_key": null, "cache_validator": {"fn": "prefect.engine.cache_validators.never_use", "kwargs": {}},
    "auto_generated": false, "__version__": "1.4.1"},
   {"type": "prefect.tasks.core.function.FunctionTask", "name": "load", "slug": "load-1",
    "tags": ["db"], "max_retries": 3, "retry_delay": 10, "inputs": {"data": {"required": true, "type": "typing.Any"}},
    "outputs": "typing.Any", "timeout": null, "trigger": {"fn": "prefect.triggers.all_successful", "kwargs": {}},
    "skip_on_upstream_skip": true, "cache_for": null, "cache_key": null,
    "cache_validator": {"fn": "prefect.engine.cache_validators.never_use", "kwargs": {}}, "auto_generated": false,
    "__version__": "1.4.1"}],
 "edges": [
   {"upstream_task": {"slug": "extract-1", "__version__": "1.4.1"},
    "downstream_task": {"slug": "load-1", "__version__": "1.4.1"},
    "key": "data", "mapped": false, "flattened": false, "__version__": "1.4.1"}],
 "reference_tasks": [],
 "run_config": null, "storage": null, "__version__": "1.4.1"}
"""


def test_prefect1_flow_with_two_tasks_and_an_edge_loads():
    flow = FlowSchema().load(json.loads(PREFECT1_FLOW))
    assert flow.name == "hello-flow"
    tasks = {t.slug: t for t in flow.tasks}
    assert set(tasks) == {"extract-1", "load-1"}
    assert tasks["load-1"].name == "load" and tasks["load-1"].max_retries == 3
    assert tasks["load-1"].retry_delay == datetime.timedelta(seconds=10)
    assert tasks["load-1"].tags == {"db"}
    (edge,) = flow.edges
    assert (edge.upstream_task, edge.downstream_task, edge.key) == (
        tasks["extract-1"],
        tasks["load-1"],
        "data",
    )
    assert flow.reference_tasks() == {tasks["load-1"]}


def test_edge_to_an_unknown_slug_is_a_validation_error():
    data = json.loads(PREFECT1_FLOW)
    data["edges"][0]["downstream_task"]["slug"] = "missing-1"
    with pytest.raises(ValidationError, match="missing-1"):
        FlowSchema().load(data)


def test_newer_flow_version_is_a_validation_error():
    data = json.loads(PREFECT1_FLOW)
    data["tasks"][1]["__version__"] = "1.10.0"
    with pytest.raises(ValidationError, match="newer"):
        FlowSchema().load(data)


def test_duplicate_task_slugs_are_a_validation_error():
    data = json.loads(PREFECT1_FLOW)
    data["tasks"][1]["slug"] = "extract-1"
    with pytest.raises(ValidationError, match="extract-1"):
        FlowSchema().load(data)


def test_newer_version_inside_the_schedule_is_a_validation_error():
    flow, _, _ = make_flow()
    data = via_json(flow.serialize())
    data["schedule"]["clocks"][0]["__version__"] = "2.0.0"
    with pytest.raises(ValidationError, match="newer"):
        FlowSchema().load(data)
