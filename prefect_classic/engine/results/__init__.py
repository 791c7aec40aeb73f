"""Result backends: where and how task results are stored.

Every backend is a `prefect_classic.engine.result.Result` with `read`, `write` and `exists`.
"""

from prefect_classic.engine.results.azure_result import AzureResult
from prefect_classic.engine.results.constant_result import ConstantResult
from prefect_classic.engine.results.gcs_result import GCSResult
from prefect_classic.engine.results.local_result import LocalResult
from prefect_classic.engine.results.prefect_result import PrefectResult
from prefect_classic.engine.results.s3_result import S3Result
from prefect_classic.engine.results.secret_result import SecretResult

__all__ = [
    "AzureResult",
    "ConstantResult",
    "GCSResult",
    "LocalResult",
    "PrefectResult",
    "S3Result",
    "SecretResult",
]
