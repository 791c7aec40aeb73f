"""Targets of mapped tasks: each child formats its own target; a template that would make every
child write the same location fails clearly instead of overwriting."""

import cloudpickle
import pytest

from prefect_classic import Flow, task, unmapped
from prefect_classic.engine.results import LocalResult


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _mapped_flow(tmp_path, target, calls):
    @task(target=target, checkpoint=True, result=LocalResult(dir=tmp_path))
    def add(x, y):
        calls.append(x)
        return x + y

    with Flow("mapped-targets") as flow:
        out = add.map(x=[1, 2, 3], y=unmapped(10))
    return flow, out


@pytest.mark.parametrize(
    "target, files",
    [
        ("{task_name}/{map_index}.bin", ["add/0.bin", "add/1.bin", "add/2.bin"]),
        ("{task_full_name}.bin", ["add[0].bin", "add[1].bin", "add[2].bin"]),
        ("x-{x}-y-{y}.bin", ["x-1-y-10.bin", "x-2-y-10.bin", "x-3-y-10.bin"]),
    ],
)
def test_each_child_writes_its_own_target_and_reuses_it(tmp_path, target, files):
    calls = []
    flow, out = _mapped_flow(tmp_path, target, calls)
    first = flow.run().result[out]
    assert [s.result for s in first.map_states] == [11, 12, 13]
    assert _files(tmp_path) == files
    assert [cloudpickle.loads((tmp_path / f).read_bytes()) for f in files] == [11, 12, 13]

    second = flow.run().result[out]
    assert all(s.is_cached() for s in second.map_states)
    assert [s.result for s in second.map_states] == [11, 12, 13]
    assert sorted(calls) == [1, 2, 3]  # the bodies ran in the first run only


def test_only_children_whose_target_is_missing_run_again(tmp_path):
    calls = []
    flow, out = _mapped_flow(tmp_path, "{map_index}.bin", calls)
    flow.run()
    (tmp_path / "1.bin").unlink()
    calls.clear()
    states = flow.run().result[out].map_states
    assert [type(s).__name__ for s in states] == ["Cached", "Success", "Cached"]
    assert calls == [2] and [s.result for s in states] == [11, 12, 13]


@pytest.mark.parametrize("target", ["{task_name}.bin", "{y}.bin", "{parameters}-{today}.bin"])
def test_target_without_a_per_child_field_fails_every_child_and_writes_nothing(tmp_path, target):
    """Neither a context key shared by all children nor an unmapped input tells children apart."""
    calls = []
    flow, out = _mapped_flow(tmp_path, target, calls)
    state = flow.run()
    children = state.result[out].map_states
    assert state.is_failed() and len(children) == 3 and all(s.is_failed() for s in children)
    for child in children:
        assert f"Target {target!r} of mapped task 'add' has no per-child field" in child.message
        assert "{map_index}" in child.message
    assert calls == [] and _files(tmp_path) == []


def test_mapped_targets_under_local_dask_threads(tmp_path):
    """Children run concurrently on LocalDaskExecutor threads still write and reuse their own
    targets."""
    from prefect_classic.executors import LocalDaskExecutor

    calls = []
    flow, out = _mapped_flow(tmp_path, "{map_index}.bin", calls)
    first = flow.run(executor=LocalDaskExecutor(scheduler="threads", num_workers=3)).result[out]
    assert first.result == [11, 12, 13] and _files(tmp_path) == ["0.bin", "1.bin", "2.bin"]
    second = flow.run(executor=LocalDaskExecutor(scheduler="threads", num_workers=3)).result[out]
    assert all(s.is_cached() for s in second.map_states) and second.result == [11, 12, 13]
    assert sorted(calls) == [1, 2, 3]
