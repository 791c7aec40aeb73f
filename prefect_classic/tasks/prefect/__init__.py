"""Prefect 1's `prefect.tasks.prefect`: tasks that drive other flow runs through a Prefect
backend. They construct and join flows as in Prefect 1; running one raises `BackendOnlyError`
(run a child flow in-process with `child_flow.run()` inside a task instead)."""

from prefect_classic.tasks.prefect.flow_run import (
    StartFlowRun,
    create_flow_run,
    get_task_run_result,
    wait_for_flow_run,
)
from prefect_classic.tasks.prefect.flow_run_cancel import CancelFlowRun
from prefect_classic.tasks.prefect.flow_run_rename import RenameFlowRun

__all__ = [
    "CancelFlowRun",
    "RenameFlowRun",
    "StartFlowRun",
    "create_flow_run",
    "get_task_run_result",
    "wait_for_flow_run",
]
