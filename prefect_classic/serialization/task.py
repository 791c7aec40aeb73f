"""
Schemas for Tasks and Parameters, in Prefect 1's JSON shape: a task's metadata (`type`,
`name`, `slug`, `tags`, retry and cache settings, trigger and cache validator as
`{"fn": ..., "kwargs": ...}` references, the `run()` inputs and outputs), never its code.
Loading gives a base `Task` (or a `Parameter`) with those settings; `type`, `inputs` and
`outputs` are written for information only. A trigger or cache validator that is not one of
Prefect's loads as `None` (so the task gets the default).

Loaded tasks are kept in `context["task_cache"]` by slug: loading a slug again (e.g. an
edge's end after the flow's tasks) gives the same Task object.
"""

from typing import Any, Callable, Dict, List

from marshmallow import fields, post_load

from prefect_classic import triggers
from prefect_classic.core.parameter import Parameter
from prefect_classic.core.task import Task
from prefect_classic.engine import cache_validators
from prefect_classic.serialization.fields import (
    JSONCompatible,
    Seconds,
    SortedList,
    StatefulFunctionReference,
)
from prefect_classic.serialization.schema import ObjectSchema, to_qualified_name

__all__ = ["CACHE_VALIDATORS", "TRIGGERS", "ParameterSchema", "TaskMethodsMixin", "TaskSchema"]

TRIGGERS: List[Callable[..., Any]] = [
    triggers.all_finished,
    triggers.manual_only,
    triggers.always_run,
    triggers.all_successful,
    triggers.all_failed,
    triggers.any_successful,
    triggers.any_failed,
    triggers.some_failed,
    triggers.some_successful,
    triggers.not_all_skipped,
]

CACHE_VALIDATORS: List[Callable[..., Any]] = [
    cache_validators.never_use,
    cache_validators.duration_only,
    cache_validators.all_inputs,
    cache_validators.all_parameters,
    cache_validators.partial_inputs_only,
    cache_validators.partial_parameters_only,
]


class TaskMethodsMixin:
    """
    Methods shared by `TaskSchema` and `ParameterSchema`: attribute access that never
    indexes a Task (indexing builds a new task), the `inputs`/`outputs` descriptions, and
    loading through the context's task cache.
    """

    context: Dict[Any, Any]

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """
        Read `attr` from `obj` with `getattr` for Tasks (`task[key]` would create a
        GetItem task), and as marshmallow does otherwise.

        Args:
            - obj (Any): the object being dumped
            - attr (str): the attribute name
            - default (Any): the value when it is missing

        Returns:
            - Any: the attribute's value
        """
        if isinstance(obj, Task):
            return getattr(obj, attr, default)
        return super().get_attribute(obj, attr, default)  # type: ignore[misc]

    def load_inputs(self, task: Any) -> Any:
        """
        Describe a task's `run()` arguments: `{name: {"required": bool, "type": str}}`.

        Args:
            - task (Task): the task

        Returns:
            - dict: the description
        """
        if not isinstance(task, Task):
            return self.get_attribute(task, "inputs", None)
        return {
            name: {"required": info["required"], "type": str(info["type"])}
            for name, info in task.inputs().items()
        }

    def load_outputs(self, task: Any) -> Any:
        """
        Describe a task's `run()` return annotation.

        Args:
            - task (Task): the task

        Returns:
            - str: the annotation as text
        """
        if not isinstance(task, Task):
            return self.get_attribute(task, "outputs", None)
        return str(task.outputs())

    def dump_type(self, task: Any) -> str:
        """
        The import path of the task's class.

        Args:
            - task (Task): the task

        Returns:
            - str: the qualified class name
        """
        return to_qualified_name(type(task))

    def load_type(self, value: Any) -> Any:
        """The `type` as written (for information only).

        Args:
            - value (Any): the written value

        Returns:
            - Any: the same value
        """
        return value

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        """
        Build the task, or return the one already loaded with this slug in this context
        (`context["task_cache"]`), and restore its `auto_generated` flag.

        Args:
            - data (dict): the loaded fields
            - **kwargs (Any): marshmallow's hook arguments

        Returns:
            - Task: the task (the loaded dict when loading with `create_object=False`)
        """
        slug = data.get("slug")
        cache = self.context.setdefault("task_cache", {})
        if slug in cache:  # as in Prefect 1, a task without a slug is cached under None
            return cache[slug]
        auto_generated = bool(data.pop("auto_generated", None) or False)
        for key in ("skip_on_upstream_skip", "tags", "max_retries"):
            if key in data and data[key] is None:
                del data[key]  # None means "the default" here
        task = super().create_object(data, **kwargs)  # type: ignore[misc]
        if isinstance(task, Task):
            task.auto_generated = auto_generated
            cache[slug] = task
        return task


class TaskSchema(TaskMethodsMixin, ObjectSchema):
    """Schema for `Task`: `TaskSchema().dump(task)` is `task.serialize()`."""

    class Meta:
        object_class = Task
        exclude_fields = ["type", "inputs", "outputs"]

    type = fields.Method("dump_type", deserialize="load_type")
    name = fields.String(allow_none=True)
    slug = fields.String(allow_none=True)
    tags = SortedList(fields.String(), allow_none=True)
    max_retries = fields.Integer(allow_none=True)
    retry_delay = Seconds(allow_none=True)
    inputs = fields.Method("load_inputs", deserialize="load_type", allow_none=True)
    outputs = fields.Method("load_outputs", deserialize="load_type", allow_none=True)
    timeout = fields.Integer(allow_none=True)
    trigger = StatefulFunctionReference(TRIGGERS, reject_invalid=False, allow_none=True)
    skip_on_upstream_skip = fields.Boolean(allow_none=True)
    cache_for = Seconds(allow_none=True)
    cache_key = fields.String(allow_none=True)
    cache_validator = StatefulFunctionReference(
        CACHE_VALIDATORS,
        reject_invalid=False,
        closure_aliases={"names": "validate_on"},
        allow_none=True,
    )
    auto_generated = fields.Boolean(allow_none=True)


class ParameterSchema(TaskMethodsMixin, ObjectSchema):
    """Schema for `Parameter`: name (also its slug), JSON default, `required` and tags."""

    class Meta:
        object_class = Parameter
        exclude_fields = ["type", "outputs", "slug"]

    type = fields.Method("dump_type", deserialize="load_type")
    name = fields.String(required=True)
    slug = fields.String(allow_none=True)
    default = JSONCompatible(allow_none=True)
    required = fields.Boolean(allow_none=True)
    tags = SortedList(fields.String(), allow_none=True)
    outputs = fields.Method("load_outputs", deserialize="load_type", allow_none=True)
