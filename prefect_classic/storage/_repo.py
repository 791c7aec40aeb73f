"""What the git-hosted storages share: a flow is a `.py` file at a path in a repository, pushed
there by its author; loading it back means downloading that file."""

from typing import TYPE_CHECKING, Dict, NoReturn, Optional

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = ["RepoStorage"]


class RepoStorage:
    """A storage whose flows are files in a repository (a mixin listed
    before `Storage`: each storage class stays a direct subclass of `Storage`, as Prefect 1's
    schemas expect).

    `add_flow` records the file's path and `build()` only checks the flows (the file is pushed
    by its author, not by Prefect). `get_flow` would download the file and raises
    `BackendOnlyError`: run the file itself instead.
    """

    flows: Dict[str, str]
    _flows: Dict[str, "Flow"]
    stored_as_script: bool

    if TYPE_CHECKING:  # provided by `Storage`

        def _check_new_name(self, flow: "Flow") -> None: ...
        def _check_contained(self, flow_name: str) -> None: ...
        def _remote_only(self, operation: str, what: str) -> NoReturn: ...
        def run_basic_healthchecks(self) -> None: ...

    service = "a repository"

    def _file_path(self) -> Optional[str]:
        return getattr(self, "path", None)

    def add_flow(self, flow: "Flow") -> str:
        """Record the flow as the file at this storage's path.

        Args:
            - flow (Flow): the flow

        Returns:
            - str: the file's path in the repository

        Raises:
            - ValueError: when a flow of that name was already added
        """
        self._check_new_name(flow)
        path = self._file_path()
        self.flows[flow.name] = path  # type: ignore[assignment]
        self._flows[flow.name] = flow
        return path  # type: ignore[return-value]

    def get_flow(self, flow_name: str) -> "Flow":
        """Downloading the flow's file is not done here.

        Args:
            - flow_name (str): the flow's name

        Raises:
            - ValueError: when no flow of that name was added
            - BackendOnlyError: otherwise
        """
        self._check_contained(flow_name)
        self._remote_only("get_flow", f"downloads the flow's file from {self.service}")
