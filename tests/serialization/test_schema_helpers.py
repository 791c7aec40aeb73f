"""Shared schema helpers: version checks and fields that behave alike on marshmallow 3 and 4."""

import datetime

import pendulum
import pytest
from marshmallow import ValidationError

from prefect_classic.serialization.fields import ISODateTime, Seconds
from prefect_classic.serialization.schema import check_version, package_version


@pytest.mark.parametrize(
    "version", [None, "0.15.13", "1.4.1", "1.4.1rc2", "1.4.1.post9", package_version(), "1.4"]
)
def test_same_or_older_versions_are_accepted(version):
    check_version(version)


@pytest.mark.parametrize("version", ["1.4.2", "1.5", "2.0.0", "10.0"])
def test_newer_versions_are_rejected_with_a_clear_message(version):
    with pytest.raises(ValidationError, match="newer than this version"):
        check_version(version)


@pytest.mark.parametrize("version", ["latest", 1.4, ["1"]])
def test_non_versions_are_rejected(version):
    with pytest.raises(ValidationError, match="Not a version"):
        check_version(version)


def test_iso_datetime_field_writes_offsets_and_loads_utc():
    field = ISODateTime()
    value = pendulum.datetime(2020, 6, 1, 9, tz="Europe/Paris")
    text = field.serialize("t", {"t": value})
    assert text == "2020-06-01T09:00:00+02:00"
    loaded = field.deserialize(text)
    assert loaded == value and loaded.timezone_name == "UTC"
    assert field.deserialize("2020-06-01T07:00:00") == value


def test_seconds_field_writes_whole_seconds_as_integers():
    field = Seconds()
    assert field.serialize("d", {"d": datetime.timedelta(minutes=1)}) == 60
    assert field.serialize("d", {"d": datetime.timedelta(seconds=1.5)}) == 1.5
    assert field.deserialize(90) == datetime.timedelta(seconds=90)
    with pytest.raises(ValidationError):
        field.deserialize("90")
