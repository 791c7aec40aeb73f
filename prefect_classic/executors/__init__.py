"""Executors: where task runs execute (local thread, dask local schedulers, dask.distributed)."""

from typing import Any

from prefect_classic.executors.base import Executor
from prefect_classic.executors.local import LocalExecutor

__all__ = ["DaskExecutor", "Executor", "LocalDaskExecutor", "LocalExecutor"]


def __getattr__(name: str) -> Any:
    # the dask executors import dask lazily, so `import prefect_classic` works without it
    if name in ("DaskExecutor", "LocalDaskExecutor"):
        try:
            from prefect_classic.executors import dask as _dask
        except ImportError as exc:  # pragma: no cover - module missing or broken
            raise AttributeError(f"{name} is unavailable: {exc}") from exc
        return getattr(_dask, name)
    raise AttributeError(f"module 'prefect_classic.executors' has no attribute '{name}'")
