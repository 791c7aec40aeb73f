"""`Local` storage: flows pickled into files on this machine (or kept as scripts / modules)."""

import os
import socket
from typing import TYPE_CHECKING, Any, List, Optional

import pendulum

from prefect_classic.configuration import config
from prefect_classic.engine.results import LocalResult
from prefect_classic.storage.base import Storage
from prefect_classic.utilities.storage import (
    extract_flow_from_file,
    extract_flow_from_module,
    flow_from_bytes_pickle,
    flow_to_bytes_pickle,
    slugify,
)

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = ["Local"]


class Local(Storage):
    """Keeps flows on the local file system: pickled under `directory`, or as the `.py` file at
    `path` when `stored_as_script=True`. Its default label is the host name.

    Args:
        - directory (str, optional): where pickled flows go (default `~/.prefect/flows`); made
            absolute and created unless `validate=False`
        - validate (bool, optional): make `directory` absolute and create it (default True)
        - path (str, optional): with `stored_as_script=True`, the flow's `.py` file or a module
            path (`"package.module"`); otherwise the file to pickle the flow into
        - stored_as_script (bool, optional): the flow is kept as a script (default False)
        - **kwargs (Any): the `Storage` arguments (`secrets`, `labels`, `add_default_labels`)

    Example:
        ```python
        storage = Local(directory="/tmp/flows")
        storage.add_flow(flow)
        same_flow = storage.get_flow(flow.name)
        ```
    """

    def __init__(
        self,
        directory: Optional[str] = None,
        validate: bool = True,
        path: Optional[str] = None,
        stored_as_script: bool = False,
        **kwargs: Any,
    ) -> None:
        directory = (
            str(directory) if directory is not None else os.path.join(str(config.home_dir), "flows")
        )
        if validate:
            directory = os.path.abspath(os.path.expanduser(directory))
            os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.path = path
        result = LocalResult(self.directory, validate_dir=validate)
        super().__init__(result=result, stored_as_script=stored_as_script, **kwargs)

    @property
    def default_labels(self) -> List[str]:
        """The host name (when `add_default_labels` is set)."""
        return [socket.gethostname()] if self.add_default_labels else []

    def add_flow(self, flow: "Flow") -> str:
        """Add a flow: pickle it into a new file under `directory` (or into `path`), or, with
        `stored_as_script=True`, record `path` as its location.

        Args:
            - flow (Flow): the flow

        Returns:
            - str: the flow's file (or module path)

        Raises:
            - ValueError: when a flow of that name was already added, or a script has no `path`
        """
        self._check_new_name(flow)
        if self.stored_as_script:
            if not self.path:
                raise ValueError(
                    "A `path` must be provided to show where flow `.py` file is stored."
                )
            location = self.path
        else:
            location = self.path or os.path.join(
                self.directory, slugify(flow.name), slugify(pendulum.now("utc").isoformat())
            )
            os.makedirs(os.path.dirname(os.path.abspath(location)), exist_ok=True)
            tmp = f"{location}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                f.write(flow_to_bytes_pickle(flow))
            os.replace(tmp, location)
        self.flows[flow.name] = location
        self._flows[flow.name] = flow
        return location

    def get_flow(self, flow_name: str) -> "Flow":
        """Load a flow added to this storage: unpickled from its file, executed from its script,
        or imported from its module.

        Args:
            - flow_name (str): the flow's name

        Returns:
            - Flow: the flow

        Raises:
            - ValueError: when no flow of that name was added
        """
        self._check_contained(flow_name)
        location = self.flows[flow_name]
        if os.path.isfile(location):
            if self.stored_as_script:
                return extract_flow_from_file(file_path=location, flow_name=flow_name)
            with open(location, "rb") as f:
                return flow_from_bytes_pickle(f.read())
        return extract_flow_from_module(module_str=location, flow_name=flow_name)
