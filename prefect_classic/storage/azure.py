"""`Azure` storage: flows kept as blobs in an Azure container (constructs and serializes; no
uploads)."""

from typing import Any, Optional

from prefect_classic.storage._bucket import BucketStorage
from prefect_classic.storage.base import Storage

__all__ = ["Azure"]


def _azure_result(container: str, connection_string_secret: Optional[str]) -> Any:
    from prefect_classic.engine import results

    result_class = getattr(results, "AzureResult", None)
    if result_class is None:
        return None
    return result_class(container=container, connection_string_secret=connection_string_secret)


class Azure(BucketStorage, Storage):
    """Flows pickled (or kept as scripts) as blobs in an Azure container, for a Prefect agent to
    download. Its Result is an `AzureResult` on the same container.

    Args:
        - container (str): the container
        - connection_string_secret (str, optional): the secret holding the connection string
            (default: the `AZURE_STORAGE_CONNECTION_STRING` secret or environment variable)
        - blob_name (str, optional): the blob of the (single) flow (default
            `<flow-name>/<timestamp>`)
        - overwrite (bool, optional): replace an existing blob (default False)
        - stored_as_script (bool, optional): the flow is kept as a `.py` file (default False)
        - **kwargs (Any): the `Storage` arguments
    """

    service = "Azure Blob Storage"

    def __init__(
        self,
        container: str,
        connection_string_secret: Optional[str] = None,
        blob_name: Optional[str] = None,
        overwrite: bool = False,
        stored_as_script: bool = False,
        **kwargs: Any,
    ) -> None:
        self.container = container
        self.connection_string_secret = connection_string_secret
        self.blob_name = blob_name
        self.overwrite = overwrite
        result = _azure_result(container, connection_string_secret)
        super().__init__(result=result, stored_as_script=stored_as_script, **kwargs)

    def _fixed_key(self) -> Optional[str]:
        return self.blob_name

    def _has_uploads(self) -> bool:
        return bool(self._flows) and not self.stored_as_script
