"""The `prefect` import shim: `prefect.X.Y` is the module object `prefect_classic.X.Y`.

A meta path finder placed first on `sys.meta_path` answers every `prefect` / `prefect.*` import by
importing the matching `prefect_classic` module and registering that same object under the
`prefect` name in `sys.modules`. Classes therefore have one identity under both names, so
isinstance checks, monkeypatching and pickles (including pickles written by Prefect 1, which name
`prefect.engine.state.Success`) agree.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
from types import ModuleType
from typing import List, Mapping, Optional, Sequence

from prefect_classic.compat.out_of_scope import (
    PREFECT_ONLY,
    OutOfScopeImportError,
    explain_out_of_scope,
)

__all__ = [
    "SHIM_ENV_VAR",
    "PrefectAliasFinder",
    "ShimConflictError",
    "find_conflicting_prefect",
    "install",
    "install_from_env",
    "is_installed",
    "run_script",
    "uninstall",
]

SHIM_ENV_VAR = "PREFECT_CLASSIC_SHIM"
ALIAS = "prefect"
REAL = "prefect_classic"
_OFF_VALUES = ("", "0", "false", "no", "off")


class ShimConflictError(RuntimeError):
    """Raised by `install()` when a real `prefect` package would be shadowed."""


def _real_name(alias_name: str) -> str:
    return REAL + alias_name[len(ALIAS) :]


def _is_alias_name(fullname: str) -> bool:
    return fullname == ALIAS or fullname.startswith(ALIAS + ".")


class _AliasLoader(importlib.abc.Loader):
    """Loads `prefect.X` by importing `prefect_classic.X` and handing back that module object."""

    def __init__(self, real_name: str):
        self.real_name = real_name
        self._real_spec: Optional[importlib.machinery.ModuleSpec] = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.real_name)
        self._real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the alias spec on the shared module; give it back its own
        if self._real_spec is not None:
            module.__spec__ = self._real_spec


class PrefectAliasFinder(importlib.abc.MetaPathFinder):
    """Finds `prefect` and `prefect.*` as aliases of `prefect_classic` and `prefect_classic.*`."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]] = None, target: object = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if not _is_alias_name(fullname):
            return None
        real_name = _real_name(fullname)
        if fullname != ALIAS and fullname[len(ALIAS) + 1 :].split(".")[0] in PREFECT_ONLY:
            raise OutOfScopeImportError(explain_out_of_scope(fullname), name=fullname)
        try:
            real_spec = importlib.util.find_spec(real_name)
        except OutOfScopeImportError:
            real_spec = None
        if real_spec is None:
            message = explain_out_of_scope(fullname, missing_ok=True)
            if message is not None:
                raise OutOfScopeImportError(message, name=fullname)
            raise ModuleNotFoundError(
                f"No module named '{fullname}' (the prefect shim maps it to '{real_name}', "
                "which prefect_classic does not have)",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(real_name),
            is_package=real_spec.submodule_search_locations is not None,
        )

    def invalidate_caches(self) -> None:
        """Nothing to invalidate."""


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def find_conflicting_prefect() -> Optional[str]:
    """Describe a real `prefect` package that the shim would shadow, if there is one.

    Looks for an installed `prefect` distribution, an already imported `prefect` module that is
    not the shim's alias, and a `prefect` package importable from `sys.path`.

    Returns:
        - str: what was found and where, or None when nothing conflicts
    """
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution(ALIAS)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None and _normalize(dist.metadata["Name"] or "") == ALIAS:
        where = getattr(dist, "_path", None) or dist.locate_file("")
        return f"the `prefect` distribution {dist.version} is installed ({where})"
    loaded = sys.modules.get(ALIAS)
    if loaded is not None and loaded is not sys.modules.get(REAL):
        return f"a different `prefect` module is already imported ({getattr(loaded, '__file__', loaded)!r})"
    spec = importlib.machinery.PathFinder.find_spec(ALIAS)
    if spec is not None and spec.origin not in (None, "namespace"):  # a plain folder is no package
        return f"a `prefect` package is importable from {spec.origin}"
    return None


def _finder_index() -> Optional[int]:
    for i, finder in enumerate(sys.meta_path):
        if isinstance(finder, PrefectAliasFinder):
            return i
    return None


def is_installed() -> bool:
    """Whether the `prefect` import shim is active in this interpreter."""
    return _finder_index() is not None


def install(force: bool = False) -> None:
    """Make `import prefect` / `import prefect.X.Y` give the `prefect_classic` modules.

    Calling it again is harmless. Modules already imported as `prefect_classic.*` are the very
    objects later imported as `prefect.*`.

    Args:
        - force (bool): install even when a real `prefect` package is installed or imported; the
            real package's modules are dropped from `sys.modules` and shadowed

    Raises:
        - ShimConflictError: when a real `prefect` package is present and `force` is False
    """
    if is_installed():
        return
    conflict = find_conflicting_prefect()
    if conflict is not None:
        if not force:
            raise ShimConflictError(
                f"Refusing to install the `prefect` import shim: {conflict}. The shim would hide it. "
                "Uninstall it (`pip uninstall prefect`), run in an environment without it, migrate the "
                "imports with `prefect-classic migrate`, or pass force=True "
                f"({SHIM_ENV_VAR}=force) to shadow it anyway."
            )
        for name in [n for n in sys.modules if _is_alias_name(n)]:
            del sys.modules[name]
    sys.meta_path.insert(0, PrefectAliasFinder())


def uninstall() -> None:
    """Remove the shim: the finder and every `prefect*` alias in `sys.modules`."""
    index = _finder_index()
    while index is not None:
        del sys.meta_path[index]
        index = _finder_index()
    for name in [n for n in sys.modules if _is_alias_name(n)]:
        module = sys.modules[name]
        if getattr(module, "__name__", "").split(".")[0] == REAL:
            del sys.modules[name]


def install_from_env(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Install the shim when `PREFECT_CLASSIC_SHIM` asks for it (the `.pth` hook calls this).

    `1`/`true`/`yes`/`on` install it, `force` installs it over a real `prefect`; a conflict is
    reported on stderr instead of raised, so the interpreter still starts.

    Args:
        - environ (Mapping, optional): the environment (default `os.environ`)

    Returns:
        - bool: whether the shim is installed afterwards
    """
    value = (os.environ if environ is None else environ).get(SHIM_ENV_VAR, "").strip().lower()
    if value in _OFF_VALUES:
        return is_installed()
    try:
        install(force=value == "force")
    except ShimConflictError as exc:
        sys.stderr.write(f"prefect_classic: {SHIM_ENV_VAR}={value} ignored. {exc}\n")
        return False
    return True


def run_script(path: str, args: Sequence[str] = (), force: bool = False) -> None:
    """Run a Python file as `__main__` with the shim installed, like `python path args…`.

    `sys.argv` becomes `[path, *args]` and the file's directory comes first on `sys.path`.

    Args:
        - path (str): the script
        - args (Sequence[str]): its command line arguments
        - force (bool): passed to `install`

    Raises:
        - FileNotFoundError: when the file does not exist
        - ShimConflictError: see `install`
    """
    import runpy

    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such script: {path}")
    install(force=force)
    argv: List[str] = [path, *args]
    script_dir = os.path.dirname(os.path.abspath(path))
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = argv
    if sys.path and sys.path[0] != script_dir:
        sys.path.insert(0, script_dir)
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
