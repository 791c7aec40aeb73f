"""Draw a flow with graphviz (the optional `viz` extra)."""
from typing import Any, Optional

__all__ = ["visualize_flow"]


def visualize_flow(flow: Any, flow_state: Any = None, filename: Optional[str] = None,
                   format: Optional[str] = None) -> Any:
    """Build a graphviz Digraph of `flow`, colouring tasks by their state in `flow_state`.

    Args:
        - flow (Flow): the flow
        - flow_state (State, optional): a finished flow run's state
        - filename (str, optional): render to this path (no extension) instead of viewing
        - format (str, optional): output format, e.g. "png"

    Returns:
        - graphviz.Digraph: the graph

    Raises:
        - ImportError: when the graphviz package is missing
    """
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "This feature requires graphviz.\nTry re-installing prefect-classic with "
            "`pip install 'prefect-classic[viz]'` (and the graphviz system package to render images)."
        ) from exc
    graph = graphviz.Digraph(name=flow.name)
    states = getattr(flow_state, "result", None) or {}
    for task in flow.sorted_tasks():
        attrs = {"shape": "ellipse"}
        state = states.get(task)
        if state is not None:
            attrs.update(style="filled", fillcolor=state.color + "80" if len(state.color) == 7 else state.color)
        graph.node(str(id(task)), task.name, **attrs)
    for edge in flow.edges:
        style = "dashed" if edge.mapped else None
        graph.edge(str(id(edge.upstream_task)), str(id(edge.downstream_task)),
                   label=edge.key or "", **({"style": style} if style else {}))
    if filename:
        graph.render(filename, view=False, format=format or "pdf", cleanup=True)
    return graph
