"""`Module` storage: flows imported from an installed Python module."""

from typing import TYPE_CHECKING, Any

from prefect_classic.storage.base import Storage
from prefect_classic.utilities.storage import extract_flow_from_module

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = ["Module"]


class Module(Storage):
    """Refers to flows defined in an importable module; `get_flow` imports it.

    Args:
        - module (str): the module, e.g. `"myproject.flows"` (`__name__` names the current one)
        - **kwargs (Any): the `Storage` arguments

    Example:
        ```python
        flow.storage = Module("myproject.flows")
        ```
    """

    def __init__(self, module: str, **kwargs: Any) -> None:
        self.module = module
        super().__init__(**kwargs)

    def add_flow(self, flow: "Flow") -> str:
        """Record that the flow is found in `module`.

        Args:
            - flow (Flow): the flow

        Returns:
            - str: the module

        Raises:
            - ValueError: when a flow of that name was already added
        """
        self._check_new_name(flow)
        self.flows[flow.name] = self.module
        self._flows[flow.name] = flow
        return self.module

    def get_flow(self, flow_name: str) -> "Flow":
        """Import `module` and return its flow named `flow_name`.

        Args:
            - flow_name (str): the flow's name

        Returns:
            - Flow: the flow

        Raises:
            - ValueError: when the flow was not added, or the module has no flow of that name
        """
        self._check_contained(flow_name)
        return extract_flow_from_module(module_str=self.module, flow_name=flow_name)
