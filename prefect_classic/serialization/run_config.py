"""
Schemas for run configs (`prefect_classic.run_configs`), in Prefect 1's JSON shape: `env`,
`labels` (sorted) and each run config's own arguments. `RunConfigSchema` picks the schema by
the `"type"` key (the class name).
"""

from typing import Any, Optional

from marshmallow import fields

from prefect_classic.run_configs import (
    DockerRun,
    ECSRun,
    KubernetesRun,
    LocalRun,
    UniversalRun,
    VertexRun,
)
from prefect_classic.serialization.fields import JSONCompatible
from prefect_classic.serialization.schema import ObjectSchema, OneOfSchema

__all__ = [
    "DockerRunSchema",
    "ECSRunSchema",
    "KubernetesRunSchema",
    "LocalRunSchema",
    "RunConfigSchema",
    "RunConfigSchemaBase",
    "SortedList",
    "UniversalRunSchema",
    "VertexRunSchema",
]


class SortedList(fields.List):
    """A list field whose dump is sorted (sets such as labels dump deterministically)."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        dumped = super()._serialize(value, attr, obj, **kwargs)
        return None if dumped is None else sorted(dumped)


class RunConfigSchemaBase(ObjectSchema):
    """The fields every run config writes: `env` and `labels`."""

    env = fields.Dict(keys=fields.String(), allow_none=True)
    labels = SortedList(fields.String())


class UniversalRunSchema(RunConfigSchemaBase):
    """Schema for `UniversalRun`."""

    object_class = UniversalRun


class KubernetesRunSchema(RunConfigSchemaBase):
    """Schema for `KubernetesRun`."""

    object_class = KubernetesRun

    job_template_path = fields.String(allow_none=True)
    job_template = JSONCompatible(allow_none=True)
    image = fields.String(allow_none=True)
    cpu_limit = fields.String(allow_none=True)
    cpu_request = fields.String(allow_none=True)
    memory_limit = fields.String(allow_none=True)
    memory_request = fields.String(allow_none=True)
    service_account_name = fields.String(allow_none=True)
    image_pull_secrets = fields.List(fields.String(), allow_none=True)
    image_pull_policy = fields.String(allow_none=True)


class ECSRunSchema(RunConfigSchemaBase):
    """Schema for `ECSRun`."""

    object_class = ECSRun

    task_definition_path = fields.String(allow_none=True)
    task_definition = JSONCompatible(allow_none=True)
    task_definition_arn = fields.String(allow_none=True)
    image = fields.String(allow_none=True)
    cpu = fields.String(allow_none=True)
    memory = fields.String(allow_none=True)
    task_role_arn = fields.String(allow_none=True)
    execution_role_arn = fields.String(allow_none=True)
    run_task_kwargs = JSONCompatible(allow_none=True)


class LocalRunSchema(RunConfigSchemaBase):
    """Schema for `LocalRun`."""

    object_class = LocalRun

    working_dir = fields.String(allow_none=True)


class DockerRunSchema(RunConfigSchemaBase):
    """Schema for `DockerRun`."""

    object_class = DockerRun

    ports = fields.List(fields.Int(), allow_none=True)
    image = fields.String(allow_none=True)
    host_config = fields.Dict(keys=fields.String(), allow_none=True)


class VertexRunSchema(RunConfigSchemaBase):
    """Schema for `VertexRun`."""

    object_class = VertexRun

    image = fields.String(allow_none=True)
    machine_type = fields.String(allow_none=True)
    scheduling = fields.Dict(keys=fields.String(), allow_none=True)
    service_account = fields.String(allow_none=True)
    network = fields.String(allow_none=True)
    worker_pool_specs = fields.List(
        fields.Dict(keys=fields.String(), allow_none=True), allow_none=True
    )


class RunConfigSchema(OneOfSchema):
    """Dumps and loads any run config, by its class name under `"type"`."""

    type_schemas = {
        "DockerRun": DockerRunSchema,
        "ECSRun": ECSRunSchema,
        "KubernetesRun": KubernetesRunSchema,
        "LocalRun": LocalRunSchema,
        "UniversalRun": UniversalRunSchema,
        "VertexRun": VertexRunSchema,
    }
