from datetime import datetime, timedelta

import pendulum
import pytest

from prefect_classic.schedules import adjustments

NY = "America/New_York"


class TestAdd:
    @pytest.mark.parametrize(
        "interval", [timedelta(seconds=1), timedelta(minutes=90), timedelta(days=3)]
    )
    def test_adds_the_interval(self, interval):
        dt = pendulum.datetime(2020, 6, 1, 12)
        assert adjustments.add(interval)(dt) == dt + interval

    def test_returns_a_pendulum_datetime_in_the_same_zone(self):
        result = adjustments.add(timedelta(hours=1))(datetime(2020, 1, 1))
        assert isinstance(result, pendulum.DateTime)
        assert result == pendulum.datetime(2020, 1, 1, 1, tz="UTC")
        assert (
            adjustments.add(timedelta(hours=1))(pendulum.datetime(2020, 1, 1, tz=NY)).timezone_name
            == NY
        )

    def test_whole_days_keep_the_wall_clock_time_across_dst(self):
        # the night of 2018-03-10 is 23 hours long in New York
        dt = pendulum.datetime(2018, 3, 10, 9, tz=NY)
        result = adjustments.add(timedelta(days=1))(dt)
        assert (result.day, result.hour) == (11, 9)

    def test_sub_day_intervals_are_elapsed_time_across_dst(self):
        dt = pendulum.datetime(2018, 3, 11, 1, 30, tz=NY)
        result = adjustments.add(timedelta(hours=1))(dt)
        assert (result.hour, result.minute) == (3, 30)
        assert result.in_tz("UTC") - dt.in_tz("UTC") == timedelta(hours=1)

    def test_negative_intervals(self):
        dt = pendulum.datetime(2020, 1, 2, 12)
        assert adjustments.add(timedelta(hours=-36))(dt) == pendulum.datetime(2020, 1, 1)


class TestNextWeekday:
    # 2020-01-10 is a Friday
    @pytest.mark.parametrize("day, expected_day", [(10, 10), (11, 13), (12, 13), (13, 13)])
    def test_moves_weekends_to_monday(self, day, expected_day):
        dt = pendulum.datetime(2020, 1, day, 9, 15)
        assert adjustments.next_weekday(dt) == pendulum.datetime(2020, 1, expected_day, 9, 15)

    def test_keeps_wall_clock_time_and_zone_across_dst(self):
        # Saturday 2018-03-10 09:00 EST -> Monday 2018-03-12 09:00 EDT
        result = adjustments.next_weekday(pendulum.datetime(2018, 3, 10, 9, tz=NY))
        assert result.timezone_name == NY
        assert (result.day, result.hour, result.minute) == (12, 9, 0)

    def test_accepts_naive_datetimes_as_utc(self):
        result = adjustments.next_weekday(datetime(2020, 1, 11))
        assert isinstance(result, pendulum.DateTime)
        assert result == pendulum.datetime(2020, 1, 13, tz="UTC")
