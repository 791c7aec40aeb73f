"""The base `Result`: a value and a location template, with no storage of its own."""

import cloudpickle
import pytest

import prefect_classic
from prefect_classic.engine.result import NoResult, NoResultType, Result
from prefect_classic.engine.result.base import ResultNotImplementedError


@pytest.mark.parametrize("method", ["read", "write", "exists"])
def test_the_base_class_stores_nothing(method):
    """Storage methods of the base class raise ResultNotImplementedError, a NotImplementedError,
    with a message pointing to the Result subclasses."""
    with pytest.raises(ResultNotImplementedError, match="LocalResult") as info:
        getattr(Result(value=1), method)("somewhere")
    assert isinstance(info.value, NotImplementedError)


def test_value_and_location_default_to_none():
    assert (Result().value, Result().location) == (None, None)
    assert (Result(7).value, Result(7).location) == (7, None)


def test_repr_shows_the_type_and_the_value():
    assert repr(Result("x")) == "<Result: 'x'>"


def test_equal_when_type_and_public_attributes_are():
    marker = object()
    assert Result(marker) == Result(marker)
    assert Result(1) != Result(2)
    assert Result() != Result(location="here")
    assert NoResultType() == NoResult
    assert NoResult != Result()


def test_a_callable_location_survives_pickling():
    original = Result(3, location=lambda **kw: f"at/{kw['x']}")
    restored = cloudpickle.loads(cloudpickle.dumps(original))
    assert restored == original
    assert restored.format(x=1).location == "at/1"


def test_format_renders_a_copy_with_context_values():
    template = Result(location="{flow_name}/{task_name}.bin")
    with prefect_classic.context(flow_name="etl", task_name="load"):
        rendered = template.format(**prefect_classic.context)
    assert rendered.location == "etl/load.bin"
    assert template.location == "{flow_name}/{task_name}.bin"
    assert rendered != template
