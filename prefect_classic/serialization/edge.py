"""
Schema for Edges, in Prefect 1's JSON shape: each end is written as a reference to the
task's slug, `{"upstream_task": {"slug": "a-1", ...}, "downstream_task": {"slug": "b-1",
...}, "key": "x", "mapped": false, "flattened": false}` (plain slug strings load too).
A loaded edge connects placeholder Tasks carrying those slugs; `FlowSchema` swaps them
for the flow's real tasks.
"""

from typing import Any, Mapping, Optional

from marshmallow import ValidationError, fields

from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.serialization.schema import ObjectSchema, check_version
from prefect_classic.serialization.task import TaskSchema

__all__ = ["EdgeSchema"]


class _TaskReference(fields.Field):
    """A task written as its slug, `{"slug": ...}`; loads a placeholder Task named after
    (and carrying) that slug."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return TaskSchema(only=("slug",)).dump(value)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if isinstance(value, Mapping):
            check_version(value.get("__version__"))
            value = value.get("slug")
        if not isinstance(value, str) or not value:
            raise ValidationError("A task reference needs the task's slug.")
        return Task(name=value, slug=value)


class EdgeSchema(ObjectSchema):
    """Schema for `Edge`: `EdgeSchema().dump(edge)` is `edge.serialize()`."""

    object_class = Edge

    upstream_task = _TaskReference(required=True)
    downstream_task = _TaskReference(required=True)
    key = fields.String(allow_none=True)
    mapped = fields.Boolean(allow_none=True)
    flattened = fields.Boolean(allow_none=True)
