"""Tasks that start other flows' runs through a Prefect backend (`create_flow_run`,
`wait_for_flow_run`, `get_task_run_result`, `StartFlowRun`).

They construct and can be added to flows as in Prefect 1, so flow files that use them load;
running one raises `BackendOnlyError` (the task run fails with that message). Run a child flow
in-process instead: call `child_flow.run(parameters=...)` inside a task.
"""

import datetime
from datetime import timedelta
from typing import Any, Iterable, Optional, Union

from prefect_classic.client.client import no_backend
from prefect_classic.core.task import Task
from prefect_classic.utilities.tasks import defaults_from_attrs, task

__all__ = ["StartFlowRun", "create_flow_run", "get_task_run_result", "wait_for_flow_run"]

CHILD_FLOW_HERE = (
    "run the child flow in this process instead: call `child_flow.run(parameters=...)` "
    "inside a task (its final State tells how it went)"
)


@task
def create_flow_run(
    flow_id: Optional[str] = None,
    flow_name: Optional[str] = None,
    project_name: str = "",
    parameters: Optional[dict] = None,
    context: Optional[dict] = None,
    labels: Optional[Iterable[str]] = None,
    run_name: Optional[str] = None,
    run_config: Any = None,
    scheduled_start_time: Optional[Union[datetime.datetime, timedelta]] = None,
    idempotency_key: Optional[str] = None,
) -> str:
    """Create a run of a registered flow (raises `BackendOnlyError` when the task runs).

    Args:
        - flow_id (str, optional): the flow's id
        - flow_name (str, optional): the flow's name
        - project_name (str, optional): the flow's project
        - parameters (dict, optional): parameter values
        - context (dict, optional): context values
        - labels (Iterable[str], optional): run labels
        - run_name (str, optional): the run's name
        - run_config (RunConfig, optional): a run config for the run
        - scheduled_start_time (datetime or timedelta, optional): when to start
        - idempotency_key (str, optional): a key that makes repeated calls create one run

    Returns:
        - str: the flow run's id (never: there is no backend)
    """
    no_backend(f"`create_flow_run` (flow {flow_name or flow_id!r})", CHILD_FLOW_HERE)


@task
def get_task_run_result(
    flow_run_id: str, task_slug: str, map_index: int = -1, poll_time: int = 5
) -> Any:
    """Read a task run's result from another flow run (raises `BackendOnlyError` when the task
    runs).

    Args:
        - flow_run_id (str): the flow run
        - task_slug (str): the task's slug
        - map_index (int, optional): the mapped child (-1: not mapped)
        - poll_time (int, optional): seconds between checks

    Returns:
        - Any: the result (never: there is no backend)
    """
    no_backend("`get_task_run_result`", CHILD_FLOW_HERE)


@task
def wait_for_flow_run(
    flow_run_id: str,
    stream_states: bool = True,
    stream_logs: bool = False,
    raise_final_state: bool = False,
    max_duration: timedelta = timedelta(hours=12),
) -> Any:
    """Wait for another flow run to finish (raises `BackendOnlyError` when the task runs).

    Args:
        - flow_run_id (str): the flow run
        - stream_states (bool, optional): log its state changes
        - stream_logs (bool, optional): log its logs
        - raise_final_state (bool, optional): end with the child's final state
        - max_duration (timedelta, optional): how long to wait

    Returns:
        - FlowRunView: the finished run (never: there is no backend)
    """
    no_backend("`wait_for_flow_run`", CHILD_FLOW_HERE)


class StartFlowRun(Task):
    """Start a run of a registered flow (constructs as in Prefect 1; running it raises
    `BackendOnlyError`).

    Args:
        - flow_name (str, optional): the flow's name
        - project_name (str, optional): the flow's project
        - parameters (dict, optional): parameter values (not tasks)
        - run_config (RunConfig, optional): a run config for the run
        - wait (bool, optional): wait for the run and take its final state (default False)
        - new_flow_context (dict, optional): context values for the run
        - run_name (str, optional): the run's name
        - scheduled_start_time (datetime, optional): when to start
        - poll_interval (timedelta, optional): time between checks when waiting (at least 3 s)
        - create_link_artifact (bool, optional): link the child run in the UI (default True)
        - **kwargs (Any): other `Task` arguments

    Raises:
        - TypeError: when a parameter value is a Task
        - ValueError: when `poll_interval` is below 3 seconds
    """

    def __init__(
        self,
        flow_name: Optional[str] = None,
        project_name: Optional[str] = None,
        parameters: Optional[dict] = None,
        run_config: Any = None,
        wait: bool = False,
        new_flow_context: Optional[dict] = None,
        run_name: Optional[str] = None,
        scheduled_start_time: Optional[datetime.datetime] = None,
        poll_interval: timedelta = timedelta(seconds=10),
        create_link_artifact: bool = True,
        **kwargs: Any,
    ):
        for value in (parameters or {}).values():
            if isinstance(value, Task):
                raise TypeError(
                    "Task results can't be passed as parameters to `StartFlowRun` at init time; "
                    "pass them when calling the task (e.g. `StartFlowRun(...)(parameters=...)`)."
                )
        if poll_interval.total_seconds() < 3:
            raise ValueError("`poll_interval` needs to be at least 3 seconds.")
        self.flow_name = flow_name
        self.project_name = project_name
        self.parameters = parameters
        self.run_config = run_config
        self.wait = wait
        self.new_flow_context = new_flow_context
        self.run_name = run_name
        self.scheduled_start_time = scheduled_start_time
        self.poll_interval = poll_interval
        self.create_link_artifact = create_link_artifact
        if flow_name:
            kwargs.setdefault("name", f"Flow {flow_name}")
        super().__init__(**kwargs)

    @defaults_from_attrs(
        "flow_name",
        "project_name",
        "parameters",
        "run_config",
        "new_flow_context",
        "run_name",
        "scheduled_start_time",
    )
    def run(  # type: ignore[override]
        self,
        flow_name: Optional[str] = None,
        project_name: Optional[str] = None,
        parameters: Optional[dict] = None,
        run_config: Any = None,
        new_flow_context: Optional[dict] = None,
        run_name: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        scheduled_start_time: Optional[datetime.datetime] = None,
    ) -> str:
        """Start the flow run (raises `BackendOnlyError`).

        Args:
            - flow_name (str, optional): the flow's name
            - project_name (str, optional): the flow's project
            - parameters (dict, optional): parameter values
            - run_config (RunConfig, optional): a run config for the run
            - new_flow_context (dict, optional): context values for the run
            - run_name (str, optional): the run's name
            - idempotency_key (str, optional): a key that makes repeated runs start one run
            - scheduled_start_time (datetime, optional): when to start

        Returns:
            - str: the flow run's id (never: there is no backend)
        """
        no_backend(f"`StartFlowRun` (flow {flow_name!r})", CHILD_FLOW_HERE)
