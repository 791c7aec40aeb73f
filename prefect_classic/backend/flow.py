"""`FlowView`: a flow registered with a backend (looking one up raises `BackendOnlyError`)."""

from dataclasses import dataclass
from typing import Any, List

from prefect_classic.client.client import no_backend

__all__ = ["FlowView"]

_INSTEAD = "import the flow from its Python file (or `Flow.load()` a saved one) and run it with `flow.run()`"


@dataclass(frozen=True)
class FlowView:
    """A registered flow's metadata as a backend described it.

    Args:
        - flow_id (str): the flow's id
        - settings (dict): its settings
        - run_config (RunConfig): its run config
        - serialized_flow (dict): the serialized flow
        - archived (bool): whether it is archived
        - project_name (str): its project
        - core_version (str): the Prefect version it was registered with
        - storage (Storage): its storage
        - name (str): its name
        - flow_group_labels (List[str]): its flow group's labels
    """

    flow_id: str
    settings: dict
    run_config: Any
    serialized_flow: dict
    archived: bool
    project_name: str
    core_version: str
    storage: Any
    name: str
    flow_group_labels: List[str]

    @property
    def flow(self) -> Any:
        """The flow, loaded from its storage (see `prefect_classic.storage`)."""
        return self.storage.get_flow(self.name)

    @classmethod
    def from_id(cls, flow_id: str) -> "FlowView":
        """Look up a flow by id (raises `BackendOnlyError`)."""
        no_backend("`FlowView.from_id()`", _INSTEAD)

    @classmethod
    def from_flow_id(cls, flow_id: str) -> "FlowView":
        """Look up a flow by id (raises `BackendOnlyError`)."""
        no_backend("`FlowView.from_flow_id()`", _INSTEAD)

    @classmethod
    def from_flow_group_id(cls, flow_group_id: str) -> "FlowView":
        """Look up a flow group's latest flow (raises `BackendOnlyError`)."""
        no_backend("`FlowView.from_flow_group_id()`", _INSTEAD)

    @classmethod
    def from_flow_name(
        cls, flow_name: str, project_name: str = "", last_updated: bool = False
    ) -> "FlowView":
        """Look up a flow by name (raises `BackendOnlyError`)."""
        no_backend("`FlowView.from_flow_name()`", _INSTEAD)
