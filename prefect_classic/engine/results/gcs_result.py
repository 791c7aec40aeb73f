"""`GCSResult`: results stored as blobs in a Google Cloud Storage bucket."""
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from prefect_classic.engine.results._bucket import BucketResult
from prefect_classic.engine.serializers import Serializer

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.storage import Blob, Bucket, Client

__all__ = ["GCSResult"]


class GCSResult(BucketResult["Client"]):
    """A Result stored as a blob in a Google Cloud Storage bucket.

    google-cloud-storage is imported, and the client (`client`) and bucket handle (`gcs_bucket`)
    created, on first use; they are then reused by this Result and its copies, and are not
    pickled. Credentials come, as in
    Prefect 1, from the `GCP_CREDENTIALS` secret in `prefect.context.secrets` (a service account
    key), else from the environment (Application Default Credentials; `STORAGE_EMULATOR_HOST`
    selects an emulator). `read`, `write` and `exists` raise `ResultStorageError` naming the
    bucket, the blob and the cause for any storage error (a missing blob is `False` for
    `exists`).

    Args:
        - bucket (str): the bucket name
        - location (Union[str, Callable], optional): the blob name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - project (str, optional): the Google Cloud project for the client; defaults to the
            credentials' or the environment's project
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    bucket: Optional[str]
    scheme = "gs"
    object_noun = "blob"
    transient_attributes = ("_client", "_gcs_bucket")

    def __init__(
        self,
        bucket: Optional[str] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        project: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.project = project
        self._gcs_bucket: Optional[Bucket] = None
        super().__init__(bucket, location=location, serializer=serializer, **kwargs)

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

    def _download(self, client: "Client", name: str) -> bytes:
        return self._blob(name).download_as_bytes()

    def _upload(self, client: "Client", name: str, data: bytes) -> None:
        self._blob(name).upload_from_string(data)

    def _object_exists(self, client: "Client", name: str) -> bool:
        return bool(self._blob(name).exists())

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        from google.api_core.exceptions import NotFound

        return isinstance(exc, NotFound)
