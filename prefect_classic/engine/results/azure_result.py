"""`AzureResult`: results stored as blobs in an Azure Blob Storage container."""
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from prefect_classic.engine.results._bucket import BucketResult
from prefect_classic.engine.serializers import Serializer

if TYPE_CHECKING:  # pragma: no cover
    from azure.storage.blob import BlobServiceClient

__all__ = ["AzureResult"]

_SERVICE_LOCK = threading.Lock()


class AzureResult(BucketResult["BlobServiceClient"]):
    """A Result stored as a blob in an Azure Blob Storage container.

    azure-storage-blob is imported, and the `BlobServiceClient` (`service`) created, on first use
    (`prefect.utilities.azure.get_blob_service_client`); it is then reused by this Result and its
    copies, and is not pickled. The connection string is `connection_string`, else the
    `AZURE_STORAGE_CONNECTION_STRING` environment variable when the Result is created, else the
    local secret named `connection_string_secret` (from `prefect.context.secrets`). A connection
    string without an account key or SAS token is authenticated with azure-identity's
    `DefaultAzureCredential`. `read`, `write` and `exists` raise `ResultStorageError` naming the
    container, the blob and the cause for any storage error (a missing blob is `False` for
    `exists`); writing over an existing blob replaces it.

    Args:
        - container (str): the container name
        - connection_string (str, optional): the storage account's connection string
        - connection_string_secret (str, optional): the name of a secret holding it
        - location (Union[str, Callable], optional): the blob name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    container: Optional[str]
    scheme = "azure"
    object_noun = "blob"
    container_attribute = "container"
    container_noun = "container"

    def __init__(
        self,
        container: str,
        connection_string: Optional[str] = None,
        connection_string_secret: Optional[str] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        **kwargs: Any,
    ) -> None:
        self.connection_string = connection_string or os.getenv("AZURE_STORAGE_CONNECTION_STRING")
        self.connection_string_secret = connection_string_secret
        super().__init__(container, location=location, serializer=serializer, **kwargs)

    def _connection_string(self) -> str:
        if self.connection_string:
            return self.connection_string
        if self.connection_string_secret:
            from prefect_classic.tasks.secrets.base import get_local_secret

            return str(get_local_secret(self.connection_string_secret))
        raise ValueError(
            "AzureResult has no connection string: pass `connection_string`, set the "
            "AZURE_STORAGE_CONNECTION_STRING environment variable, or name a secret holding it "
            "with `connection_string_secret`."
        )

    def initialize_service(self) -> None:
        """Create the `BlobServiceClient` now (it is otherwise created on first use).

        Raises:
            - ValueError: when there is no connection string (or its secret is not set)
            - ImportError: when azure-storage-blob is not installed
        """
        from prefect_classic.utilities import azure

        self._client = azure.get_blob_service_client(self._connection_string())

    @property
    def service(self) -> "BlobServiceClient":
        """The `azure.storage.blob.BlobServiceClient`, created on first access."""
        if getattr(self, "_client", None) is None:
            with _SERVICE_LOCK:
                if getattr(self, "_client", None) is None:
                    self.initialize_service()
        assert self._client is not None
        return self._client

    @service.setter
    def service(self, value: "BlobServiceClient") -> None:
        self._client = value

    @property
    def client(self) -> "BlobServiceClient":
        """The same as `service`."""
        if not self.container:
            raise ValueError("AzureResult needs a container name.")
        return self.service

    def _download(self, client: "BlobServiceClient", name: str) -> bytes:
        return client.get_blob_client(container=self.container, blob=name).download_blob().readall()

    def _upload(self, client: "BlobServiceClient", name: str, data: bytes) -> None:
        client.get_blob_client(container=self.container, blob=name).upload_blob(data, overwrite=True)

    def _object_exists(self, client: "BlobServiceClient", name: str) -> bool:
        return bool(client.get_blob_client(container=self.container, blob=name).exists())

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        try:
            from azure.core.exceptions import ResourceNotFoundError
        except ImportError:  # pragma: no cover - the SDK is there when a call could fail
            return False
        return isinstance(exc, ResourceNotFoundError)
