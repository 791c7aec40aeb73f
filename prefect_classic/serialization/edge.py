"""
Schema for Edges, in Prefect 1's JSON shape: each end is written as the task's slug,
`{"upstream_task": {"slug": "a-1", ...}, "downstream_task": {"slug": "b-1", ...},
"key": "x", "mapped": false, "flattened": false}`. The ends load through `TaskSchema`, so
with a task cache in the context (as when a whole flow is loaded) an edge connects the very
Task objects loaded before; otherwise it connects base Tasks carrying those slugs.
"""

from marshmallow import fields

from prefect_classic.core.edge import Edge
from prefect_classic.serialization.fields import Nested
from prefect_classic.serialization.schema import ObjectSchema
from prefect_classic.serialization.task import TaskSchema

__all__ = ["EdgeSchema"]


class EdgeSchema(ObjectSchema):
    """Schema for `Edge`: `EdgeSchema().dump(edge)` is `edge.serialize()`."""

    class Meta:
        object_class = Edge

    upstream_task = Nested(TaskSchema, only=["slug"])
    downstream_task = Nested(TaskSchema, only=["slug"])
    key = fields.String(allow_none=True)
    mapped = fields.Boolean(allow_none=True)
    flattened = fields.Boolean(allow_none=True)
