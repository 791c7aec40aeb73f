"""Each cache validator's accept and reject cases."""

import datetime
import time
import types

import pendulum
import pytest

from prefect_classic.engine import cache_validators as cv
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.state import Cached


def cached(inputs=None, parameters=None, expires_in=60):
    return Cached(
        result=1,
        cached_inputs={k: Result(v) for k, v in (inputs or {}).items()},
        cached_parameters=parameters,
        cached_result_expiration=pendulum.now("utc").add(seconds=expires_in),
    )


ALL_VALIDATORS = [
    cv.duration_only,
    cv.all_inputs,
    cv.all_parameters,
    cv.partial_inputs_only(validate_on=["a"]),
    cv.partial_parameters_only(validate_on=["p"]),
]


def test_never_use_rejects_even_a_fresh_matching_cache():
    assert cv.never_use(cached({"a": 1}, {"p": 1}), {"a": 1}, {"p": 1}) is False


@pytest.mark.parametrize("validator", ALL_VALIDATORS)
def test_every_validator_rejects_an_expired_cache(validator):
    state = cached({"a": 1}, {"p": 1}, expires_in=-1)
    assert validator(state, {"a": 1}, {"p": 1}) is False


@pytest.mark.parametrize("validator", ALL_VALIDATORS)
def test_every_validator_accepts_a_fresh_matching_cache(validator):
    assert validator(cached({"a": 1}, {"p": 1}), {"a": 1}, {"p": 1}) is True


def test_duration_only_ignores_inputs_and_parameters():
    assert cv.duration_only(cached({"a": 1}, {"p": 1}), {"a": 2}, {"p": 2}) is True


def test_duration_only_accepts_cache_without_expiration():
    assert cv.duration_only(Cached(result=1), {}, {}) is True


def test_all_inputs_rejects_a_different_input():
    assert cv.all_inputs(cached({"a": 1, "b": 2}), {"a": 1, "b": 3}, None) is False


def test_all_inputs_rejects_an_extra_input():
    assert cv.all_inputs(cached({"a": 1}), {"a": 1, "b": 3}, None) is False


def test_all_inputs_ignores_parameters():
    assert cv.all_inputs(cached({"a": 1}, {"p": 1}), {"a": 1}, {"p": 2}) is True


def test_all_parameters_rejects_a_different_parameter():
    assert cv.all_parameters(cached(parameters={"p": 1}), {}, {"p": 2}) is False


def test_all_parameters_ignores_inputs():
    assert cv.all_parameters(cached({"a": 1}, {"p": 1}), {"a": 5}, {"p": 1}) is True


def test_partial_inputs_only_compares_only_the_named_inputs():
    validator = cv.partial_inputs_only(validate_on=["a"])
    assert validator(cached({"a": 1, "b": 2}), {"a": 1, "b": 99}, None) is True
    assert validator(cached({"a": 1, "b": 2}), {"a": 2, "b": 2}, None) is False


def test_partial_inputs_only_without_names_only_checks_expiry():
    validator = cv.partial_inputs_only()
    assert validator(cached({"a": 1}), {"a": 2}, None) is True
    assert validator(cached({"a": 1}, expires_in=-1), {"a": 1}, None) is False


def test_partial_parameters_only_compares_only_the_named_parameters():
    validator = cv.partial_parameters_only(validate_on=["p"])
    assert validator(cached(parameters={"p": 1, "q": 1}), {}, {"p": 1, "q": 2}) is True
    assert validator(cached(parameters={"p": 1, "q": 1}), {}, {"p": 2, "q": 1}) is False


def test_partial_parameters_only_without_names_only_checks_expiry():
    validator = cv.partial_parameters_only()
    assert validator(cached(parameters={"p": 1}), {}, {"p": 2}) is True


def test_validators_compare_result_values_with_plain_values():
    state = cached({"a": [1, 2]})
    assert cv.all_inputs(state, {"a": [1, 2]}, None) is True
    assert cv.all_inputs(state, {"a": Result([1, 2])}, None) is True


class TestHashedInputs:
    """A Cached state may hold dask tokens of its inputs (`hashed_inputs`, as Prefect 1's task
    runner stores them) instead of the inputs themselves."""

    def test_all_inputs_compares_tokens(self):
        from dask.base import tokenize

        state = Cached(hashed_inputs={"x": tokenize(1), "s": tokenize("str")})
        assert cv.all_inputs(state, {"x": 1, "s": "str"}, None) is True
        assert cv.all_inputs(state, {"x": 2, "s": "str"}, None) is False

    def test_partial_inputs_only_compares_the_named_tokens(self):
        from dask.base import tokenize

        state = Cached(hashed_inputs={"x": tokenize(1), "y": tokenize(2)})
        validator = cv.partial_inputs_only(validate_on=["x"])
        assert validator(state, {"x": 1, "y": 99}, None) is True
        assert validator(state, {"x": 3, "y": 2}, None) is False


def test_the_same_expiration_is_rejected_once_the_clock_passes_it(monkeypatch):
    # the expiration's timestamp is worked out once per datetime; the clock is read every time
    state = Cached(cached_result_expiration=pendulum.now("utc").add(seconds=10))
    assert cv.duration_only(state, None, None)
    assert cv.duration_only(state, None, None)
    later = time.time() + 20
    monkeypatch.setattr(time, "time", lambda: later)
    assert not cv.duration_only(state, None, None)


def test_expirations_in_other_time_zones_compare_by_their_instant():
    soon = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=-5)))
    assert cv.duration_only(
        Cached(cached_result_expiration=soon + datetime.timedelta(1)), None, None
    )
    assert not cv.duration_only(
        Cached(cached_result_expiration=soon - datetime.timedelta(seconds=1)), None, None
    )


def test_a_naive_expiration_compares_as_before_and_is_not_kept():
    # (Cached makes its expiration aware; another state-like object may not)
    naive = datetime.datetime.now() + datetime.timedelta(days=1)
    with pytest.raises(TypeError):
        cv.duration_only(types.SimpleNamespace(cached_result_expiration=naive), None, None)
    assert id(naive) not in cv._DEADLINES


def test_the_kept_expirations_are_bounded(monkeypatch):
    monkeypatch.setattr(cv, "_MAX_DEADLINES", 3)
    monkeypatch.setattr(cv, "_DEADLINES", {})
    states = [
        Cached(cached_result_expiration=pendulum.now("utc").add(minutes=i + 1)) for i in range(10)
    ]
    assert all(cv.duration_only(s, None, None) for s in states)
    assert len(cv._DEADLINES) <= 3
