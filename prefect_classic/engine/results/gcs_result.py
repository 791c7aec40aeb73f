"""`GCSResult`: results stored as blobs in a Google Cloud Storage bucket."""
import copy
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.serializers import Serializer
from prefect_classic.utilities.templates import format_template

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.storage import Blob, Client

__all__ = ["GCSResult"]

_CLIENT_LOCK = threading.Lock()


def _import_storage() -> Any:
    try:
        from google.cloud import storage
    except ImportError as exc:
        raise ImportError(
            "GCSResult requires google-cloud-storage; install it with "
            "`pip install google-cloud-storage` (or `pip install prefect-classic[gcp]`)."
        ) from exc
    return storage


def _is_not_found(exc: BaseException) -> bool:
    from google.api_core.exceptions import NotFound

    return isinstance(exc, NotFound)


class GCSResult(Result):
    """A Result stored as a blob in a Google Cloud Storage bucket.

    google-cloud-storage is imported, and the client created, on first use; the client is then
    reused by this Result and its copies, and is not pickled. Credentials come from the
    environment (Application Default Credentials). When `STORAGE_EMULATOR_HOST` is set and
    `GOOGLE_APPLICATION_CREDENTIALS` is not, the client talks to the emulator anonymously.

    Args:
        - bucket (str): the bucket name
        - location (Union[str, Callable], optional): the blob name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - project (str, optional): the Google Cloud project for the client; defaults to the
            environment's project
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    def __init__(
        self,
        bucket: str,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        project: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.bucket = bucket
        self.project = project
        self._client: Optional[Client] = None
        super().__init__(location=location, serializer=serializer, **kwargs)

    def copy(self) -> "GCSResult":
        """Return a shallow copy that shares this Result's client."""
        new = copy.copy(self)
        new._client = getattr(self, "_client", None)
        return new

    @property
    def client(self) -> "Client":
        """The google-cloud-storage client, created on first access."""
        if getattr(self, "_client", None) is None:
            with _CLIENT_LOCK:
                if getattr(self, "_client", None) is None:
                    self._client = self._make_client()
        assert self._client is not None
        return self._client

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

    def _blob(self, name: str) -> "Blob":
        return self.client.bucket(self.bucket).blob(name)

    def _error(self, action: str, name: str, exc: BaseException) -> ResultStorageError:
        return ResultStorageError(
            f"GCSResult could not {action} bucket {self.bucket!r}, blob {name!r}: "
            f"{type(exc).__name__}: {exc}"
        )

    def read(self, location: str) -> Result:
        """Download and deserialize the blob at `location`.

        Args:
            - location (str): the blob name

        Returns:
            - Result: a new GCSResult with `value` and `location` set

        Raises:
            - ResultStorageError: when the blob cannot be downloaded (including when it does not
                exist); the message names the bucket, the blob and the cause
        """
        self.logger.debug("Reading result from gs://%s/%s", self.bucket, location)
        blob = self._blob(location)
        try:
            data = blob.download_as_bytes()
        except Exception as exc:
            raise self._error("read from", location, exc) from exc
        new = self.copy()
        new.location = location
        try:
            new.value = self.deserialize_from_bytes(data)
        except EOFError:  # an empty blob reads as None, as in Prefect 1
            new.value = None
        return new

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Serialize `value_` and upload it to the formatted location.

        Args:
            - value_ (Any): the value
            - **kwargs (Any): values for the location template (context keys and task inputs)

        Returns:
            - Result: a new GCSResult with `value` and the blob name as `location`

        Raises:
            - ResultStorageError: when the upload fails; the message names the bucket, the blob
                and the cause
        """
        new = self.format(**kwargs)
        assert new.location is not None
        data = self.serialize_to_bytes(value_)
        self.logger.debug("Writing result to gs://%s/%s", self.bucket, new.location)
        blob = self._blob(new.location)
        try:
            blob.upload_from_string(data)
        except Exception as exc:
            raise self._error("write to", new.location, exc) from exc
        new.value = value_
        return new

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether a blob exists at `location` (formatted with `kwargs` when given).

        Args:
            - location (str): the blob name or name template
            - **kwargs (Any): values for the template

        Returns:
            - bool: whether the blob exists

        Raises:
            - ResultStorageError: for any error other than "not found"; the message names the
                bucket, the blob and the cause
        """
        name = format_template(location, **kwargs) if kwargs else location
        blob = self._blob(name)
        try:
            return bool(blob.exists())
        except Exception as exc:
            if _is_not_found(exc):
                return False
            raise self._error("check", name, exc) from exc
