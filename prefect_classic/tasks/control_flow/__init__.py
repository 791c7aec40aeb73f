"""Control-flow tasks: conditional branches and filtering."""

from prefect_classic.tasks.control_flow.case import case
from prefect_classic.tasks.control_flow.conditional import ifelse, merge, switch
from prefect_classic.tasks.control_flow.filter import FilterTask

__all__ = ["FilterTask", "case", "ifelse", "merge", "switch"]
