"""
Marshmallow schemas for schedules, clocks, filters and adjustments, producing the same
JSON as Prefect 1 (so schedules can be exchanged with Prefect 1 backends).

- A schedule is `{"clocks": [...], "filters": [...], "or_filters": [...],
  "not_filters": [...], "adjustments": [...], "__version__": ...}`.
- A clock carries its class name in `"type"` (`"IntervalClock"`, `"CronClock"`,
  `"DatesClock"`, `"RRuleClock"`); an unknown type fails with a `ValidationError`.
- Datetimes are `{"dt": "<naive ISO wall time>", "tz": "<zone name>"}`; intervals are
  integers of microseconds.
- Filters and adjustments are `{"fn": "prefect.schedules.filters.between_times",
  "kwargs": {...}}`: the factory's Prefect 1 name and the closure's arguments, with
  datetimes, times and timedeltas encoded as `"//datetime:..."`, `"//time:..."` and
  `"//timedelta:<seconds>"`. Names under `prefect_classic.schedules` are accepted too.

Works with marshmallow 3 and 4 (no schema context, no implicit fields).
"""

import inspect
import json
import re
import sys
import zoneinfo
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Optional, Type

import pendulum
from dateutil import rrule
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    missing,
    post_dump,
    post_load,
    pre_load,
)

from prefect_classic.schedules import adjustments, clocks, filters, schedules
from prefect_classic.schedules.clocks import _pendulum_tz, _to_pendulum, _utc
from prefect_classic.serialization.schema import check_version

__all__ = [
    "ADJUSTMENTS",
    "FILTERS",
    "ClockSchema",
    "CronClockSchema",
    "DatesClockSchema",
    "DateTimeTZ",
    "IntervalClockSchema",
    "RRuleBaseSchema",
    "RRuleClockSchema",
    "RRuleSchema",
    "RRuleSetSchema",
    "ScheduleSchema",
]

#: the module prefix written for filter and adjustment names (Prefect 1's)
FUNCTION_NAMESPACE = "prefect.schedules"
_LOCAL_NAMESPACE = "prefect_classic.schedules"

FILTERS: List[Callable[..., Any]] = [
    filters.on_datetime,
    filters.on_date,
    filters.at_time,
    filters.between_datetimes,
    filters.between_dates,
    filters.between_times,
    filters.is_weekday,
    filters.is_weekend,
    filters.is_month_end,
    filters.is_day_of_week,
    filters.is_month_start,
]

ADJUSTMENTS: List[Callable[..., Any]] = [adjustments.add, adjustments.next_weekday]

_OFFSET_NAME = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def _package_version() -> str:
    package = sys.modules.get(__name__.split(".")[0])
    return str(getattr(package, "__version__", "0+unknown"))


def _parse_iso(value: Any) -> datetime:
    """Parse an ISO 8601 datetime string; the result is naive if the string is."""
    if not isinstance(value, str):
        raise ValidationError("Not a valid datetime string.")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        parsed = pendulum.parse(value, exact=True)
    except Exception as exc:
        raise ValidationError(f"Not a valid datetime: {value!r}.") from exc
    if not isinstance(parsed, datetime):
        raise ValidationError(f"Not a valid datetime: {value!r}.")
    return parsed


def _zone_from_name(name: Any) -> clocks.Zone:
    if not isinstance(name, str):
        raise ValidationError("Time zone must be a string.")
    match = _OFFSET_NAME.match(name)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        seconds = sign * (int(match.group(2)) * 3600 + int(match.group(3)) * 60)
        return pendulum.FixedTimezone(seconds, name=name)
    try:
        return pendulum.timezone(name)
    except Exception as exc:
        raise ValidationError(f"Unknown time zone: {name!r}.") from exc


def _is_second_occurrence(value: datetime, tz: tzinfo) -> bool:
    """True if `value` is the later of two instants sharing its wall-clock time."""
    naive = value.replace(tzinfo=None)
    first = datetime(*naive.timetuple()[:6], naive.microsecond, tzinfo=tz, fold=0)
    second = first.replace(fold=1)
    return first.utcoffset() != second.utcoffset() and value.utcoffset() == second.utcoffset()


# ---------------------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------------------


class DateTimeTZ(fields.Field):
    """
    A datetime stored as its wall-clock time and time zone name,
    `{"dt": "2019-01-01T09:00:00", "tz": "America/New_York"}`, so that DST rules
    survive a round trip (an ISO offset would not). Naive datetimes are stored as UTC.
    The second occurrence of a repeated wall-clock time is marked with `"fold": 1`.
    """

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        dt = _to_pendulum(value)
        zone = clocks._zone(dt)
        data: Dict[str, Any] = {"dt": dt.naive().isoformat(), "tz": zone.name}
        if _is_second_occurrence(dt, zone):
            data["fold"] = 1
        return data

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, Mapping) or "dt" not in value:
            raise ValidationError('Expected an object with "dt" and "tz" keys.')
        zone = _zone_from_name(value.get("tz", "UTC"))
        parsed = _parse_iso(value["dt"])
        if parsed.tzinfo is not None:
            return _to_pendulum(parsed).in_tz(zone)
        fold = 1 if value.get("fold") else 0
        aware = datetime(*parsed.timetuple()[:6], parsed.microsecond, tzinfo=zone, fold=fold)
        return pendulum.instance(_utc(aware), tz=pendulum.UTC).in_tz(zone)


class _IsoDateTime(fields.Field):
    """A datetime as an ISO 8601 string (with its UTC offset when it has one)."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        parsed = _parse_iso(value)
        if parsed.tzinfo is None:
            return parsed
        # plain datetimes with a plain offset: dateutil works on wall-clock values
        offset = parsed.utcoffset() or timedelta(0)
        return datetime(*parsed.timetuple()[:6], parsed.microsecond, tzinfo=timezone(offset))


class _Microseconds(fields.Field):
    """A timedelta as an integer number of microseconds."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value // timedelta(microseconds=1)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Interval must be a number of microseconds.")
        return timedelta(microseconds=value)


class _JSONCompatible(fields.Field):
    """Any JSON-compatible value."""

    def _check(self, value: Any) -> Any:
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError("Value is not JSON-compatible.") from exc
        return value

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return self._check(value)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        return self._check(value)


def _encode_argument(value: Any) -> Any:
    if isinstance(value, datetime):
        return "//datetime:" + _to_pendulum(value).isoformat()
    if isinstance(value, time):
        return "//time:" + value.isoformat()
    if isinstance(value, timedelta):
        return "//timedelta:" + str(value.total_seconds())
    return value


def _decode_argument(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value.startswith("//datetime:"):
        return _to_pendulum(_parse_iso(value[len("//datetime:") :]))
    if value.startswith("//time:"):
        try:
            return time.fromisoformat(value[len("//time:") :])
        except ValueError as exc:
            raise ValidationError(f"Not a valid time: {value!r}.") from exc
    if value.startswith("//timedelta:"):
        try:
            return timedelta(seconds=float(value[len("//timedelta:") :]))
        except ValueError as exc:
            raise ValidationError(f"Not a valid timedelta: {value!r}.") from exc
    return value


class _FunctionReference(fields.Field):
    """
    A reference to one of a fixed set of functions, or to a closure returned by one of
    them, stored as `{"fn": <name>, "kwargs": <closure variables>}`. Loading a closure
    reference calls its factory with the stored arguments.
    """

    def __init__(self, valid_functions: List[Callable[..., Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.by_name: Dict[str, Callable[..., Any]] = {}
        self.wire_names: Dict[str, str] = {}
        for fn in valid_functions:
            local = f"{fn.__module__}.{fn.__qualname__}"
            wire = local.replace(_LOCAL_NAMESPACE, FUNCTION_NAMESPACE, 1)
            self.wire_names[local] = wire
            self.by_name[local] = self.by_name[wire] = fn

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        qualified = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
        matches = [
            local
            for local in self.wire_names
            if qualified == local or qualified.startswith(local + ".<locals>.")
        ]
        if not matches:
            raise ValidationError(
                f"Only Prefect's built-in schedule filters and adjustments can be "
                f"serialized; got {value!r}."
            )
        try:
            closure = inspect.getclosurevars(value).nonlocals
        except TypeError:
            closure = {}
        arguments = {key: _encode_argument(item) for key, item in closure.items()}
        try:
            json.dumps(arguments)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"Arguments of {value!r} are not JSON-compatible.") from exc
        return {"fn": self.wire_names[matches[0]], "kwargs": arguments}

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if isinstance(value, str):
            value = {"fn": value}
        if not isinstance(value, Mapping):
            raise ValidationError("Invalid function reference.")
        fn = self.by_name.get(value.get("fn"))  # type: ignore[arg-type]
        if fn is None:
            raise ValidationError(f"Invalid function reference: {value.get('fn')!r}.")
        arguments = value.get("kwargs") or {}
        if not isinstance(arguments, Mapping):
            raise ValidationError("Function reference kwargs must be an object.")
        if not arguments:
            return fn
        try:
            return fn(**{key: _decode_argument(item) for key, item in arguments.items()})
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"Invalid arguments for {value.get('fn')}: {exc}") from exc


# ---------------------------------------------------------------------------------------
# schema helpers
# ---------------------------------------------------------------------------------------


class _ObjectSchema(Schema):
    """
    A schema that loads into an instance of `object_class` (called with the loaded
    fields as keyword arguments) and stamps dumps with a `__version__`.
    """

    object_class: ClassVar[Optional[Callable[..., Any]]] = None

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _remove_version(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            check_version(data.get("__version__"))  # newer than this package: ValidationError
            data = {key: value for key, value in data.items() if key != "__version__"}
        return data

    @post_dump
    def _add_version(self, data: Dict[str, Any], **kwargs: Any) -> Dict[str, Any]:
        data.setdefault("__version__", _package_version())
        return data

    @post_load
    def _create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        return self.create_object(data)

    def create_object(self, data: Dict[str, Any]) -> Any:
        """
        Build the object from the loaded fields.

        Args:
            - data (dict): the loaded fields

        Returns:
            - Any: the new object (or `data` when the schema has no `object_class`)
        """
        if self.object_class is None:
            return data
        try:
            return self.object_class(**data)
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc


class _OneOfSchema(Schema):
    """
    A schema dispatching on the `"type"` key: the class name of the dumped object
    selects one of `type_schemas`. Unknown or missing types raise `ValidationError`.
    """

    type_field: ClassVar[str] = "type"
    type_schemas: ClassVar[Dict[str, Type[Schema]]] = {}

    def dump(self, obj: Any, *, many: Optional[bool] = None) -> Any:
        many = self.many if many is None else bool(many)
        if many:
            return [self._dump_one(item) for item in obj]
        return self._dump_one(obj)

    def _dump_one(self, obj: Any) -> Any:
        if obj is None:
            return None
        name = type(obj).__name__
        schema = self.type_schemas.get(name)
        if schema is None:
            raise ValidationError(f"Unsupported object type: {name}")
        data = schema().dump(obj)
        data[self.type_field] = name
        return data

    def load(
        self,
        data: Any,
        *,
        many: Optional[bool] = None,
        partial: Any = None,
        unknown: Optional[str] = None,
    ) -> Any:
        many = self.many if many is None else bool(many)
        if not many:
            return self._load_one(data, partial)
        if not isinstance(data, list):
            raise ValidationError("Expected a list.")
        results, errors = [], {}
        for index, item in enumerate(data):
            try:
                results.append(self._load_one(item, partial))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]
        return results

    def _load_one(self, data: Any, partial: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValidationError({"_schema": ["Invalid input type."]})
        name = data.get(self.type_field)
        if name is None:
            raise ValidationError({self.type_field: ["Missing data for required field."]})
        schema = self.type_schemas.get(name) if isinstance(name, str) else None
        if schema is None:
            raise ValidationError({self.type_field: [f"Unsupported value: {name!r}"]})
        payload = {key: value for key, value in data.items() if key != self.type_field}
        return schema().load(payload, partial=partial)


def _parameter_defaults() -> fields.Field:
    return fields.Dict(keys=fields.Str(), values=_JSONCompatible(), allow_none=True)


def _labels() -> fields.Field:
    return fields.List(fields.Str(), allow_none=True)


# ---------------------------------------------------------------------------------------
# clocks
# ---------------------------------------------------------------------------------------

_MIN_CLOUD_INTERVAL = timedelta(minutes=1)
_INTERVAL_TOO_SHORT = (
    "Interval can not be less than one minute when deploying to Prefect Cloud or Server."
)


class IntervalClockSchema(_ObjectSchema):
    """
    Schema for `IntervalClock`. As in Prefect 1, intervals under one minute cannot be
    serialized or loaded (Prefect Cloud/Server reject them): this raises `ValueError`.
    """

    object_class = clocks.IntervalClock

    start_date = DateTimeTZ(allow_none=True)
    end_date = DateTimeTZ(allow_none=True)
    interval = _Microseconds(required=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()

    @post_dump
    def _check_interval(self, data: Dict[str, Any], **kwargs: Any) -> Dict[str, Any]:
        if data["interval"] < _MIN_CLOUD_INTERVAL // timedelta(microseconds=1):
            raise ValueError(_INTERVAL_TOO_SHORT)
        return data

    def create_object(self, data: Dict[str, Any]) -> Any:
        if data["interval"] < _MIN_CLOUD_INTERVAL:
            raise ValueError(_INTERVAL_TOO_SHORT)
        return super().create_object(data)


class CronClockSchema(_ObjectSchema):
    """Schema for `CronClock`."""

    object_class = clocks.CronClock

    start_date = DateTimeTZ(allow_none=True)
    end_date = DateTimeTZ(allow_none=True)
    cron = fields.String(required=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()
    day_or = fields.Boolean(allow_none=True)


class DatesClockSchema(_ObjectSchema):
    """Schema for `DatesClock`."""

    object_class = clocks.DatesClock

    dates = fields.List(DateTimeTZ(), required=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()


class RRuleSchema(_ObjectSchema):
    """
    Schema for a `dateutil.rrule.rrule`: its RFC 5545 text in `"rr"`, plus `"_dtstart"`
    and `"_until"` as ISO strings because the text drops their time zones. `"tz"` (not
    written by Prefect 1, ignored by it) keeps the name of an aware start's zone.
    """

    rr = fields.Method("_dump_rule", deserialize="_load_rule", required=True)
    dtstart = _IsoDateTime(attribute="_dtstart", data_key="_dtstart", allow_none=True)
    until = _IsoDateTime(attribute="_until", data_key="_until", allow_none=True)
    tz = fields.Method("_dump_tz", deserialize="_load_tz", allow_none=True)

    def _dump_rule(self, obj: rrule.rrule) -> str:
        return str(obj)

    def _load_rule(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError("Not a valid rrule string.")
        try:
            return rrule.rrulestr(value)
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"Not a valid rrule string: {exc}") from exc

    def _dump_tz(self, obj: rrule.rrule) -> Any:
        start = obj._dtstart
        if start is None or start.tzinfo is None:
            return missing
        zone = _pendulum_tz(start.tzinfo, start)
        return zone.name if isinstance(zone, pendulum.Timezone) else missing

    def _load_tz(self, value: Any) -> Optional[tzinfo]:
        if value is None:
            return None
        try:
            return zoneinfo.ZoneInfo(value)
        except Exception as exc:
            raise ValidationError(f"Unknown time zone: {value!r}.") from exc

    def create_object(self, data: Dict[str, Any]) -> Any:
        rule = data["rr"]
        zone = data.get("tz")
        changes = {}
        for key in ("_dtstart", "_until"):
            value = data.get(key)
            if value is not None:
                if zone is not None and value.tzinfo is not None:
                    value = value.astimezone(zone)
                changes[key[1:]] = value
        if not changes:
            return rule
        try:
            return rule.replace(**changes)
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc


class RRuleSetSchema(_ObjectSchema):
    """Schema for a `dateutil.rrule.rruleset`."""

    rrules = fields.List(fields.Nested(RRuleSchema), attribute="_rrule", data_key="_rrule")
    rdates = fields.List(_IsoDateTime(), attribute="_rdate", data_key="_rdate")
    exrules = fields.List(fields.Nested(RRuleSchema), attribute="_exrule", data_key="_exrule")
    exdates = fields.List(_IsoDateTime(), attribute="_exdate", data_key="_exdate")

    def create_object(self, data: Dict[str, Any]) -> Any:
        rules = rrule.rruleset()
        for item in data.get("_rrule") or []:
            rules.rrule(item)
        for date in data.get("_rdate") or []:
            rules.rdate(date)
        for item in data.get("_exrule") or []:
            rules.exrule(item)
        for date in data.get("_exdate") or []:
            rules.exdate(date)
        return rules


class RRuleBaseSchema(_OneOfSchema):
    """Dispatches between rrules (`"type": "rrule"`) and rrulesets (`"rruleset"`)."""

    type_schemas = {"rrule": RRuleSchema, "rruleset": RRuleSetSchema}


class RRuleClockSchema(_ObjectSchema):
    """Schema for `RRuleClock`."""

    object_class = clocks.RRuleClock

    rrule_obj = fields.Nested(RRuleBaseSchema, required=True)
    start_date = DateTimeTZ(allow_none=True)
    end_date = DateTimeTZ(allow_none=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()


class ClockSchema(_OneOfSchema):
    """Dispatches between the clock schemas on the clock's class name (`"type"`)."""

    type_schemas = {
        "IntervalClock": IntervalClockSchema,
        "CronClock": CronClockSchema,
        "DatesClock": DatesClockSchema,
        "RRuleClock": RRuleClockSchema,
    }


# ---------------------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------------------


def _filter_list() -> fields.Field:
    return fields.List(_FunctionReference(FILTERS, allow_none=True), allow_none=True)


class ScheduleSchema(_ObjectSchema):
    """
    Schema for `Schedule`: `ScheduleSchema().dump(schedule)` gives Prefect 1's JSON and
    `ScheduleSchema().load(data)` rebuilds the schedule.
    """

    object_class = schedules.Schedule

    clocks = fields.Nested(ClockSchema, required=True, many=True)
    filters = _filter_list()
    or_filters = _filter_list()
    not_filters = _filter_list()
    adjustments = fields.List(_FunctionReference(ADJUSTMENTS, allow_none=True), allow_none=True)
