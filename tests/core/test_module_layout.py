"""`prefect_classic.core.flow` and `.task` keep their public names although parts of Flow and Task
live in private modules, and flows and tasks still pickle with the standard library (by reference
to `prefect_classic.core.flow.Flow` / `prefect_classic.core.task.Task`)."""

import pickle

from prefect_classic.core import flow as flow_module
from prefect_classic.core import task as task_module
from prefect_classic.core.flow import Flow
from prefect_classic.core.parameter import Parameter
from prefect_classic.core.task import Task


class Double(Task):
    def run(self, x):
        return 2 * x


def test_public_names_are_where_prefect_1_has_them():
    for name in (
        "Task",
        "TaskMetaclass",
        "NoDefault",
        "instance_property",
        "EXTRA_CALL_PARAMETERS",
    ):
        assert hasattr(task_module, name), name
    for name in ("Flow", "ParameterDetails", "cache"):
        assert hasattr(flow_module, name), name
    assert Task.__module__ == "prefect_classic.core.task"
    assert Flow.__module__ == "prefect_classic.core.flow"


def test_flow_and_task_keep_every_method():
    for name in (
        "save",
        "load",
        "visualize",
        "serialize",
        "serialized_hash",
        "register",
        "run_agent",
        "run",
        "add_edge",
        "validate",
        "sorted_tasks",
    ):
        assert callable(getattr(Flow, name)), name
    for name in (
        "__add__",
        "__radd__",
        "__gt__",
        "__le__",
        "is_equal",
        "is_not_equal",
        "not_",
        "or_",
        "and_",
        "__getitem__",
        "__or__",
        "map",
        "copy",
        "bind",
        "pipe",
    ):
        assert callable(getattr(Task, name)), name


def test_a_flow_pickles_with_the_standard_library_and_still_runs():
    with Flow("pickled") as flow:
        x = Parameter("x", default=3)
        y = Double()(x)
        z = y + 1
    restored = pickle.loads(pickle.dumps(flow))
    assert type(restored) is Flow and len(restored.tasks) == len(flow.tasks)
    by_name = {t.name: t for t in restored.tasks}
    state = restored.run(parameters={"x": 5})
    assert state.is_successful()
    assert state.result[by_name["Double"]].result == 10
    assert state.result[by_name[z.name]].result == 11


def test_a_task_pickles_with_the_standard_library():
    task = Double(name="d", tags=["t"])
    restored = pickle.loads(pickle.dumps(task))
    assert type(restored) is Double and restored.name == "d" and restored.tags == {"t"}
    assert restored.run(4) == 8
    assert restored.logger.name.endswith("d")
