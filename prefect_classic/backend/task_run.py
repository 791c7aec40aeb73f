"""`TaskRunView`: a task run a backend recorded (looking one up raises `BackendOnlyError`)."""

from typing import Any, Iterator, Optional

from prefect_classic.client.client import no_backend

__all__ = ["TaskRunView"]

_INSTEAD = "read task states from the State `flow.run()` returns: `state.result[task]`"


class TaskRunView:
    """A task run as a backend described it.

    Args:
        - task_run_id (str): the task run's id
        - task_id (str): the task's id
        - task_slug (str): the task's slug
        - name (str): the task run's name
        - state (State): its state
        - map_index (int): its map index (-1 when not mapped)
        - flow_run_id (str): its flow run's id
    """

    def __init__(
        self,
        task_run_id: str,
        task_id: str,
        task_slug: str,
        name: str,
        state: Any,
        map_index: int,
        flow_run_id: str,
    ) -> None:
        self.task_run_id = task_run_id
        self.task_id = task_id
        self.task_slug = task_slug
        self.name = name
        self.state = state
        self.map_index = map_index
        self.flow_run_id = flow_run_id

    def get_result(self) -> Any:
        """The task run's result, as held by its state.

        Returns:
            - Any: the value
        """
        return self.state.result

    def iter_mapped(self) -> Iterator["TaskRunView"]:
        """The mapped children (raises `BackendOnlyError`)."""
        no_backend("`TaskRunView.iter_mapped()`", _INSTEAD)

    def get_latest(self) -> "TaskRunView":
        """Refresh from the backend (raises `BackendOnlyError`)."""
        no_backend("`TaskRunView.get_latest()`", _INSTEAD)

    @classmethod
    def from_task_run_id(cls, task_run_id: Optional[str] = None) -> "TaskRunView":
        """Look up a task run (raises `BackendOnlyError`)."""
        no_backend("`TaskRunView.from_task_run_id()`", _INSTEAD)

    @classmethod
    def from_task_slug(cls, task_slug: str, flow_run_id: str, map_index: int = -1) -> "TaskRunView":
        """Look up a task run by slug (raises `BackendOnlyError`)."""
        no_backend("`TaskRunView.from_task_slug()`", _INSTEAD)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(task_run_id={self.task_run_id!r}, task_slug={self.task_slug!r}, "
            f"state={self.state!r}, map_index={self.map_index})"
        )
