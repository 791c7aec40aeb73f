"""
Schedule filters decide whether a candidate event time is kept.

A filter has the signature `Callable[[datetime], bool]`. Some filters are used directly
(`is_weekday`); others are factories that return a filter (`between_times(start, end)`).

Dates and times of day are read on the wall clock of the candidate's own time zone;
datetimes are compared as instants (naive datetimes are read as UTC).

Note for maintainers: the filters returned by factories are serialized by recording the
factory and the closure variables they use, so each closure must reference exactly its
factory's arguments, by the same names.
"""

from datetime import date, datetime, time, timedelta
from typing import Callable

from prefect_classic.schedules.clocks import _to_pendulum, _utc

__all__ = [
    "at_time",
    "between_dates",
    "between_datetimes",
    "between_times",
    "is_day_of_week",
    "is_month_end",
    "is_month_start",
    "is_weekday",
    "is_weekend",
    "on_date",
    "on_datetime",
]

Filter = Callable[[datetime], bool]


def _instant(value: datetime) -> datetime:
    return _utc(_to_pendulum(value))


def _wall_time(value: time) -> time:
    return value.replace(tzinfo=None)


def on_datetime(dt: datetime) -> Filter:
    """
    Filter that allows only events at a specific instant.

    Args:
        - dt (datetime): the instant to match

    Returns:
        - Callable[[datetime], bool]: a filter function
    """

    def _filter_fn(dt_2: datetime) -> bool:
        return _instant(dt_2) == _instant(dt)

    return _filter_fn


def on_date(month: int, day: int) -> Filter:
    """
    Filter that allows only events on a given day of the year, in any year.

    Args:
        - month (int): the month (1 = January)
        - day (int): the day of the month

    Returns:
        - Callable[[datetime], bool]: a filter function
    """

    def _filter_fn(dt: datetime) -> bool:
        return (dt.month, dt.day) == (month, day)

    return _filter_fn


def at_time(t: time) -> Filter:
    """
    Filter that allows only events at a given wall-clock time of day, e.g.
    `at_time(time(4))` keeps 4 AM events in the events' own time zone.

    Args:
        - t (time): the time of day to match (any tzinfo is ignored)

    Returns:
        - Callable[[datetime], bool]: a filter function
    """

    def _filter_fn(dt: datetime) -> bool:
        return dt.time() == _wall_time(t)

    return _filter_fn


def between_datetimes(start: datetime, end: datetime) -> Filter:
    """
    Filter that allows only events between two instants, inclusive.

    Args:
        - start (datetime): the earliest allowed instant
        - end (datetime): the latest allowed instant

    Returns:
        - Callable[[datetime], bool]: a filter function
    """

    def _filter_fn(dt: datetime) -> bool:
        return _instant(start) <= _instant(dt) <= _instant(end)

    return _filter_fn


def between_times(start: time, end: time) -> Filter:
    """
    Filter that allows only events between two wall-clock times of day, inclusive.

    When `start` is later than `end` the range wraps past midnight: for example,
    `between_times(time(22), time(2))` keeps events from 10 PM to 2 AM.

    Args:
        - start (time): the earliest allowed time of day (any tzinfo is ignored)
        - end (time): the latest allowed time of day (any tzinfo is ignored)

    Returns:
        - Callable[[datetime], bool]: a filter function
    """

    def _filter_fn(dt: datetime) -> bool:
        lower, upper, value = _wall_time(start), _wall_time(end), dt.time()
        if lower <= upper:
            return lower <= value <= upper
        return value >= lower or value <= upper

    return _filter_fn


def between_dates(start_month: int, start_day: int, end_month: int, end_day: int) -> Filter:
    """
    Filter that allows only events between two days of the year, inclusive, in any year.

    When the start day comes after the end day the range wraps past the new year: for
    example, `between_dates(10, 15, 3, 31)` keeps October 15 through March 31.

    Args:
        - start_month (int): the first allowed month (1 = January)
        - start_day (int): the first allowed day of `start_month`
        - end_month (int): the last allowed month
        - end_day (int): the last allowed day of `end_month`

    Returns:
        - Callable[[datetime], bool]: a filter function
    """

    def _filter_fn(dt: datetime) -> bool:
        value = (dt.month, dt.day)
        lower, upper = (start_month, start_day), (end_month, end_day)
        if lower <= upper:
            return lower <= value <= upper
        return value >= lower or value <= upper

    return _filter_fn


def is_weekday(dt: datetime) -> bool:
    """
    Filter that allows only events from Monday to Friday.

    Args:
        - dt (datetime): the candidate datetime

    Returns:
        - bool: True if the date is a weekday
    """
    return dt.weekday() < 5


def is_weekend(dt: datetime) -> bool:
    """
    Filter that allows only events on Saturday or Sunday.

    Args:
        - dt (datetime): the candidate datetime

    Returns:
        - bool: True if the date is on a weekend
    """
    return dt.weekday() > 4


def is_month_start(dt: datetime) -> bool:
    """
    Filter that allows only events on the first day of a month.

    Args:
        - dt (datetime): the candidate datetime

    Returns:
        - bool: True if the date is the first of its month
    """
    return dt.day == 1


def is_month_end(dt: datetime) -> bool:
    """
    Filter that allows only events on the last day of a month.

    Args:
        - dt (datetime): the candidate datetime

    Returns:
        - bool: True if the date is the last of its month
    """
    next_day: date = date(dt.year, dt.month, dt.day) + timedelta(days=1)
    return next_day.month != dt.month


def is_day_of_week(day_of_week: int) -> Filter:
    """
    Filter that allows only events on one day of the week.

    Days are numbered as Prefect 1's filter numbers them, like `datetime.weekday()`:
    0 = Monday, 1 = Tuesday, ..., 6 = Sunday. (Prefect 1's docstring said 0 = Sunday, but its
    filter always matched 0 on Mondays; schedules written for it keep running on the same days.)

    Args:
        - day_of_week (int): the day to match, from 0 (Monday) to 6 (Sunday)

    Returns:
        - Callable[[datetime], bool]: a filter function

    Raises:
        - ValueError: if `day_of_week` is not between 0 and 6
    """
    if day_of_week not in range(7):
        raise ValueError(
            f"day_of_week must be between 0 (Monday) and 6 (Sunday), got {day_of_week!r}."
        )

    def _filter_fn(dt: datetime) -> bool:
        return dt.weekday() == day_of_week

    return _filter_fn
