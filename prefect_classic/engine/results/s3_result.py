"""`S3Result`: results stored as objects in an AWS S3 (or S3-compatible) bucket."""

import io
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Union

from prefect_classic.engine.results._bucket import (
    CHECKSUM_METADATA_KEY,
    CORRUPT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    TRANSIENT,
    BucketResult,
    ObjectExists,
)
from prefect_classic.engine.serializers import Serializer

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

__all__ = ["S3Result"]

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def _is_not_found(exc: BaseException) -> bool:
    """Whether a botocore error means "no such object" (by error code or HTTP status)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in _NOT_FOUND_CODES or status == 404


_RETRIED_CODES = frozenset(
    {
        "InternalError",
        "RequestTimeout",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "BadDigest",
        "XAmzContentSHA256Mismatch",
    }
)


def _fault(exc: BaseException) -> Optional[str]:
    """Whether a botocore error is worth a retry: a damaged download (`CORRUPT`), a server or
    network fault (`TRANSIENT`), or not (None)."""
    try:
        from botocore import exceptions as bx
    except ImportError:  # pragma: no cover - no botocore, no botocore errors
        return None
    if isinstance(
        exc,
        (
            bx.IncompleteReadError,
            bx.ResponseStreamingError,
            bx.FlexibleChecksumError,
            bx.ChecksumError,
        ),
    ):
        return CORRUPT
    if isinstance(exc, (bx.HTTPClientError, bx.ConnectionError)):
        return TRANSIENT
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code in _RETRIED_CODES or status >= 500 or status in (408, 429):
            return TRANSIENT
    return None


class S3Result(BucketResult["BaseClient"]):
    """A Result stored as an object in an S3 bucket.

    boto3 is imported, and the client created, on first use (`prefect.utilities.aws.
    get_boto_client`); the client is then reused by this Result and its copies, and is not
    pickled (it is rebuilt after unpickling). Credentials come, as in Prefect 1, from the
    `AWS_CREDENTIALS` secret in `prefect.context.secrets` (`{"ACCESS_KEY": ...,
    "SECRET_ACCESS_KEY": ..., "SESSION_TOKEN": ...}`), else from `boto3_kwargs`, else from boto3's
    usual chain (environment, config files, instance roles). `read`, `write` and `exists` raise
    `ResultStorageError` naming the bucket, the key and the cause for any storage error (a
    missing object is `False` for `exists`).

    `client` is the client as Prefect 1 built it. The transfers use a second client with the
    same options plus this Result's `timeout` and without botocore's own retries (this Result
    retries, see `BucketResult`); a `config` in `boto3_kwargs` overrides those settings.

    Args:
        - bucket (str): the bucket name
        - boto3_kwargs (dict, optional): keyword arguments for the boto3 client, e.g.
            `endpoint_url`, `region_name`, `aws_access_key_id`, `config`
        - upload_options (dict, optional): `ExtraArgs` for `upload_fileobj`, e.g.
            `{"ServerSideEncryption": "aws:kms"}`
        - location (Union[str, Callable], optional): the object key template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - max_retries (int, optional): how many times a failed transfer is retried (default 3)
        - timeout (float, optional): seconds to wait for a connection and for each answer
            (default 5)
        - **kwargs (Any, optional): other `Result` options, such as `value`

    Raises:
        - TypeError: when `bucket` is not a string (e.g. None)
        - ValueError: when `bucket` is empty
    """

    bucket: str
    scheme = "s3"
    object_noun = "key"
    transient_attributes = ("_client", "_transfers")

    def __init__(
        self,
        bucket: str,
        boto3_kwargs: Optional[Dict[str, Any]] = None,
        upload_options: Optional[Dict[str, Any]] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self.boto3_kwargs = dict(boto3_kwargs or {})
        self.upload_options = dict(upload_options or {})
        self._transfers: Optional[BaseClient] = None
        super().__init__(
            bucket,
            location=location,
            serializer=serializer,
            max_retries=max_retries,
            timeout=timeout,
            **kwargs,
        )

    def __setstate__(self, state: dict) -> None:
        state.setdefault("boto3_kwargs", {})  # pickles of older versions
        state.setdefault("upload_options", {})
        state.setdefault("_transfers", None)
        super().__setstate__(state)

    def _make_client(self) -> "BaseClient":
        from prefect_classic.utilities import aws

        return aws.get_boto_client("s3", **self.boto3_kwargs)

    def _transfer_client(self) -> "BaseClient":
        if getattr(self, "_transfers", None) is None:
            from prefect_classic.utilities import aws

            _ = self.client  # the same checks and errors as `client`
            options = dict(self.boto3_kwargs)
            options["config"] = aws.transfer_config(self.timeout, options.get("config"))
            self._transfers = aws.get_boto_client("s3", **options)
        return self._transfers

    def _download(self, client: "BaseClient", name: str) -> Tuple[bytes, Optional[str]]:
        response = client.get_object(Bucket=self.bucket, Key=name)
        body = response["Body"]
        try:
            data = body.read()
        finally:
            body.close()
        metadata = response.get("Metadata")
        checksum = metadata.get(CHECKSUM_METADATA_KEY) if isinstance(metadata, dict) else None
        return data, checksum if isinstance(checksum, str) else None

    def _upload(
        self,
        client: "BaseClient",
        name: str,
        data: bytes,
        checksum: Optional[str],
        if_absent: bool = False,
    ) -> None:
        extra = self.upload_options
        if checksum is not None:
            extra = dict(
                extra, Metadata={**extra.get("Metadata", {}), CHECKSUM_METADATA_KEY: checksum}
            )
        if not if_absent:
            client.upload_fileobj(io.BytesIO(data), Bucket=self.bucket, Key=name, ExtraArgs=extra)
            return
        try:  # a conditional put: S3 refuses it (412) when the key exists
            client.put_object(Bucket=self.bucket, Key=name, Body=data, IfNoneMatch="*", **extra)
        except Exception as exc:
            response = getattr(exc, "response", None) or {}
            if (
                response.get("Error", {}).get("Code") == "PreconditionFailed"
                or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 412
            ):
                raise ObjectExists(name) from exc
            raise

    def _object_exists(self, client: "BaseClient", name: str) -> bool:
        response = client.get_object(Bucket=self.bucket, Key=name)
        body = response.get("Body") if isinstance(response, dict) else None
        if body is not None and hasattr(body, "close"):
            body.close()  # only the answer matters, not the content
        return True

    _is_not_found = staticmethod(_is_not_found)

    def _fault(self, exc: BaseException) -> Optional[str]:
        return _fault(exc)
