"""What `prefect-classic run` and `visualize` share: loading flows from a file, parameters,
executors, a progress counter and the final state table."""
import ast
import json
import os
import sys
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import click

__all__ = [
    "TaskRunProgress",
    "failed_task_names",
    "find_flow",
    "imports_prefect",
    "load_flows",
    "make_executor",
    "parse_params",
    "state_table",
]


def imports_prefect(path: str) -> bool:
    """Whether the file imports the `prefect` package (so it needs the shim to run).

    Args:
        - path (str): a Python file

    Returns:
        - bool: True when an `import prefect…` or `from prefect… import` statement is present
    """
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == "prefect" or a.name.startswith("prefect.") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == "prefect" or node.module.startswith("prefect."):
                return True
    return False


def load_flows(path: str) -> List[Any]:
    """Execute a Python file (not as `__main__`) and return the Flows defined at its top level.

    Args:
        - path (str): the file

    Returns:
        - List[Flow]: its flows, in definition order, each once

    Raises:
        - click.ClickException: when the file is missing or raises while loading
    """
    import runpy

    from prefect_classic.core.flow import Flow

    if not os.path.isfile(path):
        raise click.ClickException(f"No such file: {path}")
    script_dir = os.path.dirname(os.path.abspath(path))
    saved_path = sys.path[:]
    sys.path.insert(0, script_dir)
    try:
        namespace = runpy.run_path(path, run_name="prefect_classic_flow_file")
    except SystemExit as exc:
        raise click.ClickException(f"{path} called sys.exit({exc.code}) while loading") from exc
    except Exception as exc:
        raise click.ClickException(f"Error while loading {path}: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path[:] = saved_path
    flows: List[Any] = []
    for value in namespace.values():
        if isinstance(value, Flow) and not any(value is f for f in flows):
            flows.append(value)
    return flows


def find_flow(flows: Sequence[Any], path: str, name: Optional[str]) -> Any:
    """Pick the flow to run.

    Args:
        - flows (Sequence[Flow]): the file's flows
        - path (str): the file (for messages)
        - name (str, optional): the wanted flow's name

    Returns:
        - Flow: the flow

    Raises:
        - click.ClickException: no flow, no flow of that name, or several flows and no name
    """
    names = ", ".join(repr(f.name) for f in flows)
    if not flows:
        raise click.ClickException(f"No Flow found in {path}.")
    if name is not None:
        matches = [f for f in flows if f.name == name]
        if not matches:
            raise click.ClickException(f"No flow named {name!r} in {path}; its flows are: {names}.")
        return matches[0]
    if len(flows) > 1:
        raise click.ClickException(f"Found {len(flows)} flows in {path}: {names}. Choose one with --name.")
    return flows[0]


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_params(pairs: Sequence[str], param_file: Optional[str]) -> Dict[str, Any]:
    """Flow parameters from `--param-file` (a JSON object) overlaid with `--param k=v` values.

    A `--param` value is parsed as JSON when it is valid JSON (`3`, `true`, `[1, 2]`, `"x"`),
    else kept as a string.

    Args:
        - pairs (Sequence[str]): `key=value` strings
        - param_file (str, optional): path of a JSON file holding an object

    Returns:
        - dict: parameter values

    Raises:
        - click.BadParameter: for a malformed pair or file
    """
    params: Dict[str, Any] = {}
    if param_file is not None:
        try:
            with open(param_file, encoding="utf-8") as f:
                loaded = json.load(f)
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"cannot read {param_file}: {exc}", param_hint="--param-file") from exc
        if not isinstance(loaded, dict):
            raise click.BadParameter(f"{param_file} must hold a JSON object of parameter values",
                                     param_hint="--param-file")
        params.update(loaded)
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--param")
        params[key.strip()] = _parse_value(raw)
    return params


def make_executor(spec: Optional[str]) -> Any:
    """Build the executor named on the command line.

    Args:
        - spec (str, optional): `local`, `local-dask`, `dask` or `dask:ADDRESS`; None keeps the
            flow's own executor (or the configured default)

    Returns:
        - Executor: the executor, or None

    Raises:
        - click.BadParameter: for an unknown name
        - click.ClickException: when the dask executors cannot be imported
    """
    if spec is None:
        return None
    kind, _, address = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "local" and not address:
        from prefect_classic.executors import LocalExecutor

        return LocalExecutor()
    if kind not in ("local-dask", "dask") or (kind == "local-dask" and address):
        raise click.BadParameter(f"unknown executor {spec!r}; use local, local-dask, dask or dask:ADDRESS",
                                 param_hint="--executor")
    try:
        from prefect_classic.executors.dask import DaskExecutor, LocalDaskExecutor
    except ImportError as exc:
        raise click.ClickException(
            f"The {kind} executor is not available ({exc}). Install dask with "
            "`pip install 'prefect-classic[dask]'`.") from exc
    if kind == "local-dask":
        return LocalDaskExecutor()
    return DaskExecutor(address=address) if address else DaskExecutor()


class TaskRunProgress:
    """A task-runner state handler counting finished task runs, mapped children included.

    The total starts at the number of tasks and grows by `n_map_states` when a mapped parent
    becomes Mapped. Each finished run is counted once (by task and map index).

    Args:
        - n_tasks (int): tasks in the flow
        - on_change (Callable, optional): called with `(finished, total)` after each change
    """

    def __init__(self, n_tasks: int, on_change: Optional[Callable[[int, int], None]] = None):
        self.total = n_tasks
        self._finished: set = set()
        self._mapped: set = set()
        self._lock = threading.Lock()
        self.on_change = on_change

    @property
    def finished(self) -> int:
        """How many task runs have finished."""
        return len(self._finished)

    def __getstate__(self) -> dict:
        # shipped to Dask workers with each task run: the copy there counts nothing visible,
        # so it travels without its lock and printer
        state = self.__dict__.copy()
        state["_lock"] = None
        state["on_change"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __call__(self, runner: Any, old_state: Any, new_state: Any) -> Any:
        from prefect_classic.engine.state import Mapped
        from prefect_classic.utilities.context import context

        if not new_state.is_finished():
            return new_state
        task_id = id(runner.task)
        with self._lock:
            key = (task_id, context.get("map_index"))
            changed = key not in self._finished
            self._finished.add(key)
            if isinstance(new_state, Mapped) and task_id not in self._mapped:
                self._mapped.add(task_id)
                self.total += new_state.n_map_states
                changed = True
            counts = (self.finished, self.total)
        if changed and self.on_change is not None:
            self.on_change(*counts)
        return new_state


def _short(value: Any, width: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _describe(state: Any) -> str:
    from prefect_classic.engine.state import Mapped

    if isinstance(state, Mapped):
        counts: Dict[str, int] = {}
        for child in state.map_states:
            counts[type(child).__name__] = counts.get(type(child).__name__, 0) + 1
        parts = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
        return f"{state.n_map_states} mapped runs" + (f": {parts}" if parts else "")
    if state.is_failed() or state.is_skipped() or not state.is_successful():
        return _short(state.message or "")
    result = state.result
    if result is None and state.message:
        return _short(state.message)
    return _short(repr(result))


def state_table(flow: Any, flow_state: Any) -> str:
    """Each task's final state as a text table: task name, state, message or short result.

    Args:
        - flow (Flow): the flow
        - flow_state (State): its run's final state

    Returns:
        - str: the table
    """
    states = flow_state.result if isinstance(flow_state.result, dict) else {}
    rows: List[Tuple[str, str, str]] = [("TASK", "STATE", "MESSAGE / RESULT")]
    for task in flow.sorted_tasks():
        state = states.get(task)
        if state is None:
            rows.append((task.name, "-", "no state"))
        else:
            rows.append((task.name, type(state).__name__, _describe(state)))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows)


def failed_task_names(flow: Any, flow_state: Any) -> List[str]:
    """Names of the failed tasks (`name[i]` for failed mapped children), in run order.

    Args:
        - flow (Flow): the flow
        - flow_state (State): its run's final state

    Returns:
        - List[str]: the names
    """
    from prefect_classic.engine.state import Mapped

    states = flow_state.result if isinstance(flow_state.result, dict) else {}
    names: List[str] = []
    for task in flow.sorted_tasks():
        state = states.get(task)
        if isinstance(state, Mapped):
            names.extend(f"{task.name}[{i}]" for i, child in enumerate(state.map_states)
                         if getattr(child, "is_failed", lambda: False)())
        elif state is not None and state.is_failed():
            names.append(task.name)
    return names
