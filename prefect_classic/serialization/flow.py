"""
Schema for Flows, in Prefect 1's JSON shape: the flow's `name`, `type`, `schedule`,
`parameters`, `tasks`, `edges` and `reference_tasks` (as slugs), plus its default
`result` (metadata only), `run_config` and `storage`. Tasks, parameters and edges are sorted by slug so that dumps
are deterministic. Loading rebuilds a Flow of base Tasks and Parameters connected as
the edges say; an edge or reference task naming a slug the flow does not have is a
`ValidationError`.
"""

from typing import Any, Dict, List, Optional

from marshmallow import ValidationError, fields, missing

from prefect_classic.core.edge import Edge
from prefect_classic.core.flow import Flow
from prefect_classic.core.parameter import Parameter
from prefect_classic.core.task import Task
from prefect_classic.serialization.edge import EdgeSchema
from prefect_classic.serialization.result import StateResultSchema
from prefect_classic.serialization.run_config import RunConfigSchema
from prefect_classic.serialization.schedule import ScheduleSchema
from prefect_classic.serialization.schema import ObjectSchema, load_each, to_qualified_name
from prefect_classic.serialization.storage import StorageSchema
from prefect_classic.serialization.task import ParameterSchema, TaskSchema

__all__ = ["FlowSchema", "get_edges", "get_parameters", "get_reference_tasks", "get_tasks"]


def _slug(task: Any) -> str:
    return getattr(task, "slug", None) or ""


def _value(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, missing)
    return getattr(obj, key, missing)


def get_parameters(obj: Any, context: Optional[Dict[str, Any]] = None) -> Any:
    """
    The flow's Parameters, sorted by slug.

    Args:
        - obj (Flow or dict): the flow being dumped
        - context (dict, optional): unused; kept for Prefect 1's signature

    Returns:
        - List[Parameter]: the parameters (`missing` when `obj` has none)
    """
    params = obj.parameters() if isinstance(obj, Flow) else _value(obj, "parameters")
    return params if params is missing else sorted(params, key=_slug)


def get_reference_tasks(obj: Any, context: Optional[Dict[str, Any]] = None) -> Any:
    """
    The flow's explicitly chosen reference tasks, sorted by slug (empty when the
    terminal tasks are used).

    Args:
        - obj (Flow or dict): the flow being dumped
        - context (dict, optional): unused; kept for Prefect 1's signature

    Returns:
        - List[Task]: the reference tasks (`missing` when `obj` has none)
    """
    tasks = obj._reference_tasks if isinstance(obj, Flow) else _value(obj, "reference_tasks")
    return tasks if tasks is missing else sorted(tasks, key=_slug)


def get_tasks(obj: Any, context: Optional[Dict[str, Any]] = None) -> Any:
    """
    The flow's tasks (parameters included), sorted by slug.

    Args:
        - obj (Flow or dict): the flow being dumped
        - context (dict, optional): unused; kept for Prefect 1's signature

    Returns:
        - List[Task]: the tasks (`missing` when `obj` has none)
    """
    tasks = obj.tasks if isinstance(obj, Flow) else _value(obj, "tasks")
    return tasks if tasks is missing else sorted(tasks, key=_slug)


def get_edges(obj: Any, context: Optional[Dict[str, Any]] = None) -> Any:
    """
    The flow's edges, sorted by upstream slug, downstream slug and key.

    Args:
        - obj (Flow or dict): the flow being dumped
        - context (dict, optional): unused; kept for Prefect 1's signature

    Returns:
        - List[Edge]: the edges (`missing` when `obj` has none)
    """
    edges = obj.edges if isinstance(obj, Flow) else _value(obj, "edges")
    if edges is missing:
        return edges
    return sorted(
        edges, key=lambda e: (_slug(e.upstream_task), _slug(e.downstream_task), e.key or "")
    )


def _dump_many(schema: Any, items: Any) -> Any:
    return missing if items is missing else [schema.dump(item) for item in items]


def _load_many(schema: Any, value: Any, name: str) -> List[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{name} must be a list.")
    return load_each(schema.load, value)


class FlowSchema(ObjectSchema):
    """Schema for `Flow`: `FlowSchema().dump(flow)` is `flow.serialize()`."""

    name = fields.String(required=True, allow_none=True)
    type = fields.Method("_dump_type", dump_only=True)
    schedule = fields.Nested(ScheduleSchema, allow_none=True)
    parameters = fields.Method("_dump_parameters", deserialize="_load_parameters")
    tasks = fields.Method("_dump_tasks", deserialize="_load_tasks")
    edges = fields.Method("_dump_edges", deserialize="_load_edges")
    reference_tasks = fields.Method("_dump_reference_tasks", deserialize="_load_edge_slugs")
    result = fields.Nested(StateResultSchema, allow_none=True)
    run_config = fields.Nested(RunConfigSchema, allow_none=True)
    storage = fields.Nested(StorageSchema, allow_none=True)

    def _dump_type(self, flow: Any) -> str:
        return to_qualified_name(type(flow))

    def _dump_parameters(self, flow: Any) -> Any:
        return _dump_many(ParameterSchema(), get_parameters(flow))

    def _dump_tasks(self, flow: Any) -> Any:
        return _dump_many(TaskSchema(), get_tasks(flow))

    def _dump_edges(self, flow: Any) -> Any:
        return _dump_many(EdgeSchema(), get_edges(flow))

    def _dump_reference_tasks(self, flow: Any) -> Any:
        return _dump_many(TaskSchema(only=("slug",)), get_reference_tasks(flow))

    def _load_parameters(self, value: Any) -> List[Parameter]:
        return _load_many(ParameterSchema(), value, "parameters")

    def _load_tasks(self, value: Any) -> List[Task]:
        return _load_many(TaskSchema(), value, "tasks")

    def _load_edges(self, value: Any) -> List[Edge]:
        return _load_many(EdgeSchema(), value, "edges")

    def _load_edge_slugs(self, value: Any) -> List[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValidationError("reference_tasks must be a list.")
        slugs = []
        for item in value:
            slug = item.get("slug") if isinstance(item, dict) else item
            if not isinstance(slug, str):
                raise ValidationError("reference_tasks must hold task slugs.")
            slugs.append(slug)
        return slugs

    def create_object(self, data: Dict[str, Any]) -> Any:
        """
        Build the Flow: the tasks (with `parameters` entries replacing the base Tasks of
        the same slug), then the edges between them and the reference tasks.

        Args:
            - data (dict): the loaded fields

        Returns:
            - Flow: the flow

        Raises:
            - ValidationError: for duplicate slugs, or edges and reference tasks naming
                slugs that are not in the flow
        """
        parameters = {p.slug: p for p in data.get("parameters") or []}
        tasks: Dict[str, Task] = dict(parameters)
        for task in data.get("tasks") or []:
            if task.slug not in parameters:
                if task.slug in tasks:
                    raise ValidationError({"tasks": [f"Duplicate task slug {task.slug!r}."]})
                tasks[task.slug] = task

        def find(slug: str, field: str) -> Task:
            if slug not in tasks:
                raise ValidationError({field: [f"No task with slug {slug!r} in this flow."]})
            return tasks[slug]

        try:
            flow = Flow(
                name=data.get("name") or "",
                schedule=data.get("schedule"),
                result=data.get("result"),
                run_config=data.get("run_config"),
                storage=data.get("storage"),
                tasks=list(tasks.values()),
            )
            for edge in data.get("edges") or []:
                flow.add_edge(
                    find(edge.upstream_task.slug, "edges"),
                    find(edge.downstream_task.slug, "edges"),
                    key=edge.key,
                    mapped=edge.mapped,
                    flattened=edge.flattened,
                    validate=False,
                )
            flow.set_reference_tasks(
                [find(slug, "reference_tasks") for slug in data.get("reference_tasks") or []]
            )
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc
        return flow
