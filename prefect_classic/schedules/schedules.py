"""
Schedules combine clocks, filters and adjustments into the run times of a flow.
"""

import heapq
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator, List, Optional, Union

import pendulum

from prefect_classic.schedules.clocks import (
    Clock,
    ClockEvent,
    CronClock,
    IntervalClock,
    RRuleClock,
    RRuleType,
    _to_pendulum,
    _utc,
)

__all__ = ["CronSchedule", "IntervalSchedule", "RRuleSchedule", "Schedule"]

#: `Schedule.next` gives up after examining this many clock events
MAX_EVENTS_CHECKED = 10000


class Schedule:
    """
    A schedule produces the times at which a flow should run:

    1. its `clocks` emit candidate events, merged in time order (an event emitted by
        several clocks with the same parameter defaults and labels is kept once);
    2. an event is kept if all `filters` return True, at least one of the `or_filters`
        returns True (when there are any) and none of the `not_filters` returns True;
    3. the `adjustments` are applied, in order, to the kept events.

    Example:

    ```python
    schedule = Schedule(
        clocks=[IntervalClock(timedelta(hours=1))],  # every hour...
        filters=[is_weekday],  # ...on weekdays...
        or_filters=[at_time(time(9)), at_time(time(17))],  # ...at 9 AM or 5 PM
    )
    schedule.next(4)
    ```

    Args:
        - clocks (List[Clock]): the clocks emitting candidate events (required, as in Prefect 1;
            may be empty)
        - filters (List[Callable[[datetime], bool]], optional): filters that must all pass
        - or_filters (List[Callable[[datetime], bool]], optional): filters of which at least
            one must pass
        - not_filters (List[Callable[[datetime], bool]], optional): filters that must all fail
        - adjustments (List[Callable[[datetime], datetime]], optional): functions applied in
            sequence to every kept event time

    Raises:
        - TypeError: if `clocks` is not an iterable of clocks
    """

    def __init__(
        self,
        clocks: Iterable[Clock],
        filters: Optional[List[Callable[[datetime], bool]]] = None,
        or_filters: Optional[List[Callable[[datetime], bool]]] = None,
        not_filters: Optional[List[Callable[[datetime], bool]]] = None,
        adjustments: Optional[List[Callable[[datetime], datetime]]] = None,
    ) -> None:
        if not isinstance(clocks, Iterable):
            raise TypeError("clocks should be a list of clocks.")
        self.clocks: List[Clock] = list(clocks)
        if not all(isinstance(c, Clock) for c in self.clocks):
            raise TypeError("clocks should be a list of clocks.")
        self.filters = list(filters or [])
        self.or_filters = list(or_filters or [])
        self.not_filters = list(not_filters or [])
        self.adjustments = list(adjustments or [])

    @property
    def start_date(self) -> Optional[pendulum.DateTime]:
        """The earliest start date of the schedule's clocks, if any has one."""
        dates = [c.start_date for c in self.clocks if c.start_date is not None]
        return min(dates, key=_utc) if dates else None

    @property
    def end_date(self) -> Optional[pendulum.DateTime]:
        """The latest end date of the schedule's clocks, if any has one."""
        dates = [c.end_date for c in self.clocks if c.end_date is not None]
        return max(dates, key=_utc) if dates else None

    def next(
        self, n: int, after: Optional[datetime] = None, return_events: bool = False
    ) -> List[Union[pendulum.DateTime, ClockEvent]]:
        """
        Retrieve the next `n` scheduled times.

        Because clocks may be infinite and filters restrictive, at most 10,000 clock
        events are examined, so fewer than `n` times may be returned.

        Args:
            - n (int): the number of times to return
            - after (datetime, optional): all times are based on clock events strictly
                after this time; defaults to now
            - return_events (bool, optional): if True, return `ClockEvent`s (carrying
                Parameter defaults and labels) instead of pendulum `DateTime`s

        Returns:
            - List[Union[pendulum.DateTime, ClockEvent]]: the scheduled times
        """
        results: List[Union[pendulum.DateTime, ClockEvent]] = []
        if n <= 0:
            return results
        for checked, event in enumerate(self._get_clock_events(after=after), start=1):
            when = event.to_datetime()
            if self._check_filters(when):
                adjusted = _to_pendulum(self._apply_adjustments(when))
                if return_events:
                    results.append(ClockEvent(adjusted, event.parameter_defaults, event.labels))
                else:
                    results.append(adjusted)
            if len(results) == n or checked >= MAX_EVENTS_CHECKED:
                break
        return results

    def _get_clock_events(self, after: Optional[datetime] = None) -> Iterator[ClockEvent]:
        """
        Generator of the events of all clocks, merged in time order. Events that are
        equal (same instant, parameter defaults and labels) are emitted once.

        Args:
            - after (datetime, optional): all events are strictly after this time;
                defaults to now

        Returns:
            - Iterator[ClockEvent]: the merged events
        """
        # one "now" for every clock, so they agree on where to start
        start = pendulum.now("UTC") if after is None else after
        merged = heapq.merge(*(c.events(after=start) for c in self.clocks), key=_utc)
        current: Optional[datetime] = None
        seen: List[ClockEvent] = []
        for event in merged:
            instant = _utc(event)
            if instant != current:
                current, seen = instant, []
            if event in seen:
                continue
            seen.append(event)
            yield event

    def _check_filters(self, dt: datetime) -> bool:
        """
        Check a candidate time against the schedule's filters.

        Args:
            - dt (datetime): the candidate time

        Returns:
            - bool: True if all `filters`, at least one `or_filters` (if any) and none of
                the `not_filters` pass
        """
        if not all(fn(dt) for fn in self.filters):
            return False
        if self.or_filters and not any(fn(dt) for fn in self.or_filters):
            return False
        return not any(fn(dt) for fn in self.not_filters)

    def _apply_adjustments(self, dt: datetime) -> datetime:
        """
        Apply the schedule's adjustments, in order, to a time.

        Args:
            - dt (datetime): the time to adjust

        Returns:
            - datetime: the adjusted time
        """
        for adjust in self.adjustments:
            dt = adjust(dt)
        return dt

    def __repr__(self) -> str:
        return f"<Schedule: {len(self.clocks)} clock(s)>"


# Prefect 1 puts `start_date` first (for compatibility with its older API), so it is kept
# first here as well; `interval` is required in practice.
def IntervalSchedule(
    start_date: Optional[datetime] = None,
    interval: Optional[timedelta] = None,
    end_date: Optional[datetime] = None,
) -> Schedule:
    """
    A schedule with a single `IntervalClock`: one run every `interval` from `start_date`.

    Intervals of a day or more keep the local wall-clock time across DST changes;
    shorter intervals are exact elapsed time (see `IntervalClock`).

    Args:
        - start_date (datetime, optional): the first run; defaults to 2019-01-01 00:00 UTC
        - interval (timedelta): the time between runs
        - end_date (datetime, optional): no runs after this time

    Returns:
        - Schedule: the schedule

    Raises:
        - TypeError: if `interval` is not a timedelta
        - ValueError: if `interval` is not positive
    """
    if interval is None:
        raise TypeError("IntervalSchedule requires an interval (a timedelta).")
    return Schedule(
        clocks=[IntervalClock(interval=interval, start_date=start_date, end_date=end_date)]
    )


def CronSchedule(
    cron: str,
    start_date: Optional[datetime] = None,
    end_date: Optional[datetime] = None,
    day_or: Optional[bool] = None,
) -> Schedule:
    """
    A schedule with a single `CronClock`, evaluated on the wall clock of the start date's
    time zone (see `CronClock` for its DST behaviour).

    Args:
        - cron (str): a valid cron string
        - start_date (datetime, optional): no runs before this time; sets the time zone
        - end_date (datetime, optional): no runs after this time
        - day_or (bool, optional): whether day-of-month and day-of-week combine with OR
            (the default) or AND

    Returns:
        - Schedule: the schedule

    Raises:
        - ValueError: if the cron string is invalid
    """
    return Schedule(
        clocks=[CronClock(cron=cron, start_date=start_date, end_date=end_date, day_or=day_or)]
    )


def RRuleSchedule(
    rrule_obj: RRuleType,
    start_date: Optional[datetime] = None,
    end_date: Optional[datetime] = None,
) -> Schedule:
    """
    A schedule with a single `RRuleClock`.

    Args:
        - rrule_obj (rrule.rrule or rrule.rruleset): the recurrence rule
        - start_date (datetime, optional): no runs before this time; sets the time zone
        - end_date (datetime, optional): no runs after this time

    Returns:
        - Schedule: the schedule

    Raises:
        - TypeError: if `rrule_obj` is not an rrule or rruleset
    """
    return Schedule(
        clocks=[RRuleClock(rrule_obj=rrule_obj, start_date=start_date, end_date=end_date)]
    )
