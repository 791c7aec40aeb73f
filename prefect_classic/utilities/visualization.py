"""Draw a flow with graphviz (the optional `viz` extra), as Prefect 1's `Flow.visualize` does.

Tasks are ellipses; tasks with a mapped upstream edge are boxes labelled `name <map>`, and mapped
edges are dashed. Given a flow run's state, every task is filled with its state's colour, and a
mapped task is drawn once per child, each child in its own state's colour, with the edges between
children of consecutive mapped tasks (and from every child to a reducing task).

With a filename the graph is rendered to `filename.format`; the `dot` and `gv` formats are the
graph's source text, written without Graphviz's `dot` program. Without a filename the graph is
returned as is inside IPython (the notebook shows it) and otherwise rendered to a temporary PDF
that is opened with the system's viewer (`graphviz.view`).
"""

import os
import tempfile
from typing import Any, Dict, List, Optional

__all__ = ["SOURCE_FORMATS", "build_graph", "visualize_flow"]

#: formats written as the graph's source text, without running `dot`
SOURCE_FORMATS = ("dot", "gv")

_NO_STATE_COLOR = "#00000080"
_DOT_HINT = (
    "It appears you do not have Graphviz installed, or it is not on your PATH: install the "
    "Graphviz system package (e.g. `apt-get install graphviz`, `brew install graphviz`); the "
    "`graphviz` Python package alone is not enough. A `.dot` file can be written without it: "
    "flow.visualize(filename=..., format='dot')."
)


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "This feature requires graphviz.\nTry re-installing prefect-classic with "
            "`pip install 'prefect-classic[viz]'` (and the Graphviz system package to render images)."
        ) from exc
    return graphviz


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython

        return get_ipython().config.get("IPKernelApp") is not None
    except Exception:
        return False


def _color(state: Any) -> str:
    return _NO_STATE_COLOR if state is None else state.color + "80"


def build_graph(flow: Any, flow_state: Any = None, horizontal: bool = False) -> Any:
    """The graphviz Digraph of `flow`, coloured by the states in `flow_state` when given.

    Args:
        - flow (Flow): the flow
        - flow_state (State, optional): a flow run's state; its result maps tasks to states
        - horizontal (bool, optional): lay the graph out from left to right

    Returns:
        - graphviz.Digraph: the graph

    Raises:
        - ImportError: when the graphviz package is missing
    """
    graphviz = _import_graphviz()
    graph = graphviz.Digraph()
    if horizontal:
        graph.graph_attr["rankdir"] = "LR"
    states: Dict[Any, Any] = {}
    if flow_state is not None and isinstance(flow_state.result, dict):
        states = flow_state.result
    is_mapped = {task: any(e.mapped for e in flow.edges_to(task)) for task in flow.tasks}

    def children(task: Any) -> Optional[List[Any]]:
        """The child states of a mapped task in the run, or None when it was not mapped."""
        state = states.get(task)
        if flow_state is not None and is_mapped[task] and state is not None and state.is_mapped():
            return list(state.map_states)
        return None

    for task in flow.tasks:
        label = graphviz.escape(f"{task.name} <map>" if is_mapped[task] else task.name)
        shape = "box" if is_mapped[task] else "ellipse"
        node_id = str(id(task))
        kids = children(task)
        if kids is not None:
            for i, child in enumerate(kids):
                graph.node(
                    node_id + str(i),
                    label,
                    shape=shape,
                    color=_color(child),
                    style="filled",
                    colorscheme="svg",
                )
        elif flow_state is not None:
            graph.node(
                node_id,
                label,
                shape=shape,
                color=_color(states.get(task)),
                style="filled",
                colorscheme="svg",
            )
        else:
            graph.node(node_id, label, shape=shape)

    for edge in flow.edges:
        up, down = edge.upstream_task, edge.downstream_task
        style = "dashed" if edge.mapped else None
        down_kids, up_kids = children(down), children(up)
        if down_kids is not None:  # one edge into each child
            for i in range(len(down_kids)):
                source = str(id(up)) + (str(i) if up_kids is not None else "")
                graph.edge(source, str(id(down)) + str(i), edge.key, style=style)
        elif up_kids is not None:  # a reduce: every child into the task
            for i in range(len(up_kids)):
                graph.edge(str(id(up)) + str(i), str(id(down)), edge.key, style=style)
        else:
            graph.edge(str(id(up)), str(id(down)), edge.key, style=style)
    return graph


def visualize_flow(
    flow: Any,
    flow_state: Any = None,
    filename: Optional[str] = None,
    format: Optional[str] = None,
    horizontal: bool = False,
) -> Any:
    """Draw `flow`: write it to `filename`, show it in IPython, or open it in the system viewer.

    Args:
        - flow (Flow): the flow
        - flow_state (State, optional): a flow run's state, to colour tasks (and mapped children)
        - filename (str, optional): write `filename.format` instead of opening a viewer
        - format (str, optional): the output format (default "pdf"); "dot"/"gv" write the source
        - horizontal (bool, optional): lay the graph out from left to right

    Returns:
        - graphviz.Digraph: the graph

    Raises:
        - ImportError: when the graphviz package is missing
        - graphviz.ExecutableNotFound: when an image is needed and Graphviz's `dot` is missing
    """
    graphviz = _import_graphviz()
    graph = build_graph(flow, flow_state=flow_state, horizontal=horizontal)
    if filename:
        if (format or "").lower() in SOURCE_FORMATS:
            path = f"{filename}.{format}"
            with open(path, "w", encoding="utf-8") as f:
                f.write(graph.source)
            return graph
        _render(graphviz, graph, filename, format)
        return graph
    if _in_ipython():
        return graph
    fd, stem = tempfile.mkstemp(prefix="prefect-classic-flow-")
    os.close(fd)
    try:
        rendered = _render(graphviz, graph, stem, format or "pdf")
    finally:
        if os.path.exists(stem):  # rendering removes it; a failed rendering may not
            os.unlink(stem)
    graphviz.view(rendered)
    return graph


def _render(graphviz: Any, graph: Any, filename: str, format: Optional[str]) -> str:
    try:
        return graph.render(filename, view=False, format=format, cleanup=True)
    except graphviz.backend.ExecutableNotFound as exc:
        error_type: Any = type(exc)
        error = error_type.__new__(error_type)  # its own __init__ would quote a command line
        RuntimeError.__init__(error, _DOT_HINT)
        raise error from exc
