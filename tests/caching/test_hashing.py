"""Stable hashing: equal values hash equally in any process, different values differently, and
values that cannot be hashed raise a clear error."""

import dataclasses
import datetime
import enum
import threading
from pathlib import Path

import pendulum
import pytest

from prefect_classic.utilities.hashing import HashError, hash_objects, hash_source, stable_hash


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Color(enum.Enum):
    RED = 1
    BLUE = 2


class Plain:
    def __init__(self, a):
        self.a = a


SAMPLE_SOURCE = """
import dataclasses, datetime, decimal, uuid
import pendulum

@dataclasses.dataclass
class Point:
    x: int
    y: int

value = {
    "ints": [1, 2, 3], "nested": {"b": (1, "two", None), "a": {3.5, 1.25}}, "flag": True,
    "when": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc),
    "moment": pendulum.datetime(2024, 5, 1, 12, 30, tz="Europe/Paris"),
    "day": datetime.date(2024, 5, 1), "money": decimal.Decimal("10.50"), "raw": b"\\x00\\xff",
    "uuid": uuid.UUID(int=7), "point": Point(1, 2), "delta": datetime.timedelta(hours=2),
    "words": {"zeta", "alpha", "mu"},
}
"""


def test_the_same_value_hashes_the_same_in_a_new_python_process(run_python):
    """No salted `hash()`: child processes with different hash seeds compute this process's digest."""
    namespace = {"__name__": "__main__"}
    exec(SAMPLE_SOURCE, namespace)
    expected = stable_hash(namespace["value"])
    script = (
        SAMPLE_SOURCE
        + "from prefect_classic.utilities.hashing import stable_hash\nprint(stable_hash(value))\n"
    )
    for seed in ("1", "4242"):
        assert run_python(script, env={"PYTHONHASHSEED": seed}).stdout.strip() == expected


def test_dict_and_set_order_do_not_change_the_hash():
    assert stable_hash({"a": 1, "b": 2}) == stable_hash({"b": 2, "a": 1})
    assert stable_hash({3, 1, 2}) == stable_hash({2, 3, 1})
    assert stable_hash(frozenset({"x", "y"})) == stable_hash(frozenset({"y", "x"}))


@pytest.mark.parametrize(
    "left,right",
    [
        (1, 1.0),
        (1, True),
        (1, "1"),
        ("ab", b"ab"),
        ([1, 2], (1, 2)),
        ([1, [2]], [[1], 2]),
        ({"a": 1}, {"a": 2}),
        ("a", "b"),
        (None, 0),
        ({1, 2}, [1, 2]),
        (Point(1, 2), Point(2, 1)),
        (Color.RED, 1),
        (Color.RED, Color.BLUE),
        (datetime.date(2024, 1, 1), "2024-01-01"),
    ],
)
def test_different_values_hash_differently(left, right):
    assert stable_hash(left) != stable_hash(right)


def test_pendulum_and_datetime_values_are_hashed_by_their_instant_and_zone():
    moment = pendulum.datetime(2024, 5, 1, 12, 30, tz="UTC")
    assert stable_hash(moment) == stable_hash(pendulum.datetime(2024, 5, 1, 12, 30, tz="UTC"))
    assert stable_hash(moment) != stable_hash(moment.add(seconds=1))
    assert stable_hash(pendulum.date(2024, 5, 1)) == stable_hash(datetime.date(2024, 5, 1))


def test_dataclasses_hash_by_field_values():
    assert stable_hash(Point(1, 2)) == stable_hash(Point(1, 2))
    assert stable_hash({"p": Point(1, 2), "path": Path("/tmp/x")}) == stable_hash(
        {"path": Path("/tmp/x"), "p": Point(1, 2)}
    )


def test_other_objects_fall_back_to_their_pickled_bytes():
    assert stable_hash(Plain(1)) == stable_hash(Plain(1))
    assert stable_hash(Plain(1)) != stable_hash(Plain(2))


def test_an_object_that_cannot_be_pickled_raises_hash_error_naming_its_type():
    with pytest.raises(HashError, match="lock"):
        stable_hash({"ok": 1, "bad": threading.Lock()})


def test_hash_objects_depends_on_the_order_of_its_arguments():
    assert hash_objects("a", "b") == hash_objects("a", "b")
    assert hash_objects("a", "b") != hash_objects("b", "a")


def test_hash_source_changes_with_the_function_body():
    def first(x):
        return x + 1

    def second(x):
        return x + 2

    assert hash_source(first) == hash_source(first)
    assert hash_source(first) != hash_source(second)


def test_hash_source_falls_back_to_the_code_object_when_there_is_no_source():
    """Functions built by `exec` have no readable source: their bytecode and constants are used,
    so a different constant still gives a different hash."""
    namespace_a: dict = {}
    namespace_b: dict = {}
    exec("def f(x):\n    return x + 42\n", namespace_a)
    exec("def f(x):\n    return x + 43\n", namespace_b)
    assert hash_source(namespace_a["f"]) != hash_source(namespace_b["f"])
    again: dict = {}
    exec("def f(x):\n    return x + 42\n", again)
    assert hash_source(again["f"]) == hash_source(namespace_a["f"])
