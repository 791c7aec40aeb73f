"""
Schedules for flows: clocks emit candidate times, filters select among them and
adjustments move the selected times. See `prefect_classic.schedules.schedules.Schedule`.
"""

from prefect_classic.schedules import adjustments, clocks, filters, schedules
from prefect_classic.schedules.schedules import (
    CronSchedule,
    IntervalSchedule,
    RRuleSchedule,
    Schedule,
)

__all__ = [
    "CronSchedule",
    "IntervalSchedule",
    "RRuleSchedule",
    "Schedule",
    "adjustments",
    "clocks",
    "filters",
    "schedules",
]
