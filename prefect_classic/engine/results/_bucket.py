"""`BucketResult`: what `S3Result`, `GCSResult` and `AzureResult` share — a lazily created SDK
client, bounded retries with backoff and per-request timeouts, checksums on what they store, and
`read`/`write`/`exists` that wrap storage errors in `ResultStorageError`.

A transfer that fails is retried (`max_retries` times, after 0.25 s, 0.5 s, 1 s, ... plus up to a
quarter more at random) when the failure may pass: a server error (5xx, throttling), a timeout, a
dropped connection, or a download that arrived damaged (cut short, failing the service's or our
own checksum). Other failures (not found, access denied, bad requests) are not retried. When the
retries run out, a download that kept arriving damaged raises `ResultCorruptError` (the value is
treated as damaged: a task with that target runs again), anything else `ResultStorageError`
(the task fails, naming the cause). With the defaults (`timeout=5`, `max_retries=3`) a storage
service that does not answer at all is reported after at most 4 x 5 s + 2.2 s, under 25 s.
"""

import random
import threading
import time
from typing import Any, Callable, ClassVar, Generic, Optional, Tuple, TypeVar, Union

from prefect_classic.engine.result.base import Result, ResultCorruptError, ResultStorageError
from prefect_classic.engine.result.checksum import seal, unwrap
from prefect_classic.engine.serializers import Serializer
from prefect_classic.utilities.templates import format_template

__all__ = ["BucketResult", "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "ObjectExists"]

ClientT = TypeVar("ClientT")
T = TypeVar("T")

_CLIENT_LOCK = threading.Lock()

#: default seconds to wait for a connection, and then for each answer of the storage service
DEFAULT_TIMEOUT = 5.0
#: default number of retries of a failed transfer
DEFAULT_MAX_RETRIES = 3

#: what `_fault` returns for a failure worth retrying: the bytes arrived damaged, or the
#: service or the network failed for a moment
CORRUPT, TRANSIENT = "corrupt", "transient"

#: the name under which a checksum kept next to a stored object is saved in its metadata
CHECKSUM_METADATA_KEY = "prefect-classic-checksum"

Checksum = Union[None, str, Callable[[], Optional[str]]]


class ObjectExists(Exception):
    """Raised by a subclass's `_upload(..., if_absent=True)` when the object already exists."""


def _chain(exc: BaseException) -> "list[BaseException]":
    """`exc` and the exceptions it was raised from or while handling (SDKs wrap their errors)."""
    found: list[BaseException] = []
    while exc is not None and exc not in found and len(found) < 8:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return found


def _generic_fault(exc: BaseException) -> Optional[str]:
    """Faults any SDK may raise: our checksum failures, the standard library's network errors."""
    import http.client

    if isinstance(exc, (ResultCorruptError, http.client.IncompleteRead)):
        return CORRUPT
    if isinstance(exc, (ConnectionError, TimeoutError, http.client.RemoteDisconnected)):
        return TRANSIENT
    try:
        import requests.exceptions as rq
    except ImportError:  # pragma: no cover - requests comes with the google and azure SDKs
        return None
    if isinstance(exc, (rq.ChunkedEncodingError, rq.ContentDecodingError)):
        return CORRUPT
    if isinstance(exc, (rq.ConnectionError, rq.Timeout)):
        return TRANSIENT
    return None


def check_name(value: Any, argument: str, owner: str) -> str:
    """Check a bucket or container name argument: a non-empty string.

    Args:
        - value (Any): the value given
        - argument (str): the argument's name, for the message
        - owner (str): the class, for the message

    Returns:
        - str: the name

    Raises:
        - TypeError: when it is not a string (e.g. None)
        - ValueError: when it is empty
    """
    if not isinstance(value, str):
        raise TypeError(
            f"{owner}: `{argument}` must be the {argument}'s name (a string), not {value!r}"
        )
    if not value.strip():
        raise ValueError(
            f"{owner}: `{argument}` must be the {argument}'s name, not an empty string"
        )
    return value


def _check_settings(max_retries: Any, timeout: Any, owner: str) -> None:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise TypeError(f"{owner}: `max_retries` must be a whole number >= 0, not {max_retries!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise TypeError(f"{owner}: `timeout` must be a number of seconds > 0, not {timeout!r}")


class BucketResult(Result, Generic[ClientT]):
    """A Result stored as objects in a cloud storage bucket.

    The SDK client is created on first use (`_make_client`), shared with this Result's copies and
    never pickled. Subclasses name the service (`scheme`, `container_attribute`,
    `container_noun`, `object_noun`), implement the transfers (`_download`, `_upload`,
    `_object_exists`), and say which errors mean "not found" (`_is_not_found`) and which are
    worth a retry (`_fault`).

    Args:
        - bucket (str): the bucket (container) name
        - location (Union[str, Callable], optional): the object name template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - max_retries (int, optional): how many times a failed transfer is retried
        - timeout (float, optional): seconds to wait for a connection and for each answer
        - **kwargs (Any, optional): other `Result` options, such as `value`

    Raises:
        - TypeError: when the bucket name is not a string, or a setting has the wrong type
        - ValueError: when the bucket name is empty
    """

    #: the URL scheme shown in log lines (`s3`, `gs`)
    scheme: ClassVar[str] = ""
    #: what the service calls a stored object's name in error messages (`key`, `blob`)
    object_noun: ClassVar[str] = "key"
    #: the attribute holding the bucket's name (`bucket`; `container` for Azure)
    container_attribute: ClassVar[str] = "bucket"
    #: what the service calls a bucket in messages (`bucket`, `container`)
    container_noun: ClassVar[str] = "bucket"
    #: seconds before the first retry; each further retry waits twice as long
    retry_backoff: ClassVar[float] = 0.25
    #: `max_retries` when not given (also for pickles of versions without the setting)
    default_max_retries: ClassVar[int] = DEFAULT_MAX_RETRIES

    #: instance attributes holding live SDK objects: shared by copies, never pickled
    transient_attributes: ClassVar[Tuple[str, ...]] = ("_client",)

    def __init__(
        self,
        bucket: Optional[str],
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        setattr(self, self.container_attribute, check_name(bucket, self.container_attribute, owner))
        _check_settings(max_retries, timeout, owner)
        self.max_retries = max_retries
        self.timeout = float(timeout)
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

    def __setstate__(self, state: dict) -> None:
        state.setdefault("max_retries", self.default_max_retries)  # pickles of older versions
        state.setdefault("timeout", DEFAULT_TIMEOUT)
        super().__setstate__(state)

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

    # --- what subclasses provide ---------------------------------------------------------------
    def _make_client(self) -> ClientT:
        raise NotImplementedError

    def _transfer_client(self) -> Any:
        """The client the transfers use (by default `client`)."""
        return self.client

    def _download(self, client: Any, name: str) -> Tuple[bytes, Checksum]:
        """The object's bytes, and the checksum kept in its metadata (or a function fetching it,
        called only if the bytes carry none)."""
        raise NotImplementedError

    def _upload(
        self, client: Any, name: str, data: bytes, checksum: Optional[str], if_absent: bool = False
    ) -> None:
        """Store `data`, with `checksum` in the object's metadata when it is not None; with
        `if_absent`, only if no object of that name exists (else raise `ObjectExists`), decided by
        the service in one request."""
        raise NotImplementedError

    def _object_exists(self, client: Any, name: str) -> bool:
        raise NotImplementedError

    @staticmethod
    def _is_not_found(exc: BaseException) -> bool:
        raise NotImplementedError

    def _fault(self, exc: BaseException) -> Optional[str]:
        """`CORRUPT` or `TRANSIENT` for an SDK error worth retrying, None otherwise."""
        return None

    # --- retries -------------------------------------------------------------------------------
    def _classify(self, exc: BaseException) -> Optional[str]:
        faults = set()
        for link in _chain(exc):
            if self._is_not_found(link):
                return None
            faults.add(self._fault(link) or _generic_fault(link))
        return CORRUPT if CORRUPT in faults else TRANSIENT if TRANSIENT in faults else None

    def _with_retries(self, action: str, name: str, attempt: Callable[[], T]) -> T:
        """Run `attempt`, retrying failures worth it; raise the last one wrapped."""
        tries = self.max_retries + 1
        for number in range(1, tries + 1):
            try:
                return attempt()
            except Exception as exc:
                fault = self._classify(exc)
                if fault is None:
                    raise self._error(action, name, exc) from exc
                if number == tries:
                    if fault == CORRUPT:
                        raise ResultCorruptError(
                            f"{type(self).__name__} could not {action} {self.container_noun} "
                            f"{self._container!r}, {self.object_noun} {name!r}: it arrived damaged "
                            f"in each of {tries} attempts ({type(exc).__name__}: {exc})"
                        ) from exc
                    raise self._error(action, name, exc, tries) from exc
                delay = self.retry_backoff * 2 ** (number - 1)
                self.logger.debug(
                    "Retrying to %s %s://%s/%s in %.2fs after %s: %s",
                    action,
                    self.scheme,
                    self._container,
                    name,
                    delay,
                    type(exc).__name__,
                    exc,
                )
                time.sleep(delay * (1 + random.random() / 4))
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(
        self, action: str, name: str, exc: BaseException, tries: int = 1
    ) -> ResultStorageError:
        missing = f"it does not exist ({type(exc).__name__}: {exc})"
        cause = missing if self._is_not_found(exc) else f"{type(exc).__name__}: {exc}"
        after = f" (after {tries} attempts)" if tries > 1 else ""
        return ResultStorageError(
            f"{type(self).__name__} could not {action} {self.container_noun} {self._container!r}, "
            f"{self.object_noun} {name!r}{after}: {cause}"
        )

    # --- the Result interface ----------------------------------------------------------------
    def read(self, location: str) -> Result:
        """Download the object at `location`, check it against its checksum and deserialize it;
        an empty object reads as `None`.

        Args:
            - location (str): the object's name in the bucket

        Returns:
            - Result: a new Result of this type with `value` and `location` set

        Raises:
            - ResultStorageError: when the object cannot be downloaded (including when it does
                not exist); the message names the bucket, the object and the cause
            - ResultCorruptError: when every download of the object arrived damaged
        """
        self.logger.debug("Reading result from %s://%s/%s", self.scheme, self._container, location)
        client = self._transfer_client()  # outside `try`: a missing SDK is an ImportError
        where = f"{self.scheme}://{self._container}/{location}"

        def attempt() -> bytes:
            data, checksum = self._download(client, location)
            return unwrap(data, checksum, where)

        payload = self._with_retries("read from", location, attempt)
        new = self.copy()
        new.location = location
        try:
            new.value = self.deserialize_from_bytes(payload)
        except EOFError:  # as in Prefect 1
            new.value = None
        return new

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Serialize `value_` and upload it, with its checksum, to the formatted location.

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
        name = new.location
        data, checksum = self._encode(value_)
        self.logger.debug("Writing result to %s://%s/%s", self.scheme, self._container, name)
        client = self._transfer_client()  # outside `try`: a missing SDK is an ImportError
        self._with_retries("write to", name, lambda: self._upload(client, name, data, checksum))
        new.value = value_
        return new

    def write_bytes(self, name: str, data: bytes, if_absent: bool = False) -> bool:
        """Upload `data` as they are (no serializer; their checksum goes to the object's metadata)
        to the object `name`.

        Args:
            - name (str): the object's name
            - data (bytes): the bytes
            - if_absent (bool, optional): write only if no object of that name exists yet (a
                conditional request: of several concurrent writers exactly one succeeds)

        Returns:
            - bool: True when written; False when `if_absent` and the object existed

        Raises:
            - ResultStorageError: when the upload fails
        """
        client = self._transfer_client()
        checksum = seal(None, data)[1]  # kept in the object's metadata, checked by `read_bytes`
        try:
            self._with_retries(
                "write to", name, lambda: self._upload(client, name, data, checksum, if_absent)
            )
        except ResultStorageError as exc:
            if isinstance(exc.__cause__, ObjectExists):
                return False
            raise
        return True

    def read_bytes(self, name: str) -> Optional[bytes]:
        """Download the object `name` as it is stored (checked against the checksum in its
        metadata, when there is one), or None when it does not exist.

        Args:
            - name (str): the object's name

        Returns:
            - bytes: the stored bytes, or None

        Raises:
            - ResultStorageError: when the download fails for another reason
            - ResultCorruptError: when every download arrived damaged
        """
        client = self._transfer_client()

        where = f"{self.scheme}://{self._container}/{name}"

        def attempt() -> Optional[bytes]:
            try:
                data, checksum = self._download(client, name)
            except Exception as exc:
                if any(self._is_not_found(link) for link in _chain(exc)):
                    return None
                raise
            return unwrap(data, checksum, where)

        return self._with_retries("read from", name, attempt)

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether an object exists at `location` (formatted with `kwargs` when given).

        Args:
            - location (str): the object's name or name template
            - **kwargs (Any): values for the template

        Returns:
            - bool: whether the object exists

        Raises:
            - ResultStorageError: for any error other than "not found" (e.g. access denied,
                server or network errors that outlast the retries); the message names the
                bucket, the object and the cause
        """
        name = format_template(location, **kwargs) if kwargs else location
        client = self._transfer_client()  # outside `try`: a missing SDK is an ImportError

        def attempt() -> bool:
            try:
                return self._object_exists(client, name)
            except Exception as exc:
                if any(self._is_not_found(link) for link in _chain(exc)):
                    return False
                raise

        return self._with_retries("check", name, attempt)
