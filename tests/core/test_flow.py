"""Flow: the task graph, its queries, copies, persistence and display."""

import datetime

import pytest

from prefect_classic import Flow, Parameter, Task, task
from prefect_classic.core.edge import Edge
from prefect_classic.engine.results import LocalResult
from prefect_classic.executors import LocalExecutor
from prefect_classic.schedules import IntervalSchedule
from prefect_classic.tasks.core.constants import Constant
from prefect_classic.utilities.configuration import set_temporary_config


class Add(Task):
    def run(self, x, y=0):
        return x + y


def named(name, **kwargs):
    return Task(name=name, **kwargs)


class TestConstructor:
    def test_name_is_required(self):
        with pytest.raises(ValueError, match="A name must be provided for the flow."):
            Flow("")

    def test_arguments_are_stored(self, tmp_path):
        a, b = named("a"), named("b")
        res = LocalResult(dir=str(tmp_path))

        def handler(flow, old, new):
            return new

        executor = LocalExecutor()
        schedule = IntervalSchedule(interval=datetime.timedelta(days=1))
        flow = Flow(
            "f",
            tasks=[a],
            edges=[Edge(a, b)],
            reference_tasks=[a],
            state_handlers=[handler],
            result=res,
            executor=executor,
            schedule=schedule,
            validate=True,
        )
        assert flow.name == "f" and flow.tasks == {a, b} and flow.edges == {Edge(a, b)}
        assert flow.reference_tasks() == {a} and flow.state_handlers == [handler]
        assert flow.result is res and flow.executor is executor and flow.schedule is schedule

    def test_on_failure_becomes_a_state_handler(self):
        from prefect_classic.engine.state import Failed, Success

        calls = []
        flow = Flow("f", on_failure=lambda f, s: calls.append(s))
        (handler,) = flow.state_handlers
        failed = Failed()
        handler(flow, None, Success())
        handler(flow, None, failed)
        assert flow.on_failure is not None and calls == [failed]

    def test_environment_argument_is_rejected(self):
        with pytest.raises(ValueError, match="`environment` is part of Prefect Cloud/Server"):
            Flow("f", environment=object())

    def test_run_config_and_storage_are_kept(self):
        from prefect_classic.run_configs import LocalRun
        from prefect_classic.storage import Module

        run_config, storage = LocalRun(), Module("flows")
        flow = Flow("f", run_config=run_config, storage=storage)
        assert flow.run_config is run_config and flow.storage is storage
        assert Flow("g").run_config is None and Flow("g").storage is None

    def test_repr(self):
        assert repr(Flow("my flow")) == '<Flow: name="my flow">'

    def test_with_block_sets_the_flow_in_context_and_nests(self):
        from prefect_classic import context

        with Flow("outer") as outer:
            with Flow("inner") as inner:
                assert context.flow is inner
            assert context.flow is outer
        assert "flow" not in context


class TestAddTask:
    def test_add_task_assigns_name_based_slugs(self):
        flow = Flow("f")
        a1, a2, b = named("a"), named("a"), named("b")
        for t in (a1, a2, b):
            flow.add_task(t)
        assert (flow.slugs[a1], flow.slugs[a2], flow.slugs[b]) == ("a-1", "a-2", "b-1")
        # the slug belongs to the (task, flow) pair: the task itself keeps none
        assert a1.slug is None

    def test_generated_slugs_include_sorted_tags(self):
        flow = Flow("f")
        t = flow.add_task(named("a", tags=["z", "m"]))
        assert flow.slugs[t] == "a-m-z-1"

    def test_slugs_are_stable_across_flows_built_alike(self):
        tasks = [named("a"), named("a"), named("b")]
        assert Flow("one", tasks=tasks).slugs == Flow("two", tasks=tasks).slugs

    def test_generated_slug_skips_taken_ones(self):
        flow = Flow("f")
        flow.add_task(named("x", slug="a-1"))
        t = flow.add_task(named("a"))
        assert flow.slugs[t] == "a-2"

    def test_adding_twice_is_a_no_op(self):
        flow = Flow("f")
        t = named("a")
        assert flow.add_task(t) is t and flow.add_task(t) is t
        assert flow.tasks == {t}

    def test_duplicate_slug(self):
        flow = Flow("f")
        flow.add_task(named("a", slug="s"))
        with pytest.raises(
            ValueError, match='A task with the slug "s" already exists in this flow.'
        ):
            flow.add_task(named("b", slug="s"))

    def test_non_task(self):
        with pytest.raises(TypeError, match="Tasks must be Task instances"):
            Flow("f").add_task(5)

    def test_duplicate_parameter_names(self):
        """A Parameter's slug is its name, so two parameters of one name clash on the slug."""
        flow = Flow("f")
        flow.add_task(Parameter("p"))
        with pytest.raises(
            ValueError, match='A task with the slug "p" already exists in this flow.'
        ):
            flow.add_task(Parameter("p"))

    def test_explicit_flow_argument_wins_over_the_context(self):
        flow = Flow("explicit")
        with pytest.warns(UserWarning, match="Tasks were created but not added to the flow"):
            with Flow("in context") as other:
                t = Add()(1, flow=flow)
        assert t in flow and t not in other


class TestAddEdge:
    def test_add_edge_adds_both_tasks(self):
        a, b = named("a"), Add()
        flow = Flow("f")
        edge = flow.add_edge(a, b, key="x")
        assert flow.tasks == {a, b} and flow.edges == {edge}
        assert edge == Edge(a, b, key="x")

    def test_same_edge_twice_is_kept_once(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        flow.add_edge(a, b)
        assert len(flow.edges) == 1

    def test_duplicate_key_is_caught_when_validating(self):
        a, b, c = named("a"), named("b"), Add()
        flow = Flow("f")
        flow.add_edge(a, c, key="x")
        flow.add_edge(b, c, key="x")  # not validated by default (Prefect 1)
        with pytest.raises(
            ValueError,
            match=r'Argument "x" for task <Task: Add> has already been assigned in this flow',
        ):
            flow.add_edge(named("d"), c, key="x", validate=True)

    def test_same_keyed_edge_again_is_a_duplicate_key_when_validating(self):
        a, c = named("a"), Add()
        flow = Flow("f")
        flow.add_edge(a, c, key="x")
        with pytest.raises(ValueError, match="already been assigned"):
            flow.add_edge(a, c, key="x", validate=True)

    def test_unknown_run_argument_is_a_type_error_when_validating(self):
        flow = Flow("f")
        flow.add_edge(named("a"), Add(), key="z", validate=False)
        with pytest.raises(
            TypeError, match=r"Task <Task: Add> has no argument 'z'; its run\(\) takes: x, y."
        ):
            flow.add_edge(named("a"), Add(), key="z", validate=True)
        with pytest.raises(TypeError, match="takes: no arguments"):
            flow.add_edge(named("a"), named("b"), key="z", validate=True)

    def test_constant_with_a_key_becomes_a_flow_constant(self):
        flow = Flow("f")
        c = Add()
        edge = flow.add_edge(Constant(5), c, key="x")
        assert edge.key == "x" and flow.constants[c] == {"x": 5}
        assert flow.tasks == {c} and flow.edges == set()

    def test_mapped_or_flattened_constant_stays_a_task(self):
        flow = Flow("f")
        c = Add()
        const = Constant([1, 2])
        flow.add_edge(const, c, key="x", mapped=True)
        assert const in flow.tasks and flow.constants[c] == {}

    def test_parameter_cannot_be_downstream(self):
        with pytest.raises(ValueError, match="Parameters must be root tasks"):
            Flow("f").add_edge(named("a"), Parameter("p"))

    def test_mapping_inside_a_mapped_context_is_refused(self):
        from prefect_classic import context

        with context(mapped=True):
            with pytest.raises(
                ValueError, match="Cannot set `mapped=True` when running from inside a mapped"
            ):
                Flow("f").add_edge(named("a"), Add(), key="x", mapped=True)

    def test_var_keyword_run_accepts_any_key(self):
        class Kw(Task):
            def run(self, **kwargs):
                return kwargs

        edge = Flow("f").add_edge(named("a"), Kw(), key="anything")
        assert edge.key == "anything"

    def test_invalid_key(self):
        with pytest.raises(
            ValueError, match='Key must be a valid identifier \\(received "not valid"\\)'
        ):
            Flow("f").add_edge(named("a"), Add(), key="not valid")

    def test_cycle_with_validate(self):
        a, b, c = named("a"), named("b"), named("c")
        flow = Flow("f")
        flow.add_edge(a, b)
        flow.add_edge(b, c)
        with pytest.raises(ValueError, match="Cycle found; flows must be acyclic!"):
            flow.add_edge(c, a, validate=True)
        # the rejected edge is not left behind
        assert flow.edges == {Edge(a, b), Edge(b, c)}
        assert flow.sorted_tasks() == (a, b, c)

    def test_self_loop_is_always_refused(self):
        a = named("a")
        with pytest.raises(ValueError, match="Edges can not connect a task to itself."):
            Flow("f").add_edge(a, a, validate=False)

    def test_cycle_without_validate_is_caught_later(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        flow.add_edge(b, a)
        with pytest.raises(ValueError, match="Cycle found; flows must be acyclic!"):
            flow.validate()

    def test_eager_validation_from_config(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        with set_temporary_config({"flows.eager_edge_validation": True}):
            with pytest.raises(ValueError, match="Cycle found"):
                flow.add_edge(b, a)


class TestSetDependencies:
    def test_all_kinds_of_dependencies(self):
        a, b, c, d = named("a"), Add(), named("c"), named("d")
        flow = Flow("f")
        flow.set_dependencies(
            b, upstream_tasks=[a], downstream_tasks=[c], keyword_tasks={"x": d, "y": 3}
        )
        assert flow.upstream_tasks(b) == {a, d} and flow.downstream_tasks(b) == {c}
        assert flow.constants[b] == {"y": 3}
        assert {(e.upstream_task, e.key) for e in flow.edges_to(b)} == {(a, None), (d, "x")}

    def test_mapped_keyword_values_become_tasks(self):
        b = Add()
        flow = Flow("f")
        flow.set_dependencies(b, keyword_tasks={"x": [1, 2]}, mapped=True)
        (edge,) = flow.edges_to(b)
        assert isinstance(edge.upstream_task, Constant) and edge.mapped

    def test_validate_flag_catches_cycles(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        with pytest.raises(ValueError, match="Cycle found"):
            flow.set_dependencies(a, upstream_tasks=[b], validate=True)


@pytest.fixture
def diamond():
    """a -> b, a -> c, b -> d, c -> d, plus an isolated e."""
    a, b, c, d, e = (named(n) for n in "abcde")
    flow = Flow("diamond")
    for up, down in ((a, b), (a, c), (b, d), (c, d)):
        flow.add_edge(up, down)
    flow.add_task(e)
    return flow, (a, b, c, d, e)


class TestQueries:
    def test_upstream_and_downstream(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.upstream_tasks(d) == {b, c} and flow.downstream_tasks(a) == {b, c}
        assert flow.upstream_tasks(e) == set()
        for query in (flow.upstream_tasks, flow.downstream_tasks, flow.edges_to, flow.edges_from):
            with pytest.raises(ValueError, match="was not found in Flow"):
                query(named("x"))

    def test_edges_to_and_from(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.edges_to(d) == {Edge(b, d), Edge(c, d)}
        assert flow.edges_from(a) == {Edge(a, b), Edge(a, c)}
        flow.edges_to(d).clear()  # a copy: the flow is not changed
        assert len(flow.edges_to(d)) == 2

    def test_root_and_terminal_tasks(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.root_tasks() == {a, e} and flow.terminal_tasks() == {d, e}

    def test_cached_queries_refresh_when_the_graph_changes(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.terminal_tasks() == {d, e}
        f = named("f")
        flow.add_edge(d, f)
        assert flow.terminal_tasks() == {e, f}
        assert flow.sorted_tasks()[-1] is f

    def test_reference_tasks_default_to_terminal_tasks(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.reference_tasks() == {d, e}
        flow.set_reference_tasks([b])
        assert flow.reference_tasks() == {b}
        flow.set_reference_tasks([])
        assert flow.reference_tasks() == {d, e}

    def test_set_reference_tasks_outside_the_flow(self, diamond):
        flow, _ = diamond
        with pytest.raises(ValueError, match="reference tasks must be part of the flow."):
            flow.set_reference_tasks([named("stranger")])

    def test_parameters(self):
        with Flow("f") as flow:
            p, q = Parameter("p"), Parameter("q", default=1)
            Add()(p, q)
        assert flow.parameters() == {p, q}

    def test_iteration_length_and_membership(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert list(flow) == list(flow.sorted_tasks())
        assert a in flow and named("x") not in flow


class TestSortedTasks:
    def test_upstream_tasks_come_first(self, diamond):
        flow, (a, b, c, d, e) = diamond
        order = flow.sorted_tasks()
        assert set(order) == {a, b, c, d, e}
        pos = {t: i for i, t in enumerate(order)}
        for edge in flow.edges:
            assert pos[edge.upstream_task] < pos[edge.downstream_task]

    def test_ties_are_broken_by_name_so_the_order_is_stable(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.sorted_tasks() == (a, e, b, c, d)

    def test_root_tasks_limit_to_descendants(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.sorted_tasks(root_tasks=[b]) == (b, d)
        assert set(flow.sorted_tasks(root_tasks=[b, c])) == {b, c, d}
        assert flow.sorted_tasks(root_tasks=[e]) == (e,)

    def test_root_tasks_must_be_in_the_flow(self, diamond):
        flow, _ = diamond
        with pytest.raises(ValueError, match="was not found in Flow"):
            flow.sorted_tasks(root_tasks=[named("stranger")])

    def test_cycle_raises(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        flow.add_edge(b, a)
        with pytest.raises(ValueError, match="Cycle found"):
            flow.sorted_tasks()

    def test_long_chain_sorts_in_order(self):
        with Flow("chain") as flow:
            tasks = [named(f"t{i:04d}") for i in range(2000)]
            flow.chain(*tasks)
        assert flow.sorted_tasks() == tuple(tasks)


class TestGetTasks:
    def test_filters_combine(self):
        a = named("a", tags=["x", "y"])
        b = named("b", tags=["x"])
        p = Parameter("a")
        flow = Flow("f", tasks=[a, b, p])
        assert set(flow.get_tasks(name="a")) == {a, p}
        assert flow.get_tasks(slug="b-x-1") == [b]
        assert set(flow.get_tasks(tags=["x"])) == {a, b}
        assert flow.get_tasks(tags=["x", "y"]) == [a]
        assert flow.get_tasks(task_type=Parameter) == [p]
        assert flow.get_tasks(name="a", task_type=Parameter) == [p]
        assert set(flow.get_tasks()) == {a, b, p}
        assert flow.get_tasks(name="nope") == []


class TestReplace:
    def test_replace_moves_edges_constants_and_reference_status(self):
        a, old, c = named("a"), Add(name="old"), named("c")
        flow = Flow("f")
        flow.add_edge(a, old, key="x")
        flow.add_edge(old, c)
        flow.constants[old]["y"] = 5
        flow.set_reference_tasks([old])
        new = Add(name="new")
        flow.replace(old, new)
        assert old not in flow and new in flow
        assert flow.edges == {Edge(a, new, key="x"), Edge(new, c)}
        assert flow.constants[new] == {"y": 5} and old not in flow.constants
        assert flow.reference_tasks() == {new}
        assert "old-1" not in flow.slugs.values()

    def test_replace_with_a_value_makes_a_constant(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        flow.replace(a, 10)
        (up,) = flow.upstream_tasks(b)
        assert isinstance(up, Constant) and up.value == 10

    def test_replace_missing_task(self):
        with pytest.raises(ValueError, match="was not found in Flow"):
            Flow("f").replace(named("x"), named("y"))

    def test_replaced_slug_can_be_reused(self):
        flow = Flow("f")
        old = flow.add_task(named("t", slug="keep"))
        flow.replace(old, named("other"))
        flow.add_task(named("again", slug="keep"))


class TestUpdateCopyChain:
    def test_update_merges_tasks_edges_and_constants(self):
        a, b = named("a"), Add()
        other = Flow("other")
        other.add_edge(a, b, key="x")
        other.constants[b]["y"] = 1
        flow = Flow("f")
        flow.update(other)
        assert flow.tasks == {a, b} and flow.edges == other.edges and flow.constants[b] == {"y": 1}

    def test_update_with_merge_parameters_takes_the_other_flows_parameters(self):
        with Flow("one") as one:
            p1 = Parameter("p")
            t1 = Add()(p1)
        with Flow("two") as two:
            p2 = Parameter("p")
            t2 = Add()(p2)
        one.update(two, merge_parameters=True)
        assert one.parameters() == {p2}
        assert one.upstream_tasks(t1) == {p2} and one.upstream_tasks(t2) == {p2}

    def test_update_without_merge_refuses_a_shared_parameter_name(self):
        with Flow("one") as one:
            Add()(Parameter("p"))
        with Flow("two") as two:
            Add()(Parameter("p"))
        with pytest.raises(ValueError, match='A task with the slug "p" already exists'):
            one.update(two)

    def test_update_can_merge_reference_tasks(self):
        a, b = named("a"), named("b")
        one, two = Flow("one", tasks=[a]), Flow("two", tasks=[b])
        one.set_reference_tasks([a])
        two.set_reference_tasks([b])
        one.update(two, merge_reference_tasks=True)
        assert one.reference_tasks() == {a, b}

    def test_tasks_of_separately_built_flows_keep_distinct_slugs(self):
        with Flow("one") as one:
            t1 = Add()(1)
        with Flow("two") as two:
            t2 = Add()(2)
        one.update(two)
        assert one.slugs[t1] == "Add-1" and one.slugs[t2] == "Add-2"
        assert two.slugs[t2] == "Add-1"

    def test_user_slugs_still_clash(self):
        one = Flow("one", tasks=[named("a", slug="mine")])
        two = Flow("two", tasks=[named("b", slug="mine")])
        with pytest.raises(ValueError, match='A task with the slug "mine" already exists'):
            one.update(two)

    def test_update_without_merge_rejects_duplicate_parameters(self):
        one, two = Flow("one", tasks=[Parameter("p")]), Flow("two", tasks=[Parameter("p")])
        with pytest.raises(ValueError, match="already exists"):
            one.update(two)

    def test_copy_is_independent(self, diamond):
        flow, (a, b, c, d, e) = diamond
        copy = flow.copy()
        assert copy == flow and copy is not flow
        copy.add_edge(d, named("z"))
        copy.set_reference_tasks([a])
        assert len(flow.tasks) == 5 and len(copy.tasks) == 6 and flow.reference_tasks() == {d, e}
        assert copy.tasks >= flow.tasks  # tasks themselves are shared

    def test_chain(self):
        a, b, c = named("a"), named("b"), named("c")
        flow = Flow("f")
        edges = flow.chain(a, b, c)
        assert edges == [Edge(a, b), Edge(b, c)] and flow.sorted_tasks() == (a, b, c)

    def test_equality(self, diamond):
        flow, _ = diamond
        assert flow == flow.copy()
        assert flow != Flow("diamond") and flow != "diamond"
        assert len({flow, flow.copy()}) == 2


class TestCache:
    def test_queries_are_memoized_under_their_name_and_arguments(self, diamond):
        flow, (a, b, c, d, e) = diamond
        roots = flow.root_tasks()
        assert flow._cache[("root_tasks", ())] == roots
        flow.sorted_tasks([b])
        assert flow._cache[("_sorted_tasks", (("root_tasks", (b,)),))] == (b, d)

    def test_every_change_clears_the_cache(self, diamond):
        flow, (a, *_) = diamond
        for change in (
            lambda: flow.add_task(named("new")),
            lambda: flow.add_edge(a, named("x")),
            lambda: flow.set_reference_tasks([a]),
        ):
            flow._cache["marker"] = 1
            change()
            assert "marker" not in flow._cache

    def test_direct_changes_to_the_task_set_are_noticed(self, diamond):
        flow, (a, b, c, d, e) = diamond
        assert flow.root_tasks() == {a, e}
        stray = named("stray")
        flow.tasks.add(stray)
        assert flow.root_tasks() == {a, e, stray}

    def test_the_cache_survives_pickling(self, diamond):
        import cloudpickle

        flow, (a, *_) = diamond
        flow.sorted_tasks()
        flow._cache[("_sorted_tasks", (("root_tasks", ()),))] = "remembered"
        restored = cloudpickle.loads(cloudpickle.dumps(flow))
        assert restored.sorted_tasks() == "remembered"
        restored.add_task(named("new"))
        assert restored.sorted_tasks() != "remembered"

    def test_edge_maps_cover_every_task(self, diamond):
        flow, (a, b, c, d, e) = diamond
        up, down = flow.all_upstream_edges(), flow.all_downstream_edges()
        assert set(up) == set(down) == flow.tasks
        assert up[d] == {Edge(b, d), Edge(c, d)} and down[e] == set()


class TestRun:
    def test_run_inside_the_flow_block_is_refused(self):
        with pytest.raises(
            RuntimeError, match=r"Don't call `flow.run\(\)` from within a `Flow` context manager"
        ):
            with Flow("f") as flow:
                flow.run()

    def test_run_name_and_id_keywords_reach_the_context(self):
        from prefect_classic import context

        @task
        def run_names():
            return context.flow_run_name, context.flow_run_id

        with Flow("f") as flow:
            names = run_names()
        state = flow.run(flow_run_name="nightly", flow_run_id="run-1")
        assert state.result[names].result == ("nightly", "run-1")

    def test_a_parameter_named_like_a_run_keyword_stays_a_parameter(self):
        p = Parameter("flow_run_name")
        flow = Flow("f", tasks=[p])
        state = flow.run(flow_run_name="value")
        assert state.result[p].result == "value"


class TestValidate:
    def test_valid_flow(self, diamond):
        flow, _ = diamond
        flow.validate()

    def test_edge_to_a_missing_task(self, diamond):
        flow, (a, *_) = diamond
        flow.edges.add(Edge(a, named("ghost")))
        with pytest.raises(
            ValueError, match="Some edges refer to tasks not contained in this flow."
        ):
            flow.validate()

    def test_missing_reference_task(self, diamond):
        flow, _ = diamond
        flow._reference_tasks.add(named("ghost"))
        with pytest.raises(
            ValueError, match="Some reference tasks are not contained in this flow."
        ):
            flow.validate()

    def test_serialize_validates_first(self):
        a, b = named("a"), named("b")
        flow = Flow("f")
        flow.add_edge(a, b)
        flow.add_edge(b, a)  # not validated when added
        with pytest.raises(ValueError, match="Cycle found"):
            flow.serialize()

    def test_serialized_hash_is_stable(self, diamond):
        flow, _ = diamond
        assert flow.serialized_hash() == flow.copy().serialized_hash()
        other = flow.copy()
        other.name = "renamed"
        assert other.serialized_hash() != flow.serialized_hash()

    def test_duplicate_slugs(self, diamond):
        flow, (a, b, *_) = diamond
        flow.slugs[b] = flow.slugs[a]
        with pytest.raises(ValueError, match="Tasks must have unique slugs within a flow."):
            flow.validate()


class TestSaveLoad:
    def test_round_trip(self, tmp_path):
        @task
        def double(x):
            return 2 * x

        with Flow("saved flow") as flow:
            p = Parameter("p", default=2)
            double(p)
        path = flow.save(str(tmp_path / "flow.prefect"))
        loaded = Flow.load(path)
        assert loaded.name == "saved flow" and len(loaded.tasks) == 2
        assert {t.name for t in loaded.tasks} == {"p", "double"}
        assert loaded.sorted_tasks()[1].run(3) == 6
        assert loaded.logger.name == "prefect.saved flow"
        state = loaded.run()
        assert state.is_successful()

    def test_default_location_uses_home_dir(self, tmp_path):
        with set_temporary_config({"home_dir": str(tmp_path)}):
            path = Flow("My Flow!", tasks=[named("a")]).save()
            assert path == str(tmp_path / "flows" / "my-flow.prefect")
            assert Flow.load("My Flow!").name == "My Flow!"
