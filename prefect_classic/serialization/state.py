"""
Schemas for every State class, in Prefect 1's JSON shape:

```
{"type": "Retrying", "message": "...", "context": {...}, "cached_inputs": {...},
 "_result": {"type": "LocalResult", "location": "...", ...}, "start_time": "...",
 "run_count": 2, "__version__": "..."}
```

A state's result is written as its Result's metadata (see `get_safe`): the location,
never the value, except that a `PrefectResult` whose value is set gets its JSON text as
location. Cached inputs are written the same way; inputs that have no location (and so
could not be read back) are left out. A loaded state's `_result` is a Result holding the
location and no value; `state.load_result()` reads it.
"""

from typing import Any, Callable, ClassVar, Dict, Mapping, Optional

from marshmallow import ValidationError, fields

from prefect_classic.engine import state
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import PrefectResult
from prefect_classic.serialization.result import StateResultSchema
from prefect_classic.serialization.schema import (
    ISODateTime,
    JSONCompatible,
    Message,
    ObjectSchema,
    OneOfSchema,
    load_each,
)

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
    """The Result to write for `result`: itself when it has a location, a PrefectResult
    with its JSON value as location, and `NoResult` otherwise (raw values are never
    written)."""
    if not isinstance(result, Result):
        return NoResult
    if result.location is not None:
        return result
    if isinstance(result, PrefectResult) and result.value is not None:
        try:
            return result.write(result.value)
        except (TypeError, ValueError):
            return NoResult
    return NoResult


def get_safe(obj: state.State, context: Dict[str, Any]) -> Any:
    """
    Choose what is written for a state attribute holding results: for `"_result"` the
    state's Result when it has a location (a `PrefectResult` with a value gets its JSON
    text as location), otherwise `NoResult`; for any other attribute, `context["value"]`.

    Args:
        - obj (State): the state being serialized
        - context (dict): `{"attr": <attribute name>, "value": <attribute value>}`

    Returns:
        - Any: the value to serialize
    """
    if context.get("attr") == "_result":
        return _safe_result(getattr(obj, "_result", NoResult))
    return context.get("value", NoResult)


class _SafeResultField(fields.Field):
    """A state's `_result`, written as `get_safe` chooses."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return StateResultSchema().dump(get_safe(obj, {"attr": "_result", "value": value}))

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if value is None:
            return NoResult
        return StateResultSchema().load(value)


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


class _NestedState(fields.Field):
    """A state nested in another (a MetaState's `state`); `None` allowed."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return None if value is None else StateSchema().dump(value)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        return StateSchema().load(value)


class _StateList(fields.Field):
    """A list of states (a Mapped state's children); `None` items stand for children
    whose states are unknown."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return [None if item is None else StateSchema().dump(item) for item in value]

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, list):
            raise ValidationError("map_states must be a list.")
        return load_each(lambda item: None if item is None else StateSchema().load(item), value)


# ---------------------------------------------------------------------------------------
# one schema per state class
# ---------------------------------------------------------------------------------------


class BaseStateSchema(ObjectSchema):
    """Schema for `State`: message, context, cached inputs and result metadata."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.State

    message = Message(allow_none=True)
    context = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)
    cached_inputs = _CachedInputsField(allow_none=True)
    _result = _SafeResultField()

    def create_object(self, data: Dict[str, Any]) -> Any:
        data["result"] = data.pop("_result", NoResult)
        return super().create_object(data)


class MetaStateSchema(BaseStateSchema):
    """Schema for `MetaState`: adds the wrapped `state`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.MetaState

    state = _NestedState(allow_none=True)


class ClientFailedSchema(MetaStateSchema):
    """Schema for `ClientFailed`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.ClientFailed


class SubmittedSchema(MetaStateSchema):
    """Schema for `Submitted`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Submitted


class QueuedSchema(MetaStateSchema):
    """Schema for `Queued`: adds `start_time`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Queued

    start_time = ISODateTime(allow_none=True)


class PendingSchema(BaseStateSchema):
    """Schema for `Pending`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Pending


class ScheduledSchema(PendingSchema):
    """Schema for `Scheduled`: adds `start_time`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Scheduled

    start_time = ISODateTime(allow_none=True)


class PausedSchema(ScheduledSchema):
    """Schema for `Paused`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Paused


class ResumeSchema(ScheduledSchema):
    """Schema for `Resume`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Resume


class RetryingSchema(ScheduledSchema):
    """Schema for `Retrying`: adds `run_count`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Retrying

    run_count = fields.Integer(allow_none=True)


class RunningSchema(BaseStateSchema):
    """Schema for `Running`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Running


class CancellingSchema(RunningSchema):
    """Schema for `Cancelling`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Cancelling


class FinishedSchema(BaseStateSchema):
    """Schema for `Finished`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Finished


class LoopedSchema(FinishedSchema):
    """Schema for `Looped`: adds `loop_count`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Looped

    loop_count = fields.Integer(allow_none=True)


class SuccessSchema(FinishedSchema):
    """Schema for `Success`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Success


class CachedSchema(SuccessSchema):
    """Schema for `Cached`: adds `cached_parameters`, `cached_result_expiration` and
    `hashed_inputs`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Cached

    cached_parameters = JSONCompatible(allow_none=True)
    cached_result_expiration = ISODateTime(allow_none=True)
    hashed_inputs = fields.Dict(keys=fields.String(), values=JSONCompatible(), allow_none=True)


class MappedSchema(SuccessSchema):
    """
    Schema for `Mapped`: adds the children's states (`map_states`) and their number
    (`n_map_states`). Prefect 1 wrote only `n_map_states`; such data loads with that many
    unknown (`None`) children.
    """

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Mapped

    map_states = _StateList(allow_none=True)
    n_map_states = fields.Integer(allow_none=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        map_states = data.get("map_states")
        count = data.get("n_map_states")
        if map_states is None:
            data["map_states"] = [None] * (count or 0)
        elif count is not None and count != len(map_states):
            raise ValidationError(
                {"n_map_states": [f"Expected {len(map_states)} (the number of map_states), got {count}."]}
            )
        return super().create_object(data)


class SkippedSchema(SuccessSchema):
    """Schema for `Skipped`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Skipped


class FailedSchema(FinishedSchema):
    """Schema for `Failed`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Failed


class CancelledSchema(FinishedSchema):
    """Schema for `Cancelled`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.Cancelled


class TimedOutSchema(FailedSchema):
    """Schema for `TimedOut`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.TimedOut


class TriggerFailedSchema(FailedSchema):
    """Schema for `TriggerFailed`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.TriggerFailed


class ValidationFailedSchema(FailedSchema):
    """Schema for `ValidationFailed`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = state.ValidationFailed


class StateSchema(OneOfSchema):
    """
    The schema for any state: `StateSchema().dump(state)` writes the state with its class
    name as `"type"`, `StateSchema().load(data)` rebuilds it. An unknown `"type"` is a
    `ValidationError`.
    """

    type_schemas = {
        "State": BaseStateSchema,
        "MetaState": MetaStateSchema,
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
        if getattr(state, name, None) is not type(obj):
            raise ValidationError(
                f"Unsupported state type: {type(obj).__qualname__} (only the built-in State "
                "classes can be serialized)."
            )
        return name
