"""Prefect's task library (the parts prefect_classic keeps): `core`, `control_flow`, `shell`,
`powershell` and `secrets` (the last three load on first access)."""

import importlib
from typing import Any

import prefect_classic.tasks.control_flow  # noqa: F401
import prefect_classic.tasks.core  # noqa: F401
from prefect_classic.core.task import Task

__all__ = ["Task"]

_LAZY_SUBMODULES = frozenset({"powershell", "secrets", "shell"})


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
