"""The executors under their Prefect 0.13–0.15 path, `prefect.engine.executors` (kept for old
code). Each class warns on creation that it moved to `prefect_classic.executors`."""

from typing import Any

from prefect_classic.engine.executors.local import LocalExecutor
from prefect_classic.executors.base import Executor

__all__ = ["DaskExecutor", "Executor", "LocalDaskExecutor", "LocalExecutor"]


def __getattr__(name: str) -> Any:
    # dask is optional: its executors load on first use
    if name in ("DaskExecutor", "LocalDaskExecutor"):
        from prefect_classic.engine.executors import dask as _dask

        return getattr(_dask, name)
    raise AttributeError(f"module 'prefect_classic.engine.executors' has no attribute '{name}'")
