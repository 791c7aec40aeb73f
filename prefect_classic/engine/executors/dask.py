"""The dask executors under their old path (each warns that it moved to
`prefect_classic.executors`)."""

import warnings
from typing import Any

from prefect_classic.executors.dask import DaskExecutor as _DaskExecutor
from prefect_classic.executors.dask import LocalDaskExecutor as _LocalDaskExecutor

__all__ = ["DaskExecutor", "LocalDaskExecutor"]


class DaskExecutor(_DaskExecutor):
    """`prefect_classic.executors.DaskExecutor`, created through its old import path."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "DaskExecutor":
        warnings.warn(
            "prefect.engine.executors.DaskExecutor has been moved to "
            "`prefect.executors.DaskExecutor`, please update your imports",
            stacklevel=2,
        )
        return super().__new__(cls)


class LocalDaskExecutor(_LocalDaskExecutor):
    """`prefect_classic.executors.LocalDaskExecutor`, created through its old import path."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "LocalDaskExecutor":
        warnings.warn(
            "prefect.engine.executors.LocalDaskExecutor has been moved to "
            "`prefect.executors.LocalDaskExecutor`, please update your imports",
            stacklevel=2,
        )
        return super().__new__(cls)
