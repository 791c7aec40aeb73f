"""Mapping (map, unmapped, flatten, empty inputs, multi-level maps, reduce), apply_map, case
branches and resource managers run as in Prefect 1."""

import pytest

from prefect_classic import (
    Flow,
    Parameter,
    apply_map,
    case,
    context,
    flatten,
    resource_manager,
    task,
    unmapped,
)
from prefect_classic.engine import signals
from prefect_classic.engine.state import Failed, Mapped, Skipped, Success, TriggerFailed
from prefect_classic.triggers import all_finished


@task
def inc(x):
    return x + 1


@task
def add(x, y):
    return x + y


@task
def total(xs):
    return sum(xs)


@task
def collect(xs):
    return list(xs)


@task
def fail_on_two(x):
    if x == 2:
        raise ValueError("two")
    return x


@task
def index():
    return context.get("map_index")


# --- map ------------------------------------------------------------------------------------------
def test_map_gives_a_mapped_parent_with_one_child_per_element():
    with Flow("map") as flow:
        out = inc.map([1, 2, 3])
    state = flow.run().result[out]
    assert isinstance(state, Mapped)
    assert [type(s) for s in state.map_states] == [Success] * 3
    assert state.result == [2, 3, 4]


def test_children_see_their_map_index_and_full_name():
    @task
    def names(x):
        return context.get("map_index"), context.get("task_full_name")

    with Flow("index") as flow:
        out = names.map(["a", "b"])
    assert flow.run().result[out].result == [(0, "names[0]"), (1, "names[1]")]


def test_unmapped_argument_is_passed_whole_to_every_child():
    with Flow("unmapped") as flow:
        out = add.map([1, 2, 3], unmapped(10))
    assert flow.run().result[out].result == [11, 12, 13]


def test_unmapped_list_is_not_iterated():
    @task
    def size(x, ys):
        return x + len(ys)

    with Flow("unmapped-list") as flow:
        out = size.map([1, 2], ys=unmapped([7, 7, 7]))
    assert flow.run().result[out].result == [4, 5]


def test_map_over_several_inputs_zips_them_to_the_shortest():
    with Flow("zip") as flow:
        out = add.map([1, 2, 3], [10, 20])
    assert flow.run().result[out].result == [11, 22]


def test_map_over_a_parameter_value():
    with Flow("param-map") as flow:
        xs = Parameter("xs")
        out = inc.map(xs)
    assert flow.run(xs=[5, 6]).result[out].result == [6, 7]


def test_flatten_maps_over_a_list_of_lists():
    @task
    def nested():
        return [[1, 2], [3]]

    with Flow("flatten") as flow:
        out = inc.map(flatten(nested()))
    assert flow.run().result[out].result == [2, 3, 4]


def test_flatten_of_a_mapped_upstream_maps_over_all_grandchildren():
    @task
    def repeat(x):
        return [x] * x

    with Flow("flatten-mapped") as flow:
        lists = repeat.map([1, 2])
        out = inc.map(flatten(lists))
    assert flow.run().result[out].result == [2, 3, 3]


def test_multi_level_map_runs_children_element_wise():
    with Flow("levels") as flow:
        first = inc.map([1, 2, 3])
        second = inc.map(first)
        third = add.map(second, first)
    state = flow.run()
    assert state.result[second].result == [3, 4, 5]
    assert state.result[third].result == [5, 7, 9]


def test_reduce_task_receives_the_list_of_child_results():
    with Flow("reduce") as flow:
        mapped = inc.map([1, 2, 3])
        out = collect(mapped)
        summed = total(mapped)
    state = flow.run()
    assert state.result[out].result == [2, 3, 4]
    assert state.result[summed].result == 9


def test_empty_input_gives_mapped_with_no_children_and_downstream_runs_on_empty():
    with Flow("empty") as flow:
        first = inc.map([])
        second = inc.map(first)
        reduced = total(second)
    state = flow.run()
    assert state.is_successful()
    assert isinstance(state.result[first], Mapped) and state.result[first].map_states == []
    assert isinstance(state.result[second], Mapped) and state.result[second].map_states == []
    assert state.result[reduced].result == 0


def test_unmappable_upstream_result_fails_the_parent():
    @task
    def five():
        return 5

    with Flow("unmappable") as flow:
        out = inc.map(five())
    state = flow.run()
    assert isinstance(state.result[out], Failed)
    assert "unmappable" in state.result[out].message


def test_failed_upstream_of_a_mapped_task_fails_the_parent():
    @task
    def broken():
        raise ValueError()

    with Flow("no-map") as flow:
        out = inc.map(broken())
    state = flow.run()
    assert isinstance(state.result[out], Failed)
    assert state.is_failed()


def test_failed_child_fails_its_downstream_child_and_the_reduce():
    with Flow("failed-child") as flow:
        first = fail_on_two.map([1, 2, 3])
        second = inc.map(first)
        reduced = total(first)
    state = flow.run()
    assert [type(s) for s in state.result[first].map_states] == [Success, Failed, Success]
    assert [type(s) for s in state.result[second].map_states] == [Success, TriggerFailed, Success]
    assert isinstance(state.result[reduced], TriggerFailed)
    assert state.is_failed()


def test_all_finished_reduce_runs_after_a_failed_child():
    @task(trigger=all_finished)
    def count(xs):
        return len(xs)

    with Flow("finished-reduce") as flow:
        out = count(fail_on_two.map([1, 2, 3]))
    assert flow.run().result[out].result == 3


def test_skipped_child_skips_only_its_downstream_child():
    @task
    def skip_two(x):
        if x == 2:
            raise signals.SKIP()
        return x

    with Flow("skip-child") as flow:
        out = inc.map(skip_two.map([1, 2, 3]))
    states = flow.run().result[out].map_states
    assert [type(s) for s in states] == [Success, Skipped, Success]


def test_mapped_reference_task_with_a_failed_child_fails_the_flow():
    with Flow("ref-children") as flow:
        fail_on_two.map([1, 2])
    assert flow.run().is_failed()


def test_large_map_runs_every_child():
    with Flow("large") as flow:
        out = total(inc.map(list(range(2000))))
    assert flow.run().result[out].result == sum(range(1, 2001))


# --- apply_map and case -----------------------------------------------------------------------------
def test_apply_map_maps_every_task_built_by_the_function():
    def pipeline(x, y):
        return add(inc(x), y)

    with Flow("apply-map") as flow:
        out = apply_map(pipeline, [1, 2, 3], y=unmapped(100))
    assert flow.run().result[out].result == [102, 103, 104]


def test_apply_map_with_case_branches_per_element():
    @task
    def is_even(x):
        return x % 2 == 0

    @task
    def half(x):
        return x // 2

    @task
    def triple(x):
        return 3 * x

    def branch(x):
        cond = is_even(x)
        with case(cond, True):
            even = half(x)
        with case(cond, False):
            odd = triple(x)
        return even, odd

    with Flow("apply-map-case") as flow:
        even, odd = apply_map(branch, [1, 2, 3, 4])
    state = flow.run()
    assert [type(s) for s in state.result[even].map_states] == [Skipped, Success, Skipped, Success]
    assert state.result[even].result[1::2] == [1, 2]
    assert state.result[odd].result[0::2] == [3, 9]


def test_case_runs_the_matching_branch_and_skips_the_other():
    @task
    def value():
        return "a"

    @task
    def branch_a():
        return "ran a"

    @task
    def branch_b():
        return "ran b"

    with Flow("case") as flow:
        v = value()
        with case(v, "a"):
            a = branch_a()
        with case(v, "b"):
            b = branch_b()
            after_b = inc(b)
    state = flow.run()
    assert state.result[a].result == "ran a"
    assert isinstance(state.result[b], Skipped)
    assert isinstance(state.result[after_b], Skipped)
    assert state.is_successful()


# --- resource manager --------------------------------------------------------------------------------
def make_resource(events):
    @resource_manager
    class Connection:
        def __init__(self, name):
            self.name = name

        def setup(self):
            events.append(("setup", self.name))
            return f"conn-{self.name}"

        def cleanup(self, resource):
            events.append(("cleanup", resource))

    return Connection


def test_resource_is_set_up_used_and_cleaned_up_in_order():
    events = []
    Connection = make_resource(events)

    @task
    def use(conn):
        events.append(("use", conn))
        return conn.upper()

    with Flow("resource") as flow:
        with Connection("db") as conn:
            out = use(conn)
    state = flow.run()
    assert state.is_successful()
    assert state.result[out].result == "CONN-DB"
    assert events == [("setup", "db"), ("use", "conn-db"), ("cleanup", "conn-db")]


def test_cleanup_runs_when_a_task_using_the_resource_fails_and_flow_fails():
    events = []
    Connection = make_resource(events)

    @task
    def use(conn):
        raise RuntimeError("query failed")

    with Flow("resource-fail") as flow:
        with Connection("db") as conn:
            out = use(conn)
    state = flow.run()
    assert isinstance(state.result[out], Failed)
    assert ("cleanup", "conn-db") in events
    assert state.is_failed()


def test_failed_setup_skips_cleanup_and_fails_the_flow():
    events = []

    @resource_manager
    class Broken:
        def setup(self):
            raise RuntimeError("no connection")

        def cleanup(self, resource):
            events.append("cleanup")

    @task
    def use(conn):
        events.append("use")

    with Flow("setup-fail") as flow:
        with Broken() as conn:
            use(conn)
    state = flow.run()
    assert state.is_failed()
    assert events == []


@pytest.mark.parametrize("n", [0, 1])
def test_map_index_is_none_outside_mapping(n):
    with Flow("no-index") as flow:
        out = index()
    assert flow.run().result[out].result is None


def test_flatten_of_a_plain_list_flattens_exactly_one_level():
    """map(flatten(x)) over a list of lists of lists yields the inner lists as children, once each."""
    from prefect_classic import Flow, flatten, task

    @task
    def nested():
        return [[[1], [2]], [[3]]]

    @task
    def ident(x):
        return x

    with Flow("flatten-once") as flow:
        children = ident.map(flatten(nested()))

    state = flow.run()
    assert state.result[children].result == [[1], [2], [3]]
    assert len(state.result[children].map_states) == 3
