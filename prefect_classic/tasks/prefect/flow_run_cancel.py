"""`CancelFlowRun`: cancel a flow run in a backend (running it raises `BackendOnlyError`)."""

from typing import Any, Optional

from prefect_classic.client.client import no_backend
from prefect_classic.core.task import Task
from prefect_classic.utilities.context import context
from prefect_classic.utilities.tasks import defaults_from_attrs

__all__ = ["CancelFlowRun"]


class CancelFlowRun(Task):
    """Cancel a flow run (default: the current one).

    Args:
        - flow_run_id (str, optional): the flow run
        - **kwargs (Any): other `Task` arguments
    """

    def __init__(self, flow_run_id: Optional[str] = None, **kwargs: Any):
        self.flow_run_id = flow_run_id
        super().__init__(**kwargs)

    @defaults_from_attrs("flow_run_id")
    def run(self, flow_run_id: Optional[str] = None) -> bool:  # type: ignore[override]
        """Cancel the flow run (raises `BackendOnlyError`).

        Args:
            - flow_run_id (str, optional): the flow run (default `prefect.context.flow_run_id`)

        Raises:
            - ValueError: without a flow run id
        """
        if not (flow_run_id or context.get("flow_run_id")):
            raise ValueError("Can't cancel a flow run without flow run ID.")
        no_backend(
            "`CancelFlowRun`",
            "stop a local flow run from a task with "
            "`raise prefect_classic.engine.signals.FAIL(...)` or by ending its process",
        )
