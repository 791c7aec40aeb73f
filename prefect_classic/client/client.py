"""`Client`: Prefect 1's Prefect Cloud/Server API client, without a backend to talk to.

A `Client()` constructs with Prefect 1's arguments (nothing is contacted), so code that makes
one at import time loads. Every method that needs the backend's answer raises
`prefect_classic.exceptions.BackendOnlyError`, naming the method and what to do instead.
"""

import datetime
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, NoReturn, Optional, Union

from prefect_classic.configuration import config
from prefect_classic.exceptions import BackendOnlyError

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow
    from prefect_classic.engine.state import State
    from prefect_classic.run_configs import RunConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

__all__ = ["Client", "FlowRunInfoResult", "ProjectInfo", "TaskRunInfoResult", "no_backend"]

RUN_LOCALLY = "run flows in this process with `flow.run()` or `prefect-classic run FILE.py`"
DEFAULT_API = "https://api.prefect.io"


def setting(dotted: str, default: Any = None) -> Any:
    """A configuration value by dotted key, or `default` when a section or key is missing.

    Args:
        - dotted (str): e.g. `"cloud.use_local_secrets"`
        - default (Any): the value for a missing key

    Returns:
        - Any: the value
    """
    node: Any = config
    for part in dotted.split("."):
        try:
            node = node[part]
        except (KeyError, TypeError, AttributeError):
            return default
    return node


def no_backend(operation: str, instead: str = RUN_LOCALLY) -> NoReturn:
    """Raise the error of an operation that needs a Prefect backend.

    Args:
        - operation (str): what was asked, e.g. "`Client.graphql()`"
        - instead (str, optional): what to do instead

    Raises:
        - BackendOnlyError: always
    """
    raise BackendOnlyError(
        f"{operation} needs a Prefect Cloud/Server backend, which prefect_classic does "
        f"not use; {instead}."
    )


class TaskRunInfoResult(NamedTuple):
    """A task run as a backend described it."""

    id: str
    task_id: str
    task_slug: str
    version: int
    state: "State"


class ProjectInfo(NamedTuple):
    """A backend project."""

    id: str
    name: str


class FlowRunInfoResult(NamedTuple):
    """A flow run as a backend described it."""

    id: str
    name: str
    flow_id: str
    project: ProjectInfo
    parameters: Dict[str, Any]
    context: Dict[str, Any]
    version: int
    scheduled_start_time: datetime.datetime
    state: "State"
    task_runs: List[TaskRunInfoResult]


class Client:
    """The Prefect Cloud/Server API client of Prefect 1. Constructing one contacts nothing;
    the methods that would call the API raise `BackendOnlyError`.

    Args:
        - api_server (str, optional): the API URL (default `config.cloud.api`, else Prefect
            Cloud's)
        - api_key (str, optional): an API key (default `config.cloud.api_key`, else the one in
            `~/.prefect/auth.toml`)
        - tenant_id (str, optional): a tenant UUID (default `config.cloud.tenant_id`, else the
            one in `~/.prefect/auth.toml`)
    """

    def __init__(
        self,
        api_server: Optional[str] = None,
        api_key: Optional[str] = None,
        tenant_id: Optional[str] = None,
    ):
        self._attached_headers: Dict[str, str] = {}
        self._auth_file = (
            Path(str(setting("home_dir", "~/.prefect"))).expanduser().absolute() / "auth.toml"
        )
        self.api_server = api_server or setting("cloud.api") or DEFAULT_API
        cached = self.load_auth_from_disk()
        self.api_key: Optional[str] = (
            api_key or setting("cloud.api_key") or cached.get("api_key") or None
        )
        self._tenant_id: Optional[str] = None
        self.tenant_id = tenant_id or setting("cloud.tenant_id") or cached.get("tenant_id")  # type: ignore[assignment]

    # --- local state --------------------------------------------------------------------------
    def load_auth_from_disk(self) -> Dict[str, str]:
        """The `api_key` and `tenant_id` saved by Prefect 1's `prefect auth login` for this API
        server in `~/.prefect/auth.toml` ({} when there are none).

        Returns:
            - dict: the saved settings
        """
        if not self._auth_file.exists():
            return {}
        try:
            saved = tomllib.loads(self._auth_file.read_text())
        except (OSError, ValueError):
            return {}
        netloc = self.api_server.split("://", 1)[-1].split("/", 1)[0].lower()
        return dict(saved.get(netloc, {}))

    def save_auth_to_disk(self) -> None:
        """Saving API credentials is for authenticating with a backend.

        Raises:
            - BackendOnlyError: always
        """
        no_backend("`Client.save_auth_to_disk()`")

    @property
    def tenant_id(self) -> str:
        """The tenant set for this client.

        Raises:
            - BackendOnlyError: when none is set (a backend would be asked for the default)
        """
        if not self._tenant_id:
            no_backend("Finding the default tenant (`Client.tenant_id`)")
        return self._tenant_id

    @tenant_id.setter
    def tenant_id(self, tenant_id: Union[str, uuid.UUID, None]) -> None:
        if not tenant_id:
            self._tenant_id = None
            return
        if not isinstance(tenant_id, uuid.UUID):
            try:
                tenant_id = uuid.UUID(str(tenant_id))
            except ValueError as exc:
                raise ValueError(
                    f"The `tenant_id` must be a valid UUID. Got {tenant_id!r}."
                ) from exc
        self._tenant_id = str(tenant_id)

    def attach_headers(self, headers: dict) -> None:
        """Add headers to every later request (kept; no request is ever sent).

        Args:
            - headers (dict): the headers
        """
        self._attached_headers.update(headers)

    # --- the API ------------------------------------------------------------------------------
    def get(
        self,
        path: str,
        server: Optional[str] = None,
        headers: Optional[dict] = None,
        params: Optional[Dict[str, Any]] = None,
        api_key: Optional[str] = None,
        retry_on_api_error: bool = True,
    ) -> dict:
        """A GET request to the API (raises `BackendOnlyError`)."""
        no_backend("`Client.get()`")

    def post(
        self,
        path: str,
        server: Optional[str] = None,
        headers: Optional[dict] = None,
        params: Optional[Dict[str, Any]] = None,
        api_key: Optional[str] = None,
        retry_on_api_error: bool = True,
    ) -> dict:
        """A POST request to the API (raises `BackendOnlyError`)."""
        no_backend("`Client.post()`")

    def graphql(
        self,
        query: Any,
        raise_on_error: bool = True,
        headers: Optional[Dict[str, str]] = None,
        variables: Optional[Mapping[str, Any]] = None,
        api_key: Optional[str] = None,
        retry_on_api_error: bool = True,
    ) -> Any:
        """A GraphQL query to the API (raises `BackendOnlyError`)."""
        no_backend("`Client.graphql()`")

    def create_tenant(self, name: str, slug: Optional[str] = None) -> str:
        """Create a tenant (raises `BackendOnlyError`)."""
        no_backend("`Client.create_tenant()`")

    def switch_tenant(
        self, tenant_slug: Optional[str] = None, tenant_id: Optional[str] = None
    ) -> str:
        """Switch tenants (raises `BackendOnlyError`)."""
        no_backend("`Client.switch_tenant()`")

    def get_available_tenants(self) -> List[Dict]:
        """List tenants (raises `BackendOnlyError`)."""
        no_backend("`Client.get_available_tenants()`")

    def register(
        self,
        flow: "Flow",
        project_name: Optional[str] = None,
        build: bool = True,
        set_schedule_active: bool = True,
        version_group_id: Optional[str] = None,
        compressed: bool = True,
        no_url: bool = False,
        idempotency_key: Optional[str] = None,
    ) -> str:
        """Register a flow (raises `BackendOnlyError`; `flow.register()` only warns)."""
        no_backend(
            "`Client.register()`",
            f"run flow {flow.name!r} with `flow.run()` or `prefect-classic run FILE.py`",
        )

    def get_cloud_url(self, subdirectory: str, id: str) -> str:
        """The UI URL of an object (raises `BackendOnlyError`)."""
        no_backend("`Client.get_cloud_url()`")

    def get_default_tenant_slug(self) -> str:
        """The default tenant's slug (raises `BackendOnlyError`)."""
        no_backend("`Client.get_default_tenant_slug()`")

    def create_project(self, project_name: str, project_description: Optional[str] = None) -> str:
        """Create a project (raises `BackendOnlyError`)."""
        no_backend(
            "`Client.create_project()`",
            "projects group registered flows; keep flows as "
            "files and run them with `prefect-classic run FILE.py`",
        )

    def delete_project(self, project_name: str) -> bool:
        """Delete a project (raises `BackendOnlyError`)."""
        no_backend("`Client.delete_project()`")

    def create_flow_run(
        self,
        flow_id: Optional[str] = None,
        context: Optional[dict] = None,
        parameters: Optional[dict] = None,
        run_config: Optional["RunConfig"] = None,
        labels: Optional[List[str]] = None,
        scheduled_start_time: Optional[datetime.datetime] = None,
        idempotency_key: Optional[str] = None,
        run_name: Optional[str] = None,
        version_group_id: Optional[str] = None,
    ) -> str:
        """Create a flow run (raises `BackendOnlyError`)."""
        no_backend(
            "`Client.create_flow_run()`",
            "run the flow in this process with `flow.run(parameters=...)`",
        )

    def get_flow_run_info(self, flow_run_id: str) -> FlowRunInfoResult:
        """A flow run's details (raises `BackendOnlyError`)."""
        no_backend("`Client.get_flow_run_info()`", "use the State returned by `flow.run()`")

    def update_flow_run_heartbeat(self, flow_run_id: str) -> None:
        """Send a flow run heartbeat (raises `BackendOnlyError`)."""
        no_backend("`Client.update_flow_run_heartbeat()`")

    def set_flow_run_name(self, flow_run_id: str, name: str) -> bool:
        """Rename a flow run (raises `BackendOnlyError`)."""
        no_backend("`Client.set_flow_run_name()`")

    def get_flow_run_state(self, flow_run_id: str) -> "State":
        """A flow run's state (raises `BackendOnlyError`)."""
        no_backend("`Client.get_flow_run_state()`", "use the State returned by `flow.run()`")

    def set_flow_run_state(
        self, flow_run_id: str, state: "State", version: Optional[int] = None
    ) -> "State":
        """Set a flow run's state (raises `BackendOnlyError`)."""
        no_backend("`Client.set_flow_run_state()`")

    def get_latest_cached_states(
        self, task_id: str, cache_key: Optional[str], created_after: datetime.datetime
    ) -> List["State"]:
        """Cached states stored by a backend (raises `BackendOnlyError`)."""
        no_backend(
            "`Client.get_latest_cached_states()`",
            "cache task outputs across runs with "
            "`cache_for` plus a durable cache or a `target` (see the caching docs)",
        )

    def get_task_run_info(
        self, flow_run_id: str, task_id: str, map_index: Optional[int] = None
    ) -> TaskRunInfoResult:
        """A task run's details (raises `BackendOnlyError`)."""
        no_backend(
            "`Client.get_task_run_info()`", "use `state.result[task]` of the flow run's State"
        )

    def set_task_run_name(self, task_run_id: str, name: str) -> bool:
        """Rename a task run (raises `BackendOnlyError`)."""
        no_backend("`Client.set_task_run_name()`")

    def cancel_flow_run(self, flow_run_id: str) -> bool:
        """Cancel a flow run (raises `BackendOnlyError`)."""
        no_backend("`Client.cancel_flow_run()`")

    def get_task_run_state(self, task_run_id: str) -> "State":
        """A task run's state (raises `BackendOnlyError`)."""
        no_backend(
            "`Client.get_task_run_state()`", "use `state.result[task]` of the flow run's State"
        )

    def set_task_run_state(
        self,
        task_run_id: str,
        state: "State",
        version: Optional[int] = None,
        cache_for: Optional[datetime.timedelta] = None,
    ) -> "State":
        """Set a task run's state (raises `BackendOnlyError`)."""
        no_backend("`Client.set_task_run_state()`")

    def set_secret(self, name: str, value: Any) -> None:
        """Store a secret in a backend (raises `BackendOnlyError`)."""
        no_backend(
            "`Client.set_secret()`",
            "set a local secret with the environment variable "
            f"PREFECT__CONTEXT__SECRETS__{name} or `prefect_classic.context.secrets`",
        )

    def get_task_tag_limit(self, tag: str) -> Optional[int]:
        """A tag's concurrency limit (raises `BackendOnlyError`)."""
        no_backend("`Client.get_task_tag_limit()`")

    def update_task_tag_limit(self, tag: str, limit: int) -> None:
        """Set a tag's concurrency limit (raises `BackendOnlyError`)."""
        no_backend("`Client.update_task_tag_limit()`")

    def delete_task_tag_limit(self, limit_id: str) -> None:
        """Remove a tag's concurrency limit (raises `BackendOnlyError`)."""
        no_backend("`Client.delete_task_tag_limit()`")

    def write_run_logs(self, logs: List[Dict]) -> None:
        """Ship run logs to a backend (raises `BackendOnlyError`)."""
        no_backend("`Client.write_run_logs()`", "logs go to the `prefect` logger's handlers")

    def register_agent(
        self,
        agent_type: str,
        name: Optional[str] = None,
        labels: Optional[List[str]] = None,
        agent_config_id: Optional[str] = None,
    ) -> str:
        """Register an agent (raises `BackendOnlyError`)."""
        no_backend("`Client.register_agent()`")

    def get_agent_config(self, agent_config_id: str) -> dict:
        """An agent's configuration (raises `BackendOnlyError`)."""
        no_backend("`Client.get_agent_config()`")

    def create_task_run_artifact(
        self, task_run_id: str, kind: str, data: dict, tenant_id: Optional[str] = None
    ) -> str:
        """Create an artifact (raises `BackendOnlyError`; `prefect.backend.create_*_artifact`
        do nothing without a backend)."""
        no_backend("`Client.create_task_run_artifact()`")

    def update_task_run_artifact(self, task_run_artifact_id: str, data: dict) -> None:
        """Update an artifact (raises `BackendOnlyError`)."""
        no_backend("`Client.update_task_run_artifact()`")

    def delete_task_run_artifact(self, task_run_artifact_id: str) -> None:
        """Delete an artifact (raises `BackendOnlyError`)."""
        no_backend("`Client.delete_task_run_artifact()`")
