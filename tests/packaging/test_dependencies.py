"""Every third-party package that prefect_classic imports at module level is declared: in
`install_requires`, or — for the few modules that only an extra needs — in that extra."""

import ast
import configparser
import importlib.util
import re
import sys
import sysconfig
from collections import defaultdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "prefect_classic"

#: modules that are only imported by the feature of an extra (lazily, from elsewhere)
EXTRA_MODULES = {"compat/codemod.py": "migrate"}


def packages_distributions() -> dict:
    """Top-level module name -> names of the installed distributions providing it: the modules a
    distribution declares (`top_level.txt`), else those its files hold. (Like
    `importlib.metadata.packages_distributions` of Python 3.11; 3.9 lacks it, and 3.10's reads
    only `top_level.txt`, which single-module wheels such as typing_extensions do not have.)"""
    found: dict = defaultdict(list)
    for dist in metadata.distributions():
        declared = (dist.read_text("top_level.txt") or "").split()
        modules = declared or {
            (f.parts[0] if len(f.parts) > 1 else f.stem)
            for f in dist.files or ()
            if f.suffix == ".py"
        }
        for module in modules:
            found[module].append(dist.metadata["Name"])
    return dict(found)


def _requirements(text: str) -> set:
    names = set()
    for line in text.strip().splitlines():
        line = line.split(";")[0].strip()
        if line:
            names.add(re.split(r"[<>=!~\[ ]", line)[0].lower().replace("_", "-"))
    return names


#: standard-library modules newer than the oldest Python we support (imported where present,
#: with a fallback package declared for older Pythons)
NEWER_STDLIB = {"tomllib"}


def _is_stdlib(module: str) -> bool:
    if (
        module in NEWER_STDLIB
        or module in sys.builtin_module_names
        or module in getattr(sys, "stdlib_module_names", ())
    ):
        return True
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return spec is not None
    stdlib = sysconfig.get_paths()["stdlib"]
    return spec.origin.startswith(stdlib) and "site-packages" not in spec.origin


def _parse(path: Path) -> ast.Module:
    # CPython 3.11.7 and older share ast's recursion counter between threads, so a parse can fail
    # with "AST constructor recursion depth mismatch" while a thread left by another test (a Dask
    # client's) parses too (python/cpython#106905); a second attempt then succeeds.
    for attempt in range(5):
        try:
            return ast.parse(path.read_text(), filename=str(path))
        except SystemError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _top_level_imports(path: Path) -> set:
    tree = _parse(path)
    found = set()
    for node in tree.body:  # module level only: imports inside functions are lazy by design
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, (ast.If, ast.Try)):  # version-dependent imports
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                continue  # for type checkers only
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in sub.names}
                elif isinstance(sub, ast.ImportFrom) and not sub.level and sub.module:
                    found.add(sub.module.split(".")[0])
    return found


def test_every_module_level_import_is_a_declared_dependency():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    core = _requirements(cfg["options"]["install_requires"])
    extras = {name: _requirements(value) for name, value in cfg["options.extras_require"].items()}
    distributions = {
        k: {d.lower().replace("_", "-") for d in v} for k, v in packages_distributions().items()
    }
    undeclared = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        allowed = core | extras.get(EXTRA_MODULES.get(relative, ""), set())
        for module in _top_level_imports(path):
            if module in ("prefect_classic", "_prefect_classic_shim", "__future__") or _is_stdlib(
                module
            ):
                continue
            dists = distributions.get(module, {module})
            if module in ("tomli", "typing_extensions") and sys.version_info >= (3, 11):
                dists = {module.replace("_", "-")}
            if not dists & allowed:
                undeclared.append(f"{relative}: {module} ({', '.join(sorted(dists))})")
    assert not undeclared, "imported but not declared in setup.cfg:\n" + "\n".join(undeclared)


def test_the_migrate_codemod_is_an_extra_not_a_core_dependency():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert "libcst" not in _requirements(cfg["options"]["install_requires"])
    assert "libcst" in _requirements(cfg["options.extras_require"]["migrate"])
    assert {"rich", "python-dateutil"} <= _requirements(cfg["options"]["install_requires"])
