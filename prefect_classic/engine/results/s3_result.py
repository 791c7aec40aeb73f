"""`S3Result`: results stored as objects in an AWS S3 (or S3-compatible) bucket."""
import copy
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union

from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.serializers import Serializer
from prefect_classic.utilities.templates import format_template

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

__all__ = ["S3Result"]

_CLIENT_LOCK = threading.Lock()
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _is_not_found(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in _NOT_FOUND_CODES or status == 404


class S3Result(Result):
    """A Result stored as an object in an S3 bucket.

    boto3 is imported, and the client created, on first use; the client is then reused by this
    Result and its copies, and is not pickled (it is rebuilt after unpickling). Credentials come
    from `boto3_kwargs` or, failing that, boto3's usual chain (environment, config files, instance
    roles).

    Args:
        - bucket (str): the bucket name
        - boto3_kwargs (dict, optional): keyword arguments for `boto3.client("s3", ...)`, e.g.
            `endpoint_url`, `region_name`, `aws_access_key_id`, `config`
        - location (Union[str, Callable], optional): the object key template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    def __init__(
        self,
        bucket: str,
        boto3_kwargs: Optional[Dict[str, Any]] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        **kwargs: Any,
    ) -> None:
        self.bucket = bucket
        self.boto3_kwargs = dict(boto3_kwargs or {})
        self._client: Optional[BaseClient] = None
        super().__init__(location=location, serializer=serializer, **kwargs)

    def copy(self) -> "S3Result":
        """Return a shallow copy that shares this Result's client."""
        new = copy.copy(self)
        new._client = getattr(self, "_client", None)
        return new

    @property
    def client(self) -> "BaseClient":
        """The boto3 S3 client, created on first access."""
        if getattr(self, "_client", None) is None:
            with _CLIENT_LOCK:
                if getattr(self, "_client", None) is None:
                    try:
                        import boto3
                    except ImportError as exc:
                        raise ImportError(
                            "S3Result requires boto3; install it with `pip install boto3` "
                            "(or `pip install prefect-classic[aws]`)."
                        ) from exc
                    # a private session: boto3's default session is not thread-safe
                    self._client = boto3.session.Session().client("s3", **self.boto3_kwargs)
        assert self._client is not None
        return self._client

    def _error(self, action: str, key: str, exc: BaseException) -> ResultStorageError:
        return ResultStorageError(
            f"S3Result could not {action} bucket {self.bucket!r}, key {key!r}: {_describe(exc)}"
        )

    def read(self, location: str) -> Result:
        """Download and deserialize the object at `location`.

        Args:
            - location (str): the object key

        Returns:
            - Result: a new S3Result with `value` and `location` set

        Raises:
            - ResultStorageError: when the object cannot be downloaded (including when it does
                not exist); the message names the bucket, the key and the cause
        """
        self.logger.debug("Reading result from s3://%s/%s", self.bucket, location)
        client = self.client
        try:
            response = client.get_object(Bucket=self.bucket, Key=location)
            data = response["Body"].read()
        except Exception as exc:
            raise self._error("read from", location, exc) from exc
        new = self.copy()
        new.location = location
        try:
            new.value = self.deserialize_from_bytes(data)
        except EOFError:  # an empty object reads as None, as in Prefect 1
            new.value = None
        return new

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Serialize `value_` and upload it to the formatted location.

        Args:
            - value_ (Any): the value
            - **kwargs (Any): values for the location template (context keys and task inputs)

        Returns:
            - Result: a new S3Result with `value` and the object key as `location`

        Raises:
            - ResultStorageError: when the upload fails; the message names the bucket, the key
                and the cause
        """
        new = self.format(**kwargs)
        assert new.location is not None
        data = self.serialize_to_bytes(value_)
        self.logger.debug("Writing result to s3://%s/%s", self.bucket, new.location)
        client = self.client
        try:
            client.put_object(Bucket=self.bucket, Key=new.location, Body=data)
        except Exception as exc:
            raise self._error("write to", new.location, exc) from exc
        new.value = value_
        return new

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether an object exists at `location` (formatted with `kwargs` when given).

        Args:
            - location (str): the object key or key template
            - **kwargs (Any): values for the template

        Returns:
            - bool: whether the object exists

        Raises:
            - ResultStorageError: for any error other than "not found" (e.g. access denied,
                server or network errors); the message names the bucket, the key and the cause
        """
        key = format_template(location, **kwargs) if kwargs else location
        client = self.client
        try:
            client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _is_not_found(exc):
                return False
            raise self._error("check", key, exc) from exc
        return True
