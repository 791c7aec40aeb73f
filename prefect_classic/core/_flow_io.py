"""Flow persistence and display: save/load, serialize, visualize, and the Prefect backend
entry points (private to `prefect_classic.core`; `Flow` inherits them)."""

import hashlib
import json
import os
import re
import sys
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import cloudpickle

from prefect_classic.configuration import config
from prefect_classic.utilities.context import context

if TYPE_CHECKING:
    import logging

    from prefect_classic.core.flow import Flow
    from prefect_classic.core.task import Task

__all__ = ["FlowIO"]


class FlowIO:
    """The methods of `Flow` that write, read, describe or draw it."""

    if TYPE_CHECKING:  # provided by Flow
        name: str
        storage: Any
        run_config: Any
        result: Any
        logger: "logging.Logger"
        slugs: Dict["Task", str]

        def validate(self) -> None: ...

        def copy(self) -> "Flow": ...

    def save(self, fpath: Optional[str] = None) -> str:
        """Write the flow to a file with cloudpickle.

        Args:
            - fpath (str, optional): the path (default `~/.prefect/flows/<slugified name>.prefect`)

        Returns:
            - str: the path written
        """
        if fpath is None:
            home = os.path.expanduser(str(config.home_dir))
            fpath = os.path.join(
                home, "flows", re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") + ".prefect"
            )
        fpath = os.path.abspath(os.path.expanduser(fpath))
        os.makedirs(os.path.dirname(fpath), exist_ok=True)
        tmp = f"{fpath}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            cloudpickle.dump(self, f)
        os.replace(tmp, fpath)
        return fpath

    @classmethod
    def load(cls, fpath: str) -> "Flow":
        """Read a flow written by `save`.

        Args:
            - fpath (str): the path (or a flow name saved at the default location)

        Returns:
            - Flow: the flow
        """
        path = os.path.expanduser(fpath)
        if not os.path.exists(path):
            home = os.path.expanduser(str(config.home_dir))
            path = os.path.join(
                home, "flows", re.sub(r"[^a-z0-9]+", "-", fpath.lower()).strip("-") + ".prefect"
            )
        with open(path, "rb") as f:
            return cloudpickle.load(f)

    def visualize(
        self,
        flow_state: Any = None,
        filename: Optional[str] = None,
        format: Optional[str] = None,
        horizontal: bool = False,
    ) -> Any:
        """Draw the flow with graphviz (the `viz` extra), colouring tasks (and each mapped child)
        by state when given; without a filename it opens in the system viewer (or shows in IPython).

        Args:
            - flow_state (State, optional): a flow run's final state
            - filename (str, optional): write `filename.format` instead of opening it
            - format (str, optional): the image format (default "pdf"; "dot" writes the source
                text without Graphviz's `dot` program)
            - horizontal (bool, optional): lay the graph out from left to right

        Returns:
            - graphviz.Digraph: the graph

        Raises:
            - ImportError: when graphviz is not installed
        """
        from prefect_classic.utilities.visualization import visualize_flow

        return visualize_flow(
            self, flow_state=flow_state, filename=filename, format=format, horizontal=horizontal
        )

    def serialize(self, build: bool = False) -> dict:
        """Return the flow's metadata as Prefect 1's JSON-compatible dict.

        Args:
            - build (bool): add the flow to its storage (if not there yet) and build the storage
                first; remote storage raises `BackendOnlyError` (see `prefect_classic.storage`)

        Returns:
            - dict: the serialized flow

        Raises:
            - ValueError: when `build=True` and the flow has no storage
        """
        from prefect_classic.serialization.flow import FlowSchema

        self.validate()
        # tasks are serialized with their slug in this flow (as Prefect 1 does, this sets `slug`)
        flow_copy = self.copy()
        for t, slug in flow_copy.slugs.items():
            t.slug = slug
        serialized = FlowSchema().dump(flow_copy)
        if build:
            from prefect_classic.serialization.storage import StorageSchema

            if not self.storage:
                raise ValueError("This flow has no storage to build")
            if self.name not in self.storage:
                self.storage.add_flow(self)
            else:
                warnings.warn(
                    "A flow with the same name is already contained in storage; if you changed "
                    "your Flow since the last build, re-create your storage object.",
                    stacklevel=2,
                )
            serialized["storage"] = StorageSchema().dump(self.storage.build())
        return serialized

    def serialized_hash(self, build: bool = False) -> str:
        """A SHA-256 of the serialized flow (keys sorted): equal hashes mean `flow.register()` would
        have sent a backend nothing new.

        Args:
            - build (bool, optional): build the storage first (see `serialize`)

        Returns:
            - str: the hex digest
        """
        return hashlib.sha256(
            json.dumps(self.serialize(build), sort_keys=True).encode()
        ).hexdigest()

    def diagnostics(self, include_secret_names: bool = False) -> str:
        """Diagnostic information for a bug report: system, changed configuration keys, set
        `PREFECT__` variables and what this flow is made of (names and types only, no values).

        Args:
            - include_secret_names (bool, optional): list the names (never the values) of
                configured secrets

        Returns:
            - str: indented JSON
        """
        from prefect_classic.utilities.diagnostics import diagnostic_info

        return diagnostic_info(self, include_secret_names)  # type: ignore[arg-type]

    def run_agent(
        self,
        token: Optional[str] = None,
        show_flow_logs: bool = False,
        log_to_cloud: Optional[bool] = None,
        api_key: Optional[str] = None,
    ) -> None:
        """Prefect 1 started a local agent for a Prefect backend here (raises `BackendOnlyError`).

        Raises:
            - BackendOnlyError: always; run the flow with `flow.run()` or `prefect-classic run`
        """
        from prefect_classic.client.client import no_backend

        no_backend(
            "`flow.run_agent()`",
            "run the flow in this process with `flow.run()` or "
            f"`prefect-classic run {_calling_file()}`",
        )

    def register(
        self,
        project_name: Optional[str] = None,
        build: bool = True,
        labels: Optional[List[str]] = None,
        set_schedule_active: bool = True,
        version_group_id: Optional[str] = None,
        no_url: bool = False,
        idempotency_key: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        """Prefect 1 registered the flow with a Prefect backend here. prefect_classic has no backend:
        this prepares the flow as Prefect 1 did (a default storage built from `**kwargs`, a
        `UniversalRun` run config, the storage's and `labels` added to the run config's labels, the
        storage's Result as the flow's default), logs one warning that nothing was registered and
        how to run the flow here, and returns None. The storage is not built.

        Args:
            - project_name (str, optional): the backend project (unused)
            - build (bool, optional): build the storage (unused: nothing is uploaded)
            - labels (List[str], optional): labels added to the run config
            - set_schedule_active (bool, optional): unused
            - version_group_id (str, optional): unused
            - no_url (bool, optional): unused
            - idempotency_key (str, optional): unused
            - **kwargs (Any): arguments of the default storage class, when the flow has no storage

        Returns:
            - None: there is no flow id without a backend

        Raises:
            - ValueError: when called inside the flow's `with Flow(...)` block
        """
        if "_ctx" in self.__dict__:
            raise ValueError(
                "Don't call `flow.register()` from within a `Flow` context manager: call it after the "
                "`with Flow(...) as flow:` block."
            )
        if not context.get("loading_flow", False):
            from prefect_classic.run_configs import UniversalRun
            from prefect_classic.storage import get_default_storage_class

            if self.storage is None:
                self.storage = get_default_storage_class()(**kwargs)
            if self.run_config is None:
                self.run_config = UniversalRun()
            self.run_config.labels.update(self.storage.labels)
            self.run_config.labels.update(labels or ())
            if not self.result:
                self.result = self.storage.result
        script = _calling_file()
        self.logger.warning(
            "flow.register(): flow %r was not registered: prefect_classic runs flows without a Prefect "
            "Cloud/Server backend. Run it here with `flow.run()` or `prefect-classic run %s`.",
            self.name,
            script,
        )
        return None


def _calling_file() -> str:
    """The file of the code that called the caller, as a short path ("FILE.py" when unknown)."""
    path = sys._getframe(2).f_code.co_filename
    if not os.path.isfile(path):
        return "FILE.py"
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative.startswith("..") else relative
