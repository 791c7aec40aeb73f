"""What S3, GCS and Azure storage share: a bucket, one object key per flow, and uploads and
downloads that prefect_classic does not perform."""

from typing import TYPE_CHECKING, Dict, NoReturn, Optional, cast

from prefect_classic.storage.base import timestamped_key

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow
    from prefect_classic.storage.base import Storage

__all__ = ["BucketStorage"]


class BucketStorage:
    """A storage that keeps each flow as one object in a bucket (a mixin listed
    before `Storage`: each storage class stays a direct subclass of `Storage`, as Prefect 1's
    schemas expect).

    `add_flow` records the object key (the `key` given, else `<flow-name>/<timestamp>`);
    `build()` checks the flows and would upload them, and `get_flow` would download one: both
    raise `BackendOnlyError` when an upload or a download is needed.
    """

    flows: Dict[str, str]
    _flows: Dict[str, "Flow"]
    stored_as_script: bool

    if TYPE_CHECKING:  # provided by `Storage`

        def _check_new_name(self, flow: "Flow") -> None: ...
        def _check_contained(self, flow_name: str) -> None: ...
        def _remote_only(self, operation: str, what: str) -> NoReturn: ...
        def run_basic_healthchecks(self) -> None: ...

    service = "a bucket"

    def _fixed_key(self) -> Optional[str]:
        return getattr(self, "key", None)

    def add_flow(self, flow: "Flow") -> str:
        """Record the flow and the object key it would be uploaded to.

        Args:
            - flow (Flow): the flow

        Returns:
            - str: the object key

        Raises:
            - ValueError: when a flow of that name was already added
        """
        self._check_new_name(flow)
        key = self._fixed_key() or timestamped_key(flow)
        self.flows[flow.name] = key
        self._flows[flow.name] = flow
        return key

    def _has_uploads(self) -> bool:
        if not self._flows:
            return False
        if self.stored_as_script:
            return bool(getattr(self, "local_script_path", None))
        return True

    def build(self) -> "Storage":
        """Check the added flows; uploading them is not done here.

        Returns:
            - Storage: this storage, when there is nothing to upload

        Raises:
            - ValueError: for a script storage with neither a key nor a local script
            - BackendOnlyError: when flows would be uploaded
        """
        self.run_basic_healthchecks()
        if (
            self.stored_as_script
            and self._flows
            and not self._has_uploads()
            and not self._fixed_key()
        ):
            raise ValueError(
                f"A key must be provided to show where the flow's `.py` file is stored in "
                f"{self.service}, or a local script to upload."
            )
        if self._has_uploads():
            self._remote_only("build", f"uploads flows to {self.service} for a Prefect agent")
        return cast("Storage", self)

    def get_flow(self, flow_name: str) -> "Flow":
        """Downloading a flow is not done here.

        Args:
            - flow_name (str): the flow's name

        Raises:
            - ValueError: when no flow of that name was added
            - BackendOnlyError: otherwise
        """
        self._check_contained(flow_name)
        self._remote_only("get_flow", f"downloads the flow from {self.service}")
