import json
from datetime import datetime, time, timedelta, timezone

import marshmallow
import pendulum
import pytest
from dateutil import rrule

from prefect_classic.schedules import Schedule, adjustments, clocks, filters
from prefect_classic.serialization.schedule import (
    ClockSchema,
    DateTimeTZ,
    RRuleBaseSchema,
    ScheduleSchema,
)

NY = "America/New_York"
AFTER = pendulum.datetime(2018, 3, 1, tz=NY)


def round_trip(schema, obj):
    """Dump, pass through JSON text, and load again."""
    return schema.load(json.loads(json.dumps(schema.dump(obj))))


def same_events(a, b, n=20, after=AFTER):
    """Two clocks emit the same first `n` events (instants, zones, parameters, labels)."""
    ea = _take(a.events(after=after), n)
    eb = _take(b.events(after=after), n)
    return ea == eb and [e.to_datetime().timezone_name for e in ea] == [
        e.to_datetime().timezone_name for e in eb
    ]


def _take(events, n):
    out = []
    for event in events:
        out.append(event)
        if len(out) == n:
            break
    return out


class TestClockSchema:
    def test_interval_clock_json_shape(self):
        clock = clocks.IntervalClock(
            timedelta(hours=1, microseconds=5),
            start_date=pendulum.datetime(2018, 3, 1, 9, tz=NY),
            parameter_defaults={"x": [1, "a"]},
            labels=["dev"],
        )
        data = ClockSchema().dump(clock)
        assert data["type"] == "IntervalClock"
        assert data["interval"] == 3_600_000_005
        assert data["start_date"] == {"dt": "2018-03-01T09:00:00", "tz": NY}
        assert data["end_date"] is None
        assert data["parameter_defaults"] == {"x": [1, "a"]} and data["labels"] == ["dev"]
        assert isinstance(data["__version__"], str)

    def test_interval_clock_round_trip_keeps_dst_behaviour(self):
        clock = clocks.IntervalClock(
            timedelta(days=1),
            start_date=pendulum.datetime(2018, 1, 1, 9, tz=NY),
            end_date=pendulum.datetime(2019, 1, 1, tz=NY),
            parameter_defaults={"x": 1},
            labels=["a"],
        )
        loaded = round_trip(ClockSchema(), clock)
        assert isinstance(loaded, clocks.IntervalClock)
        assert loaded.interval == clock.interval and loaded.end_date == clock.end_date
        assert same_events(clock, loaded)
        assert {e.to_datetime().hour for e in _take(loaded.events(after=AFTER), 20)} == {9}

    def test_interval_clock_without_start_date(self):
        loaded = round_trip(ClockSchema(), clocks.IntervalClock(timedelta(minutes=5)))
        assert loaded.start_date is None and loaded.interval == timedelta(minutes=5)

    def test_intervals_under_a_minute_are_rejected_as_in_prefect_1(self):
        with pytest.raises(ValueError):
            ClockSchema().dump(clocks.IntervalClock(timedelta(seconds=59)))
        data = ClockSchema().dump(clocks.IntervalClock(timedelta(minutes=1)))
        data["interval"] = 59_000_000
        with pytest.raises(ValueError):
            ClockSchema().load(data)

    def test_cron_clock_round_trip(self):
        clock = clocks.CronClock(
            "30 2 * * 1-5",
            start_date=pendulum.datetime(2018, 1, 1, tz=NY),
            end_date=pendulum.datetime(2018, 12, 1, tz=NY),
            parameter_defaults={"x": 1},
            labels=["a"],
            day_or=False,
        )
        data = ClockSchema().dump(clock)
        assert data["type"] == "CronClock" and data["cron"] == "30 2 * * 1-5"
        assert data["day_or"] is False
        loaded = ClockSchema().load(data)
        assert isinstance(loaded, clocks.CronClock) and loaded.day_or is False
        assert same_events(clock, loaded, after=pendulum.datetime(2018, 3, 5, tz=NY))

    def test_invalid_cron_fails_validation(self):
        data = ClockSchema().dump(clocks.CronClock("0 * * * *"))
        data["cron"] = "not a cron"
        with pytest.raises(marshmallow.ValidationError):
            ClockSchema().load(data)

    def test_dates_clock_round_trip(self):
        dates = [pendulum.datetime(2018, 3, 11, 3, tz=NY), datetime(2018, 1, 1, 12)]
        clock = clocks.DatesClock(dates, parameter_defaults={"x": 1}, labels=["a"])
        data = ClockSchema().dump(clock)
        assert data["type"] == "DatesClock"
        assert data["dates"] == [
            {"dt": "2018-03-11T03:00:00", "tz": NY},
            {"dt": "2018-01-01T12:00:00", "tz": "UTC"},
        ]
        loaded = ClockSchema().load(data)
        assert same_events(clock, loaded, after=pendulum.datetime(2017, 1, 1))

    def test_rrule_clock_round_trip_naive_rule(self):
        rule = rrule.rrule(
            rrule.WEEKLY, byweekday=(rrule.MO, rrule.TH), count=10, dtstart=datetime(2018, 3, 1, 9)
        )
        clock = clocks.RRuleClock(
            rule, start_date=pendulum.datetime(2018, 1, 1, tz=NY), labels=["a"]
        )
        data = ClockSchema().dump(clock)
        assert data["type"] == "RRuleClock" and data["rrule_obj"]["type"] == "rrule"
        assert "FREQ=WEEKLY" in data["rrule_obj"]["rr"]
        assert data["rrule_obj"]["_dtstart"] == "2018-03-01T09:00:00"
        loaded = round_trip(ClockSchema(), clock)
        assert same_events(clock, loaded)

    def test_rrule_clock_round_trip_aware_rule_keeps_its_zone(self):
        rule = rrule.rrule(
            rrule.DAILY,
            dtstart=pendulum.datetime(2018, 3, 1, 9, tz=NY),
            until=pendulum.datetime(2018, 4, 1, 9, tz=NY),
        )
        clock = clocks.RRuleClock(rule)
        loaded = round_trip(ClockSchema(), clock)
        events = _take(loaded.events(after=AFTER), 40)
        assert len(events) == 32 and {e.to_datetime().hour for e in events} == {9}
        assert same_events(clock, loaded, n=40)

    def test_rruleset_round_trip(self):
        rules = rrule.rruleset()
        rules.rrule(rrule.rrule(rrule.DAILY, count=5, dtstart=datetime(2018, 3, 1)))
        rules.exrule(rrule.rrule(rrule.DAILY, count=1, dtstart=datetime(2018, 3, 2)))
        rules.rdate(datetime(2018, 4, 1))
        rules.exdate(datetime(2018, 3, 4))
        clock = clocks.RRuleClock(rules)
        data = ClockSchema().dump(clock)
        assert data["rrule_obj"]["type"] == "rruleset"
        loaded = round_trip(ClockSchema(), clock)
        events = _take(loaded.events(after=pendulum.datetime(2018, 1, 1)), 10)
        assert [(e.month, e.day) for e in events] == [(3, 1), (3, 3), (3, 5), (4, 1)]

    def test_rrule_base_schema_rejects_unknown_types(self):
        with pytest.raises(marshmallow.ValidationError):
            RRuleBaseSchema().load({"type": "rdate", "rr": "FREQ=DAILY"})

    def test_unknown_clock_type_raises_validation_error(self):
        with pytest.raises(marshmallow.ValidationError) as exc:
            ClockSchema().load({"type": "SundialClock", "interval": 60_000_000})
        assert "type" in exc.value.messages

    def test_missing_clock_type_raises_validation_error(self):
        with pytest.raises(marshmallow.ValidationError):
            ClockSchema().load({"interval": 60_000_000})

    def test_unknown_clock_class_cannot_be_dumped(self):
        class MyClock(clocks.IntervalClock):
            pass

        with pytest.raises(marshmallow.ValidationError):
            ClockSchema().dump(MyClock(timedelta(hours=1)))

    def test_non_json_parameter_defaults_are_rejected(self):
        clock = clocks.IntervalClock(timedelta(hours=1), parameter_defaults={"x": object()})
        with pytest.raises(marshmallow.ValidationError):
            ClockSchema().dump(clock)

    def test_null_parameter_defaults_survive_a_round_trip(self):
        clock = clocks.CronClock("0 * * * *", parameter_defaults={"x": None})
        assert round_trip(ClockSchema(), clock).parameter_defaults == {"x": None}

    def test_version_and_unknown_keys_are_ignored_on_load(self):
        data = ClockSchema().dump(clocks.CronClock("0 * * * *"))
        data["__version__"] = "0.15.0"
        data["something_new"] = True
        assert isinstance(ClockSchema().load(data), clocks.CronClock)


class TestDateTimeTZ:
    class _Schema(marshmallow.Schema):
        when = DateTimeTZ(allow_none=True)

    def round_trip(self, value):
        data = self._Schema().dump({"when": value})
        return data["when"], self._Schema().load(data)["when"]

    def test_named_zone(self):
        dumped, loaded = self.round_trip(pendulum.datetime(2020, 7, 1, 12, 30, 0, 5, tz=NY))
        assert dumped == {"dt": "2020-07-01T12:30:00.000005", "tz": NY}
        assert loaded == pendulum.datetime(2020, 7, 1, 12, 30, 0, 5, tz=NY)
        assert loaded.timezone_name == NY

    def test_fixed_offset(self):
        value = datetime(2020, 1, 1, 9, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
        dumped, loaded = self.round_trip(value)
        assert dumped == {"dt": "2020-01-01T09:00:00", "tz": "-03:30"}
        assert loaded == value and loaded.utcoffset() == timedelta(hours=-3, minutes=-30)

    def test_naive_is_utc(self):
        dumped, loaded = self.round_trip(datetime(2020, 1, 1))
        assert dumped == {"dt": "2020-01-01T00:00:00", "tz": "UTC"}
        assert loaded == pendulum.datetime(2020, 1, 1, tz="UTC")

    def test_both_occurrences_of_a_repeated_wall_time_survive(self):
        first = pendulum.datetime(2018, 11, 4, 5, 30).in_tz(NY)  # 01:30 EDT
        second = pendulum.datetime(2018, 11, 4, 6, 30).in_tz(NY)  # 01:30 EST
        dumped_first, loaded_first = self.round_trip(first)
        dumped_second, loaded_second = self.round_trip(second)
        assert "fold" not in dumped_first and dumped_second["fold"] == 1
        assert loaded_first.utcoffset() == timedelta(hours=-4)
        assert loaded_second.utcoffset() == timedelta(hours=-5)

    def test_none(self):
        assert self.round_trip(None) == (None, None)

    @pytest.mark.parametrize(
        "bad",
        [
            "2020-01-01",
            {"dt": "yesterday", "tz": "UTC"},
            {"dt": "2020-01-01T00:00:00", "tz": "Mars/Base"},
        ],
    )
    def test_invalid_values(self, bad):
        with pytest.raises(marshmallow.ValidationError):
            self._Schema().load({"when": bad})


class TestScheduleSchema:
    def full_schedule(self):
        return Schedule(
            clocks=[
                clocks.IntervalClock(
                    timedelta(hours=1), start_date=pendulum.datetime(2018, 1, 1, tz=NY)
                ),
                clocks.CronClock(
                    "15 9 * * *",
                    start_date=pendulum.datetime(2018, 1, 1, tz=NY),
                    parameter_defaults={"x": 1},
                ),
            ],
            filters=[filters.is_weekday, filters.between_times(time(8), time(18))],
            or_filters=[
                filters.between_datetimes(
                    pendulum.datetime(2018, 1, 1), pendulum.datetime(2019, 1, 1)
                ),
                filters.on_datetime(pendulum.datetime(2020, 1, 1, tz=NY)),
                filters.between_dates(1, 1, 12, 31),
            ],
            not_filters=[
                filters.is_day_of_week(3),
                filters.on_date(3, 12),
                filters.at_time(time(12)),
            ],
            adjustments=[adjustments.add(timedelta(minutes=5)), adjustments.next_weekday],
        )

    def test_json_shape_matches_prefect_1(self):
        data = ScheduleSchema().dump(self.full_schedule())
        json.dumps(data)  # JSON-compatible
        assert set(data) == {
            "clocks",
            "filters",
            "or_filters",
            "not_filters",
            "adjustments",
            "__version__",
        }
        assert [c["type"] for c in data["clocks"]] == ["IntervalClock", "CronClock"]
        assert data["filters"] == [
            {"fn": "prefect.schedules.filters.is_weekday", "kwargs": {}},
            {
                "fn": "prefect.schedules.filters.between_times",
                "kwargs": {"start": "//time:08:00:00", "end": "//time:18:00:00"},
            },
        ]
        assert data["not_filters"][0] == {
            "fn": "prefect.schedules.filters.is_day_of_week",
            "kwargs": {"day_of_week": 3},
        }
        assert data["adjustments"] == [
            {
                "fn": "prefect.schedules.adjustments.add",
                "kwargs": {"interval": "//timedelta:300.0"},
            },
            {"fn": "prefect.schedules.adjustments.next_weekday", "kwargs": {}},
        ]
        assert data["or_filters"][0]["kwargs"]["start"] == "//datetime:2018-01-01T00:00:00+00:00"

    def test_round_trip_gives_the_same_times(self):
        schedule = self.full_schedule()
        loaded = round_trip(ScheduleSchema(), schedule)
        assert isinstance(loaded, Schedule)
        assert len(loaded.filters) == 2 and len(loaded.or_filters) == 3
        assert len(loaded.not_filters) == 3 and len(loaded.adjustments) == 2
        after = pendulum.datetime(2018, 3, 5, tz=NY)
        expected = schedule.next(30, after=after, return_events=True)
        assert len(expected) == 30
        assert loaded.next(30, after=after, return_events=True) == expected

    def test_plain_functions_load_as_themselves(self):
        loaded = round_trip(ScheduleSchema(), Schedule(clocks=[], filters=[filters.is_weekend]))
        assert loaded.filters == [filters.is_weekend]

    def test_loads_prefect_1_json(self):
        data = {
            "type": "Schedule",
            "clocks": [
                {
                    "type": "CronClock",
                    "cron": "0 9 * * *",
                    "start_date": {"dt": "2019-01-01T00:00:00", "tz": NY},
                    "end_date": None,
                    "parameter_defaults": {},
                    "labels": None,
                    "__version__": "1.4.1",
                }
            ],
            "filters": [{"fn": "prefect.schedules.filters.is_weekday", "kwargs": {}}],
            "or_filters": [],
            "not_filters": [],
            "adjustments": [
                {
                    "fn": "prefect.schedules.adjustments.add",
                    "kwargs": {"interval": "//timedelta:1800.0"},
                }
            ],
            "__version__": "1.4.1",
        }
        schedule = ScheduleSchema().load(data)
        result = schedule.next(2, after=pendulum.datetime(2019, 3, 8, 12, tz=NY))
        # Friday the 8th is past 9 AM; the weekend is filtered; DST starts on the 10th
        assert result == [
            pendulum.datetime(2019, 3, 11, 9, 30, tz=NY),
            pendulum.datetime(2019, 3, 12, 9, 30, tz=NY),
        ]

    def test_accepts_prefect_classic_function_names(self):
        data = {"clocks": [], "filters": [{"fn": "prefect_classic.schedules.filters.is_weekday"}]}
        assert ScheduleSchema().load(data).filters == [filters.is_weekday]

    def test_missing_filter_lists_become_empty(self):
        schedule = ScheduleSchema().load({"clocks": [], "filters": None})
        assert schedule.filters == [] and schedule.adjustments == []

    def test_clocks_are_required(self):
        with pytest.raises(marshmallow.ValidationError):
            ScheduleSchema().load({"filters": []})

    def test_unknown_clock_type_inside_a_schedule_raises_validation_error(self):
        with pytest.raises(marshmallow.ValidationError):
            ScheduleSchema().load({"clocks": [{"type": "NopeClock"}]})

    def test_custom_filters_cannot_be_serialized(self):
        def my_filter(dt):
            return True

        with pytest.raises(marshmallow.ValidationError):
            ScheduleSchema().dump(Schedule(clocks=[], filters=[my_filter]))
        with pytest.raises(marshmallow.ValidationError):
            ScheduleSchema().dump(Schedule(clocks=[], adjustments=[filters.is_weekday]))

    @pytest.mark.parametrize(
        "reference",
        [
            {"fn": "os.system", "kwargs": {"command": "true"}},
            {
                "fn": "prefect.schedules.filters.between_times",
                "kwargs": {"start": "//time:nope", "end": "//time:10:00"},
            },
            {"fn": "prefect.schedules.filters.is_day_of_week", "kwargs": {"day_of_week": 9}},
            {"fn": "prefect.schedules.filters.on_date", "kwargs": {"month": 1, "unexpected": 2}},
            42,
        ],
    )
    def test_invalid_function_references_raise_validation_error(self, reference):
        with pytest.raises(marshmallow.ValidationError):
            ScheduleSchema().load({"clocks": [], "filters": [reference]})

    def test_version_is_the_package_version_when_available(self, monkeypatch):
        import sys
        import types

        package = sys.modules.get("prefect_classic") or types.ModuleType("prefect_classic")
        monkeypatch.setitem(sys.modules, "prefect_classic", package)
        monkeypatch.setattr(package, "__version__", "9.9.9", raising=False)
        assert ScheduleSchema().dump(Schedule(clocks=[]))["__version__"] == "9.9.9"
