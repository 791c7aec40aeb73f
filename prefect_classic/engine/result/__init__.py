"""Results: a value and where it is stored."""

from prefect_classic.engine.result.base import NoResult, NoResultType, Result

__all__ = ["NoResult", "NoResultType", "Result"]
