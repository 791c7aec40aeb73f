"""Property tests: any generated state survives dump -> JSON text -> load unchanged (as far as
Prefect 1's JSON shape keeps it: a Mapped state keeps only the number of its children)."""

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prefect_classic.engine import state as states
from prefect_classic.engine.result.base import NoResult
from prefect_classic.engine.results import GCSResult, LocalResult, PrefectResult, S3Result

SCHEDULED = (states.Scheduled, states.Paused, states.Resume, states.Retrying, states.Queued)
META = (states.MetaState, states.ClientFailed, states.Queued, states.Submitted)
# the base State and the abstract MetaState have no schema, as in Prefect 1
ALL_CLASSES = [c for c in states.State.children() if c is not states.MetaState]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=10)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
locations = st.text(min_size=1, max_size=20)
start_times = st.datetimes(
    min_value=datetime.datetime(1971, 1, 1),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=st.just(datetime.timezone.utc),
)
results = st.one_of(
    st.just(NoResult),
    st.builds(lambda loc: LocalResult(dir="/results", validate_dir=False, location=loc), locations),
    st.builds(lambda loc: S3Result(bucket="bucket", location=loc), locations),
    st.builds(lambda loc: GCSResult(bucket="bucket", location=loc), locations),
    st.builds(
        lambda value: PrefectResult(value=value), json_values.filter(lambda v: v is not None)
    ),
)


def _kwargs_for(cls, draw, children):
    kwargs = {
        "message": draw(st.none() | st.text(max_size=30)),
        "context": draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3)),
        "result": draw(results),
        "cached_inputs": draw(
            st.dictionaries(st.text(min_size=1, max_size=5), results, max_size=2)
        ),
    }
    if issubclass(cls, SCHEDULED):
        kwargs["start_time"] = draw(start_times)
    if issubclass(cls, states.Retrying):
        kwargs["run_count"] = draw(st.integers(0, 100))
    if issubclass(cls, states.Looped):
        kwargs["loop_count"] = draw(st.none() | st.integers(0, 100))
    if issubclass(cls, states.Cached):
        kwargs["cached_parameters"] = draw(
            st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=2)
        )
        kwargs["cached_result_expiration"] = draw(st.none() | start_times)
    if issubclass(cls, states.Mapped):
        kwargs["map_states"] = draw(st.lists(st.none() | children, max_size=3))
    if issubclass(cls, META):
        kwargs["state"] = draw(st.none() | children)
    return kwargs


@st.composite
def _state_of(draw, children):
    cls = draw(st.sampled_from(ALL_CLASSES))
    return cls(**_kwargs_for(cls, draw, children))


leaf_states = _state_of(st.nothing())
any_states = st.recursive(leaf_states, lambda children: _state_of(children), max_leaves=6)


def _shape(state):
    """What a serialized state should preserve."""
    if state is None:
        return None
    return (
        type(state),
        state.message,
        state.context,
        getattr(state, "start_time", None) and state.start_time.timestamp(),
        getattr(state, "run_count", None),
        getattr(state, "loop_count", None),
        getattr(state, "cached_parameters", None),
        getattr(state, "cached_result_expiration", None),
        getattr(state, "n_map_states", None),
        _shape(getattr(state, "state", None)),
        None if isinstance(state, states.Mapped) else _result_shape(state._result),
    )


def _result_shape(result):
    """A PrefectResult is its JSON value; another Result is its type and location."""
    if isinstance(result, PrefectResult):
        return (
            "PrefectResult",
            result.value if result.location is None else json.loads(result.location),
        )
    if result.location:
        return (type(result), result.location)
    return None


def _assert_round_trips(state):
    data = state.serialize()
    loaded = states.State.deserialize(json.loads(json.dumps(data)))
    assert loaded.serialize() == data
    assert _shape(loaded) == _shape(state)
    assert loaded._result.value is None
    if isinstance(state, states.Mapped):
        assert loaded.map_states == [None] * state.n_map_states
    elif isinstance(state._result, PrefectResult):
        assert loaded.load_result().result == state._result.value


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_states_of_every_class_round_trip_through_json(cls, data):
    children = _state_of(st.nothing())
    _assert_round_trips(cls(**_kwargs_for(cls, data.draw, children)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_states)
def test_generated_nested_states_round_trip_through_json(state):
    _assert_round_trips(state)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_states)
def test_generated_states_never_write_raw_values(state):
    secret = "raw-value-\u2603-never-written"
    state.result = secret
    assert secret not in json.dumps(state.serialize())
