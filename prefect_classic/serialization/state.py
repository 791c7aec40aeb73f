"""
Schemas for every State class, in Prefect 1's JSON shape:

```
{"type": "Retrying", "message": "...", "context": {...}, "cached_inputs": {...},
 "_result": {"type": "LocalResult", "location": "...", ...}, "start_time": "...",
 "run_count": 2, "__version__": "..."}
```

A state's result is written as its Result's metadata (see `get_safe`): the type and
location, never the value, except that a `PrefectResult` whose value is set gets its JSON
text as location. Cached inputs are written the same way; inputs that have no location (and
so could not be read back) are left out. A loaded state's `_result` is a Result holding the
location and no value; `state.load_result()` reads it. As in Prefect 1, a `Mapped` state is
written with the number of its children (`n_map_states`) only, and loads with that many
unknown (`None`) children.
"""

from typing import Any, Dict, Mapping, Optional

from marshmallow import ValidationError, fields, post_load

from prefect_classic.engine import state
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import PrefectResult
from prefect_classic.serialization.fields import (
    ISODateTime,
    JSONCompatible,
    Message,
    Nested,
)
from prefect_classic.serialization.result import StateResultSchema
from prefect_classic.serialization.schema import ObjectSchema, OneOfSchema

__all__ = [
    "BaseStateSchema",
    "CachedSchema",
    "CancelledSchema",
    "CancellingSchema",
    "ClientFailedSchema",
    "FailedSchema",
    "FinishedSchema",
    "LoopedSchema",
    "MappedSchema",
    "MetaStateSchema",
    "PausedSchema",
    "PendingSchema",
    "QueuedSchema",
    "ResumeSchema",
    "RetryingSchema",
    "RunningSchema",
    "ScheduledSchema",
    "SkippedSchema",
    "StateSchema",
    "SubmittedSchema",
    "SuccessSchema",
    "TimedOutSchema",
    "TriggerFailedSchema",
    "ValidationFailedSchema",
    "get_safe",
]


def _safe_result(result: Any) -> Result:
    """The Result to write for `result`: itself (its metadata), a PrefectResult holding a
    value with its JSON text as location, and `NoResult` for anything that is not a Result."""
    if not isinstance(result, Result):
        return NoResult
    if isinstance(result, PrefectResult) and result.location is None and result.value is not None:
        try:
            return result.write(result.value)
        except (TypeError, ValueError):
            return result
    return result


def get_safe(obj: state.State, context: Dict[str, Any]) -> Any:
    """
    Choose what is written for a state attribute holding results: for `"_result"` the
    state's Result (its metadata: a `PrefectResult` with a value gets its JSON text as
    location), for any other attribute `context["value"]`.

    Args:
        - obj (State): the state being serialized
        - context (dict): `{"attr": <attribute name>, "value": <attribute value>}`

    Returns:
        - Any: the value to serialize
    """
    if context.get("attr") == "_result":
        return _safe_result(getattr(obj, "_result", NoResult))
    return context.get("value", None)


class _CachedInputsField(fields.Field):
    """`{argument: Result}`; only Results that can be read back (have a location) are kept."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ValidationError("cached_inputs must be a dict.")
        dumped = {}
        for key, result in value.items():
            safe = _safe_result(result)
            if safe.location is not None:
                dumped[str(key)] = StateResultSchema().dump(safe)
        return dumped

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError("cached_inputs must be an object.")
        loaded = {}
        errors = {}
        for key, item in value.items():
            try:
                result = StateResultSchema().load(item)
            except ValidationError as exc:
                errors[key] = exc.messages
                continue
            if result.location is not None:
                loaded[key] = result
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]
        return loaded


# ---------------------------------------------------------------------------------------
# one schema per state class
# ---------------------------------------------------------------------------------------


class BaseStateSchema(ObjectSchema):
    """Schema for `State`: message, context, cached inputs and result metadata."""

    class Meta:
        object_class = state.State

    message = Message(allow_none=True)
    context = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)  # type: ignore[assignment]
    cached_inputs = _CachedInputsField(allow_none=True)
    _result = Nested(lambda: StateResultSchema, allow_none=False, value_selection_fn=get_safe)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if "_result" in data:
            data["result"] = data.pop("_result")
        if data.get("result") is None:
            data["result"] = NoResult
        return super().create_object(data, **kwargs)


class MetaStateSchema(BaseStateSchema):
    """Adds the wrapped `state` of a meta state (the base of the meta state schemas)."""

    state = Nested(lambda: StateSchema, allow_none=True)


class ClientFailedSchema(MetaStateSchema):
    """Schema for `ClientFailed`."""

    class Meta:
        object_class = state.ClientFailed


class SubmittedSchema(MetaStateSchema):
    """Schema for `Submitted`."""

    class Meta:
        object_class = state.Submitted


class QueuedSchema(MetaStateSchema):
    """Schema for `Queued`: adds `start_time`."""

    class Meta:
        object_class = state.Queued

    start_time = ISODateTime(allow_none=True)


class PendingSchema(BaseStateSchema):
    """Schema for `Pending`."""

    class Meta:
        object_class = state.Pending


class ScheduledSchema(PendingSchema):
    """Schema for `Scheduled`: adds `start_time`."""

    class Meta:
        object_class = state.Scheduled

    start_time = ISODateTime(allow_none=True)


class PausedSchema(ScheduledSchema):
    """Schema for `Paused`."""

    class Meta:
        object_class = state.Paused


class ResumeSchema(ScheduledSchema):
    """Schema for `Resume`."""

    class Meta:
        object_class = state.Resume


class RetryingSchema(ScheduledSchema):
    """Schema for `Retrying`: adds `run_count`."""

    class Meta:
        object_class = state.Retrying

    run_count = fields.Integer(allow_none=True)


class RunningSchema(BaseStateSchema):
    """Schema for `Running`."""

    class Meta:
        object_class = state.Running


class CancellingSchema(RunningSchema):
    """Schema for `Cancelling`."""

    class Meta:
        object_class = state.Cancelling


class FinishedSchema(BaseStateSchema):
    """Schema for `Finished`."""

    class Meta:
        object_class = state.Finished


class LoopedSchema(FinishedSchema):
    """Schema for `Looped`: adds `loop_count`."""

    class Meta:
        object_class = state.Looped

    loop_count = fields.Integer(allow_none=True)


class SuccessSchema(FinishedSchema):
    """Schema for `Success`."""

    class Meta:
        object_class = state.Success


class CachedSchema(SuccessSchema):
    """Schema for `Cached`: adds `cached_parameters`, `cached_result_expiration` and
    `hashed_inputs`."""

    class Meta:
        object_class = state.Cached

    cached_parameters = JSONCompatible(allow_none=True)
    cached_result_expiration = ISODateTime(allow_none=True)
    hashed_inputs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)


class MappedSchema(SuccessSchema):
    """
    Schema for `Mapped`: the number of children (`n_map_states`) only, as in Prefect 1 (the
    children's states are not written); loads with that many unknown (`None`) children.
    """

    class Meta:
        object_class = state.Mapped
        exclude = ["_result", "map_states"]

    # excluded, but declared so that `exclude` can name it
    map_states = Nested(lambda: StateSchema, many=True)
    n_map_states = fields.Integer(allow_none=True)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        count = data.pop("n_map_states", None) or 0
        data["map_states"] = [None] * count
        return super().create_object(data, **kwargs)


class SkippedSchema(SuccessSchema):
    """Schema for `Skipped`."""

    class Meta:
        object_class = state.Skipped


class FailedSchema(FinishedSchema):
    """Schema for `Failed`."""

    class Meta:
        object_class = state.Failed


class CancelledSchema(FinishedSchema):
    """Schema for `Cancelled`."""

    class Meta:
        object_class = state.Cancelled


class TimedOutSchema(FailedSchema):
    """Schema for `TimedOut`."""

    class Meta:
        object_class = state.TimedOut


class TriggerFailedSchema(FailedSchema):
    """Schema for `TriggerFailed`."""

    class Meta:
        object_class = state.TriggerFailed


class ValidationFailedSchema(FailedSchema):
    """Schema for `ValidationFailed`."""

    class Meta:
        object_class = state.ValidationFailed


class StateSchema(OneOfSchema):
    """
    The schema for any state: `StateSchema().dump(state)` writes the state with its class
    name as `"type"`, `StateSchema().load(data)` rebuilds it. An unknown `"type"` is a
    `ValidationError`. The base `State` and the abstract meta state are not serializable,
    as in Prefect 1.
    """

    type_schemas = {
        "Cached": CachedSchema,
        "Cancelled": CancelledSchema,
        "Cancelling": CancellingSchema,
        "ClientFailed": ClientFailedSchema,
        "Failed": FailedSchema,
        "Finished": FinishedSchema,
        "Looped": LoopedSchema,
        "Mapped": MappedSchema,
        "Paused": PausedSchema,
        "Pending": PendingSchema,
        "Queued": QueuedSchema,
        "Resume": ResumeSchema,
        "Retrying": RetryingSchema,
        "Running": RunningSchema,
        "Scheduled": ScheduledSchema,
        "Skipped": SkippedSchema,
        "Submitted": SubmittedSchema,
        "Success": SuccessSchema,
        "TimedOut": TimedOutSchema,
        "TriggerFailed": TriggerFailedSchema,
        "ValidationFailed": ValidationFailedSchema,
    }

    def get_obj_type(self, obj: Any) -> str:
        name = type(obj).__name__
        if getattr(state, name, None) is not type(obj) or name not in self.type_schemas:
            raise ValidationError(
                f"Unsupported state type: {type(obj).__qualname__} (only the built-in State "
                "classes can be serialized)."
            )
        return name
