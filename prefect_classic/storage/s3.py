"""`S3` storage: flows kept as objects in an S3 bucket (constructs and serializes; no uploads)."""

from typing import Any, Optional

from prefect_classic.engine.results import S3Result
from prefect_classic.storage._bucket import BucketStorage
from prefect_classic.storage.base import Storage
from prefect_classic.utilities.context import context

__all__ = ["S3"]


class S3(BucketStorage, Storage):
    """Flows pickled (or kept as scripts) in an S3 bucket, for a Prefect agent to download.
    Its Result is an `S3Result` on the same bucket.

    Args:
        - bucket (str): the bucket
        - key (str, optional): the object key of the (single) flow (default
            `<flow-name>/<timestamp>`)
        - stored_as_script (bool, optional): the flow is kept as a `.py` file (default False)
        - local_script_path (str, optional): the script to upload when `stored_as_script`
            (default `prefect.context.local_script_path`)
        - client_options (dict, optional): keyword arguments for the boto3 client
        - upload_options (dict, optional): `ExtraArgs` for the uploads
        - **kwargs (Any): the `Storage` arguments
    """

    service = "S3"

    def __init__(
        self,
        bucket: str,
        key: Optional[str] = None,
        stored_as_script: bool = False,
        local_script_path: Optional[str] = None,
        client_options: Optional[dict] = None,
        upload_options: Optional[dict] = None,
        **kwargs: Any,
    ) -> None:
        self.bucket = bucket
        self.key = key
        self.upload_options = upload_options
        self.local_script_path = local_script_path or context.get("local_script_path")
        self.client_options = client_options
        result = S3Result(bucket=bucket, boto3_kwargs=client_options)
        super().__init__(result=result, stored_as_script=stored_as_script, **kwargs)
