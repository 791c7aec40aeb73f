"""`S3Result`: results stored as objects in an AWS S3 (or S3-compatible) bucket."""
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

    boto3 is imported, and the client created, on first use; the client is then reused by this
    Result and its copies, and is not pickled (it is rebuilt after unpickling). Credentials come
    from `boto3_kwargs` or, failing that, boto3's usual chain (environment, config files, instance
    roles). `read`, `write` and `exists` raise `ResultStorageError` naming the bucket, the key and
    the cause for any storage error (a missing object is `False` for `exists`).

    Args:
        - bucket (str): the bucket name
        - boto3_kwargs (dict, optional): keyword arguments for `boto3.client("s3", ...)`, e.g.
            `endpoint_url`, `region_name`, `aws_access_key_id`, `config`
        - location (Union[str, Callable], optional): the object key template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - **kwargs (Any, optional): other `Result` options, such as `value`
    """

    scheme = "s3"
    object_noun = "key"

    def __init__(
        self,
        bucket: str,
        boto3_kwargs: Optional[Dict[str, Any]] = None,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        **kwargs: Any,
    ) -> None:
        self.boto3_kwargs = dict(boto3_kwargs or {})
        super().__init__(bucket, location=location, serializer=serializer, **kwargs)

    def _make_client(self) -> "BaseClient":
        try:
            import boto3
        except ImportError as exc:
            raise ImportError(
                "S3Result requires boto3; install it with `pip install boto3` "
                "(or `pip install prefect-classic[aws]`)."
            ) from exc
        # a private session: boto3's default session is not thread-safe
        return boto3.session.Session().client("s3", **self.boto3_kwargs)

    def _download(self, client: "BaseClient", name: str) -> bytes:
        return client.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def _upload(self, client: "BaseClient", name: str, data: bytes) -> None:
        client.put_object(Bucket=self.bucket, Key=name, Body=data)

    def _object_exists(self, client: "BaseClient", name: str) -> bool:
        client.head_object(Bucket=self.bucket, Key=name)
        return True

    _is_not_found = staticmethod(_is_not_found)
