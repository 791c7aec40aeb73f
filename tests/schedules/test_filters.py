from datetime import datetime, time, timedelta, timezone

import pendulum
import pytest

from prefect_classic.schedules import filters

NY = "America/New_York"


class TestOnDatetime:
    def test_matches_the_same_instant_only(self):
        fn = filters.on_datetime(pendulum.datetime(2020, 1, 1, 9, tz=NY))
        assert fn(pendulum.datetime(2020, 1, 1, 9, tz=NY))
        assert fn(pendulum.datetime(2020, 1, 1, 14, tz="UTC"))
        assert not fn(pendulum.datetime(2020, 1, 1, 9, tz="UTC"))
        assert not fn(pendulum.datetime(2020, 1, 1, 9, 0, 1, tz=NY))

    def test_naive_datetimes_are_utc(self):
        fn = filters.on_datetime(datetime(2020, 1, 1, 14))
        assert fn(pendulum.datetime(2020, 1, 1, 9, tz=NY))

    def test_distinguishes_the_two_occurrences_of_a_repeated_hour(self):
        first = pendulum.datetime(2018, 11, 4, 5, 30).in_tz(NY)  # 01:30 EDT
        second = pendulum.datetime(2018, 11, 4, 6, 30).in_tz(NY)  # 01:30 EST
        assert filters.on_datetime(first)(first)
        assert not filters.on_datetime(first)(second)


class TestOnDate:
    def test_matches_month_and_day_in_any_year(self):
        fn = filters.on_date(month=7, day=4)
        assert fn(pendulum.datetime(2019, 7, 4, 23, 59))
        assert fn(pendulum.datetime(2030, 7, 4))
        assert not fn(pendulum.datetime(2019, 7, 5))
        assert not fn(pendulum.datetime(2019, 4, 7))

    def test_uses_the_candidates_own_wall_clock(self):
        fn = filters.on_date(7, 4)
        # 2019-07-05 02:00 UTC is still July 4th in New York
        assert fn(pendulum.datetime(2019, 7, 5, 2).in_tz(NY))
        assert not fn(pendulum.datetime(2019, 7, 5, 2))


class TestAtTime:
    def test_matches_the_exact_wall_clock_time(self):
        fn = filters.at_time(time(9, 30))
        assert fn(pendulum.datetime(2020, 1, 1, 9, 30, tz=NY))
        assert fn(datetime(2020, 6, 1, 9, 30))
        assert not fn(pendulum.datetime(2020, 1, 1, 9, 30, 1))
        assert not fn(pendulum.datetime(2020, 1, 1, 9, 31))

    def test_ignores_the_times_tzinfo(self):
        fn = filters.at_time(time(9, tzinfo=timezone.utc))
        assert fn(pendulum.datetime(2020, 1, 1, 9, tz=NY))


class TestBetweenDatetimes:
    def test_bounds_are_inclusive(self):
        start, end = pendulum.datetime(2020, 1, 1), pendulum.datetime(2020, 2, 1)
        fn = filters.between_datetimes(start, end)
        assert fn(start) and fn(end) and fn(pendulum.datetime(2020, 1, 15))
        assert not fn(start - timedelta(microseconds=1))
        assert not fn(end + timedelta(microseconds=1))

    def test_compares_instants_across_zones_and_naive_as_utc(self):
        fn = filters.between_datetimes(datetime(2020, 1, 1, 12), datetime(2020, 1, 1, 13))
        assert fn(pendulum.datetime(2020, 1, 1, 7, 30, tz=NY))
        assert not fn(pendulum.datetime(2020, 1, 1, 12, 30, tz=NY))


class TestBetweenTimes:
    def test_same_day_range_is_inclusive(self):
        fn = filters.between_times(time(9), time(17))
        assert fn(pendulum.datetime(2020, 1, 1, 9))
        assert fn(pendulum.datetime(2020, 1, 1, 12, tz=NY))
        assert fn(pendulum.datetime(2020, 1, 1, 17))
        assert not fn(pendulum.datetime(2020, 1, 1, 17, 0, 1))
        assert not fn(pendulum.datetime(2020, 1, 1, 8, 59))

    def test_range_wraps_past_midnight_when_start_is_after_end(self):
        fn = filters.between_times(time(22), time(2))
        assert fn(pendulum.datetime(2020, 1, 1, 23))
        assert fn(pendulum.datetime(2020, 1, 1, 0, 30))
        assert fn(pendulum.datetime(2020, 1, 1, 2))
        assert not fn(pendulum.datetime(2020, 1, 1, 12))
        assert not fn(pendulum.datetime(2020, 1, 1, 21, 59))

    def test_uses_the_candidates_wall_clock(self):
        fn = filters.between_times(time(9), time(10))
        assert fn(pendulum.datetime(2020, 1, 1, 9, 30, tz=NY))
        assert not fn(pendulum.datetime(2020, 1, 1, 9, 30, tz=NY).in_tz("UTC"))


class TestBetweenDates:
    def test_same_year_range_is_inclusive(self):
        fn = filters.between_dates(3, 15, 6, 1)
        assert fn(pendulum.datetime(2020, 3, 15)) and fn(pendulum.datetime(2020, 6, 1, 23))
        assert fn(pendulum.datetime(2020, 4, 30))
        assert not fn(pendulum.datetime(2020, 3, 14)) and not fn(pendulum.datetime(2020, 6, 2))

    def test_range_wraps_past_the_new_year(self):
        fn = filters.between_dates(10, 15, 3, 31)
        assert fn(pendulum.datetime(2020, 10, 15)) and fn(pendulum.datetime(2020, 12, 31))
        assert fn(pendulum.datetime(2021, 1, 1)) and fn(pendulum.datetime(2021, 3, 31))
        assert not fn(pendulum.datetime(2021, 4, 1)) and not fn(pendulum.datetime(2020, 10, 14))

    def test_range_within_one_month_that_wraps(self):
        # from the 20th of March around the year to the 10th of March
        fn = filters.between_dates(3, 20, 3, 10)
        assert fn(pendulum.datetime(2020, 3, 5)) and fn(pendulum.datetime(2020, 3, 25))
        assert fn(pendulum.datetime(2020, 8, 1))
        assert not fn(pendulum.datetime(2020, 3, 15))


class TestDayFilters:
    # 2020-01-06 is a Monday
    @pytest.mark.parametrize("day, expected", [(6, True), (10, True), (11, False), (12, False)])
    def test_is_weekday(self, day, expected):
        assert filters.is_weekday(pendulum.datetime(2020, 1, day)) is expected

    @pytest.mark.parametrize("day, expected", [(6, False), (10, False), (11, True), (12, True)])
    def test_is_weekend(self, day, expected):
        assert filters.is_weekend(pendulum.datetime(2020, 1, day)) is expected

    def test_weekday_is_read_on_the_candidates_wall_clock(self):
        # Saturday 03:00 UTC is still Friday evening in New York
        saturday_utc = pendulum.datetime(2020, 1, 11, 3)
        assert filters.is_weekend(saturday_utc)
        assert filters.is_weekday(saturday_utc.in_tz(NY))

    @pytest.mark.parametrize(
        "dt, expected",
        [
            (datetime(2020, 1, 31), True),
            (datetime(2020, 2, 28), False),
            (datetime(2020, 2, 29, 23, 59), True),
            (datetime(2019, 2, 28), True),
            (datetime(2020, 12, 31), True),
            (datetime(2020, 4, 1), False),
        ],
    )
    def test_is_month_end(self, dt, expected):
        assert filters.is_month_end(dt) is expected
        assert filters.is_month_end(pendulum.instance(dt)) is expected

    @pytest.mark.parametrize(
        "dt, expected",
        [
            (datetime(2020, 1, 1), True),
            (datetime(2020, 3, 1, 12), True),
            (datetime(2020, 1, 2), False),
        ],
    )
    def test_is_month_start(self, dt, expected):
        assert filters.is_month_start(dt) is expected

    def test_is_day_of_week_counts_from_monday_as_zero_like_prefect1s_filter(self):
        # 2020-01-06 is a Monday; Prefect 1's filter matched 0 on Mondays (like weekday())
        for offset in range(7):
            dt = pendulum.datetime(2020, 1, 6 + offset, 12)
            assert filters.is_day_of_week(offset)(dt)
            assert not filters.is_day_of_week((offset + 1) % 7)(dt)

    def test_filters_take_the_candidate_as_dt(self):
        """Prefect 1's filter functions name their argument `dt`; callers pass it by keyword."""
        monday = pendulum.datetime(2020, 1, 6, 9, 30)
        assert filters.is_day_of_week(day_of_week=0)(dt=monday)
        assert filters.at_time(datetime(2020, 1, 1, 9, 30).time())(dt=monday)
        assert filters.on_date(1, 6)(dt=monday)

    @pytest.mark.parametrize("day", [-1, 7, 10])
    def test_is_day_of_week_rejects_invalid_days(self, day):
        with pytest.raises(ValueError):
            filters.is_day_of_week(day)
