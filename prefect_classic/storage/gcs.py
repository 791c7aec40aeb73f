"""`GCS` storage: flows kept as objects in a Google Cloud Storage bucket (constructs and
serializes; no uploads)."""

from typing import Any, Optional

from prefect_classic.engine.results import GCSResult
from prefect_classic.storage._bucket import BucketStorage
from prefect_classic.storage.base import Storage
from prefect_classic.utilities.context import context

__all__ = ["GCS"]


class GCS(BucketStorage, Storage):
    """Flows pickled (or kept as scripts) in a GCS bucket, for a Prefect agent to download.
    Its Result is a `GCSResult` on the same bucket.

    Args:
        - bucket (str): the bucket
        - key (str, optional): the object key of the (single) flow (default
            `<flow-name>/<timestamp>`)
        - project (str, optional): the Google Cloud project billed for requests
        - stored_as_script (bool, optional): the flow is kept as a `.py` file (default False)
        - local_script_path (str, optional): the script to upload when `stored_as_script`
            (default `prefect.context.local_script_path`)
        - **kwargs (Any): the `Storage` arguments
    """

    service = "Google Cloud Storage"

    def __init__(
        self,
        bucket: str,
        key: Optional[str] = None,
        project: Optional[str] = None,
        stored_as_script: bool = False,
        local_script_path: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.bucket = bucket
        self.key = key
        self.project = project
        self.local_script_path = local_script_path or context.get("local_script_path")
        result = GCSResult(bucket=bucket)
        super().__init__(result=result, stored_as_script=stored_as_script, **kwargs)
