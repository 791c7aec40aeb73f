"""
Clocks emit the candidate times of a schedule.

Every clock has an `events(after=None)` generator yielding `ClockEvent`s in strictly
increasing order, each strictly later than `after` (which defaults to "now").

Time zones and daylight-saving time follow one policy throughout this package:

- naive datetimes are interpreted as UTC;
- a clock emits its events in the time zone of its `start_date` (UTC when there is none);
- whenever a *wall-clock* time has to be turned into an instant (cron and rrule
  matches, day arithmetic of interval clocks) an ambiguous wall time (the repeated
  hour when clocks fall back) resolves to its *first* occurrence, and a wall time that
  does not exist (the hour skipped when clocks spring forward) is moved forward by the
  length of the gap, e.g. 02:30 becomes 03:30 on the spring-forward day in New York.
"""

import itertools
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

import pendulum
from croniter import CroniterBadDateError, croniter
from dateutil import rrule

__all__ = ["Clock", "ClockEvent", "CronClock", "DatesClock", "IntervalClock", "RRuleClock"]

#: the start date of an `IntervalClock` created without one
DEFAULT_START_DATE = pendulum.datetime(2019, 1, 1, tz="UTC")

_ONE_DAY = timedelta(days=1)

RRuleType = Union[rrule.rrule, rrule.rruleset]
Zone = Union[pendulum.Timezone, pendulum.FixedTimezone]


# ---------------------------------------------------------------------------------------
# time zone helpers (private; shared with the other schedules modules)
# ---------------------------------------------------------------------------------------


def _pendulum_tz(tz: tzinfo, reference: Optional[datetime] = None) -> Zone:
    """
    Return a pendulum time zone equivalent to `tz`, keeping its DST rules when the zone
    has a recognisable IANA name (zoneinfo, pytz and dateutil zones) and falling back to
    the fixed offset in effect at `reference` otherwise.
    """
    if isinstance(tz, (pendulum.Timezone, pendulum.FixedTimezone)):
        return tz
    if tz is timezone.utc:
        return pendulum.UTC
    names = [getattr(tz, "key", None), getattr(tz, "zone", None)]
    filename = getattr(tz, "_filename", None)
    if isinstance(filename, str):
        names.append(filename.split("zoneinfo/")[-1])
    for name in names:
        if isinstance(name, str) and name:
            try:
                return pendulum.timezone(name)
            except Exception:
                continue
    offset = tz.utcoffset(reference)
    return pendulum.FixedTimezone(int(offset.total_seconds()) if offset else 0)


def _to_pendulum(value: datetime) -> pendulum.DateTime:
    """
    Convert any datetime to a pendulum `DateTime` for the same instant, keeping its time
    zone. Naive datetimes are interpreted as UTC.
    """
    if isinstance(value, ClockEvent):
        return value.to_datetime()
    if isinstance(value, pendulum.DateTime):
        return value
    if not isinstance(value, datetime):
        raise TypeError(f"Expected a datetime, got {type(value).__name__}.")
    if value.tzinfo is None:
        return pendulum.instance(value, tz=pendulum.UTC)
    instant = pendulum.instance(_utc(value), tz=pendulum.UTC)
    return instant.in_tz(_pendulum_tz(value.tzinfo, value))


def _localize(naive: datetime, tz: Zone) -> pendulum.DateTime:
    """
    Attach `tz` to a naive wall-clock time. Ambiguous times resolve to their first
    occurrence; non-existent times move forward by the length of the DST gap.
    """
    aware = datetime(
        naive.year,
        naive.month,
        naive.day,
        naive.hour,
        naive.minute,
        naive.second,
        naive.microsecond,
        tzinfo=tz,
        fold=0,
    )
    return pendulum.instance(_utc(aware), tz=pendulum.UTC).in_tz(tz)


def _wall_clock(value: datetime, tz: Zone) -> datetime:
    """The naive wall-clock time of `value` in `tz`."""
    return _to_pendulum(value).in_tz(tz).naive()


def _shift(value: datetime, delta: timedelta) -> pendulum.DateTime:
    """
    Add `delta` to `value`: whole days are added to the wall-clock time in the value's
    own time zone (so a daily step keeps its local hour across DST) and the sub-day
    remainder is added as exactly elapsed time.
    """
    start = _to_pendulum(value)
    days = delta.days
    remainder = delta - timedelta(days=days)
    shifted = start if days == 0 else _localize(start.naive() + timedelta(days=days), _zone(start))
    if remainder:
        shifted = pendulum.instance(_utc(shifted) + remainder, tz=pendulum.UTC).in_tz(_zone(start))
    return shifted


def _utc(value: datetime) -> datetime:
    """
    The instant of an aware datetime, as a *naive* UTC datetime.

    Compare instants through this helper: Python compares two datetimes that share a
    tzinfo object by wall-clock time alone, which misorders times in the repeated hour
    when clocks fall back.
    """
    if isinstance(value, ClockEvent):
        value = value.to_datetime()
    offset = value.utcoffset()
    if offset is None:
        raise TypeError("Expected a timezone-aware datetime.")
    naive = datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )
    return naive - offset


def _zone(value: pendulum.DateTime) -> Zone:
    """The pendulum time zone of a pendulum `DateTime` (UTC if it has none)."""
    return value.tz if value.tz is not None else pendulum.UTC


def _now(tz: Zone) -> pendulum.DateTime:
    return pendulum.now(pendulum.UTC).in_tz(tz)


# ---------------------------------------------------------------------------------------
# events
# ---------------------------------------------------------------------------------------


class ClockEvent(datetime):
    """
    A point in time emitted by a clock, together with the Parameter defaults and labels
    for the flow run it should create.

    A `ClockEvent` *is* a timezone-aware `datetime`: it sorts and compares against other
    datetimes by instant. Two events are equal when their instants, parameter defaults
    and labels are all equal. Arithmetic (`+`, `-`, `replace`, `astimezone`) returns plain
    pendulum `DateTime`s.

    Args:
        - start_time (datetime): when the event occurs; naive datetimes are read as UTC
        - parameter_defaults (dict, optional): Parameter values for runs of this event
        - labels (List[str], optional): labels for runs of this event
    """

    parameter_defaults: Dict[str, Any]
    labels: Optional[List[str]]
    _start_time: pendulum.DateTime

    def __new__(
        cls,
        start_time: datetime,
        parameter_defaults: Optional[Dict[str, Any]] = None,
        labels: Optional[List[str]] = None,
    ) -> "ClockEvent":
        pdt = _to_pendulum(start_time)
        self = super().__new__(
            cls,
            pdt.year,
            pdt.month,
            pdt.day,
            pdt.hour,
            pdt.minute,
            pdt.second,
            pdt.microsecond,
            pdt.tzinfo,
            fold=pdt.fold,
        )
        self._start_time = pdt
        self.parameter_defaults = dict(parameter_defaults or {})
        self.labels = list(labels) if labels is not None else None
        return self

    @property
    def start_time(self) -> pendulum.DateTime:
        """The event's time as a pendulum `DateTime` (Prefect 1 compatible accessor)."""
        return self._start_time

    def to_datetime(self) -> pendulum.DateTime:
        """
        Returns:
            - pendulum.DateTime: the event's time, without parameters or labels
        """
        return self._start_time

    def _instant(self) -> datetime:
        return _utc(self._start_time)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ClockEvent):
            return (
                self._instant() == other._instant()
                and self.parameter_defaults == other.parameter_defaults
                and self.labels == other.labels
            )
        if isinstance(other, datetime):
            return other.tzinfo is not None and self._instant() == _utc(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._instant())

    # ordering is by instant, even within the repeated hour of a DST change (Python
    # would otherwise compare same-zone datetimes by wall-clock time)
    def _other_instant(self, other: object) -> datetime:
        if not isinstance(other, datetime):
            raise TypeError(f"Cannot compare ClockEvent and {type(other).__name__}.")
        if other.tzinfo is None:
            raise TypeError("Cannot compare a ClockEvent with a naive datetime.")
        return _utc(other)

    def __lt__(self, other: datetime) -> bool:  # type: ignore[override]
        return self._instant() < self._other_instant(other)

    def __le__(self, other: datetime) -> bool:  # type: ignore[override]
        return self._instant() <= self._other_instant(other)

    def __gt__(self, other: datetime) -> bool:  # type: ignore[override]
        return self._instant() > self._other_instant(other)

    def __ge__(self, other: datetime) -> bool:  # type: ignore[override]
        return self._instant() >= self._other_instant(other)

    def __add__(self, other: timedelta) -> pendulum.DateTime:  # type: ignore[override]
        return self._start_time + other

    def __radd__(self, other: timedelta) -> pendulum.DateTime:  # type: ignore[override]
        return self._start_time + other

    def __sub__(self, other: Any) -> Any:  # type: ignore[override]
        if isinstance(other, datetime):
            return self._start_time - _to_pendulum(other)
        return self._start_time - other

    def replace(self, *args: Any, **kwargs: Any) -> pendulum.DateTime:  # type: ignore[override]
        return self._start_time.replace(*args, **kwargs)

    def astimezone(self, tz: Optional[tzinfo] = None) -> datetime:  # type: ignore[override]
        return self._start_time.astimezone(tz)

    def __reduce__(self) -> Any:
        return (ClockEvent, (self._start_time, self.parameter_defaults, self.labels))

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self.__reduce__()

    def __repr__(self) -> str:
        return (
            f"ClockEvent({self._start_time.isoformat()}, "
            f"parameter_defaults={self.parameter_defaults!r}, labels={self.labels!r})"
        )


# ---------------------------------------------------------------------------------------
# clocks
# ---------------------------------------------------------------------------------------


class Clock:
    """
    Base class for clocks.

    Args:
        - start_date (datetime, optional): the earliest time the clock may emit
        - end_date (datetime, optional): the latest time the clock may emit
        - parameter_defaults (dict, optional): default Parameter values passed to every
            flow run created from this clock's events
        - labels (List[str], optional): labels applied to every flow run created from
            this clock's events
    """

    def __init__(
        self,
        start_date: Optional[datetime] = None,
        end_date: Optional[datetime] = None,
        parameter_defaults: Optional[Dict[str, Any]] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        self.start_date: Optional[pendulum.DateTime] = (
            _to_pendulum(start_date) if start_date is not None else None
        )
        self.end_date: Optional[pendulum.DateTime] = (
            _to_pendulum(end_date) if end_date is not None else None
        )
        self.parameter_defaults: Dict[str, Any] = dict(parameter_defaults or {})
        self.labels: Optional[List[str]] = list(labels) if labels is not None else None

    def events(self, after: Optional[datetime] = None) -> Iterator[ClockEvent]:
        """
        Generator of the clock's events.

        Args:
            - after (datetime, optional): every event is strictly later than this time;
                defaults to now

        Returns:
            - Iterator[ClockEvent]: the events, in increasing order
        """
        raise NotImplementedError("Must be implemented on Clock subclasses")

    @property
    def _tz(self) -> Zone:
        """The time zone events are expressed in."""
        return _zone(self.start_date) if self.start_date is not None else pendulum.UTC

    def _after(self, after: Optional[datetime]) -> pendulum.DateTime:
        return _now(self._tz) if after is None else _to_pendulum(after).in_tz(self._tz)

    def _event(self, when: datetime) -> ClockEvent:
        return ClockEvent(when, parameter_defaults=self.parameter_defaults, labels=self.labels)

    def _past_end(self, when: datetime) -> bool:
        return self.end_date is not None and _utc(when) > _utc(self.end_date)

    def _before_start(self, when: datetime) -> bool:
        return self.start_date is not None and _utc(when) < _utc(self.start_date)

    def _emit(self, candidates: Iterable[datetime], floor: datetime) -> Iterator[ClockEvent]:
        """The events for `candidates` (in increasing order): those strictly later than `floor`
        and than every event already emitted, not before the start date, up to the end date."""
        floor = _utc(floor)
        for when in candidates:
            if _utc(when) <= floor or self._before_start(when):
                continue
            if self._past_end(when):
                return
            floor = _utc(when)
            yield self._event(when)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: start_date={self.start_date}, end_date={self.end_date}>"


class IntervalClock(Clock):
    """
    A clock that fires every `interval`, starting at `start_date`.

    DST handling: for intervals of one day or more, the whole-day part of each step is
    applied to the wall-clock time in the start date's time zone, so a daily clock
    starting at 09:00 America/New_York fires at 09:00 local time all year. Shorter
    intervals are exact elapsed time: an hourly clock stays 60 minutes apart across DST
    changes (local hours are skipped or repeated, but no event is lost or duplicated).

    Args:
        - interval (timedelta): the time between events; must be positive
        - start_date (datetime, optional): the first event; defaults to 2019-01-01 00:00 UTC
        - end_date (datetime, optional): no events are emitted after this time
        - parameter_defaults (dict, optional): default Parameter values for flow runs
        - labels (List[str], optional): labels for flow runs

    Raises:
        - TypeError: if `interval` is not a timedelta
        - ValueError: if `interval` is not positive
    """

    def __init__(
        self,
        interval: timedelta,
        start_date: Optional[datetime] = None,
        end_date: Optional[datetime] = None,
        parameter_defaults: Optional[Dict[str, Any]] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        if not isinstance(interval, timedelta):
            raise TypeError("Interval must be a timedelta.")
        if interval <= timedelta(0):
            raise ValueError("Interval must be greater than 0.")
        self.interval = interval
        super().__init__(
            start_date=start_date,
            end_date=end_date,
            parameter_defaults=parameter_defaults,
            labels=labels,
        )

    def _nth(self, start: pendulum.DateTime, n: int) -> pendulum.DateTime:
        offset = self.interval * n
        if self.interval < _ONE_DAY:
            return pendulum.instance(_utc(start) + offset, tz=pendulum.UTC).in_tz(_zone(start))
        return _shift(start, offset)

    def events(self, after: Optional[datetime] = None) -> Iterator[ClockEvent]:
        """
        Generator of the clock's events.

        Args:
            - after (datetime, optional): every event is strictly later than this time;
                defaults to now

        Returns:
            - Iterator[ClockEvent]: the events, in increasing order
        """
        start = self.start_date or DEFAULT_START_DATE
        lower = _now(pendulum.UTC) if after is None else _to_pendulum(after)
        elapsed = _utc(lower) - _utc(start)
        # jump close to `after`; start two steps early because wall-clock days are not
        # exactly 24 hours long, then skip forward to the first event past `after`
        n = max(0, elapsed // self.interval - 2) if elapsed > timedelta(0) else 0
        yield from self._emit((self._nth(start, k) for k in itertools.count(n)), lower)

    def __repr__(self) -> str:
        return (
            f"<IntervalClock: interval={self.interval}, start_date={self.start_date}, "
            f"end_date={self.end_date}>"
        )


class CronClock(Clock):
    """
    A clock that fires on the matches of a cron string, evaluated on the wall clock of
    the start date's time zone (UTC without a start date).

    DST handling follows cron's clock-time semantics: "0 9 * * *" fires at 09:00 local
    time every day. A match in the hour repeated when clocks fall back fires only once,
    at its first occurrence (so an hourly cron pauses for two hours); a match in the hour
    skipped when clocks spring forward fires once, moved forward by the gap ("30 2 * * *"
    fires at 03:30 that day). Events never repeat.

    Args:
        - cron (str): a valid cron string
        - start_date (datetime, optional): no events before this time; its time zone is
            the clock's time zone
        - end_date (datetime, optional): no events after this time
        - parameter_defaults (dict, optional): default Parameter values for flow runs
        - labels (List[str], optional): labels for flow runs
        - day_or (bool, optional): how croniter combines day-of-month and day-of-week:
            True (default, like cron) means either may match, False means both must

    Raises:
        - ValueError: if the cron string is invalid
    """

    def __init__(
        self,
        cron: str,
        start_date: Optional[datetime] = None,
        end_date: Optional[datetime] = None,
        parameter_defaults: Optional[Dict[str, Any]] = None,
        labels: Optional[List[str]] = None,
        day_or: Optional[bool] = None,
    ) -> None:
        if not isinstance(cron, str) or not croniter.is_valid(cron):
            raise ValueError(f"Invalid cron string: {cron}")
        self.cron = cron
        self.day_or = True if day_or is None else day_or
        super().__init__(
            start_date=start_date,
            end_date=end_date,
            parameter_defaults=parameter_defaults,
            labels=labels,
        )

    def events(self, after: Optional[datetime] = None) -> Iterator[ClockEvent]:
        """
        Generator of the clock's events.

        Args:
            - after (datetime, optional): every event is strictly later than this time;
                defaults to now

        Returns:
            - Iterator[ClockEvent]: the events, in increasing order
        """
        tz = self._tz
        lower = self._after(after)
        base = lower
        if self.start_date is not None and _utc(self.start_date) > _utc(lower):
            base = self.start_date - timedelta(seconds=1)
        # croniter works on naive wall-clock times; each match is localized here, and
        # matches that localize to an instant already passed are dropped
        matches = croniter(self.cron, _wall_clock(base, tz), day_or=self.day_or)

        def localized_matches() -> Iterator[pendulum.DateTime]:
            while True:
                try:
                    naive = matches.get_next(datetime)
                except CroniterBadDateError:  # the expression can never match again
                    return
                yield _localize(naive, tz)

        yield from self._emit(localized_matches(), lower)

    def __repr__(self) -> str:
        return f"<CronClock: cron={self.cron!r}, start_date={self.start_date}>"


class DatesClock(Clock):
    """
    A clock that fires on specific dates.

    Args:
        - dates (List[datetime]): the times at which the clock fires (naive means UTC)
        - parameter_defaults (dict, optional): default Parameter values for flow runs
        - labels (List[str], optional): labels for flow runs

    Raises:
        - ValueError: if `dates` is empty
    """

    def __init__(
        self,
        dates: Iterable[datetime],
        parameter_defaults: Optional[Dict[str, Any]] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        self.dates: List[pendulum.DateTime] = [_to_pendulum(d) for d in dates]
        if not self.dates:
            raise ValueError("DatesClock requires at least one date.")
        super().__init__(
            start_date=min(self.dates),
            end_date=max(self.dates),
            parameter_defaults=parameter_defaults,
            labels=labels,
        )

    def events(self, after: Optional[datetime] = None) -> Iterator[ClockEvent]:
        """
        Generator of the clock's events; duplicate dates are emitted once.

        Args:
            - after (datetime, optional): every event is strictly later than this time;
                defaults to now

        Returns:
            - Iterator[ClockEvent]: the events, in increasing order
        """
        floor = _utc(_now(pendulum.UTC) if after is None else _to_pendulum(after))
        for when in sorted(self.dates, key=_utc):
            if _utc(when) > floor:
                floor = _utc(when)
                yield self._event(when)

    def __repr__(self) -> str:
        return f"<DatesClock: {len(self.dates)} dates>"


def _rrule_tzinfo(rule: RRuleType) -> Optional[tzinfo]:
    """The time zone of an rrule's (or rruleset's) dates; None when they are naive."""
    if isinstance(rule, rrule.rruleset):
        for member in getattr(rule, "_rrule", []):
            return _rrule_tzinfo(member)
        for date in getattr(rule, "_rdate", []):
            return date.tzinfo  # type: ignore[no-any-return]
        return None
    return rule._dtstart.tzinfo  # type: ignore[no-any-return]


class RRuleClock(Clock):
    """
    A clock that fires on the occurrences of a `dateutil` rrule or rruleset.

    A naive rrule is evaluated on the wall clock of the clock's time zone (the start
    date's, or UTC), with the DST policy described for `CronClock`. A timezone-aware
    rrule keeps its own wall-clock semantics; its events are expressed in the start
    date's time zone when one is given.

    Args:
        - rrule_obj (rrule.rrule or rrule.rruleset): the recurrence rule
        - start_date (datetime, optional): no events before this time
        - end_date (datetime, optional): no events after this time
        - parameter_defaults (dict, optional): default Parameter values for flow runs
        - labels (List[str], optional): labels for flow runs

    Raises:
        - TypeError: if `rrule_obj` is not an rrule or rruleset
    """

    def __init__(
        self,
        rrule_obj: RRuleType,
        start_date: Optional[datetime] = None,
        end_date: Optional[datetime] = None,
        parameter_defaults: Optional[Dict[str, Any]] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        if not isinstance(rrule_obj, (rrule.rrule, rrule.rruleset)):
            raise TypeError(f"Invalid rrule object: {rrule_obj!r}")
        self.rrule_obj = rrule_obj
        super().__init__(
            start_date=start_date,
            end_date=end_date,
            parameter_defaults=parameter_defaults,
            labels=labels,
        )

    def events(self, after: Optional[datetime] = None) -> Iterator[ClockEvent]:
        """
        Generator of the clock's events.

        Args:
            - after (datetime, optional): every event is strictly later than this time;
                defaults to now

        Returns:
            - Iterator[ClockEvent]: the events, in increasing order
        """
        rule_tz = _rrule_tzinfo(self.rrule_obj)
        if self.start_date is not None:
            tz: Zone = _zone(self.start_date)
        elif rule_tz is not None:
            tz = _pendulum_tz(rule_tz)
        else:
            tz = pendulum.UTC
        lower = _now(tz) if after is None else _to_pendulum(after).in_tz(tz)
        base = lower
        if self.start_date is not None and _utc(self.start_date) > _utc(lower):
            base = self.start_date
        # start an hour early: wall-clock matching may localize a little later or earlier
        if rule_tz is None:
            base_wall = _wall_clock(base, tz) - timedelta(hours=1)
            occurrences = self.rrule_obj.xafter(base_wall, inc=True)
        else:
            base_utc = (_utc(base) - timedelta(hours=1)).replace(tzinfo=timezone.utc)
            occurrences = self.rrule_obj.xafter(base_utc, inc=True)
        localized = (
            _localize(occurrence, tz)
            if occurrence.tzinfo is None
            else pendulum.instance(_utc(occurrence), tz=pendulum.UTC).in_tz(tz)
            for occurrence in occurrences
        )
        yield from self._emit(localized, lower)

    def __repr__(self) -> str:
        return f"<RRuleClock: {self.rrule_obj!s}>"
