"""`FlowRunView` and log streaming for flow runs a backend recorded (lookups raise
`BackendOnlyError`)."""

from datetime import timedelta
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional

from prefect_classic.client.client import no_backend

__all__ = [
    "FlowRunLog",
    "FlowRunView",
    "check_for_compatible_agents",
    "stream_flow_run_logs",
    "watch_flow_run",
]

_INSTEAD = (
    "run the flow with `flow.run()`, which returns its final State (task states in `state.result`)"
)


class FlowRunLog(NamedTuple):
    """A log line of a flow run."""

    timestamp: Any
    level: int
    message: str

    @classmethod
    def from_dict(cls, data: dict) -> "FlowRunLog":
        """Build from a backend's log record (`timestamp`, `level` name, `message`).

        Args:
            - data (dict): the record

        Returns:
            - FlowRunLog: the log line
        """
        import logging

        import pendulum

        return cls(
            pendulum.parse(data["timestamp"]), logging.getLevelName(data["level"]), data["message"]
        )


def watch_flow_run(
    flow_run_id: str,
    stream_states: bool = True,
    stream_logs: bool = True,
    max_duration: timedelta = timedelta(hours=12),
) -> Iterator[FlowRunLog]:
    """Follow a flow run's states and logs (raises `BackendOnlyError`)."""
    no_backend("`watch_flow_run()`", _INSTEAD)


def stream_flow_run_logs(flow_run_id: str, max_duration: timedelta = timedelta(hours=12)) -> None:
    """Print a flow run's logs (raises `BackendOnlyError`)."""
    no_backend("`stream_flow_run_logs()`", _INSTEAD)


def check_for_compatible_agents(labels: Iterable[str], since_minutes: int = 1) -> str:
    """Describe the agents that could run a flow run (raises `BackendOnlyError`)."""
    no_backend("`check_for_compatible_agents()`", _INSTEAD)


class FlowRunView:
    """A flow run as a backend described it.

    Args:
        - flow_run_id (str): the flow run's id
        - name (str): its name
        - flow_id (str): its flow's id
        - labels (List[str]): its labels
        - parameters (dict): its parameters
        - context (dict): its context
        - state (State): its state
        - states (List[State]): its past states
        - updated_at (DateTime): when it last changed
        - run_config (RunConfig): its run config
        - task_runs (Iterable[TaskRunView], optional): task runs already known
    """

    def __init__(
        self,
        flow_run_id: str,
        name: str,
        flow_id: str,
        labels: List[str],
        parameters: dict,
        context: dict,
        state: Any,
        states: List[Any],
        updated_at: Any,
        run_config: Any,
        task_runs: Optional[Iterable[Any]] = None,
    ):
        self.flow_run_id = flow_run_id
        self.name = name
        self.flow_id = flow_id
        self.labels = labels
        self.parameters = parameters
        self.context = context
        self.state = state
        self.states = states
        self.updated_at = updated_at
        self.run_config = run_config
        self._task_runs = list(task_runs or [])

    @classmethod
    def from_flow_run_id(
        cls,
        flow_run_id: str,
        load_static_tasks: bool = False,
        _cached_task_runs: Optional[Iterable[Any]] = None,
    ) -> "FlowRunView":
        """Look up a flow run (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.from_flow_run_id()`", _INSTEAD)

    def get_latest(self, load_static_tasks: bool = False) -> "FlowRunView":
        """Refresh from the backend (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.get_latest()`", _INSTEAD)

    def get_logs(self, start_time: Any = None, end_time: Any = None) -> List[FlowRunLog]:
        """The run's logs (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.get_logs()`", _INSTEAD)

    def get_flow_metadata(self, no_cache: bool = False) -> Any:
        """The run's flow (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.get_flow_metadata()`", _INSTEAD)

    def get_task_run(
        self,
        task_slug: Optional[str] = None,
        task_run_id: Optional[str] = None,
        map_index: Optional[int] = None,
    ) -> Any:
        """One of the run's task runs (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.get_task_run()`", _INSTEAD)

    def get_all_task_runs(self) -> List[Any]:
        """All of the run's task runs (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.get_all_task_runs()`", _INSTEAD)

    def get_task_run_ids(self) -> List[str]:
        """The ids of the run's task runs (raises `BackendOnlyError`)."""
        no_backend("`FlowRunView.get_task_run_ids()`", _INSTEAD)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(flow_run_id={self.flow_run_id!r}, name={self.name!r}, state={self.state!r})"
