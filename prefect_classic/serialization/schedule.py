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

Works with marshmallow 3 and 4.
"""

import re
import zoneinfo
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable, Dict, List, Mapping, Optional

import pendulum
from dateutil import rrule
from marshmallow import ValidationError, fields, missing, post_dump, post_load

from prefect_classic.schedules import adjustments, clocks, filters, schedules
from prefect_classic.schedules.clocks import _pendulum_tz, _to_pendulum, _utc
from prefect_classic.serialization.fields import JSONCompatible, Nested, StatefulFunctionReference
from prefect_classic.serialization.schema import ObjectSchema, OneOfSchema

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


class _ScheduleFunctionReference(StatefulFunctionReference):
    """A filter or adjustment: `{"fn": <Prefect 1 name>, "kwargs": {...}}`. Datetime
    arguments keep their wall-clock time and offset."""

    def __init__(self, valid_functions: List[Callable[..., Any]], **kwargs: Any) -> None:
        super().__init__(valid_functions, reject_invalid=True, wire_prefix="prefect.", **kwargs)

    def encode_argument(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return "//datetime:" + _to_pendulum(value).isoformat()
        return super().encode_argument(value)

    def decode_argument(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("//datetime:"):
            return _to_pendulum(_parse_iso(value[len("//datetime:") :]))
        return super().decode_argument(value)


def _parameter_defaults() -> fields.Field:
    return fields.Dict(keys=fields.Str(), values=JSONCompatible(), allow_none=True)


def _labels() -> fields.Field:
    return fields.List(fields.Str(), allow_none=True)


# ---------------------------------------------------------------------------------------
# clocks
# ---------------------------------------------------------------------------------------

_MIN_CLOUD_INTERVAL = timedelta(minutes=1)
_INTERVAL_TOO_SHORT = (
    "Interval can not be less than one minute when deploying to Prefect Cloud or Server."
)


class IntervalClockSchema(ObjectSchema):
    """
    Schema for `IntervalClock`. As in Prefect 1, intervals under one minute cannot be
    serialized or loaded (Prefect Cloud/Server reject them): this raises `ValueError`.
    """

    class Meta:
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

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if data["interval"] < _MIN_CLOUD_INTERVAL:
            raise ValueError(_INTERVAL_TOO_SHORT)
        return super().create_object(data, **kwargs)


class CronClockSchema(ObjectSchema):
    """Schema for `CronClock`."""

    class Meta:
        object_class = clocks.CronClock

    start_date = DateTimeTZ(allow_none=True)
    end_date = DateTimeTZ(allow_none=True)
    cron = fields.String(required=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()
    day_or = fields.Boolean(allow_none=True)


class DatesClockSchema(ObjectSchema):
    """Schema for `DatesClock`."""

    class Meta:
        object_class = clocks.DatesClock

    dates = fields.List(DateTimeTZ(), required=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()


class RRuleSchema(ObjectSchema):
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

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if not self.context.get("create_object", True):
            return data
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


class RRuleSetSchema(ObjectSchema):
    """Schema for a `dateutil.rrule.rruleset`."""

    rrules = fields.List(Nested(RRuleSchema), attribute="_rrule", data_key="_rrule")
    rdates = fields.List(_IsoDateTime(), attribute="_rdate", data_key="_rdate")
    exrules = fields.List(Nested(RRuleSchema), attribute="_exrule", data_key="_exrule")
    exdates = fields.List(_IsoDateTime(), attribute="_exdate", data_key="_exdate")

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        if not self.context.get("create_object", True):
            return data
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


class RRuleBaseSchema(OneOfSchema):
    """Dispatches between rrules (`"type": "rrule"`) and rrulesets (`"rruleset"`)."""

    type_schemas = {"rrule": RRuleSchema, "rruleset": RRuleSetSchema}


class RRuleClockSchema(ObjectSchema):
    """Schema for `RRuleClock`."""

    class Meta:
        object_class = clocks.RRuleClock

    rrule_obj = Nested(RRuleBaseSchema, required=True)
    start_date = DateTimeTZ(allow_none=True)
    end_date = DateTimeTZ(allow_none=True)
    parameter_defaults = _parameter_defaults()
    labels = _labels()


class ClockSchema(OneOfSchema):
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
    return fields.List(_ScheduleFunctionReference(FILTERS, allow_none=True), allow_none=True)


class ScheduleSchema(ObjectSchema):
    """
    Schema for `Schedule`: `ScheduleSchema().dump(schedule)` gives Prefect 1's JSON and
    `ScheduleSchema().load(data)` rebuilds the schedule.
    """

    class Meta:
        object_class = schedules.Schedule

    clocks = Nested(ClockSchema, required=True, many=True)
    filters = _filter_list()
    or_filters = _filter_list()
    not_filters = _filter_list()
    adjustments = fields.List(
        _ScheduleFunctionReference(ADJUSTMENTS, allow_none=True), allow_none=True
    )
