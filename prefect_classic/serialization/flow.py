"""
Schema for Flows, in Prefect 1's JSON shape: the flow's `name`, `type`, `schedule`,
`parameters`, `tasks`, `edges` and `reference_tasks` (as slugs), `storage` and `run_config`
(when the flow has them), plus its default `result` (metadata only). Tasks, parameters and
edges are sorted by slug so that dumps are deterministic. Loading rebuilds a Flow of base
Tasks and Parameters connected as the edges say (tasks, edges and reference tasks share
one task cache, see `TaskSchema`); an edge or reference task naming a slug the flow does
not have is a `ValidationError`.
"""

from typing import Any, Dict, Mapping, Optional

from marshmallow import ValidationError, fields, missing, post_load, pre_load

from prefect_classic.core.flow import Flow
from prefect_classic.core.task import Task
from prefect_classic.serialization.edge import EdgeSchema
from prefect_classic.serialization.fields import Nested
from prefect_classic.serialization.result import StateResultSchema
from prefect_classic.serialization.run_config import RunConfigSchema
from prefect_classic.serialization.schedule import ScheduleSchema
from prefect_classic.serialization.schema import ObjectSchema, to_qualified_name
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


class FlowSchema(ObjectSchema):
    """Schema for `Flow`: `FlowSchema().dump(flow)` is `flow.serialize()`."""

    class Meta:
        object_class = Flow
        exclude_fields = ["type", "parameters"]

    project = fields.String(allow_none=True)
    name = fields.String(required=True, allow_none=True)
    version = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    type = fields.Method("_dump_type", deserialize="_load_type")
    schedule = Nested(ScheduleSchema, allow_none=True)
    parameters = Nested(ParameterSchema, value_selection_fn=get_parameters, many=True)
    tasks = Nested(TaskSchema, value_selection_fn=get_tasks, many=True)
    edges = Nested(EdgeSchema, value_selection_fn=get_edges, many=True)
    reference_tasks = Nested(
        TaskSchema, value_selection_fn=get_reference_tasks, many=True, only=["slug"]
    )
    run_config = Nested(RunConfigSchema, allow_none=True)
    storage = Nested(StorageSchema, allow_none=True)
    result = Nested(StateResultSchema, allow_none=True)

    def _dump_type(self, flow: Any) -> str:
        return to_qualified_name(type(flow))

    @pre_load
    def _refuse_duplicate_slugs(self, data: Any, **kwargs: Any) -> Any:
        # tasks load through a cache by slug: a second task with a slug would silently
        # become the first one
        tasks = data.get("tasks") if isinstance(data, Mapping) else None
        seen = set()
        for task in tasks if isinstance(tasks, list) else []:
            slug = task.get("slug") if isinstance(task, Mapping) else None
            if slug is not None and slug in seen:
                raise ValidationError({"tasks": [f"Duplicate task slug {slug!r}."]})
            seen.add(slug)
        return data

    def _load_type(self, value: Any) -> Any:
        return value

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        """
        Build the Flow: the tasks (Parameters in place of the base Tasks of the same slug),
        then the edges between them and the reference tasks.

        Args:
            - data (dict): the loaded fields
            - **kwargs (Any): marshmallow's hook arguments

        Returns:
            - Flow: the flow (the loaded dict when loading with `create_object=False`)

        Raises:
            - ValidationError: for duplicate slugs, or edges and reference tasks naming
                slugs that are not in the flow
        """
        if not self.context.get("create_object", True):
            return data
        parameters = {p.slug: p for p in data.get("parameters") or []}
        tasks: Dict[str, Task] = dict(parameters)
        for task in data.get("tasks") or []:
            if task.slug in parameters:
                continue
            tasks[task.slug] = task

        def find(task: Any, field: str) -> Task:
            slug = getattr(task, "slug", None)
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
                    find(edge.upstream_task, "edges"),
                    find(edge.downstream_task, "edges"),
                    key=edge.key,
                    mapped=edge.mapped,
                    flattened=edge.flattened,
                    validate=False,
                )
            flow.set_reference_tasks(
                [find(task, "reference_tasks") for task in data.get("reference_tasks") or []]
            )
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc
        for key in ("project", "version", "description"):
            if data.get(key) is not None:
                setattr(flow, key, data[key])
        return flow
