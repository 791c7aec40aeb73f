"""What `prefect-classic run` and `visualize` share: loading flows from a file, parameters,
executors and the final state table."""

import ast
import json
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import click

__all__ = [
    "PATH_HINT",
    "check_required_parameters",
    "failed_task_names",
    "find_flow",
    "imports_prefect",
    "load_flows",
    "looks_like_flow_file",
    "make_executor",
    "parse_params",
    "resolve_executor",
    "state_table",
    "user_traceback",
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
        raise click.ClickException(
            f"Error while loading {path}:\n{user_traceback(exc, path)}"
        ) from exc
    finally:
        sys.path[:] = saved_path
    flows: List[Any] = []
    for value in namespace.values():
        if isinstance(value, Flow) and not any(value is f for f in flows):
            flows.append(value)
    return flows


def user_traceback(exc: BaseException, path: str) -> str:
    """The traceback of an error raised while executing the file `path`, starting at the file's
    own frame (the frames of the command line and of `runpy` are left out).

    Args:
        - exc (BaseException): the error
        - path (str): the flow file

    Returns:
        - str: the formatted traceback, ending with the error line
    """
    import traceback

    target = os.path.realpath(path)
    tb = exc.__traceback__
    while tb is not None and os.path.realpath(tb.tb_frame.f_code.co_filename) != target:
        tb = tb.tb_next
    if tb is None:  # e.g. a syntax error: no frame of the file itself
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


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
        raise click.ClickException(
            f"Found {len(flows)} flows in {path}: {names}. Choose one with --name."
        )
    return flows[0]


#: for users of Prefect 1's `prefect run -p flow.py`
PATH_HINT = (
    "Here `-p` is `--param KEY=VALUE`; the flow file is the argument: Prefect 1's "
    "`prefect run -p flow.py` is `prefect-classic run flow.py`."
)


def looks_like_flow_file(value: str) -> bool:
    """Whether a command-line value looks like a Python file (`flow.py`, an existing `.py` path)."""
    return value.endswith((".py", ".pyw"))


def check_required_parameters(flow: Any, parameters: Dict[str, Any]) -> None:
    """Fail before the run when a required parameter has no value, saying how to pass it.

    Args:
        - flow (Flow): the flow
        - parameters (dict): the values given

    Raises:
        - click.ClickException: naming the missing parameters and the options that pass them
    """
    missing = sorted(p.name for p in flow.parameters() if p.required and p.name not in parameters)
    if missing:
        how = " ".join(f"--param {name}=VALUE" for name in missing)
        raise click.ClickException(
            f"Flow {flow.name!r} did not receive the following required parameters: {', '.join(missing)}. "
            f"Pass them with `{how}` (values are JSON, else strings) or in a JSON file with `--param-file`."
        )


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
            raise click.BadParameter(
                f"cannot read {param_file}: {exc}", param_hint="--param-file"
            ) from exc
        if not isinstance(loaded, dict):
            raise click.BadParameter(
                f"{param_file} must hold a JSON object of parameter values",
                param_hint="--param-file",
            )
        params.update(loaded)
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep and looks_like_flow_file(pair):
            raise click.BadParameter(
                f"expected KEY=VALUE, got {pair!r}. {PATH_HINT}", param_hint="--param"
            )
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
        raise click.BadParameter(
            f"unknown executor {spec!r}; use local, local-dask, dask or dask:ADDRESS",
            param_hint="--executor",
        )
    try:
        import dask  # noqa: F401

        if kind == "dask":
            import distributed  # noqa: F401
        from prefect_classic.executors.dask import DaskExecutor, LocalDaskExecutor
    except ImportError as exc:
        raise click.ClickException(
            f"The {kind} executor is not available ({exc}). Install dask with "
            "`pip install 'prefect-classic[dask]'`."
        ) from exc
    if kind == "local-dask":
        return LocalDaskExecutor()
    return DaskExecutor(address=address) if address else DaskExecutor()


def resolve_executor(flow: Any, executor: Any) -> Any:
    """The executor a run of `flow` uses: the one given, else the flow's, else the configured
    default (`engine.executor.default_class`)."""
    if executor is not None:
        return executor
    if getattr(flow, "executor", None) is not None:
        return flow.executor
    from prefect_classic.engine import get_default_executor_class

    return get_default_executor_class()()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _describe(task: Any, state: Any, redact: Callable[[str], str]) -> str:
    from prefect_classic.cli.tracking import MASK, _short_repr, is_secret_state
    from prefect_classic.engine.state import Mapped

    if isinstance(state, Mapped):
        counts: Dict[str, int] = {}
        for child in state.map_states:
            counts[type(child).__name__] = counts.get(type(child).__name__, 0) + 1
        parts = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
        return f"{state.n_map_states} mapped runs" + (f": {parts}" if parts else "")
    if state.is_failed() or state.is_skipped() or not state.is_successful():
        return redact(_one_line(state.message or ""))
    if is_secret_state(task, state):
        return MASK
    result = state.result
    if result is None and state.message:
        return redact(_one_line(state.message))
    return redact(_short_repr(result))


def state_table(flow: Any, flow_state: Any, redact: Optional[Callable[[str], str]] = None) -> str:
    """Each task's final state as a text table: task name, state, and the state's whole message
    (failed, skipped, unfinished tasks) or a short repr of the result. Secret results are shown
    as `****`.

    Args:
        - flow (Flow): the flow
        - flow_state (State): its run's final state
        - redact (Callable, optional): masks secret values inside messages

    Returns:
        - str: the table
    """
    redact = redact or (lambda text: text)
    states = flow_state.result if isinstance(flow_state.result, dict) else {}
    rows: List[Tuple[str, str, str]] = [("TASK", "STATE", "MESSAGE / RESULT")]
    for task in flow.sorted_tasks():
        state = states.get(task)
        if state is None:
            rows.append((task.name, "-", "no state"))
        else:
            rows.append((task.name, type(state).__name__, _describe(task, state, redact)))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows)


def failed_task_names(flow: Any, flow_state: Any, limit: int = 5) -> List[str]:
    """The failed tasks, in run order: `name`, `name[i]` for a failed mapped child, and for a
    mapped task with more than `limit` failed children a summary naming the first ones.

    Args:
        - flow (Flow): the flow
        - flow_state (State): its run's final state
        - limit (int, optional): failed children listed one by one per task

    Returns:
        - List[str]: one entry per failed task
    """
    from prefect_classic.engine.state import Mapped

    states = flow_state.result if isinstance(flow_state.result, dict) else {}
    names: List[str] = []
    for task in flow.sorted_tasks():
        state = states.get(task)
        if isinstance(state, Mapped):
            failed = [
                i
                for i, child in enumerate(state.map_states)
                if getattr(child, "is_failed", lambda: False)()
            ]
            if len(failed) > limit:
                first = ", ".join(f"{task.name}[{i}]" for i in failed[:3])
                names.append(
                    f"{task.name}: {len(failed)} of {len(state.map_states)} mapped runs failed "
                    f"({first}, …)"
                )
            else:
                names.extend(f"{task.name}[{i}]" for i in failed)
        elif state is not None and state.is_failed():
            names.append(task.name)
    return names
