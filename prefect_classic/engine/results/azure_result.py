"""`AzureResult`: results stored as blobs in an Azure Blob Storage container."""

import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Union

from prefect_classic.engine.results._bucket import (
    CORRUPT,
    DEFAULT_TIMEOUT,
    TRANSIENT,
    BucketResult,
    ObjectExists,
)
from prefect_classic.engine.serializers import Serializer

if TYPE_CHECKING:  # pragma: no cover
    from azure.storage.blob import BlobServiceClient

__all__ = ["AzureResult"]

_SERVICE_LOCK = threading.Lock()

#: the Azure SDK itself tries each download (and each of its chunks) up to 3 times, 1 s apart
_SDK_DOWNLOAD_TRIES = 3
#: fewer retries than S3 and GCS by default, as the SDK retries downloads too
_DEFAULT_MAX_RETRIES = 2
#: Azure metadata names must be identifiers: no dashes
_CHECKSUM_METADATA_KEY = "prefect_classic_checksum"
_RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def _fault(exc: BaseException) -> Optional[str]:
    """Whether an azure-core error is worth a retry: a damaged download (`CORRUPT`), a server or
    network fault (`TRANSIENT`), or not (None)."""
    try:
        from azure.core import exceptions as az
    except ImportError:  # pragma: no cover - no SDK, no SDK errors
        return None
    if isinstance(exc, (az.IncompleteReadError, az.DecodeError)):
        return CORRUPT
    if isinstance(exc, (az.ServiceRequestError, az.ServiceResponseError)):
        return TRANSIENT
    if isinstance(exc, az.HttpResponseError) and exc.status_code in _RETRIED_STATUSES:
        return TRANSIENT
    return None


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
    `exists`); writing over an existing blob replaces it. Failed requests are retried by this
    Result (see `BucketResult`), not by the SDK's retry policy; but the SDK itself tries each
    download up to 3 times, 1 s apart, so a download waits at most `timeout` / 3 seconds for each
    answer and one attempt of it lasts at most `timeout` + 2 s. With the defaults (`timeout=5`,
    `max_retries=2`) a service that does not answer is reported within 22 s.

    Args:
        - container (str): the container name
        - connection_string (str, optional): the storage account's connection string
        - connection_string_secret (str, optional): the name of a secret holding it
        - location (Union[str, Callable], optional): the blob name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - max_retries (int, optional): how many times a failed transfer is retried (default 2)
        - timeout (float, optional): seconds to wait for a connection and for each answer
            (default 5; a third of it for the answers to a download)
        - **kwargs (Any, optional): other `Result` options, such as `value`

    Raises:
        - TypeError: when `container` is not a string (e.g. None)
        - ValueError: when `container` is empty
    """

    container: str
    scheme = "azure"
    object_noun = "blob"
    container_attribute = "container"
    container_noun = "container"
    default_max_retries = _DEFAULT_MAX_RETRIES

    def __init__(
        self,
        container: str,
        connection_string: Optional[str] = None,
        connection_string_secret: Optional[str] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        max_retries: int = _DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self.connection_string = connection_string or os.getenv("AZURE_STORAGE_CONNECTION_STRING")
        self.connection_string_secret = connection_string_secret
        super().__init__(
            container,
            location=location,
            serializer=serializer,
            max_retries=max_retries,
            timeout=timeout,
            **kwargs,
        )

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

    def _request_options(self, read_timeout: Optional[float] = None) -> Dict[str, Any]:
        """Per-request settings: this Result's timeout, and no retries by the SDK's policy."""
        return {
            "connection_timeout": self.timeout,
            "read_timeout": read_timeout or self.timeout,
            "retry_total": 0,
        }

    def _download(self, client: "BlobServiceClient", name: str) -> Tuple[bytes, Optional[str]]:
        blob = client.get_blob_client(container=self.container, blob=name)
        downloader = blob.download_blob(**self._request_options(self.timeout / _SDK_DOWNLOAD_TRIES))
        data = downloader.readall()
        metadata = getattr(getattr(downloader, "properties", None), "metadata", None)
        checksum = metadata.get(_CHECKSUM_METADATA_KEY) if isinstance(metadata, dict) else None
        return data, checksum if isinstance(checksum, str) else None

    def _upload(
        self,
        client: "BlobServiceClient",
        name: str,
        data: bytes,
        checksum: Optional[str],
        if_absent: bool = False,
    ) -> None:
        blob = client.get_blob_client(container=self.container, blob=name)
        metadata = {_CHECKSUM_METADATA_KEY: checksum} if checksum is not None else None
        if not if_absent:
            blob.upload_blob(data, overwrite=True, metadata=metadata, **self._request_options())
            return
        from azure.core.exceptions import ResourceExistsError

        try:
            blob.upload_blob(data, overwrite=False, metadata=metadata, **self._request_options())
        except ResourceExistsError as exc:
            raise ObjectExists(name) from exc

    def _object_exists(self, client: "BlobServiceClient", name: str) -> bool:
        blob = client.get_blob_client(container=self.container, blob=name)
        return bool(blob.exists(**self._request_options()))

    def _fault(self, exc: BaseException) -> Optional[str]:
        return _fault(exc)

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        try:
            from azure.core.exceptions import ResourceNotFoundError
        except ImportError:  # pragma: no cover - the SDK is there when a call could fail
            return False
        return isinstance(exc, ResourceNotFoundError)
