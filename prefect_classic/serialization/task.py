"""
Schemas for Tasks and Parameters, in Prefect 1's JSON shape: a task's metadata (`type`,
`name`, `slug`, `tags`, retry and cache settings, trigger and cache validator as
function references, the `run()` inputs and outputs), never its code. Loading gives a
base `Task` (or a `Parameter`) with those settings; `type`, `inputs` and `outputs` are
written for information only.
"""

from typing import Any, Dict

from marshmallow import ValidationError, fields

from prefect_classic import triggers
from prefect_classic.core.parameter import Parameter
from prefect_classic.core.task import Task
from prefect_classic.engine import cache_validators
from prefect_classic.serialization.schema import (
    FunctionReference,
    JSONCompatible,
    ObjectSchema,
    Seconds,
    sorted_strings,
    to_qualified_name,
)

__all__ = ["ParameterSchema", "TaskMethodsMixin", "TaskSchema"]

TRIGGERS = [
    triggers.all_finished,
    triggers.manual_only,
    triggers.always_run,
    triggers.all_successful,
    triggers.all_failed,
    triggers.any_successful,
    triggers.any_failed,
    triggers.not_all_skipped,
]
TRIGGER_FACTORIES = [triggers.some_failed, triggers.some_successful]

CACHE_VALIDATORS = [
    cache_validators.never_use,
    cache_validators.duration_only,
    cache_validators.all_inputs,
    cache_validators.all_parameters,
]
CACHE_VALIDATOR_FACTORIES = [
    cache_validators.partial_inputs_only,
    cache_validators.partial_parameters_only,
]


class TaskMethodsMixin:
    """
    Methods shared by `TaskSchema` and `ParameterSchema`: attribute access that never
    indexes a Task (indexing builds a new task), the `inputs`/`outputs` descriptions and
    the `auto_generated` flag on load.
    """

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

    def load_inputs(self, task: Any) -> Dict[str, Dict[str, Any]]:
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

    def load_outputs(self, task: Any) -> str:
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

    def create_object(self, data: Dict[str, Any]) -> Any:
        """
        Build the task and restore its `auto_generated` flag.

        Args:
            - data (dict): the loaded fields

        Returns:
            - Task: the task
        """
        auto_generated = bool(data.pop("auto_generated", False))
        task = super().create_object(data)  # type: ignore[misc]
        task.auto_generated = auto_generated
        return task


class _Tags(fields.List):
    """Tags, written sorted so that dumps are deterministic."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else sorted_strings(value)


class TaskSchema(TaskMethodsMixin, ObjectSchema):
    """Schema for `Task`: `TaskSchema().dump(task)` is `task.serialize()`."""

    object_class = Task

    type = fields.Method("dump_type", dump_only=True)
    name = fields.String(allow_none=True)
    slug = fields.String(allow_none=True)
    tags = _Tags(fields.String(), allow_none=True)
    max_retries = fields.Integer(allow_none=True)
    retry_delay = Seconds(allow_none=True)
    inputs = fields.Method("load_inputs", dump_only=True)
    outputs = fields.Method("load_outputs", dump_only=True)
    timeout = fields.Integer(allow_none=True)
    trigger = FunctionReference(TRIGGERS, factories=TRIGGER_FACTORIES, allow_none=True)
    skip_on_upstream_skip = fields.Boolean(allow_none=True)
    cache_for = Seconds(allow_none=True)
    cache_key = fields.String(allow_none=True)
    cache_validator = FunctionReference(
        CACHE_VALIDATORS,
        factories=CACHE_VALIDATOR_FACTORIES,
        closure_aliases={"names": "validate_on"},
        allow_none=True,
    )
    auto_generated = fields.Boolean(allow_none=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        for key in ("skip_on_upstream_skip",):
            if data.get(key) is None:
                data.pop(key, None)
        return super().create_object(data)


class ParameterSchema(TaskMethodsMixin, ObjectSchema):
    """Schema for `Parameter`: name (also its slug), JSON default, `required` and tags."""

    object_class = Parameter

    type = fields.Method("dump_type", dump_only=True)
    name = fields.String(required=True)
    slug = fields.String(allow_none=True)
    default = JSONCompatible(allow_none=True)
    required = fields.Boolean(allow_none=True)
    tags = _Tags(fields.String(), allow_none=True)
    outputs = fields.Method("load_outputs", dump_only=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        slug = data.pop("slug", None)
        name = data.get("name")
        if slug is not None and slug != name:
            raise ValidationError({"slug": [f"A Parameter's slug is its name ({name!r}), not {slug!r}."]})
        return super().create_object(data)
