"""`GCSResult`: results stored as blobs in a Google Cloud Storage bucket."""

from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple, Union

from prefect_classic.engine.results._bucket import (
    CHECKSUM_METADATA_KEY,
    CORRUPT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    TRANSIENT,
    BucketResult,
    Checksum,
    ObjectExists,
)
from prefect_classic.engine.serializers import Serializer

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.storage import Blob, Bucket, Client

__all__ = ["GCSResult"]

_RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def _fault(exc: BaseException) -> Optional[str]:
    """Whether a google-cloud-storage error is worth a retry: a damaged download (`CORRUPT`), a
    server or network fault (`TRANSIENT`), or not (None)."""
    if type(exc).__name__ == "DataCorruption":  # google.cloud.storage / google.resumable_media
        return CORRUPT
    status = getattr(exc, "code", None)  # google.api_core.exceptions.GoogleAPICallError
    if isinstance(status, int) and status in _RETRIED_STATUSES:
        return TRANSIENT
    response = getattr(exc, "response", None)  # InvalidResponse of google.resumable_media
    status = getattr(response, "status_code", None)
    if type(exc).__name__ == "InvalidResponse" and status in _RETRIED_STATUSES:
        return TRANSIENT
    return None


class GCSResult(BucketResult["Client"]):
    """A Result stored as a blob in a Google Cloud Storage bucket.

    google-cloud-storage is imported, and the client (`client`) and bucket handle (`gcs_bucket`)
    created, on first use; they are then reused by this Result and its copies, and are not
    pickled. Credentials come, as in
    Prefect 1, from the `GCP_CREDENTIALS` secret in `prefect.context.secrets` (a service account
    key), else from the environment (Application Default Credentials; `STORAGE_EMULATOR_HOST`
    selects an emulator). `read`, `write` and `exists` raise `ResultStorageError` naming the
    bucket, the blob and the cause for any storage error (a missing blob is `False` for
    `exists`). Each request waits at most `timeout` seconds for the service; failed requests are
    retried by this Result (see `BucketResult`), not by the library.

    Args:
        - bucket (str): the bucket name
        - location (Union[str, Callable], optional): the blob name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - project (str, optional): the Google Cloud project for the client; defaults to the
            credentials' or the environment's project
        - max_retries (int, optional): how many times a failed transfer is retried (default 3)
        - timeout (float, optional): seconds to wait for a connection and for each answer
            (default 5)
        - **kwargs (Any, optional): other `Result` options, such as `value`

    Raises:
        - TypeError: when `bucket` is not a string (e.g. None)
        - ValueError: when `bucket` is empty
    """

    bucket: str
    scheme = "gs"
    object_noun = "blob"
    transient_attributes = ("_client", "_gcs_bucket")

    def __init__(
        self,
        bucket: Optional[str] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        project: Optional[str] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self.project = project
        self._gcs_bucket: Optional[Bucket] = None
        super().__init__(
            bucket,
            location=location,
            serializer=serializer,
            max_retries=max_retries,
            timeout=timeout,
            **kwargs,
        )

    @property
    def gcs_bucket(self) -> "Bucket":
        """The `google.cloud.storage.Bucket` handle, created on first access."""
        if getattr(self, "_gcs_bucket", None) is None:
            self._gcs_bucket = self.client.bucket(self.bucket)
        return self._gcs_bucket

    @gcs_bucket.setter
    def gcs_bucket(self, value: "Bucket") -> None:
        self._gcs_bucket = value

    def _make_client(self) -> "Client":
        from prefect_classic.utilities import gcp

        return gcp.get_storage_client(project=self.project)

    def _blob(self, name: str) -> "Blob":
        return self.gcs_bucket.blob(name)

    def _download(self, client: "Client", name: str) -> Tuple[bytes, Checksum]:
        blob = self._blob(name)
        data = blob.download_as_bytes(timeout=self.timeout, retry=None)
        generation = getattr(blob, "generation", None)

        def stored_checksum() -> Optional[str]:
            # the metadata of the generation just downloaded (not of a newer one)
            found = self.gcs_bucket.get_blob(
                name, generation=generation, timeout=self.timeout, retry=None
            )
            metadata = getattr(found, "metadata", None)
            value = metadata.get(CHECKSUM_METADATA_KEY) if isinstance(metadata, dict) else None
            return value if isinstance(value, str) else None

        return data, (stored_checksum if data else None)

    def _upload(
        self,
        client: "Client",
        name: str,
        data: bytes,
        checksum: Optional[str],
        if_absent: bool = False,
    ) -> None:
        blob = self._blob(name)
        if checksum is not None:
            blob.metadata = {CHECKSUM_METADATA_KEY: checksum}
        if not if_absent:
            blob.upload_from_string(data, timeout=self.timeout, retry=None)
            return
        from google.api_core.exceptions import PreconditionFailed

        try:  # generation 0: only if no live object has that name
            blob.upload_from_string(data, timeout=self.timeout, retry=None, if_generation_match=0)
        except PreconditionFailed as exc:
            raise ObjectExists(name) from exc

    def _object_exists(self, client: "Client", name: str) -> bool:
        return bool(self._blob(name).exists(timeout=self.timeout, retry=None))

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        from google.api_core.exceptions import NotFound

        return isinstance(exc, NotFound)

    def _fault(self, exc: BaseException) -> Optional[str]:
        return _fault(exc)
