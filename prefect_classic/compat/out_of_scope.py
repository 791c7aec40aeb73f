"""The Prefect 1 modules prefect_classic deliberately does not provide, and what to use instead.

Importing one of them, as `prefect.X` under the shim or as `prefect_classic.X`, raises
`OutOfScopeImportError` with a message naming the path and the replacement. The codemod reports
the same paths with file and line.
"""

import importlib.abc
import importlib.util
import sys
from typing import Dict, Optional, Sequence, Tuple

__all__ = [
    "OUT_OF_SCOPE",
    "OutOfScopeFinder",
    "OutOfScopeImportError",
    "explain_out_of_scope",
    "install_out_of_scope_finder",
    "module_exists",
]

_BACKEND = (
    "it needs a Prefect Cloud/Server backend. prefect_classic runs flows in-process: use "
    "`flow.run()` or `prefect-classic run FILE.py`; keep `prefect==1.4.1` for code that talks "
    "to a backend"
)

#: relative module path (after `prefect.` / `prefect_classic.`) -> what to do instead
OUT_OF_SCOPE: Dict[str, str] = {
    "agent": (
        "agents launch flow runs for a Prefect backend; run flows with `flow.run()` or "
        "`prefect-classic run FILE.py` from your own scheduler (cron, a CI job, a Kubernetes CronJob) "
        "or give the flow a `schedule`"
    ),
    "environments": (
        "environments were replaced by run configs and executors in Prefect 1.0; set "
        "`flow.executor` (prefect_classic.executors) instead"
    ),
    "engine.cloud": (
        "CloudFlowRunner/CloudTaskRunner report to a Prefect backend; use "
        "prefect_classic.engine.FlowRunner and TaskRunner"
    ),
    "tasks.cloud": "StartFlowRun needs a Prefect backend; run the child flow in-process with `child_flow.run()` inside a task",
    "utilities.graphql": _BACKEND,
    "utilities.agent": _BACKEND,
    "utilities.kubernetes": "call the kubernetes client directly from your tasks",
    "utilities.git": "call git (e.g. with ShellTask) or a git library from your tasks",
}

#: paths that exist in prefect_classic but mean something else under their Prefect 1 name
PREFECT_ONLY: Dict[str, str] = {
    "cli": (
        "the Prefect 1 `prefect` command (register, agent, server, …) drives a Prefect backend; "
        "use the `prefect-classic` command (`prefect-classic run FILE.py`, `prefect-classic migrate`)"
    ),
}

_INTEGRATIONS = (
    "airbyte",
    "airflow",
    "airtable",
    "asana",
    "aws",
    "azure",
    "azureml",
    "census",
    "cubejs",
    "database",
    "databricks",
    "dbt",
    "docker",
    "dremio",
    "dropbox",
    "exasol",
    "filehandling",
    "files",
    "firebolt",
    "fivetran",
    "fugue",
    "gcp",
    "github",
    "gitlab",
    "google",
    "great_expectations",
    "gsheets",
    "hightouch",
    "huggingface",
    "jira",
    "jupyter",
    "kafka",
    "kubernetes",
    "mixpanel",
    "monday",
    "monte_carlo",
    "mysql",
    "neo4j",
    "notifications",
    "postgres",
    "pushbullet",
    "redis",
    "rss",
    "sendgrid",
    "snowflake",
    "sodacore",
    "sodaspark",
    "spacy",
    "sql_server",
    "sqlite",
    "templates",
    "toloka",
    "transform",
    "trello",
    "twitter",
    "zendesk",
)
_TASK_LIBRARY = (
    "of Prefect 1's task library prefect_classic keeps tasks.core, tasks.control_flow, "
    "tasks.shell, tasks.powershell, tasks.secrets and tasks.prefect; for integrations call "
    "the service's Python "
    "client (boto3, google-cloud-*, a database driver, …) from your own `@task`"
)
OUT_OF_SCOPE.update({f"tasks.{name}": _TASK_LIBRARY for name in _INTEGRATIONS})


class OutOfScopeImportError(ModuleNotFoundError):
    """Raised when importing a Prefect 1 module that prefect_classic does not provide."""


def _split(fullname: str) -> Optional[Tuple[str, str]]:
    """`prefect.a.b` / `prefect_classic.a.b` -> (top, "a.b"); None for other names."""
    top, _, rest = fullname.partition(".")
    if top not in ("prefect", "prefect_classic") or not rest:
        return None
    return top, rest


def _lookup(rest: str, table: Dict[str, str]) -> Optional[Tuple[str, str]]:
    parts = rest.split(".")
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in table:
            return key, table[key]
    return None


def explain_out_of_scope(fullname: str, missing_ok: bool = False) -> Optional[str]:
    """The error message for an out-of-scope module path, or None when the path is in scope.

    Args:
        - fullname (str): a dotted module path starting with `prefect` or `prefect_classic`
        - missing_ok (bool): also explain any `tasks.X` module that prefect_classic lacks (used by
            the import finders, which only see names nothing else could import)

    Returns:
        - str: "… is not part of prefect_classic: <what to do instead>", or None
    """
    split = _split(fullname)
    if split is None:
        return None
    top, rest = split
    found = _lookup(rest, OUT_OF_SCOPE)
    if found is None and top == "prefect":
        found = _lookup(rest, PREFECT_ONLY)
    if found is None and missing_ok and rest.startswith("tasks."):
        found = (".".join(rest.split(".")[:2]), _TASK_LIBRARY)
    if found is None:
        return None
    key, instead = found
    shown = f"`{top}.{key}`" + (f" (needed by `{fullname}`)" if f"{top}.{key}" != fullname else "")
    return f"{shown} is not part of prefect_classic: {instead}."


class OutOfScopeFinder(importlib.abc.MetaPathFinder):
    """A meta path finder, placed last, that turns imports of out-of-scope `prefect_classic.X`
    modules (which nothing else can find) into an `OutOfScopeImportError` with guidance."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]] = None, target: object = None
    ) -> None:
        if not fullname.startswith("prefect_classic."):
            return None
        message = explain_out_of_scope(fullname, missing_ok=True)
        if message is not None:
            raise OutOfScopeImportError(message, name=fullname)
        return None

    def invalidate_caches(self) -> None:
        """Nothing to invalidate."""


_FINDER = OutOfScopeFinder()


def install_out_of_scope_finder() -> None:
    """Append the out-of-scope finder to `sys.meta_path` (once)."""
    if not any(isinstance(f, OutOfScopeFinder) for f in sys.meta_path):
        sys.meta_path.append(_FINDER)


def module_exists(fullname: str) -> bool:
    """Whether `fullname` can be imported, without importing it (its parents may be imported).

    Args:
        - fullname (str): a dotted module path

    Returns:
        - bool: True when a finder can locate it
    """
    try:
        return importlib.util.find_spec(fullname) is not None
    except (ImportError, ValueError):
        return False
