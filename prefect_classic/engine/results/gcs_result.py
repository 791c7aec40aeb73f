"""`GCSResult`: results stored as blobs in a Google Cloud Storage bucket."""
import os
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from prefect_classic.engine.results._bucket import BucketResult
from prefect_classic.engine.serializers import Serializer

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.storage import Blob, Client

__all__ = ["GCSResult"]


def _import_storage() -> Any:
    try:
        from google.cloud import storage
    except ImportError as exc:
        raise ImportError(
            "GCSResult requires google-cloud-storage; install it with "
            "`pip install google-cloud-storage` (or `pip install prefect-classic[gcp]`)."
        ) from exc
    return storage


class GCSResult(BucketResult["Client"]):
    """A Result stored as a blob in a Google Cloud Storage bucket.

    google-cloud-storage is imported, and the client created, on first use; the client is then
    reused by this Result and its copies, and is not pickled. Credentials come from the
    environment (Application Default Credentials). When `STORAGE_EMULATOR_HOST` is set and
    `GOOGLE_APPLICATION_CREDENTIALS` is not, the client talks to the emulator anonymously.
    `read`, `write` and `exists` raise `ResultStorageError` naming the bucket, the blob and the
    cause for any storage error (a missing blob is `False` for `exists`).

    Args:
        - bucket (str): the bucket name
        - location (Union[str, Callable], optional): the blob name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - project (str, optional): the Google Cloud project for the client; defaults to the
            environment's project
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    scheme = "gs"
    object_noun = "blob"

    def __init__(
        self,
        bucket: str,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        project: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.project = project
        super().__init__(bucket, location=location, serializer=serializer, **kwargs)

    def _make_client(self) -> "Client":
        storage = _import_storage()
        if os.environ.get("STORAGE_EMULATOR_HOST") and not os.environ.get(
            "GOOGLE_APPLICATION_CREDENTIALS"
        ):
            from google.auth.credentials import AnonymousCredentials

            project = self.project or os.environ.get("GOOGLE_CLOUD_PROJECT")
            return storage.Client(project=project, credentials=AnonymousCredentials())
        if self.project:
            return storage.Client(project=self.project)
        return storage.Client()

    def _blob(self, client: "Client", name: str) -> "Blob":
        return client.bucket(self.bucket).blob(name)

    def _download(self, client: "Client", name: str) -> bytes:
        return self._blob(client, name).download_as_bytes()

    def _upload(self, client: "Client", name: str, data: bytes) -> None:
        self._blob(client, name).upload_from_string(data)

    def _object_exists(self, client: "Client", name: str) -> bool:
        return bool(self._blob(client, name).exists())

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        from google.api_core.exceptions import NotFound

        return isinstance(exc, NotFound)
