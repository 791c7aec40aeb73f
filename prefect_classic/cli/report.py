"""Run reports: `prefect-classic run FLOW.py --report run.json --report run.html`.

The JSON report lists every task run (each task, and each child of a mapped task) with its final
state, message, start, end, duration, run count and whether it was served from a cache or a
target, plus the flow's graph. The HTML report is one self-contained file (its script and styles
are inline; it loads nothing) drawing the same data: a timeline of the task runs, the flow graph
coloured by state (mapped tasks as stacks, with their children's states), a table of the task runs
with filters, and the tracebacks of failures.

Secret values never appear: secret results are recorded as `****` and every string of the report
goes through the run's `Redactor`.
"""

import datetime
import json
import os
from typing import Any, Callable, Dict, List, Optional

from prefect_classic.cli.tracking import RunTracker

__all__ = ["REPORT_FORMATS", "build_report", "render_html", "write_report"]

#: the report formats, by file extension
REPORT_FORMATS = (".json", ".html", ".htm")


def _iso(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc).isoformat(
        timespec="milliseconds"
    )


def _state_color(name: str) -> str:
    from prefect_classic.engine import state as states

    cls = getattr(states, name, None)
    color = getattr(cls, "color", None) or "#996633"
    if len(color) == 9:  # #rrggbbaa
        color = "#9e9e9e" if color.endswith("00") else color[:7]
    return color


def _layers(flow: Any, order: List[Any]) -> Dict[Any, int]:
    """Each task's depth: the length of the longest path from a task without upstream tasks."""
    depth: Dict[Any, int] = {}
    for task in order:  # topological
        ups = [e.upstream_task for e in flow.edges_to(task)]
        depth[task] = 1 + max((depth.get(u, 0) for u in ups), default=-1)
    return depth


def build_report(
    flow: Any,
    flow_state: Any,
    tracker: RunTracker,
    redact: Callable[[Any], Any],
    parameters: Optional[Dict[str, Any]] = None,
    executor: Any = None,
) -> Dict[str, Any]:
    """The report of a finished flow run as a JSON-ready dict.

    Args:
        - flow (Flow): the flow
        - flow_state (State): the run's final state
        - tracker (RunTracker): the run's tracker (reconciled)
        - redact (Callable): masks secrets in a JSON-like structure (`Redactor.data`)
        - parameters (dict, optional): the parameter values given (defaults are read from the
            run's Parameter states)
        - executor (Executor, optional): the executor the run used

    Returns:
        - dict: `flow` (summary), `tasks` (graph nodes), `edges` and `runs` (one per task run)
    """
    import prefect_classic
    from prefect_classic.engine.state import Mapped

    order = flow.sorted_tasks()
    depth = _layers(flow, order)
    final = flow_state.result if isinstance(flow_state.result, dict) else {}
    slugs = {task: flow.slugs.get(task) or task.slug or task.name for task in order}
    tasks = []
    per_layer: Dict[int, int] = {}
    for task in order:
        state = final.get(task)
        mapped = any(e.mapped for e in flow.edges_to(task))
        children: Dict[str, int] = {}
        if isinstance(state, Mapped):
            for child in state.map_states:
                name = type(child).__name__
                children[name] = children.get(name, 0) + 1
        layer = depth[task]
        tasks.append(
            {
                "slug": slugs[task],
                "name": task.name,
                "state": type(state).__name__ if state is not None else None,
                "message": "" if state is None or state.message is None else str(state.message),
                "mapped": mapped,
                "n_children": state.n_map_states if isinstance(state, Mapped) else None,
                "children": children,
                "layer": layer,
                "position": per_layer.get(layer, 0),
                "tags": sorted(getattr(task, "tags", None) or ()),
            }
        )
        per_layer[layer] = per_layer.get(layer, 0) + 1
    edges = [
        {
            "from": slugs.get(e.upstream_task, e.upstream_task.name),
            "to": slugs.get(e.downstream_task, e.downstream_task.name),
            "key": e.key,
            "mapped": bool(e.mapped),
        }
        for e in flow.edges
    ]
    runs = []
    for record in tracker.sorted_records():
        row = record.to_dict()
        row["start"], row["end"] = _iso(record.start), _iso(record.end)
        began = record.start if record.start is not None else record.end
        row["offset"] = None if began is None else began - tracker.started
        row["mapped_parent"] = record.n_children is not None
        runs.append(row)
    counts: Dict[str, int] = {}
    for row in runs:
        if not row["mapped_parent"]:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
    states_seen = {t["state"] for t in tasks if t["state"]} | set(counts)
    for t in tasks:
        states_seen |= set(t["children"])
    from prefect_classic.core.parameter import Parameter

    values = {
        t.name: final[t].result
        for t in order
        if isinstance(t, Parameter) and t in final and final[t].is_successful()
    }
    values.update(parameters or {})
    end = tracker.finished_at or tracker.started
    report = {
        "flow": {
            "name": flow.name,
            "state": type(flow_state).__name__,
            "message": "" if flow_state.message is None else str(flow_state.message),
            "successful": bool(flow_state.is_successful()),
            "start": _iso(tracker.started),
            "end": _iso(end),
            "duration": end - tracker.started,
            "parameters": _jsonable(values),
            "executor": type(executor).__name__ if executor is not None else None,
            "task_runs": len(runs),
            "failed_runs": sum(1 for r in runs if r["failed"]),
            "counts": counts,
            "prefect_classic_version": prefect_classic.__version__,
        },
        "colors": {name: _state_color(name) for name in sorted(states_seen)},
        "tasks": tasks,
        "edges": edges,
        "runs": runs,
    }
    return redact(report)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=repr))


def render_html(report: Dict[str, Any]) -> str:
    """The self-contained HTML page of a report.

    Args:
        - report (dict): a report from `build_report`

    Returns:
        - str: the page
    """
    from prefect_classic.cli.report_page import PAGE_TEMPLATE

    data = (
        json.dumps(report, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    title = report["flow"]["name"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return PAGE_TEMPLATE.replace("__TITLE__", title).replace("__DATA__", data)


def write_report(path: str, report: Dict[str, Any]) -> str:
    """Write a report as JSON or HTML, chosen by the file's extension.

    Args:
        - path (str): `….json`, `….html` or `….htm`
        - report (dict): a report from `build_report`

    Returns:
        - str: the absolute path written

    Raises:
        - ValueError: for another extension
    """
    ext = os.path.splitext(path)[1].lower()
    if ext not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {ext or path!r}; use a .json or .html file")
    text = (
        json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        if ext == ".json"
        else render_html(report)
    )
    path = os.path.abspath(os.path.expanduser(path))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return path
