from datetime import datetime, time, timedelta

import pendulum
import pytest
from dateutil import rrule

import prefect_classic.schedules as schedules_package
from prefect_classic.schedules import (
    CronSchedule,
    IntervalSchedule,
    RRuleSchedule,
    Schedule,
    adjustments,
    clocks,
    filters,
    schedules,
)

NY = "America/New_York"
LONDON = "Europe/London"
START = pendulum.datetime(2020, 1, 1)  # a Wednesday


def hourly(**kwargs):
    return clocks.IntervalClock(timedelta(hours=1), start_date=START, **kwargs)


def test_public_names():
    for name in ("CronSchedule", "IntervalSchedule", "RRuleSchedule", "Schedule"):
        assert getattr(schedules_package, name) is getattr(schedules, name)
    assert schedules_package.clocks is clocks


class TestScheduleInit:
    def test_clocks_are_required(self):
        with pytest.raises(TypeError):
            Schedule()
        with pytest.raises(TypeError):
            Schedule(clocks=None)

    def test_defaults(self):
        schedule = Schedule(clocks=[])
        assert schedule.clocks == [] and schedule.filters == [] and schedule.or_filters == []
        assert schedule.not_filters == [] and schedule.adjustments == []
        assert schedule.next(3) == []

    def test_accepts_any_iterable_of_clocks(self):
        clock = hourly()
        assert Schedule(clocks=(c for c in [clock])).clocks == [clock]

    @pytest.mark.parametrize("bad", [1, [1], ["0 * * * *"]])
    def test_clocks_must_be_clocks(self, bad):
        with pytest.raises(TypeError):
            Schedule(clocks=bad)

    def test_start_and_end_dates_span_the_clocks(self):
        a = clocks.IntervalClock(timedelta(hours=1), start_date=START, end_date=START.add(days=1))
        b = clocks.CronClock("0 0 * * *", start_date=START.subtract(days=1))
        c = clocks.DatesClock([START.add(days=5)])
        schedule = Schedule(clocks=[a, b, c])
        assert schedule.start_date == START.subtract(days=1)
        assert schedule.end_date == START.add(days=5)
        assert Schedule(clocks=[hourly()]).end_date is None
        assert Schedule(clocks=[]).start_date is None


class TestNext:
    def test_returns_pendulum_datetimes_after_after(self):
        result = Schedule(clocks=[hourly()]).next(3, after=START)
        assert result == [START.add(hours=1), START.add(hours=2), START.add(hours=3)]
        assert all(type(dt) is pendulum.DateTime for dt in result)

    def test_after_defaults_to_now(self):
        before = pendulum.now("UTC")
        (first,) = Schedule(clocks=[clocks.IntervalClock(timedelta(minutes=1))]).next(1)
        assert before < first <= pendulum.now("UTC") + timedelta(minutes=1)

    def test_non_positive_n_returns_nothing(self):
        assert Schedule(clocks=[hourly()]).next(0) == []

    def test_finite_clocks_return_fewer_times(self):
        schedule = Schedule(clocks=[clocks.DatesClock([START.add(days=1), START.add(days=2)])])
        assert schedule.next(5, after=START) == [START.add(days=1), START.add(days=2)]

    def test_return_events_gives_clock_events_with_parameters_and_labels(self):
        clock = hourly(parameter_defaults={"x": 1}, labels=["a"])
        events = Schedule(clocks=[clock]).next(2, after=START, return_events=True)
        assert all(isinstance(e, clocks.ClockEvent) for e in events)
        assert events == [
            clocks.ClockEvent(START.add(hours=1), {"x": 1}, ["a"]),
            clocks.ClockEvent(START.add(hours=2), {"x": 1}, ["a"]),
        ]
        assert events[0].start_time == START.add(hours=1)

    def test_merges_clocks_in_time_order(self):
        every_2h = clocks.IntervalClock(timedelta(hours=2), start_date=START)
        every_3h = clocks.IntervalClock(timedelta(hours=3), start_date=START)
        result = Schedule(clocks=[every_3h, every_2h]).next(5, after=START)
        assert [dt.hour for dt in result] == [2, 3, 4, 6, 8]  # 6 o'clock once

    def test_identical_times_from_different_clocks_are_deduplicated(self):
        cron = clocks.CronClock("0 * * * *")
        schedule = Schedule(clocks=[hourly(), cron, hourly()])
        assert schedule.next(2, after=START) == [START.add(hours=1), START.add(hours=2)]

    def test_same_time_with_different_parameters_is_kept_per_parameter_set(self):
        a = hourly(parameter_defaults={"who": "a"})
        b = hourly(parameter_defaults={"who": "b"})
        events = Schedule(clocks=[a, b, hourly(parameter_defaults={"who": "a"})]).next(
            4, after=START, return_events=True
        )
        assert [(e.hour, e.parameter_defaults["who"]) for e in events] == [
            (1, "a"),
            (1, "b"),
            (2, "a"),
            (2, "b"),
        ]

    def test_merging_orders_the_repeated_hour_by_instant(self):
        # an hourly UTC-spaced clock in New York and a DatesClock 15 minutes later
        start = pendulum.datetime(2018, 11, 4, tz=NY)
        ny_hourly = clocks.IntervalClock(timedelta(hours=1), start_date=start)
        # 01:15 EST: after the 01:00 EDT and 01:00 EST events, before 02:00 EST
        dates = clocks.DatesClock([pendulum.datetime(2018, 11, 4, 6, 15).in_tz(NY)])
        result = Schedule(clocks=[dates, ny_hourly]).next(5, after=start)
        utc = [dt.in_tz("UTC") for dt in result]
        assert utc == sorted(utc)
        assert [(dt.hour, dt.minute) for dt in result] == [(1, 0), (1, 0), (1, 15), (2, 0), (3, 0)]

    def test_filters_must_all_pass(self):
        schedule = Schedule(
            clocks=[hourly()],
            filters=[filters.is_weekend, filters.between_times(time(9), time(10))],
        )
        result = schedule.next(3, after=START)
        assert [(dt.day, dt.hour) for dt in result] == [(4, 9), (4, 10), (5, 9)]

    def test_at_least_one_or_filter_must_pass(self):
        schedule = Schedule(
            clocks=[hourly()],
            or_filters=[filters.at_time(time(9)), filters.at_time(time(17))],
        )
        assert [dt.hour for dt in schedule.next(4, after=START)] == [9, 17, 9, 17]

    def test_no_not_filter_may_pass(self):
        schedule = Schedule(
            clocks=[clocks.IntervalClock(timedelta(days=1), start_date=START)],
            not_filters=[filters.is_weekend, filters.on_date(1, 6)],
        )
        result = schedule.next(4, after=START)
        assert [dt.day for dt in result] == [2, 3, 7, 8]

    def test_filters_receive_pendulum_datetimes_in_the_clocks_zone(self):
        seen = []

        def spy(dt):
            seen.append(dt)
            return True

        Schedule(
            clocks=[clocks.CronClock("0 9 * * *", start_date=START.in_tz(NY))], filters=[spy]
        ).next(1)
        assert type(seen[0]) is pendulum.DateTime and seen[0].timezone_name == NY

    def test_adjustments_are_applied_in_order_after_filtering(self):
        schedule = Schedule(
            clocks=[clocks.IntervalClock(timedelta(days=1), start_date=START)],
            filters=[filters.is_weekend],
            adjustments=[adjustments.next_weekday, adjustments.add(timedelta(hours=9))],
        )
        # Saturday and Sunday both become Monday 09:00
        assert schedule.next(3, after=START) == [
            pendulum.datetime(2020, 1, 6, 9),
            pendulum.datetime(2020, 1, 6, 9),
            pendulum.datetime(2020, 1, 13, 9),
        ]

    def test_adjusted_events_keep_their_parameters(self):
        schedule = Schedule(
            clocks=[hourly(parameter_defaults={"x": 1})],
            adjustments=[adjustments.add(timedelta(minutes=5))],
        )
        (event,) = schedule.next(1, after=START, return_events=True)
        assert event.to_datetime() == START.add(hours=1, minutes=5)
        assert event.parameter_defaults == {"x": 1}

    def test_gives_up_after_checking_10000_events(self):
        def only_at(hours):
            target = START.add(hours=hours)
            schedule = Schedule(clocks=[hourly()], filters=[filters.on_datetime(target)])
            return schedule.next(1, after=START)

        assert only_at(10000) == [START.add(hours=10000)]  # the 10,000th event
        assert only_at(10001) == []

    def test_clocks_share_one_default_after(self):
        schedule = Schedule(
            clocks=[clocks.IntervalClock(timedelta(minutes=1)), clocks.CronClock("* * * * *")]
        )
        first, second = schedule.next(2)
        assert second - first == timedelta(minutes=1)


class TestScheduleDst:
    def test_daily_interval_schedule_keeps_local_time(self):
        schedule = IntervalSchedule(
            start_date=pendulum.datetime(2018, 3, 1, 9, tz=NY), interval=timedelta(days=1)
        )
        result = schedule.next(4, after=pendulum.datetime(2018, 3, 9, 12, tz=NY))
        assert [(dt.day, dt.hour) for dt in result] == [(10, 9), (11, 9), (12, 9), (13, 9)]

    def test_cron_schedule_in_london_with_weekday_filter(self):
        schedule = CronSchedule("30 8 * * *", start_date=pendulum.datetime(2018, 1, 1, tz=LONDON))
        schedule.filters.append(filters.is_weekday)
        # 2018-03-23 is a Friday; clocks go forward on Sunday the 25th
        result = schedule.next(3, after=pendulum.datetime(2018, 3, 23, 9, tz=LONDON))
        assert [(dt.day, dt.hour, dt.minute) for dt in result] == [
            (26, 8, 30),
            (27, 8, 30),
            (28, 8, 30),
        ]
        assert result[0].utcoffset() == timedelta(hours=1)


class TestHelpers:
    def test_interval_schedule(self):
        schedule = IntervalSchedule(
            start_date=START, interval=timedelta(hours=12), end_date=START.add(days=1)
        )
        assert isinstance(schedule, Schedule) and isinstance(
            schedule.clocks[0], clocks.IntervalClock
        )
        assert schedule.next(5, after=START.subtract(days=1)) == [
            START,
            START.add(hours=12),
            START.add(days=1),
        ]

    def test_interval_schedule_requires_a_positive_interval(self):
        with pytest.raises(TypeError):
            IntervalSchedule(start_date=START)
        with pytest.raises(ValueError):
            IntervalSchedule(start_date=START, interval=timedelta(0))

    def test_cron_schedule(self):
        schedule = CronSchedule("0 0 1 * 1", start_date=START, day_or=False)
        clock = schedule.clocks[0]
        assert isinstance(clock, clocks.CronClock) and clock.day_or is False
        assert schedule.next(1, after=START) == [pendulum.datetime(2020, 6, 1)]
        with pytest.raises(ValueError):
            CronSchedule("nope")

    def test_cron_schedule_end_date(self):
        schedule = CronSchedule("0 0 * * *", start_date=START, end_date=START.add(days=1))
        assert schedule.next(5, after=START.subtract(days=1)) == [START, START.add(days=1)]

    def test_rrule_schedule(self):
        rule = rrule.rrule(rrule.MONTHLY, bymonthday=-1, dtstart=datetime(2020, 1, 1))
        schedule = RRuleSchedule(rule, end_date=pendulum.datetime(2020, 3, 31))
        assert isinstance(schedule.clocks[0], clocks.RRuleClock)
        assert schedule.next(5, after=START) == [
            pendulum.datetime(2020, 1, 31),
            pendulum.datetime(2020, 2, 29),
            pendulum.datetime(2020, 3, 31),
        ]
        with pytest.raises(TypeError):
            RRuleSchedule("FREQ=DAILY")  # type: ignore[arg-type]
