"""`LocalExecutor` under its old path (warns that it moved to `prefect_classic.executors`)."""

import warnings
from typing import Any

from prefect_classic.executors import LocalExecutor as _LocalExecutor

__all__ = ["LocalExecutor"]


class LocalExecutor(_LocalExecutor):
    """`prefect_classic.executors.LocalExecutor`, created through its old import path."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "LocalExecutor":
        warnings.warn(
            "prefect.engine.executors.LocalExecutor has been moved to "
            "`prefect.executors.LocalExecutor`, please update your imports",
            stacklevel=2,
        )
        return super().__new__(cls)
