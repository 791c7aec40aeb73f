"""Graph shapes of the core helper tasks: Constant/as_task, collections, apply_map, case,
resource_manager, and the tags() helper."""

import pytest

from prefect_classic import (
    Flow,
    Parameter,
    Task,
    apply_map,
    case,
    resource_manager,
    tags,
    task,
    unmapped,
)
from prefect_classic.tasks.control_flow import FilterTask, ifelse, merge, switch
from prefect_classic.tasks.control_flow.conditional import CompareValue, Merge
from prefect_classic.tasks.core import collections as coll
from prefect_classic.tasks.core.constants import Constant
from prefect_classic.tasks.core.resource_manager import (
    ResourceCleanupTask,
    ResourceInitTask,
    ResourceSetupTask,
)
from prefect_classic.utilities.tasks import as_task


@task
def inc(x):
    return x + 1


@task
def add(x, y):
    return x + y


@task
def show(value):
    return value


class TestConstantAndAsTask:
    def test_constant(self):
        c = Constant(value=[1, 2])
        assert c.run() == [1, 2] and c.name == "[1, 2]"
        # a repr longer than 8 characters gives way to the type name
        assert Constant(value=[1, 2, 3]).name == "Constant[list]"
        assert Constant(value="x" * 50).name == "Constant[str]"
        assert Constant(value=1, name="one").name == "one"

    def test_tasks_pass_through(self):
        t = Task()
        assert as_task(t) is t

    @pytest.mark.parametrize("value", [1, "s", [1, 2], (1,), {1}, {"a": 1}, None])
    def test_plain_values_become_constants(self, value):
        c = as_task(value)
        assert isinstance(c, Constant) and c.value == value and c.auto_generated

    def test_annotations_are_unwrapped(self):
        from prefect_classic import flatten, mapped

        t = Task()
        for annotation in (unmapped, mapped, flatten):
            assert as_task(annotation(t)) is t and t.auto_generated is False

    @pytest.mark.parametrize(
        "value, cls",
        [
            (lambda t: [t, 1], coll.List),
            (lambda t: (t, 1), coll.Tuple),
            (lambda t: {t, 1}, coll.Set),
        ],
    )
    def test_collections_holding_tasks_become_collection_tasks(self, value, cls):
        t = Task(name="inner")
        flow = Flow("f")
        wrapped = as_task(value(t), flow=flow)
        assert type(wrapped) is cls and wrapped.auto_generated
        keys = {e.key for e in flow.edges_to(wrapped)}
        assert keys == {"arg_1"} or keys == {"arg_2"}
        assert len(flow.constants[wrapped]) == 1

    def test_dict_holding_tasks(self):
        t = Task()
        flow = Flow("f")
        wrapped = as_task({"a": t, "b": 2}, flow=flow)
        assert type(wrapped) is coll.Dict
        assert {e.key for e in flow.edges_to(wrapped)} == {"values"}
        assert flow.constants[wrapped] == {"keys": ["a", "b"]}

    def test_nested_tasks_are_found(self):
        flow = Flow("f")
        wrapped = as_task([[Task()], 1], flow=flow)
        assert type(wrapped) is coll.List

    def test_plain_values_in_a_call_are_flow_constants_not_tasks(self):
        with Flow("f") as flow:
            r = add(1, [2, 3])
        assert flow.tasks == {r} and flow.constants[r] == {"x": 1, "y": [2, 3]}

    def test_collection_runs(self):
        assert coll.List().run(arg_2="b", arg_1="a", arg_10="j") == ["a", "b", "j"]
        assert coll.Tuple().run(arg_1=1, arg_2=2) == (1, 2)
        assert coll.Set().run(arg_1=1, arg_2=1) == {1}
        assert coll.Dict().run(keys=["a", "b"], values=[1, 2]) == {"a": 1, "b": 2}
        with pytest.raises(
            ValueError, match="A different number of keys and values were provided!"
        ):
            coll.Dict().run(keys=["a"], values=[1, 2])

    def test_collections_run_in_a_flow(self):
        with Flow("f") as flow:
            a = inc(1)
            out = show([a, {"k": a}, (a,)])
        state = flow.run()
        assert state.result[out].result == [2, {"k": 2}, (2,)]


class TestTags:
    def test_tags_apply_to_tasks_created_inside(self):
        with tags("a", "b"):
            t = Task()
            with tags("c"):
                u = Task(tags=["own"])
        assert t.tags == {"a", "b"} and u.tags == {"a", "b", "c", "own"}
        assert Task().tags == set()

    def test_tags_apply_to_functional_copies(self):
        with Flow("f"):
            with tags("copied"):
                r = inc(1)
        assert r.tags == {"copied"}


class TestApplyMap:
    def test_every_task_built_is_mapped(self):
        def pipeline(x, y):
            return add(inc(x), y)

        with Flow("f") as flow:
            xs = Parameter("xs")
            res = apply_map(pipeline, xs, y=unmapped(10))
        inc_task = next(t for t in flow.tasks if t.name == "inc")
        (inc_edge,) = flow.edges_to(inc_task)
        assert inc_edge.mapped and inc_edge.upstream_task is xs
        by_key = {e.key: e for e in flow.edges_to(res)}
        assert by_key["x"].mapped and by_key["x"].upstream_task is inc_task
        assert flow.constants[res] == {"y": 10}

    def test_apply_map_runs(self):
        def pipeline(x):
            return inc(inc(x))

        with Flow("f") as flow:
            res = apply_map(pipeline, [1, 2, 3])
        assert flow.run().result[res].result == [3, 4, 5]

    def test_apply_map_needs_a_flow(self):
        with pytest.raises(ValueError, match="Couldn't infer a flow in the current context"):
            apply_map(lambda x: x, [1])


class TestCase:
    def test_case_graph_shape(self):
        with Flow("f") as flow:
            cond = show(True)
            with case(cond, True):
                a = inc(1)
                b = inc(a)
            after = show(b)
        (compare,) = [t for t in flow.tasks if isinstance(t, CompareValue)]
        assert compare.value is True and flow.upstream_tasks(compare) == {cond}
        # only the first task of the branch hangs off the comparison
        assert flow.upstream_tasks(a) == {compare}
        assert flow.upstream_tasks(b) == {a}
        assert flow.upstream_tasks(after) == {b}

    def test_empty_case_adds_nothing(self):
        with Flow("f") as flow:
            cond = show(True)
            with case(cond, True):
                pass
        assert flow.tasks == {cond}

    def test_case_runs_the_matching_branch_only(self):
        with Flow("f") as flow:
            cond = show("b")
            with case(cond, "a"):
                ran_a = inc(1)
            with case(cond, "b"):
                ran_b = inc(2)
            out = merge(ran_a, ran_b)
        state = flow.run()
        assert state.result[ran_a].is_skipped() and state.result[ran_b].result == 3
        assert state.result[out].result == 3

    def test_switch_and_ifelse_shapes(self):
        with Flow("f") as flow:
            cond = show(1)
            one, two = inc(1), inc(2)
            switch(cond, {1: one, 2: two})
            yes, no = inc(3), inc(4)
            ifelse(cond, yes, no)
        compare_one = next(iter(flow.upstream_tasks(one)))
        assert (
            isinstance(compare_one, CompareValue)
            and compare_one.value == 1
            and "switch" in compare_one.tags
        )
        assert isinstance(next(iter(flow.upstream_tasks(yes))), CompareValue)

    def test_merge_shape_and_run(self):
        with Flow("f") as flow:
            a, b = show(None), show(5)
            m = merge(a, b)
        assert isinstance(m, Merge) and {e.key for e in flow.edges_to(m)} == {"task_1", "task_2"}
        assert Merge().run(task_1=None, task_2=5, task_3=6) == 5

    def test_merge_accepts_task_arguments(self):
        with Flow("f") as flow:
            m = merge(show(1), show(2), name="joined", checkpoint=False)
        assert m.name == "joined" and m.checkpoint is False and m in flow.tasks

    def test_merge_tries_branches_in_string_order_of_their_argument_names(self):
        """As in Prefect 1, `task_10` sorts before `task_2`."""
        results = {f"task_{i}": None for i in range(1, 12)}
        results.update(task_2="second", task_10="tenth")
        assert Merge().run(**results) == "tenth"

    def test_filter_task(self):
        f = FilterTask()
        assert f.run([1, None, ValueError(), 2]) == [1, 2]
        assert FilterTask(filter_func=lambda x: x > 1).run([1, 2, 3]) == [2, 3]


class TestResourceManager:
    def test_graph_shape(self):
        @resource_manager
        class Pool:
            def __init__(self, size):
                self.size = size

            def setup(self):
                return f"pool-{self.size}"

            def cleanup(self, resource):
                pass

        with Flow("f") as flow:
            with Pool(4) as pool:
                a = show(pool)
                b = inc(a)
            after = show(b)
        init = next(t for t in flow.tasks if isinstance(t, ResourceInitTask))
        setup = next(t for t in flow.tasks if isinstance(t, ResourceSetupTask))
        cleanup = next(t for t in flow.tasks if isinstance(t, ResourceCleanupTask))
        assert pool is setup and flow.constants[init] == {"size": 4}
        assert (init.name, setup.name, cleanup.name) == ("Pool", "Pool.setup", "Pool.cleanup")
        assert {(e.upstream_task, e.key) for e in flow.edges_to(setup)} == {(init, "mgr")}
        assert {(e.upstream_task, e.key) for e in flow.edges_to(cleanup)} == {
            (init, "mgr"),
            (setup, "resource"),
            (b, None),
        }
        assert flow.upstream_tasks(a) == {setup} and flow.upstream_tasks(after) == {b}
        # the cleanup is terminal but does not decide the flow state; b has another downstream
        assert cleanup in flow.terminal_tasks() and flow.reference_tasks() == {after}

    def test_resource_manager_needs_a_flow(self):
        @resource_manager(name="Named")
        class R:
            def setup(self):
                return 1

            def cleanup(self, r):
                pass

        assert R.name == "Named"
        with pytest.raises(ValueError, match="Could not infer an active Flow context."):
            R()

    def test_default_task_settings(self):
        from prefect_classic.tasks.core.resource_manager import resource_cleanup_trigger

        @resource_manager
        class Thing:
            def cleanup(self, resource):
                pass

        assert Thing.setup_task_kwargs == {"name": "Thing.setup", "checkpoint": False}
        assert Thing.cleanup_task_kwargs == {
            "name": "Thing.cleanup",
            "trigger": resource_cleanup_trigger,
            "skip_on_upstream_skip": False,
            "checkpoint": False,
        }

    def test_a_class_without_setup_gets_no_setup_task(self):
        cleaned = []

        @resource_manager
        class Marker:
            def __init__(self, label):
                self.label = label

            def cleanup(self, resource):
                cleaned.append((self.label, resource))

        with Flow("f") as flow:
            with Marker("m") as resource:
                out = inc(1)
        assert resource is None
        assert not any(isinstance(t, ResourceSetupTask) for t in flow.tasks)
        state = flow.run()
        assert state.is_successful() and state.result[out].result == 2
        assert cleaned == [("m", None)]

    def test_cleanup_runs_when_a_task_of_the_block_fails(self):
        events = []

        @resource_manager
        class Conn:
            def setup(self):
                events.append("setup")
                return "conn"

            def cleanup(self, conn):
                events.append(f"cleanup {conn}")

        @task
        def boom(conn):
            raise RuntimeError("fails")

        with Flow("f") as flow:
            with Conn() as conn:
                failing = boom(conn)
        state = flow.run()
        assert events == ["setup", "cleanup conn"]
        cleanup = next(t for t in flow.tasks if isinstance(t, ResourceCleanupTask))
        assert state.result[cleanup].is_successful() and state.result[failing].is_failed()
        # the flow's state comes from the block's tasks, not from the cleanup
        assert state.is_failed() and flow.reference_tasks() == {failing}

    def test_cleanup_skips_when_setup_failed(self):
        @resource_manager
        class Broken:
            def setup(self):
                raise RuntimeError("no resource")

            def cleanup(self, resource):  # pragma: no cover - never called
                raise AssertionError("cleanup without a resource")

        with Flow("f") as flow:
            with Broken() as res:
                show(res)
        state = flow.run()
        cleanup = next(t for t in flow.tasks if isinstance(t, ResourceCleanupTask))
        assert state.result[cleanup].is_skipped()

    def test_parameters_and_constants_made_inside_stay_roots(self):
        @resource_manager
        class R:
            def setup(self):
                return 1

            def cleanup(self, r):
                pass

        with Flow("f") as flow:
            with R() as r:
                p = Parameter("p", default=2)
                total = add(r, p)
        assert p in flow.root_tasks()
        assert flow.run().result[total].result == 3
