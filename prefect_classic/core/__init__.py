"""Tasks, flows, edges and parameters."""

from prefect_classic.core.edge import Edge
from prefect_classic.core.flow import Flow
from prefect_classic.core.parameter import DateTimeParameter, Parameter
from prefect_classic.core.task import Task

__all__ = ["DateTimeParameter", "Edge", "Flow", "Parameter", "Task"]
