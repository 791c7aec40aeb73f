"""`S3Result`: results stored as objects in an AWS S3 (or S3-compatible) bucket."""
import io
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union

from prefect_classic.engine.results._bucket import BucketResult
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

    Args:
        - bucket (str): the bucket name
        - boto3_kwargs (dict, optional): keyword arguments for the boto3 client, e.g.
            `endpoint_url`, `region_name`, `aws_access_key_id`, `config`
        - upload_options (dict, optional): `ExtraArgs` for `upload_fileobj`, e.g.
            `{"ServerSideEncryption": "aws:kms"}`
        - location (Union[str, Callable], optional): the object key template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    bucket: Optional[str]
    scheme = "s3"
    object_noun = "key"

    def __init__(
        self,
        bucket: str,
        boto3_kwargs: Optional[Dict[str, Any]] = None,
        upload_options: Optional[Dict[str, Any]] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        **kwargs: Any,
    ) -> None:
        self.boto3_kwargs = dict(boto3_kwargs or {})
        self.upload_options = dict(upload_options or {})
        super().__init__(bucket, location=location, serializer=serializer, **kwargs)

    def __setstate__(self, state: dict) -> None:
        state.setdefault("boto3_kwargs", {})  # pickles of older versions
        state.setdefault("upload_options", {})
        super().__setstate__(state)

    def _make_client(self) -> "BaseClient":
        from prefect_classic.utilities import aws

        return aws.get_boto_client("s3", **self.boto3_kwargs)

    def _download(self, client: "BaseClient", name: str) -> bytes:
        stream = io.BytesIO()
        client.download_fileobj(Bucket=self.bucket, Key=name, Fileobj=stream)
        return stream.getvalue()

    def _upload(self, client: "BaseClient", name: str, data: bytes) -> None:
        client.upload_fileobj(
            io.BytesIO(data), Bucket=self.bucket, Key=name, ExtraArgs=self.upload_options
        )

    def _object_exists(self, client: "BaseClient", name: str) -> bool:
        response = client.get_object(Bucket=self.bucket, Key=name)
        body = response.get("Body") if isinstance(response, dict) else None
        if body is not None and hasattr(body, "close"):
            body.close()  # only the answer matters, not the content
        return True

    _is_not_found = staticmethod(_is_not_found)
