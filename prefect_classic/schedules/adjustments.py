"""
Schedule adjustments move an event time that passed the schedule's filters.

An adjustment has the signature `Callable[[datetime], datetime]` and returns a pendulum
`DateTime` in the time zone of the datetime it was given.
"""

from datetime import datetime, timedelta
from typing import Callable

import pendulum

from prefect_classic.schedules.clocks import _shift, _to_pendulum
from prefect_classic.schedules.filters import is_weekday

__all__ = ["add", "next_weekday"]

Adjustment = Callable[[datetime], datetime]


def add(interval: timedelta) -> Adjustment:
    """
    Adjustment that adds a fixed interval to the date.

    Whole days are added to the wall-clock time (adding one day to 9 AM gives 9 AM the
    next day, even across a DST change); any sub-day remainder is added as elapsed time.

    Args:
        - interval (timedelta): the amount of time to add

    Returns:
        - Callable[[datetime], datetime]: the adjustment function
    """

    def _adjustment_fn(dt: datetime) -> datetime:
        return _shift(dt, interval)

    return _adjustment_fn


def next_weekday(dt: datetime) -> datetime:
    """
    Adjustment that moves a date on a weekend to the following Monday, keeping its
    wall-clock time. Weekdays are returned unchanged.

    Args:
        - dt (datetime): the datetime to adjust

    Returns:
        - datetime: the adjusted datetime
    """
    adjusted: pendulum.DateTime = _to_pendulum(dt)
    while not is_weekday(adjusted):
        adjusted = _shift(adjusted, timedelta(days=1))
    return adjusted
