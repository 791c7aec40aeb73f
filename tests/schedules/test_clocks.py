import copy
import itertools
import pickle
from datetime import datetime, timedelta, timezone

import pendulum
import pytest
from dateutil import rrule

from prefect_classic.schedules import clocks

NY = "America/New_York"
LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"


def take(events, n):
    return list(itertools.islice(events, n))


def local(events, tz):
    """(day, hour, minute) of each event on the wall clock of `tz`."""
    return [(e.in_tz(tz).day, e.in_tz(tz).hour, e.in_tz(tz).minute) for e in _dts(events)]


def _dts(events):
    return [e.to_datetime() for e in events]


def _plain_utc(dt):
    utc = dt.in_tz("UTC")
    return datetime(*utc.timetuple()[:6], utc.microsecond)


def gaps(events):
    """Elapsed time between consecutive events, as plain timedeltas."""
    dts = [_plain_utc(dt) for dt in _dts(events)]
    return [b - a for a, b in zip(dts, dts[1:])]


# ---------------------------------------------------------------------------------------
# ClockEvent
# ---------------------------------------------------------------------------------------


class TestClockEvent:
    def test_is_a_datetime_with_parameters_and_labels(self):
        dt = pendulum.datetime(2020, 1, 1, 9, tz=NY)
        event = clocks.ClockEvent(dt, parameter_defaults={"x": 1}, labels=["a"])
        assert isinstance(event, datetime)
        assert event.parameter_defaults == {"x": 1}
        assert event.labels == ["a"]
        assert event.to_datetime() == dt and event.start_time == dt
        assert isinstance(event.to_datetime(), pendulum.DateTime)

    def test_defaults(self):
        event = clocks.ClockEvent(pendulum.datetime(2020, 1, 1))
        assert event.parameter_defaults == {} and event.labels is None

    def test_naive_start_time_is_read_as_utc(self):
        event = clocks.ClockEvent(datetime(2020, 1, 1, 12))
        assert event.to_datetime() == pendulum.datetime(2020, 1, 1, 12, tz="UTC")

    def test_requires_a_datetime(self):
        with pytest.raises(TypeError):
            clocks.ClockEvent("2020-01-01")  # type: ignore[arg-type]

    def test_equals_datetimes_at_the_same_instant_in_any_zone(self):
        event = clocks.ClockEvent(pendulum.datetime(2020, 1, 1, 9, tz=NY))
        assert event == pendulum.datetime(2020, 1, 1, 14, tz="UTC")
        assert pendulum.datetime(2020, 1, 1, 14, tz="UTC") == event
        assert event != pendulum.datetime(2020, 1, 1, 15, tz="UTC")
        assert event != "2020-01-01" and event != datetime(2020, 1, 1, 14)

    def test_events_are_equal_only_with_equal_parameters_and_labels(self):
        dt = pendulum.datetime(2020, 1, 1)
        assert clocks.ClockEvent(dt, {"x": 1}, ["a"]) == clocks.ClockEvent(dt, {"x": 1}, ["a"])
        assert clocks.ClockEvent(dt, {"x": 1}) != clocks.ClockEvent(dt, {"x": 2})
        assert clocks.ClockEvent(dt, labels=["a"]) != clocks.ClockEvent(dt, labels=["b"])

    def test_equal_instants_hash_alike(self):
        a = clocks.ClockEvent(pendulum.datetime(2020, 1, 1, 9, tz=NY))
        b = clocks.ClockEvent(pendulum.datetime(2020, 1, 1, 14, tz="UTC"))
        assert len({a, b}) == 1

    def test_ordering_is_by_instant_even_in_the_repeated_hour(self):
        # 01:45 EDT happens 45 minutes *before* 01:30 EST on 2018-11-04
        first = clocks.ClockEvent(pendulum.datetime(2018, 11, 4, 5, 45).in_tz(NY))
        second = clocks.ClockEvent(pendulum.datetime(2018, 11, 4, 6, 30).in_tz(NY))
        assert first < second and second > first
        assert first <= second and second >= first
        assert sorted([second, first]) == [first, second]
        assert first < pendulum.datetime(2018, 11, 4, 6, 30).in_tz(NY)

    def test_ordering_against_non_datetimes_or_naive_datetimes_raises(self):
        event = clocks.ClockEvent(pendulum.datetime(2020, 1, 1))
        with pytest.raises(TypeError):
            assert event < 1  # type: ignore[operator]
        with pytest.raises(TypeError):
            assert event > datetime(2020, 1, 1)

    def test_arithmetic_returns_plain_pendulum_datetimes(self):
        event = clocks.ClockEvent(pendulum.datetime(2020, 1, 1, tz=NY), {"x": 1})
        later = event + timedelta(hours=1)
        assert type(later) is pendulum.DateTime
        assert later == pendulum.datetime(2020, 1, 1, 1, tz=NY)
        assert type(event - timedelta(hours=1)) is pendulum.DateTime
        assert event - pendulum.datetime(2019, 12, 31, tz=NY) == timedelta(days=1)
        assert type(event.replace(hour=3)) is pendulum.DateTime
        assert event.astimezone(timezone.utc).hour == 5

    def test_pickle_and_copy_keep_parameters_and_labels(self):
        event = clocks.ClockEvent(pendulum.datetime(2020, 1, 1, tz=NY), {"x": [1]}, ["a"])
        for clone in (pickle.loads(pickle.dumps(event)), copy.deepcopy(event), copy.copy(event)):
            assert isinstance(clone, clocks.ClockEvent)
            assert clone == event
            assert clone.to_datetime().timezone_name == NY

    def test_repr_mentions_time_and_parameters(self):
        event = clocks.ClockEvent(pendulum.datetime(2020, 1, 1), {"x": 1})
        assert "2020-01-01T00:00:00+00:00" in repr(event) and "'x': 1" in repr(event)


# ---------------------------------------------------------------------------------------
# Clock
# ---------------------------------------------------------------------------------------


class TestClock:
    def test_base_clock_events_are_not_implemented(self):
        with pytest.raises(NotImplementedError):
            next(clocks.Clock().events())

    def test_dates_become_pendulum_and_naive_means_utc(self):
        clock = clocks.Clock(start_date=datetime(2020, 1, 1), end_date=datetime(2020, 2, 1))
        assert clock.start_date == pendulum.datetime(2020, 1, 1, tz="UTC")
        assert isinstance(clock.end_date, pendulum.DateTime)
        assert clock.start_date.timezone_name == "UTC"

    def test_parameter_defaults_and_labels(self):
        clock = clocks.Clock(parameter_defaults={"x": 1}, labels=["a"])
        assert clock.parameter_defaults == {"x": 1} and clock.labels == ["a"]
        assert clocks.Clock().parameter_defaults == {} and clocks.Clock().labels is None


# ---------------------------------------------------------------------------------------
# IntervalClock
# ---------------------------------------------------------------------------------------


class TestIntervalClock:
    def test_interval_must_be_a_timedelta(self):
        with pytest.raises(TypeError):
            clocks.IntervalClock(60)  # type: ignore[arg-type]

    @pytest.mark.parametrize("interval", [timedelta(0), timedelta(seconds=-1)])
    def test_interval_must_be_positive(self, interval):
        with pytest.raises(ValueError):
            clocks.IntervalClock(interval)

    def test_default_start_date_is_2019_01_01_utc(self):
        clock = clocks.IntervalClock(timedelta(days=1))
        assert clock.start_date is None
        first = next(clock.events(after=pendulum.datetime(2018, 1, 1)))
        assert first == pendulum.datetime(2019, 1, 1, tz="UTC")
        assert first.to_datetime().timezone_name == "UTC"

    def test_first_event_is_start_date_when_after_is_earlier(self):
        start = pendulum.datetime(2020, 1, 1, 12, 30)
        clock = clocks.IntervalClock(timedelta(hours=6), start_date=start)
        assert take(clock.events(after=start.subtract(years=1)), 3) == [
            start,
            start.add(hours=6),
            start.add(hours=12),
        ]

    def test_events_are_strictly_after_after(self):
        start = pendulum.datetime(2020, 1, 1)
        clock = clocks.IntervalClock(timedelta(hours=1), start_date=start)
        assert next(clock.events(after=start)) == start.add(hours=1)
        assert next(clock.events(after=start.add(minutes=1))) == start.add(hours=1)
        assert next(clock.events(after=start.add(hours=5))) == start.add(hours=6)

    def test_far_after_start_does_not_lose_or_repeat_events(self):
        clock = clocks.IntervalClock(timedelta(minutes=7), start_date=pendulum.datetime(2000, 1, 1))
        after = pendulum.datetime(2020, 6, 1, 0, 3)
        events = take(clock.events(after=after), 50)
        assert events[0] > after and events[0] - after <= timedelta(minutes=7)
        assert set(gaps(events)) == {timedelta(minutes=7)}

    def test_after_defaults_to_now(self):
        before = pendulum.now("UTC")
        first = next(clocks.IntervalClock(timedelta(minutes=1)).events())
        assert before < first <= pendulum.now("UTC") + timedelta(minutes=1)

    def test_microsecond_intervals(self):
        start = pendulum.datetime(2020, 1, 1)
        clock = clocks.IntervalClock(timedelta(microseconds=3), start_date=start)
        events = take(clock.events(after=start), 2)
        assert events == [start.add(microseconds=3), start.add(microseconds=6)]

    def test_end_date_is_inclusive_and_stops_the_clock(self):
        start = pendulum.datetime(2020, 1, 1)
        clock = clocks.IntervalClock(
            timedelta(days=1), start_date=start, end_date=start.add(days=2)
        )
        assert list(clock.events(after=start.subtract(days=1))) == [
            start,
            start.add(days=1),
            start.add(days=2),
        ]

    def test_events_carry_parameter_defaults_and_labels(self):
        clock = clocks.IntervalClock(timedelta(days=1), parameter_defaults={"x": 1}, labels=["dev"])
        event = next(clock.events())
        assert event.parameter_defaults == {"x": 1} and event.labels == ["dev"]

    def test_events_are_in_the_start_dates_time_zone(self):
        clock = clocks.IntervalClock(
            timedelta(hours=1), start_date=pendulum.datetime(2020, 1, 1, tz=SYDNEY)
        )
        assert next(clock.events()).to_datetime().timezone_name == SYDNEY

    # --- DST ------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "tz, spring, autumn",
        [
            (NY, (2018, 3, 11), (2018, 11, 4)),
            (LONDON, (2018, 3, 25), (2018, 10, 28)),
            (SYDNEY, (2018, 10, 7), (2018, 4, 1)),
        ],
    )
    def test_daily_interval_keeps_local_time_across_dst(self, tz, spring, autumn):
        for day in (spring, autumn):
            start = pendulum.datetime(2017, 1, 1, 9, tz=tz)
            clock = clocks.IntervalClock(timedelta(days=1), start_date=start)
            after = pendulum.datetime(*day, tz=tz).subtract(days=3)
            events = take(clock.events(after=after), 6)
            assert [e.to_datetime().hour for e in events] == [9] * 6
            assert [e.to_datetime().day for e in events] == [
                after.add(days=i).day for i in range(6)
            ]
            # one of the gaps is 23 or 25 hours long: local time was kept, not elapsed time
            assert set(gaps(events)) - {timedelta(hours=24)}

    def test_weekly_interval_keeps_local_time_across_dst(self):
        start = pendulum.datetime(2018, 3, 1, 18, 15, tz=NY)
        clock = clocks.IntervalClock(timedelta(weeks=1), start_date=start)
        events = take(clock.events(after=start.subtract(days=1)), 4)
        assert [(e.to_datetime().hour, e.to_datetime().minute) for e in events] == [(18, 15)] * 4

    def test_hourly_interval_keeps_exact_spacing_when_clocks_fall_back_in_new_york(self):
        start = pendulum.datetime(2018, 1, 1, tz=NY)
        clock = clocks.IntervalClock(timedelta(hours=1), start_date=start)
        events = take(clock.events(after=pendulum.datetime(2018, 11, 3, 23, 30, tz=NY)), 5)
        assert set(gaps(events)) == {timedelta(hours=1)}
        # 1 AM happens twice on the local clock, an hour apart
        assert [h for _, h, _ in local(events, NY)] == [0, 1, 1, 2, 3]
        assert [e.to_datetime().utcoffset() for e in events[1:3]] == [
            timedelta(hours=-4),
            timedelta(hours=-5),
        ]

    def test_hourly_interval_keeps_exact_spacing_when_clocks_spring_forward_in_new_york(self):
        start = pendulum.datetime(2018, 1, 1, tz=NY)
        clock = clocks.IntervalClock(timedelta(hours=1), start_date=start)
        events = take(clock.events(after=pendulum.datetime(2018, 3, 10, 23, 30, tz=NY)), 4)
        assert set(gaps(events)) == {timedelta(hours=1)}
        assert [h for _, h, _ in local(events, NY)] == [0, 1, 3, 4]

    def test_hourly_interval_across_dst_in_london(self):
        start = pendulum.datetime(2018, 1, 1, tz=LONDON)
        clock = clocks.IntervalClock(timedelta(hours=1), start_date=start)
        spring = take(clock.events(after=pendulum.datetime(2018, 3, 25, 0, 30, tz=LONDON)), 3)
        autumn = take(clock.events(after=pendulum.datetime(2018, 10, 28, 0, 30, tz=LONDON)), 3)
        assert [h for _, h, _ in local(spring, LONDON)] == [2, 3, 4]
        assert [h for _, h, _ in local(autumn, LONDON)] == [1, 1, 2]
        assert set(gaps(spring) + gaps(autumn)) == {timedelta(hours=1)}

    def test_after_inside_the_repeated_hour(self):
        # `after` is 01:15 EST, the *second* 01:15 of the night
        clock = clocks.IntervalClock(
            timedelta(minutes=30), start_date=pendulum.datetime(2018, 1, 1, tz=NY)
        )
        after = pendulum.datetime(2018, 11, 4, 6, 15).in_tz(NY)
        first = next(clock.events(after=after))
        assert first == pendulum.datetime(2018, 11, 4, 6, 30, tz="UTC")

    def test_daily_interval_at_a_skipped_local_time_moves_forward_that_day_only(self):
        start = pendulum.datetime(2018, 3, 9, 2, 30, tz=NY)
        clock = clocks.IntervalClock(timedelta(days=1), start_date=start)
        events = take(clock.events(after=start), 3)
        assert local(events, NY) == [(10, 2, 30), (11, 3, 30), (12, 2, 30)]

    def test_daily_interval_at_a_repeated_local_time_fires_once_at_the_first(self):
        start = pendulum.datetime(2018, 11, 3, 1, 30, tz=NY)
        clock = clocks.IntervalClock(timedelta(days=1), start_date=start)
        events = take(clock.events(after=start), 2)
        assert local(events, NY) == [(4, 1, 30), (5, 1, 30)]
        assert events[0].to_datetime().utcoffset() == timedelta(hours=-4)

    def test_multi_day_interval_adds_whole_days_on_the_wall_clock_and_the_rest_exactly(self):
        start = pendulum.datetime(2018, 3, 9, 20, tz=NY)
        clock = clocks.IntervalClock(timedelta(days=1, hours=12), start_date=start)
        events = take(clock.events(after=start), 2)
        # 1.5 days: to 20:00 the next day, then 12 elapsed hours across the DST change
        # (09:00 EDT, not 08:00); 3 days: 20:00 local again
        assert local(events, NY) == [(11, 9, 0), (12, 20, 0)]


# ---------------------------------------------------------------------------------------
# CronClock
# ---------------------------------------------------------------------------------------


class TestCronClock:
    @pytest.mark.parametrize("cron", ["", "not a cron", "61 * * * *", "* * * *"])
    def test_invalid_cron_raises(self, cron):
        with pytest.raises(ValueError):
            clocks.CronClock(cron)

    def test_events_match_the_cron_in_utc_without_start_date(self):
        clock = clocks.CronClock("15 */6 * * *")
        events = take(clock.events(after=pendulum.datetime(2020, 1, 1)), 3)
        assert events == [
            pendulum.datetime(2020, 1, 1, 0, 15),
            pendulum.datetime(2020, 1, 1, 6, 15),
            pendulum.datetime(2020, 1, 1, 12, 15),
        ]
        assert events[0].to_datetime().timezone_name == "UTC"

    def test_events_are_strictly_after_after(self):
        clock = clocks.CronClock("0 * * * *")
        after = pendulum.datetime(2020, 1, 1, 5)
        assert next(clock.events(after=after)) == after.add(hours=1)

    def test_after_defaults_to_now(self):
        before = pendulum.now("UTC")
        first = next(clocks.CronClock("* * * * *").events())
        assert before < first <= pendulum.now("UTC") + timedelta(minutes=1)

    def test_start_date_is_included_and_sets_the_time_zone(self):
        start = pendulum.datetime(2020, 1, 1, 9, tz=SYDNEY)
        clock = clocks.CronClock("0 9 * * *", start_date=start)
        events = take(clock.events(after=pendulum.datetime(2019, 1, 1)), 2)
        assert events == [start, start.add(days=1)]
        assert events[0].to_datetime().timezone_name == SYDNEY

    def test_start_date_with_microseconds_starts_at_the_next_match(self):
        start = pendulum.datetime(2020, 1, 1, 0, 0, 0, 1)
        clock = clocks.CronClock("0 0 * * *", start_date=start)
        assert next(clock.events(after=start.subtract(days=5))) == pendulum.datetime(2020, 1, 2)

    def test_end_date_stops_the_clock(self):
        start = pendulum.datetime(2020, 1, 1)
        clock = clocks.CronClock("0 0 * * *", start_date=start, end_date=start.add(days=1))
        assert list(clock.events(after=start.subtract(days=1))) == [start, start.add(days=1)]

    def test_events_carry_parameter_defaults_and_labels(self):
        clock = clocks.CronClock("* * * * *", parameter_defaults={"x": 1}, labels=["a"])
        event = next(clock.events())
        assert event.parameter_defaults == {"x": 1} and event.labels == ["a"]

    def test_day_or(self):
        # the 1st of the month OR a Monday (cron default) vs the 1st AND a Monday
        after = pendulum.datetime(2020, 1, 1)
        either = clocks.CronClock("0 0 1 * 1", day_or=True)
        both = clocks.CronClock("0 0 1 * 1", day_or=False)
        assert either.day_or is True and clocks.CronClock("0 0 1 * 1").day_or is True
        assert next(either.events(after=after)) == pendulum.datetime(2020, 1, 6)
        assert next(both.events(after=after)) == pendulum.datetime(2020, 6, 1)

    def test_a_cron_that_never_matches_has_no_events(self):
        assert list(clocks.CronClock("0 0 30 2 *").events()) == []

    # --- DST ------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "tz, spring, autumn",
        [
            (NY, (2018, 3, 11), (2018, 11, 4)),
            (LONDON, (2018, 3, 25), (2018, 10, 28)),
            (SYDNEY, (2018, 10, 7), (2018, 4, 1)),
        ],
    )
    def test_daily_cron_keeps_local_time_across_dst(self, tz, spring, autumn):
        clock = clocks.CronClock("0 9 * * *", start_date=pendulum.datetime(2018, 1, 1, tz=tz))
        for day in (spring, autumn):
            after = pendulum.datetime(*day, tz=tz).subtract(days=2)
            events = take(clock.events(after=after), 4)
            assert [(e.to_datetime().in_tz(tz) - after).in_days() for e in events] == [0, 1, 2, 3]
            assert [(h, m) for _, h, m in local(events, tz)] == [(9, 0)] * 4
            assert set(gaps(events)) - {timedelta(hours=24)}

    def test_hourly_cron_follows_the_clock_when_it_falls_back_in_new_york(self):
        clock = clocks.CronClock("0 * * * *", start_date=pendulum.datetime(2018, 1, 1, tz=NY))
        events = take(clock.events(after=pendulum.datetime(2018, 11, 3, 23, 30, tz=NY)), 4)
        # 1 AM fires once (the first time it is reached): a two-hour pause until 2 AM
        assert [h for _, h, _ in local(events, NY)] == [0, 1, 2, 3]
        assert gaps(events) == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=1)]

    def test_hourly_cron_skips_the_missing_hour_when_clocks_spring_forward(self):
        clock = clocks.CronClock("0 * * * *", start_date=pendulum.datetime(2018, 1, 1, tz=NY))
        events = take(clock.events(after=pendulum.datetime(2018, 3, 10, 23, 30, tz=NY)), 4)
        # 2 AM does not exist; it maps to 3 AM, which fires once
        assert [h for _, h, _ in local(events, NY)] == [0, 1, 3, 4]
        assert gaps(events) == [timedelta(hours=1)] * 3

    def test_daily_cron_in_the_repeated_hour_fires_once_at_the_first_occurrence(self):
        clock = clocks.CronClock("30 1 * * *", start_date=pendulum.datetime(2018, 1, 1, tz=NY))
        events = take(clock.events(after=pendulum.datetime(2018, 11, 3, 12, tz=NY)), 3)
        assert local(events, NY) == [(4, 1, 30), (5, 1, 30), (6, 1, 30)]
        assert events[0].to_datetime().utcoffset() == timedelta(hours=-4)

    def test_daily_cron_in_the_skipped_hour_fires_once_an_hour_later_that_day(self):
        clock = clocks.CronClock("30 2 * * *", start_date=pendulum.datetime(2018, 1, 1, tz=NY))
        events = take(clock.events(after=pendulum.datetime(2018, 3, 10, 12, tz=NY)), 3)
        assert local(events, NY) == [(11, 3, 30), (12, 2, 30), (13, 2, 30)]

    def test_daily_cron_in_the_skipped_hour_in_london(self):
        clock = clocks.CronClock("30 1 * * *", start_date=pendulum.datetime(2018, 1, 1, tz=LONDON))
        events = take(clock.events(after=pendulum.datetime(2018, 3, 24, 12, tz=LONDON)), 2)
        assert local(events, LONDON) == [(25, 2, 30), (26, 1, 30)]

    def test_after_inside_the_repeated_hour(self):
        clock = clocks.CronClock("*/30 * * * *", start_date=pendulum.datetime(2018, 1, 1, tz=NY))
        # 01:15 EST, the second 01:15 of the night: 01:30 was already emitted (as EDT)
        after = pendulum.datetime(2018, 11, 4, 6, 15).in_tz(NY)
        events = take(clock.events(after=after), 2)
        assert events == [
            pendulum.datetime(2018, 11, 4, 2, tz=NY),
            pendulum.datetime(2018, 11, 4, 2, 30, tz=NY),
        ]

    def test_fixed_offset_start_date(self):
        start = pendulum.instance(datetime(2020, 1, 1, 9, tzinfo=timezone(timedelta(hours=3))))
        clock = clocks.CronClock("0 9 * * *", start_date=start)
        assert next(clock.events(after=start)) == pendulum.datetime(2020, 1, 2, 6, tz="UTC")


# ---------------------------------------------------------------------------------------
# DatesClock
# ---------------------------------------------------------------------------------------


class TestDatesClock:
    def test_events_are_sorted_unique_and_after_after(self):
        d1, d2, d3 = (pendulum.datetime(2020, 1, i) for i in (1, 2, 3))
        clock = clocks.DatesClock([d3, d1, d2, d3])
        assert list(clock.events(after=d1)) == [d2, d3]
        assert list(clock.events(after=d1.subtract(days=1))) == [d1, d2, d3]

    def test_after_defaults_to_now(self):
        past, future = pendulum.now().subtract(days=1), pendulum.now().add(days=1)
        assert list(clocks.DatesClock([past, future]).events()) == [future]

    def test_start_and_end_dates_and_naive_dates(self):
        clock = clocks.DatesClock([datetime(2020, 1, 2), datetime(2020, 1, 1)])
        assert clock.start_date == pendulum.datetime(2020, 1, 1, tz="UTC")
        assert clock.end_date == pendulum.datetime(2020, 1, 2, tz="UTC")

    def test_requires_dates(self):
        with pytest.raises(ValueError):
            clocks.DatesClock([])

    def test_events_carry_parameter_defaults_and_labels(self):
        clock = clocks.DatesClock([pendulum.now().add(days=1)], {"x": 1}, ["a"])
        event = next(clock.events())
        assert event.parameter_defaults == {"x": 1} and event.labels == ["a"]

    def test_keeps_each_dates_time_zone(self):
        date = pendulum.datetime(2030, 1, 1, tz=SYDNEY)
        assert next(clocks.DatesClock([date]).events()).to_datetime().timezone_name == SYDNEY


# ---------------------------------------------------------------------------------------
# RRuleClock
# ---------------------------------------------------------------------------------------


class TestRRuleClock:
    def test_requires_an_rrule(self):
        with pytest.raises(TypeError):
            clocks.RRuleClock("FREQ=DAILY")  # type: ignore[arg-type]

    def test_naive_rrule_is_evaluated_in_utc(self):
        rule = rrule.rrule(
            rrule.WEEKLY, byweekday=(rrule.MO, rrule.FR), dtstart=datetime(2020, 1, 1, 8)
        )
        events = take(clocks.RRuleClock(rule).events(after=pendulum.datetime(2020, 1, 1)), 3)
        assert events == [
            pendulum.datetime(2020, 1, 3, 8),
            pendulum.datetime(2020, 1, 6, 8),
            pendulum.datetime(2020, 1, 10, 8),
        ]

    def test_naive_rrule_keeps_local_time_across_dst_in_the_start_dates_zone(self):
        rule = rrule.rrule(rrule.DAILY, dtstart=datetime(2018, 1, 1, 9))
        clock = clocks.RRuleClock(rule, start_date=pendulum.datetime(2018, 1, 1, tz=LONDON))
        events = take(clock.events(after=pendulum.datetime(2018, 3, 24, tz=LONDON)), 3)
        assert local(events, LONDON) == [(24, 9, 0), (25, 9, 0), (26, 9, 0)]

    def test_aware_rrule_keeps_its_own_wall_clock(self):
        rule = rrule.rrule(rrule.DAILY, dtstart=pendulum.datetime(2018, 3, 9, 9, tz=NY))
        events = take(
            clocks.RRuleClock(rule).events(after=pendulum.datetime(2018, 3, 9, 12, tz=NY)), 3
        )
        assert local(events, NY) == [(10, 9, 0), (11, 9, 0), (12, 9, 0)]
        assert events[0].to_datetime().timezone_name == NY

    def test_finite_rrule_ends(self):
        rule = rrule.rrule(rrule.DAILY, count=3, dtstart=datetime(2020, 1, 1))
        assert len(list(clocks.RRuleClock(rule).events(after=pendulum.datetime(2019, 1, 1)))) == 3

    def test_start_and_end_dates_bound_the_events(self):
        rule = rrule.rrule(rrule.DAILY, dtstart=datetime(2020, 1, 1))
        clock = clocks.RRuleClock(
            rule, start_date=pendulum.datetime(2020, 1, 3), end_date=pendulum.datetime(2020, 1, 5)
        )
        assert list(clock.events(after=pendulum.datetime(2019, 1, 1))) == [
            pendulum.datetime(2020, 1, d) for d in (3, 4, 5)
        ]

    def test_rruleset_with_exclusions(self):
        rules = rrule.rruleset()
        rules.rrule(rrule.rrule(rrule.DAILY, count=4, dtstart=datetime(2020, 1, 1)))
        rules.exdate(datetime(2020, 1, 2))
        rules.rdate(datetime(2020, 2, 1))
        events = list(clocks.RRuleClock(rules).events(after=pendulum.datetime(2019, 1, 1)))
        assert [(e.month, e.day) for e in events] == [(1, 1), (1, 3), (1, 4), (2, 1)]

    def test_events_carry_parameter_defaults_and_labels(self):
        rule = rrule.rrule(rrule.DAILY, dtstart=datetime(2020, 1, 1))
        event = next(clocks.RRuleClock(rule, parameter_defaults={"x": 1}, labels=["a"]).events())
        assert event.parameter_defaults == {"x": 1} and event.labels == ["a"]
