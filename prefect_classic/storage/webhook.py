"""`Webhook` storage: a flow uploaded and downloaded with HTTP requests (constructs and
serializes; no requests are sent)."""

from typing import TYPE_CHECKING, Any, Dict, Optional

from prefect_classic.storage.base import Storage

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = ["Webhook"]

HTTP_METHODS = ("GET", "PATCH", "POST", "PUT")


class Webhook(Storage):
    """A flow stored by an HTTP request (`build`) and fetched by another (`get_flow`); the
    request arguments may hold `${VAR}` templates filled from secrets or the environment.
    Only one flow is kept: adding a flow replaces the previous one.

    Args:
        - build_request_kwargs (dict): keyword arguments of the upload request (`url`, `headers`…)
        - build_request_http_method (str): `"GET"`, `"PATCH"`, `"POST"` or `"PUT"`
        - get_flow_request_kwargs (dict): keyword arguments of the download request
        - get_flow_request_http_method (str): the download's HTTP method
        - stored_as_script (bool, optional): upload `flow_script_path` rather than the pickled
            flow (default False)
        - flow_script_path (str, optional): the script to upload when `stored_as_script`
        - **kwargs (Any): the `Storage` arguments

    Raises:
        - RuntimeError: for an HTTP method other than the four above
    """

    def __init__(
        self,
        build_request_kwargs: Dict[str, Any],
        build_request_http_method: str,
        get_flow_request_kwargs: Dict[str, Any],
        get_flow_request_http_method: str,
        stored_as_script: bool = False,
        flow_script_path: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        for method in (build_request_http_method, get_flow_request_http_method):
            if method not in HTTP_METHODS:
                raise RuntimeError(f"HTTP method '{method}' not recognized")
        self.flow_script_path = flow_script_path
        self.build_request_kwargs = build_request_kwargs
        self.build_request_http_method = build_request_http_method
        self.get_flow_request_kwargs = get_flow_request_kwargs
        self.get_flow_request_http_method = get_flow_request_http_method
        super().__init__(stored_as_script=stored_as_script, **kwargs)

    def add_flow(self, flow: "Flow") -> str:
        """Keep this flow (replacing any other).

        Args:
            - flow (Flow): the flow

        Returns:
            - str: the flow's name
        """
        self.flows = {flow.name: flow.name}
        self._flows = {flow.name: flow}
        return flow.name

    def build(self) -> "Storage":
        """Check the flow; uploading it is not done here.

        Returns:
            - Storage: this storage, when no flow was added

        Raises:
            - BackendOnlyError: when a flow would be uploaded
        """
        self.run_basic_healthchecks()
        if self._flows:
            self._remote_only("build", "uploads the flow with an HTTP request for a Prefect agent")
        return self

    def get_flow(self, flow_name: str) -> "Flow":
        """Downloading the flow is not done here.

        Args:
            - flow_name (str): the flow's name

        Raises:
            - ValueError: when no flow of that name was added
            - BackendOnlyError: otherwise
        """
        self._check_contained(flow_name)
        self._remote_only("get_flow", "downloads the flow with an HTTP request")
