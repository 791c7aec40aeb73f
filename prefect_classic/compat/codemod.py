"""The `prefect` -> `prefect_classic` import codemod behind `prefect-classic migrate`.

A syntax-aware rewrite (libcst): only import statements change, and formatting and comments
around them are kept.

| before                         | after                                                       |
| ------------------------------ | ----------------------------------------------------------- |
| `import prefect`               | `import prefect_classic as prefect`                         |
| `import prefect as p`          | `import prefect_classic as p`                               |
| `import prefect.engine.state`  | `import prefect_classic.engine.state, prefect_classic as prefect` |
| `import prefect.a.b as s`      | `import prefect_classic.a.b as s`                           |
| `from prefect import task`     | `from prefect_classic import task`                          |
| `from prefect.x import y`      | `from prefect_classic.x import y`                           |

`import prefect.engine.state` binds the name `prefect` to the top package, so the rewrite binds
`prefect` to `prefect_classic` in the same statement and `prefect.engine.state.X` keeps working.
The rewrite is idempotent. Uses of Prefect 1 APIs that prefect_classic does not provide
(`prefect.agent`, `prefect.tasks.aws`, names missing from a module) are reported as findings with
file and line, and so are backend-era lines that load but do something else here (`kind`
"backend"): `flow.register(...)` (registers nothing, logs a warning), `Client` (its API calls
raise `BackendOnlyError`), `prefect.tasks.prefect` (its tasks fail when run) and artifacts (no-ops).
Findings never change the exit status by themselves.
"""

import difflib
import importlib
import os
import shutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider

from prefect_classic.compat.out_of_scope import explain_out_of_scope, module_exists

__all__ = [
    "FileResult",
    "Finding",
    "MigrationReport",
    "iter_python_files",
    "migrate_paths",
    "migrate_source",
]

OLD = "prefect"
NEW = "prefect_classic"

#: Prefect 1 top-level names that live in out-of-scope modules
_TOP_LEVEL_OUT_OF_SCOPE: Dict[str, str] = {}

_RUN_HERE = "run the flow with `prefect-classic run FILE.py` or `flow.run()`"
#: backend-era modules that import fine but behave differently here -> what to know
BACKEND_MODULES: Dict[str, str] = {
    "prefect.tasks.prefect": (
        "create_flow_run, wait_for_flow_run, get_task_run_result, StartFlowRun, "
        "RenameFlowRun and CancelFlowRun need a Prefect backend: they fail with "
        "BackendOnlyError when they run; run a child flow with `child_flow.run()` "
        "inside a task instead"
    ),
    "prefect.backend": (
        "FlowView, FlowRunView, TaskRunView, TenantView and the KV store need a Prefect "
        "backend and raise BackendOnlyError; the artifact functions do nothing"
    ),
    "prefect.artifacts": "artifacts are shown by the Prefect UI: without a backend these functions do nothing",
}
CLIENT_NOTE = (
    "`Client` constructs, but its API calls (graphql, create_flow_run, set_secret, ...) need a "
    "Prefect backend and raise BackendOnlyError"
)


def backend_note(text: str) -> str:
    """The message of a backend-era finding."""
    return f"backend-era: {text}."


def register_note(receiver: str) -> str:
    """The message for a `<receiver>.register(...)` call."""
    return backend_note(
        f"`{receiver}.register(...)` registers nothing: prefect_classic has no Prefect "
        f"Cloud/Server backend, so it logs a warning and returns None; {_RUN_HERE}"
    )


_SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages", ".git", ".tox", ".venv", "venv"}


@dataclass(frozen=True)
class Finding:
    """A use of a Prefect 1 API that prefect_classic does not provide (`kind` "missing"), or a
    backend-era line that loads but does something else here (`kind` "backend").

    Args:
        - path (str): the file
        - line (int): 1-based line
        - column (int): 1-based column
        - message (str): what is missing (or different) and what to do instead
        - kind (str, optional): "missing" or "backend"
    """

    path: str
    line: int
    column: int
    message: str
    kind: str = "missing"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass
class FileResult:
    """The outcome for one file.

    Args:
        - path (str): the file
        - original (str): its text before
        - migrated (str): its text after the rewrite (equal to `original` when nothing changed)
        - findings (List[Finding]): out-of-scope or missing APIs it uses
        - error (str, optional): why the file could not be processed
        - encoding (str): the file's source encoding
    """

    path: str
    original: str
    migrated: str
    findings: List[Finding] = field(default_factory=list)
    error: Optional[str] = None
    encoding: str = "utf-8"

    @property
    def changed(self) -> bool:
        """Whether the rewrite changes the file."""
        return self.error is None and self.original != self.migrated

    def diff(self) -> str:
        """The change as a unified diff (empty when unchanged)."""
        if not self.changed:
            return ""
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.migrated.splitlines(keepends=True),
                fromfile=self.path,
                tofile=self.path,
            )
        )


@dataclass
class MigrationReport:
    """The outcome for every file of a run.

    Args:
        - files (List[FileResult]): one per Python file visited
    """

    files: List[FileResult] = field(default_factory=list)

    @property
    def changed(self) -> List[FileResult]:
        """Files the rewrite changes."""
        return [f for f in self.files if f.changed]

    @property
    def errors(self) -> List[FileResult]:
        """Files that could not be read or parsed."""
        return [f for f in self.files if f.error is not None]

    @property
    def findings(self) -> List[Finding]:
        """Every finding, file by file."""
        return [finding for f in self.files for finding in f.findings]


def _rename_root(node: Union[cst.Name, cst.Attribute]) -> Union[cst.Name, cst.Attribute]:
    """`prefect.a.b` -> `prefect_classic.a.b`, keeping the node's whitespace."""
    if isinstance(node, cst.Name):
        return node.with_changes(value=NEW)
    return node.with_changes(value=_rename_root(node.value))  # type: ignore[arg-type]


def _is_old(dotted: Optional[str]) -> bool:
    return dotted is not None and (dotted == OLD or dotted.startswith(OLD + "."))


def _import_real(module_path: str) -> Optional[ModuleType]:
    try:
        return importlib.import_module(module_path)
    except ImportError:
        return None


class _MissingApiChecker:
    """Answers "does prefect_classic provide `prefect.X.Y`?" with a message when it does not."""

    def __init__(self) -> None:
        self._cache: Dict[str, Optional[str]] = {}

    def module(self, old_module: str) -> Optional[str]:
        """A message when the module `prefect.X` has no prefect_classic counterpart."""
        if old_module not in self._cache:
            rest = old_module[len(OLD) :]
            message = None
            if not module_exists(NEW + rest):
                message = (
                    explain_out_of_scope(old_module, missing_ok=True)
                    or f"`{old_module}` has no counterpart `{NEW}{rest}` in prefect_classic."
                )
            self._cache[old_module] = message
        return self._cache[old_module]

    def name(self, old_module: str, name: str) -> Optional[str]:
        """A message when `from prefect.X import name` would fail under prefect_classic."""
        problem = self.module(old_module)
        if problem is not None:
            return problem
        if old_module == OLD and name in _TOP_LEVEL_OUT_OF_SCOPE:
            return explain_out_of_scope(f"{OLD}.{_TOP_LEVEL_OUT_OF_SCOPE[name]}")
        if name == "*":
            return None
        real = _import_real(NEW + old_module[len(OLD) :])
        if real is None or hasattr(real, name) or self.module(f"{old_module}.{name}") is None:
            return None
        return (
            explain_out_of_scope(f"{old_module}.{name}", missing_ok=True)
            or f"`{old_module}.{name}` is not provided by prefect_classic "
            f"(`{NEW}{old_module[len(OLD) :]}` has no `{name}`)."
        )

    def attribute_chain(self, dotted: str) -> Optional[str]:
        """A message when `prefect.a.b.c` names something prefect_classic lacks (checked while
        the chain walks through modules; attributes of other objects are not checked)."""
        parts = dotted.split(".")
        if len(parts) > 1 and parts[1] in _TOP_LEVEL_OUT_OF_SCOPE:
            return explain_out_of_scope(f"{OLD}.{_TOP_LEVEL_OUT_OF_SCOPE[parts[1]]}")
        obj: object = _import_real(NEW)
        for i, part in enumerate(parts[1:], start=1):
            if not isinstance(obj, ModuleType):
                return None
            if hasattr(obj, part):
                obj = getattr(obj, part)
                continue
            sub = ".".join([NEW, *parts[1 : i + 1]])
            if module_exists(sub):
                obj = _import_real(sub)
                continue
            prefix = ".".join(parts[: i + 1])
            return (
                explain_out_of_scope(prefix, missing_ok=True)
                or f"`{prefix}` is not provided by prefect_classic."
            )
        return None


class _ImportRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, path: str, checker: _MissingApiChecker):
        super().__init__()
        self.path = path
        self.checker = checker
        self.findings: List[Finding] = []
        self.module_names: set = set()  # local names bound to the `prefect` package
        self._top_level: set = set()  # ids of the module's top-level statements
        self._in_top_level = False  # visiting a top-level simple statement
        self._prefect_bound_at_top = False  # an earlier top-level import bound `prefect`
        self.imported_names: set = set()  # every name an import statement binds

    def visit_Module(self, node: cst.Module) -> bool:
        self._top_level = {id(stmt) for stmt in node.body}
        return True

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        self._in_top_level = id(node) in self._top_level
        return True

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        self._in_top_level = False
        return updated_node

    def _report(self, node: cst.CSTNode, message: Optional[str], kind: str = "missing") -> None:
        if message is None:
            return
        start = self.get_metadata(PositionProvider, node).start
        finding = Finding(self.path, start.line, start.column + 1, message, kind)
        if finding not in self.findings:
            self.findings.append(finding)

    # --- `import prefect…` ----------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        return False  # dotted names in imports are checked by leave_Import, not visit_Attribute

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        names: List[cst.ImportAlias] = []
        needs_binding = False
        binds_old = False
        for original, alias in zip(original_node.names, updated_node.names):
            dotted = get_full_name_for_node(alias.name)
            bound = alias.asname.name if alias.asname is not None else None
            self.imported_names.add(getattr(bound, "value", None) or (dotted or "").split(".")[0])
            if not _is_old(dotted):
                names.append(alias)
                continue
            assert dotted is not None
            self._report(original, self.checker.module(dotted))
            self._report_backend_module(original, dotted)
            asname = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
            if dotted == OLD:
                self.module_names.add(asname or OLD)
                binds_old = binds_old or asname in (None, OLD)
                if alias.asname is None:
                    alias = alias.with_changes(asname=cst.AsName(name=cst.Name(OLD)))
                names.append(alias.with_changes(name=_rename_root(alias.name)))
                continue
            if asname is None:  # `import prefect.a.b` binds `prefect`
                self.module_names.add(OLD)
                needs_binding = True
            names.append(alias.with_changes(name=_rename_root(alias.name)))
        binds_old = binds_old or any(
            get_full_name_for_node(a.name) == NEW
            and a.asname is not None
            and getattr(a.asname.name, "value", None) == OLD
            for a in original_node.names
        )
        if self._in_top_level and binds_old:
            self._prefect_bound_at_top = True
        if (
            needs_binding
            and not binds_old
            and not (self._in_top_level and self._prefect_bound_at_top)
        ):
            last = names[-1]
            if last.comma is not cst.MaybeSentinel.DEFAULT:
                names[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            names.append(cst.ImportAlias(name=cst.Name(NEW), asname=cst.AsName(name=cst.Name(OLD))))
        return updated_node.with_changes(names=names)

    # --- `from prefect… import …` ---------------------------------------------------------------
    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if not isinstance(original_node.names, cst.ImportStar):
            for alias in original_node.names:
                bound_node = alias.asname.name if alias.asname is not None else alias.name
                self.imported_names.add(get_full_name_for_node(bound_node))  # type: ignore[arg-type]
        if original_node.relative or original_node.module is None:
            return updated_node
        dotted = get_full_name_for_node(original_node.module)
        if not _is_old(dotted):
            return updated_node
        assert dotted is not None
        module_problem = self.checker.module(dotted)
        if module_problem is not None or isinstance(original_node.names, cst.ImportStar):
            self._report(original_node.module, module_problem)
        else:
            for alias in original_node.names:
                imported = get_full_name_for_node(alias.name)
                if imported is not None:
                    self._report(alias, self.checker.name(dotted, imported))
                    if imported == "Client" and dotted in (
                        OLD,
                        f"{OLD}.client",
                        f"{OLD}.client.client",
                    ):
                        self._report(alias, backend_note(CLIENT_NOTE), "backend")
        if module_problem is None:
            self._report_backend_module(original_node.module, dotted)
        return updated_node.with_changes(module=_rename_root(updated_node.module))  # type: ignore[arg-type]

    def _report_backend_module(self, node: cst.CSTNode, dotted: str) -> None:
        for module, note in BACKEND_MODULES.items():
            if dotted == module or dotted.startswith(module + "."):
                self._report(node, backend_note(f"`{module}`: {note}"), "backend")
                return

    # --- `prefect.agent.LocalAgent(...)` and friends -------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        dotted = get_full_name_for_node(node)
        if dotted is None:
            return True
        root, _, rest = dotted.partition(".")
        if root not in self.module_names or not rest:
            return True
        self._report(node, self.checker.attribute_chain(f"{OLD}.{rest}"))
        if rest == "Client" or rest.startswith(("client.Client", "Client.")):
            self._report(node, backend_note(CLIENT_NOTE), "backend")
        self._report_backend_module(node, f"{OLD}.{rest}")
        return False

    # --- `flow.register(...)` -----------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "register":
            receiver = get_full_name_for_node(func.value)
            if receiver is not None and receiver.split(".")[0] not in self.imported_names:
                self._report(node, register_note(receiver), "backend")
        return True


def migrate_source(
    source: Union[str, bytes], path: str = "<string>", checker: Optional[_MissingApiChecker] = None
) -> FileResult:
    """Rewrite the `prefect` imports of one module's source.

    Args:
        - source (str or bytes): the module's text (bytes keep their declared encoding)
        - path (str): the name used in findings and diffs
        - checker (optional): shared lookup cache (internal)

    Returns:
        - FileResult: original and migrated text, findings, or a parse error
    """
    text = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return FileResult(
            path, text, text, error=f"cannot parse: {exc.message} (line {exc.raw_line})"
        )
    rewriter = _ImportRewriter(path, checker or _MissingApiChecker())
    migrated = MetadataWrapper(module).visit(rewriter)
    if isinstance(source, bytes):
        original, new = source.decode(module.encoding), migrated.bytes.decode(module.encoding)
    else:
        original, new = source, migrated.code
    return FileResult(path, original, new, findings=rewriter.findings, encoding=module.encoding)


def iter_python_files(paths: Iterable[str]) -> Iterator[str]:
    """Every `.py` file named in `paths`, directories searched recursively (hidden folders,
    virtual environments and caches skipped), each file once, in a stable order.

    Args:
        - paths (Iterable[str]): files and directories

    Returns:
        - Iterator[str]: file paths

    Raises:
        - FileNotFoundError: for a path that does not exist
    """
    seen = set()
    for path in paths:
        if os.path.isfile(path):
            candidates: Iterable[str] = [path]
        elif os.path.isdir(path):
            candidates = _walk(path)
        else:
            raise FileNotFoundError(f"No such file or directory: {path}")
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(root: str) -> List[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in _SKIPPED_DIRS
            and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            if name.endswith(".py"):
                found.append(os.path.join(dirpath, name))
    return sorted(found)


def migrate_paths(paths: Sequence[str], write: bool = False) -> MigrationReport:
    """Rewrite the `prefect` imports of every Python file under `paths`.

    Args:
        - paths (Sequence[str]): files and directories
        - write (bool): write changed files back (otherwise nothing is modified)

    Returns:
        - MigrationReport: per-file results; see `FileResult.diff()` for the changes
    """
    report = MigrationReport()
    checker = _MissingApiChecker()
    for path in iter_python_files(paths):
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as exc:
            report.files.append(FileResult(path, "", "", error=f"cannot read: {exc}"))
            continue
        result = migrate_source(source, path=path, checker=checker)
        if write and result.changed:
            tmp = f"{path}.prefect-classic-migrate.tmp"
            with open(tmp, "wb") as f:
                f.write(result.migrated.encode(result.encoding))
            shutil.copymode(path, tmp)
            os.replace(tmp, path)
        report.files.append(result)
    return report
