"""ifelse / switch / merge / case run end to end: unchosen branches are Skipped, the skip spreads
downstream, and merge takes the first branch that ran."""
from prefect_classic import Flow, Parameter, case, task, unmapped
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
