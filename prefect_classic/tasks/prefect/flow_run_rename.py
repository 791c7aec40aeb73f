"""`RenameFlowRun`: rename a flow run in a backend (running it raises `BackendOnlyError`)."""

from typing import Any, Optional

from prefect_classic.client.client import no_backend
from prefect_classic.core.task import Task
from prefect_classic.utilities.context import context
from prefect_classic.utilities.tasks import defaults_from_attrs

__all__ = ["RenameFlowRun"]


class RenameFlowRun(Task):
    """Rename a flow run (default: the current one).

    Args:
        - flow_run_id (str, optional): the flow run
        - flow_run_name (str, optional): its new name
        - **kwargs (Any): other `Task` arguments
    """

    def __init__(
        self, flow_run_id: Optional[str] = None, flow_run_name: Optional[str] = None, **kwargs: Any
    ):
        self.flow_run_id = flow_run_id
        self.flow_run_name = flow_run_name
        super().__init__(**kwargs)

    @defaults_from_attrs("flow_run_id", "flow_run_name")
    def run(self, flow_run_id: Optional[str] = None, flow_run_name: Optional[str] = None) -> bool:  # type: ignore[override]
        """Rename the flow run (raises `BackendOnlyError`).

        Args:
            - flow_run_id (str, optional): the flow run (default `prefect.context.flow_run_id`)
            - flow_run_name (str): its new name

        Raises:
            - ValueError: without a flow run id or a name
        """
        if not (flow_run_id or context.get("flow_run_id")):
            raise ValueError(
                "`flow_run_id` must be explicitly provided or available in the context"
            )
        if flow_run_name is None:
            raise ValueError("Must provide a flow name.")
        no_backend("`RenameFlowRun`", "flow runs here are named by the process that runs them")
