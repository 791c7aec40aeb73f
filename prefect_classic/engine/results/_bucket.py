"""`BucketResult`: what `S3Result`, `GCSResult` and `AzureResult` share — a lazily created SDK
client, and `read`/`write`/`exists` that wrap storage errors in `ResultStorageError`."""
import threading
from typing import Any, Callable, ClassVar, Generic, Optional, Tuple, TypeVar, Union

from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.serializers import Serializer
from prefect_classic.utilities.templates import format_template

__all__ = ["BucketResult"]

ClientT = TypeVar("ClientT")

_CLIENT_LOCK = threading.Lock()


class BucketResult(Result, Generic[ClientT]):
    """A Result stored as objects in a cloud storage bucket.

    The SDK client is created on first use (`_make_client`), shared with this Result's copies and
    never pickled. Subclasses name the service (`scheme`, `container_attribute`,
    `container_noun`, `object_noun`) and implement the transfers (`_download`, `_upload`,
    `_object_exists`) and `_is_not_found`.

    Args:
        - bucket (str): the bucket (container) name
        - location (Union[str, Callable], optional): the object name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    #: the URL scheme shown in log lines (`s3`, `gs`)
    scheme: ClassVar[str] = ""
    #: what the service calls a stored object's name in error messages (`key`, `blob`)
    object_noun: ClassVar[str] = "key"
    #: the attribute holding the bucket's name (`bucket`; `container` for Azure)
    container_attribute: ClassVar[str] = "bucket"
    #: what the service calls a bucket in messages (`bucket`, `container`)
    container_noun: ClassVar[str] = "bucket"

    #: instance attributes holding live SDK objects: shared by copies, never pickled
    transient_attributes: ClassVar[Tuple[str, ...]] = ("_client",)

    def __init__(
        self,
        bucket: Optional[str],
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        **kwargs: Any,
    ) -> None:
        setattr(self, self.container_attribute, bucket)
        self._client: Optional[ClientT] = None
        super().__init__(location=location, serializer=serializer, **kwargs)

    @property
    def _container(self) -> Optional[str]:
        return getattr(self, self.container_attribute, None)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        for name in self.transient_attributes:
            state[name] = None  # rebuilt lazily after unpickling
        return state

    @property
    def client(self) -> ClientT:
        """The SDK client, created on first access.

        Raises:
            - ValueError: when this Result has no bucket name
        """
        if getattr(self, "_client", None) is None:
            if not self._container:
                raise ValueError(f"{type(self).__name__} needs a {self.container_noun} name.")
            with _CLIENT_LOCK:
                if getattr(self, "_client", None) is None:
                    self._client = self._make_client()
        assert self._client is not None
        return self._client

    def _make_client(self) -> ClientT:
        raise NotImplementedError

    def _download(self, client: ClientT, name: str) -> bytes:
        raise NotImplementedError

    def _upload(self, client: ClientT, name: str, data: bytes) -> None:
        raise NotImplementedError

    def _object_exists(self, client: ClientT, name: str) -> bool:
        raise NotImplementedError

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        raise NotImplementedError

    def _error(self, action: str, name: str, exc: BaseException) -> ResultStorageError:
        missing = f"it does not exist ({type(exc).__name__}: {exc})"
        cause = missing if self._is_not_found(exc) else f"{type(exc).__name__}: {exc}"
        return ResultStorageError(
            f"{type(self).__name__} could not {action} {self.container_noun} {self._container!r}, "
            f"{self.object_noun} {name!r}: {cause}"
        )

    def read(self, location: str) -> Result:
        """Download and deserialize the object at `location`; an empty object reads as `None`.

        Args:
            - location (str): the object's name in the bucket

        Returns:
            - Result: a new Result of this type with `value` and `location` set

        Raises:
            - ResultStorageError: when the object cannot be downloaded (including when it does
                not exist); the message names the bucket, the object and the cause
        """
        self.logger.debug("Reading result from %s://%s/%s", self.scheme, self._container, location)
        client = self.client  # outside `try`: a missing SDK is an ImportError
        try:
            data = self._download(client, location)
        except Exception as exc:
            raise self._error("read from", location, exc) from exc
        new = self.copy()
        new.location = location
        try:
            new.value = self.deserialize_from_bytes(data)
        except EOFError:  # as in Prefect 1
            new.value = None
        return new

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Serialize `value_` and upload it to the formatted location.

        Args:
            - value_ (Any): the value
            - **kwargs (Any): values for the location template (context keys and task inputs)

        Returns:
            - Result: a new Result of this type with `value` and the object's name as `location`

        Raises:
            - ResultStorageError: when the upload fails; the message names the bucket, the object
                and the cause
        """
        new = self.format(**kwargs)
        assert new.location is not None
        data = self.serialize_to_bytes(value_)
        self.logger.debug("Writing result to %s://%s/%s", self.scheme, self._container, new.location)
        client = self.client  # outside `try`: a missing SDK is an ImportError
        try:
            self._upload(client, new.location, data)
        except Exception as exc:
            raise self._error("write to", new.location, exc) from exc
        new.value = value_
        return new

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether an object exists at `location` (formatted with `kwargs` when given).

        Args:
            - location (str): the object's name or name template
            - **kwargs (Any): values for the template

        Returns:
            - bool: whether the object exists

        Raises:
            - ResultStorageError: for any error other than "not found" (e.g. access denied,
                server or network errors); the message names the bucket, the object and the cause
        """
        name = format_template(location, **kwargs) if kwargs else location
        client = self.client  # outside `try`: a missing SDK is an ImportError
        try:
            return self._object_exists(client, name)
        except Exception as exc:
            if self._is_not_found(exc):
                return False
            raise self._error("check", name, exc) from exc
