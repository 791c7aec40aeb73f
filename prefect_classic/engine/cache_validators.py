"""Cache validators decide whether a Cached state may be reused.

Each takes `(state, inputs, parameters)`: the candidate `Cached` state, the inputs the task is
about to run with, and the flow run's parameters, and returns True to reuse the cache.
"""
import datetime
from typing import Any, Callable, Dict, Iterable, Optional

from prefect_classic.engine.state import State

__all__ = ["all_inputs", "all_parameters", "duration_only", "never_use", "partial_inputs_only",
           "partial_parameters_only"]


def _unexpired(state: Any) -> bool:
    expiration = getattr(state, "cached_result_expiration", None)
    # a plain aware datetime compares with pendulum's and costs a fraction of pendulum.now()
    return expiration is None or expiration > datetime.datetime.now(datetime.timezone.utc)


def _values(d: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Input dicts may hold Results (cached_inputs) or plain values: compare values."""
    return {k: getattr(v, "value", v) for k, v in (d or {}).items()}


def never_use(state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]) -> bool:
    """Never reuse a cache.

    Returns:
        - bool: False
    """
    return False


def duration_only(state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]) -> bool:
    """Reuse the cache until it expires (the default with `cache_for`).

    Args:
        - state (State): the candidate Cached state
        - inputs (dict): the inputs of this run
        - parameters (dict): the flow parameters of this run

    Returns:
        - bool: whether the cache has not expired
    """
    return _unexpired(state)


def all_inputs(state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]) -> bool:
    """Reuse the cache while unexpired and every input equals the cached run's.

    Args:
        - state (State): the candidate Cached state
        - inputs (dict): the inputs of this run
        - parameters (dict): the flow parameters of this run

    Returns:
        - bool: whether the cache is valid
    """
    return _unexpired(state) and _values(state.cached_inputs) == _values(inputs)


def all_parameters(state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]) -> bool:
    """Reuse the cache while unexpired and the flow parameters equal the cached run's.

    Args:
        - state (State): the candidate Cached state
        - inputs (dict): the inputs of this run
        - parameters (dict): the flow parameters of this run

    Returns:
        - bool: whether the cache is valid
    """
    return _unexpired(state) and (getattr(state, "cached_parameters", None) or {}) == (parameters or {})


def _partial_validator(
    name: str,
    validate_on: Optional[Iterable[str]],
    cached_of: Callable[[State], Dict[str, Any]],
    current_of: Callable[[Optional[Dict[str, Any]], Optional[Dict[str, Any]]], Dict[str, Any]],
) -> Callable[..., bool]:
    """A validator reusing the cache while unexpired and the `validate_on` keys of
    `cached_of(state)` equal those of `current_of(inputs, parameters)`."""
    # the closure variable `names` is what serialization writes as `validate_on`
    names = list(validate_on) if validate_on is not None else None

    def validator(state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]) -> bool:
        if not _unexpired(state):
            return False
        if names is None:
            return True
        cached, current = cached_of(state), current_of(inputs, parameters)
        return all(cached.get(n) == current.get(n) for n in names)

    validator.__name__ = name
    return validator


def partial_parameters_only(validate_on: Optional[Iterable[str]] = None) -> Callable[..., bool]:
    """A validator comparing only the named flow parameters.

    Args:
        - validate_on ([str], optional): the parameter names (None: behaves as `duration_only`)

    Returns:
        - Callable: the validator
    """
    return _partial_validator(
        "partial_parameters_only",
        validate_on,
        lambda state: getattr(state, "cached_parameters", None) or {},
        lambda inputs, parameters: parameters or {},
    )


def partial_inputs_only(validate_on: Optional[Iterable[str]] = None) -> Callable[..., bool]:
    """A validator comparing only the named inputs.

    Args:
        - validate_on ([str], optional): the input names (None: behaves as `duration_only`)

    Returns:
        - Callable: the validator
    """
    return _partial_validator(
        "partial_inputs_only",
        validate_on,
        lambda state: _values(state.cached_inputs),
        lambda inputs, parameters: _values(inputs),
    )
