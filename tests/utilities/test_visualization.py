"""`Flow.visualize()` as in Prefect 1: mapped tasks are `<map>` boxes and mapped edges dashed;
with a flow run's state each task (and each mapped child) is filled with its state's colour; a
filename writes `filename.format` (`.dot` source without Graphviz's program); without one the
drawing opens in the system viewer (or is shown by IPython)."""

import os
import shutil
import sys
import types

import pytest

graphviz = pytest.importorskip(
    "graphviz", reason="the viz extra (graphviz) is part of the test extra"
)

from prefect_classic import Flow, task, unmapped  # noqa: E402
from prefect_classic.engine.state import Failed, Mapped, Pending, Success, TriggerFailed  # noqa: E402

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="rendering an image needs Graphviz's `dot` (apt-get install graphviz)",
)


@task
def items():
    return [1, 2, 3]


@task
def inc(x, y):
    return x + y


@task
def total(xs):
    return sum(xs)


def _mapped_flow():
    with Flow("mapped") as flow:
        first = inc.map(x=items, y=unmapped(10))
        second = inc.map(x=first, y=unmapped(1))
        total(second)
    return flow


def _nodes(source, label):
    return [
        line
        for line in source.splitlines()
        if f"[label={label} " in line or f'[label="{label}" ' in line
    ]


def test_mapped_tasks_are_map_boxes_with_dashed_edges():
    from prefect_classic.utilities.visualization import build_graph

    source = build_graph(_mapped_flow()).source
    assert len(_nodes(source, "inc <map>")) == 2
    assert all("shape=box" in line for line in _nodes(source, "inc <map>"))
    assert "label=items shape=ellipse" in source and "label=total shape=ellipse" in source
    assert "[label=x style=dashed]" in source
    assert "[label=xs]" in source  # the reduce edge is solid


def test_a_flow_state_colours_every_task_and_expands_mapped_children():
    flow = _mapped_flow()
    state = flow.run()
    assert state.is_successful()
    from prefect_classic.utilities.visualization import build_graph

    source = build_graph(flow, flow_state=state).source
    maps = _nodes(source, "inc <map>")
    assert len(maps) == 6  # 3 children of each mapped task
    assert all(
        f'color="{Mapped.color}80"' not in line and f'color="{Success.color}80"' in line
        for line in maps
    )
    assert f'label=items color="{Success.color}80"' in source
    # child i of the first mapped task feeds child i of the second; every child feeds the reduce
    first, second = (t for t in flow.sorted_tasks() if t.name == "inc")
    reduce_task = next(t for t in flow.tasks if t.name == "total")
    for i in range(3):
        assert f"{id(first)}{i} -> {id(second)}{i} [label=x style=dashed]" in source
        assert f"{id(second)}{i} -> {id(reduce_task)} [label=xs]" in source


def test_children_carry_their_own_state_colours():
    with Flow("mixed") as flow:
        added = inc.map(x=items, y=unmapped(1))
    state = Success(
        result={items: Success(), added: Mapped(map_states=[Success(), Failed(), TriggerFailed()])}
    )
    from prefect_classic.utilities.visualization import build_graph

    colours = [
        line.split('color="')[1][:9]
        for line in _nodes(build_graph(flow, flow_state=state).source, "inc <map>")
    ]
    assert colours == [f"{Success.color}80", f"{Failed.color}80", f"{TriggerFailed.color}80"]


def test_a_task_without_a_state_is_drawn_translucent_black():
    with Flow("partial") as flow:
        inc(1, 2)
    t = next(t for t in flow.tasks if t.name == "inc")
    state = Success(result={})
    from prefect_classic.utilities.visualization import build_graph

    assert 'color="#00000080"' in build_graph(flow, flow_state=state).source
    assert (
        f'color="{Pending.color}80"'
        in build_graph(flow, flow_state=Success(result={t: Pending()})).source
    )


def test_dot_source_is_written_without_the_graphviz_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    flow = _mapped_flow()
    graph = flow.visualize(filename=str(tmp_path / "flow"), format="dot")
    written = (tmp_path / "flow.dot").read_text()
    assert written == graph.source and "inc <map>" in written


def test_horizontal_lays_out_left_to_right(tmp_path):
    flow = _mapped_flow()
    graph = flow.visualize(filename=str(tmp_path / "flow"), format="gv", horizontal=True)
    assert "rankdir=LR" in graph.source and (tmp_path / "flow.gv").exists()


@needs_dot
def test_a_filename_renders_the_image_and_removes_the_source(tmp_path):
    flow = _mapped_flow()
    flow.visualize(flow_state=flow.run(), filename=str(tmp_path / "viz"), format="png")
    assert (tmp_path / "viz.png").read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "viz").exists()


@needs_dot
def test_without_a_filename_the_rendered_file_opens_in_the_viewer(monkeypatch):
    opened = []
    monkeypatch.setattr(graphviz, "view", lambda path, **kwargs: opened.append(path))
    flow = _mapped_flow()
    graph = flow.visualize()
    assert isinstance(graph, graphviz.Digraph)
    assert len(opened) == 1 and opened[0].endswith(".pdf")
    with open(opened[0], "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert not os.path.exists(opened[0][:-4])  # the temporary source is gone
    os.unlink(opened[0])


def test_in_ipython_the_graph_is_returned_without_rendering(monkeypatch):
    kernel = types.SimpleNamespace(config={"IPKernelApp": {}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: kernel))
    monkeypatch.setattr(graphviz, "view", lambda *a, **k: pytest.fail("must not open a viewer"))
    monkeypatch.setenv("PATH", "")  # no `dot`: nothing may be rendered
    graph = _mapped_flow().visualize()
    assert "inc <map>" in graph.source


def test_without_the_dot_program_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(graphviz.ExecutableNotFound, match="install the Graphviz system package"):
        _mapped_flow().visualize()


def test_missing_graphviz_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # simulate the package missing
    with pytest.raises(ImportError, match=r"pip install 'prefect-classic\[viz\]'"):
        Flow("f").visualize()
