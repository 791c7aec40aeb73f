"""ifelse / switch / merge / case run end to end: unchosen branches are Skipped, the skip spreads
downstream, and merge takes the first branch that ran."""

from prefect_classic import Flow, Parameter, apply_map, case, flatten, task, unmapped
from prefect_classic.tasks.control_flow import ifelse, merge, switch


@task
def value(x):
    return x


@task
def tag(label, x=None):
    return f"{label}:{x}" if x is not None else label


def test_ifelse_runs_true_branch_and_skips_false_branch_and_its_downstream():
    with Flow("ifelse") as flow:
        cond = Parameter("cond")
        yes = tag("yes")
        no = tag("no")
        ifelse(cond, yes, no)
        after_no = tag("after", no)
        merged = merge(yes, no)

    state = flow.run(parameters={"cond": 1})
    assert state.is_successful()
    assert state.result[yes].is_successful() and state.result[yes].result == "yes"
    assert state.result[no].is_skipped()
    assert state.result[after_no].is_skipped()
    assert state.result[merged].result == "yes"

    state = flow.run(parameters={"cond": 0})
    assert state.result[yes].is_skipped()
    assert state.result[no].result == "no"
    assert state.result[after_no].result == "after:no"
    assert state.result[merged].result == "no"


def test_switch_runs_only_the_matching_case():
    with Flow("switch") as flow:
        key = Parameter("key")
        a, b, c = tag("a"), tag("b"), tag("c")
        switch(key, {"a": a, "b": b, "c": c})
        downstream_of_c = tag("d", c)
        merged = merge(a, b, c)

    state = flow.run(parameters={"key": "b"})
    assert state.is_successful()
    assert [state.result[t].is_skipped() for t in (a, b, c)] == [True, False, True]
    assert state.result[b].result == "b"
    assert state.result[downstream_of_c].is_skipped()
    assert state.result[merged].result == "b"


def test_merge_of_only_skipped_branches_is_skipped():
    """Prefect 1.4.1's Merge has trigger `not_all_skipped`: no branch ran -> the merge skips
    (and so does what follows it)."""
    with Flow("switch-none") as flow:
        key = Parameter("key")
        a, b = tag("a"), tag("b")
        switch(key, {"a": a, "b": b})
        merged = merge(a, b)
        after = tag("after", merged)

    state = flow.run(parameters={"key": "zzz"})
    assert state.result[a].is_skipped() and state.result[b].is_skipped()
    assert state.result[merged].is_skipped()
    assert state.result[after].is_skipped()


def test_merge_takes_the_first_branch_that_ran_in_argument_order():
    with Flow("merge-order") as flow:
        cond = Parameter("cond")
        skipped = tag("skipped")
        ran_1 = value(1)
        ran_2 = value(2)
        ifelse(cond, tag("unused"), skipped)
        m12 = merge(skipped, ran_1, ran_2)
        m21 = merge(ran_2, ran_1)

    state = flow.run(parameters={"cond": True})
    assert state.result[skipped].is_skipped()
    assert state.result[m12].result == 1
    assert state.result[m21].result == 2


def test_case_blocks_with_merge():
    with Flow("case") as flow:
        x = Parameter("x")
        is_big = value(x)
        with case(is_big, True):
            big = tag("big", x)
            big_after = tag("big-after", big)
        with case(is_big, False):
            small = tag("small", x)
        merged = merge(big_after, small)

    state = flow.run(parameters={"x": True})
    assert state.result[big].result == "big:True"
    assert state.result[big_after].result == "big-after:big:True"
    assert state.result[small].is_skipped()
    assert state.result[merged].result == "big-after:big:True"

    state = flow.run(parameters={"x": False})
    assert state.result[big].is_skipped() and state.result[big_after].is_skipped()
    assert state.result[merged].result == "small:False"


def test_mapped_switch_compares_each_element():
    """switch(mapped=True) maps the comparison too: one CompareValue child per element."""
    with Flow("mapped-switch") as flow:
        keys = Parameter("keys")
        a = tag.map(label=unmapped("a"), x=keys)
        switch(keys, {"a": a}, mapped=True)

    state = flow.run(parameters={"keys": ["a", "b", "a"]})
    assert [s.is_skipped() for s in state.result[a].map_states] == [False, True, False]


def test_mapped_ifelse_chooses_per_element():
    with Flow("mapped-ifelse") as flow:
        xs = Parameter("xs")
        yes = tag.map(label=unmapped("yes"), x=xs)
        no = tag.map(label=unmapped("no"), x=xs)
        ifelse(xs, yes, no, mapped=True)
        merged = merge(yes, no, mapped=True)

    state = flow.run(parameters={"xs": [1, 0, 2]})
    assert state.is_successful()
    yes_children = state.result[yes].map_states
    no_children = state.result[no].map_states
    assert [s.is_skipped() for s in yes_children] == [False, True, False]
    assert [s.is_skipped() for s in no_children] == [True, False, True]
    assert state.result[merged].result == ["yes:1", "no:0", "yes:2"]


# --- flow building inside `case` blocks (as Prefect 1.4.1 builds them) ---------------------------


@task
def add(x, y):
    return x + y


@task
def is_even(x):
    return x % 2 == 0


@task
def collect(xs):
    return list(xs)


def test_parameter_used_as_the_cases_own_condition_stays_a_root_task():
    """The Parameter is created inside the block it gates: it must not be gated by it (that
    made a cycle before)."""
    with Flow("param-condition") as flow:
        with case(Parameter("flag", default=True), True):
            inside = tag("inside")
    flag = next(iter(flow.parameters()))
    assert flag in flow.root_tasks()

    assert flow.run().result[inside].result == "inside"
    state = flow.run(parameters={"flag": False})
    assert state.is_successful() and state.result[inside].is_skipped()


def test_nested_case_runs_only_when_both_conditions_hold():
    with Flow("nested") as flow:
        outer, inner = Parameter("outer"), Parameter("inner")
        with case(outer, True):
            with case(inner, True):
                both = tag("both")
            only_outer = tag("outer")

    def run(o, i):
        return flow.run(parameters={"outer": o, "inner": i}).result

    assert run(True, True)[both].result == "both"
    assert run(True, False)[both].is_skipped() and run(True, False)[only_outer].result == "outer"
    result = run(False, True)
    assert result[both].is_skipped() and result[only_outer].is_skipped()


def test_constant_created_inside_a_case_is_not_gated():
    with Flow("constant") as flow:
        cond = Parameter("cond")
        with case(cond, True):
            total = add(1, 2)
    assert flow.constants[total] == {"x": 1, "y": 2}
    assert flow.run(parameters={"cond": True}).result[total].result == 3
    assert flow.run(parameters={"cond": False}).result[total].is_skipped()


def test_collection_built_inside_a_case_is_skipped_with_the_block():
    """`[a, b]` inside the block becomes a List task of the block: it skips with it."""
    with Flow("collection") as flow:
        cond = Parameter("cond")
        with case(cond, True):
            a, b = value(1), value(2)
            both = collect([a, b])
    lists = [t for t in flow.tasks if type(t).__name__ == "List"]
    assert len(lists) == 1 and lists[0].skip_on_upstream_skip is True

    assert flow.run(parameters={"cond": True}).result[both].result == [1, 2]
    state = flow.run(parameters={"cond": False})
    assert state.result[lists[0]].is_skipped() and state.result[both].is_skipped()


def test_apply_map_with_a_case_inside_runs_per_element():
    def inc_if_even(x):
        with case(is_even(x), True):
            bigger = add(x, 100)
        return merge(bigger, x)

    with Flow("apply-map") as flow:
        result = apply_map(inc_if_even, [1, 2, 3, 4])

    state = flow.run()
    assert state.is_successful()
    assert state.result[result].result == [1, 102, 3, 104]


def test_apply_map_inside_a_case_puts_every_task_in_the_flow_and_the_block():
    def double(x):
        return add(x, x)

    with Flow("apply-map-in-case") as flow:
        cond = Parameter("cond")
        with case(cond, True):
            doubled = apply_map(double, [1, 2])
    assert doubled in flow.tasks

    assert flow.run(parameters={"cond": True}).result[doubled].result == [2, 4]
    assert flow.run(parameters={"cond": False}).result[doubled].is_skipped()


def test_apply_map_keeps_flatten_and_unmapped():
    def plus(x, y):
        return add(x, y)

    with Flow("apply-map-annotations") as flow:
        out = apply_map(plus, flatten([[1], [2, 3]]), unmapped(10))
    assert flow.run().result[out].result == [11, 12, 13]


def test_case_value_cannot_be_a_task_and_blocks_need_one_flow():
    import pytest

    with pytest.raises(TypeError, match="`value` cannot be a task"):
        case(value, value)
    block = case(Parameter("p"), 1)
    with Flow("one") as one:
        with block:
            tag("a")
    with pytest.raises(
        ValueError, match="Multiple flows cannot be used with the same case statement"
    ):
        block.add_task(tag.copy(), Flow("two"))
    assert block._flow is one
