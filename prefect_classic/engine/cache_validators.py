"""Cache validators decide whether a Cached state may be reused.

Each takes `(state, inputs, parameters)`: the candidate `Cached` state, the inputs the task is
about to run with, and the flow run's parameters, and returns True to reuse the cache.
"""

import datetime
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from prefect_classic.engine.state import State
from prefect_classic.utilities.collections import keep_bounded

__all__ = [
    "all_inputs",
    "all_parameters",
    "compares_inputs",
    "duration_only",
    "never_use",
    "partial_inputs_only",
    "partial_parameters_only",
]


#: id of an aware expiration datetime -> (that datetime, its POSIX timestamp): working out a
#: pendulum datetime's UTC offset cost more than the rest of a cache hit, and a Cached state's
#: expiration is compared again on every hit
_DEADLINES: Dict[int, Tuple[Any, float]] = {}
_MAX_DEADLINES = 10_000


def _unexpired(state: Any) -> bool:
    expiration = getattr(state, "cached_result_expiration", None)
    if expiration is None:
        return True
    kept = _DEADLINES.get(id(expiration))
    if kept is None or kept[0] is not expiration:
        if not isinstance(expiration, datetime.datetime) or expiration.tzinfo is None:
            # (a plain aware datetime compares with pendulum's and costs less than pendulum.now())
            return expiration > datetime.datetime.now(datetime.timezone.utc)
        kept = keep_bounded(
            _DEADLINES, id(expiration), (expiration, expiration.timestamp()), _MAX_DEADLINES
        )
    return kept[1] > time.time()


def _values(d: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Input dicts may hold Results (cached_inputs) or plain values: compare values."""
    return {k: getattr(v, "value", v) for k, v in (d or {}).items()}


def _token(value: Any) -> str:
    """The dask token of a value: what Prefect 1 keeps in `Cached.hashed_inputs`."""
    from dask.base import tokenize  # dask is optional: only states carrying hashes need it

    return tokenize(value)


def _cached_inputs_of(state: Any, names: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """The cached run's inputs (limited to `names`): its hashes when it has them, else values."""
    hashed = getattr(state, "hashed_inputs", None)
    found = hashed if hashed is not None else _values(state.cached_inputs)
    return found if names is None else {k: v for k, v in found.items() if k in names}


def _current_inputs_like(
    state: Any, inputs: Optional[Dict[str, Any]], names: Optional[Iterable[str]] = None
) -> Dict[str, Any]:
    """This run's inputs (limited to `names`), hashed when the cached state holds hashes."""
    current = _values(inputs)
    if names is not None:
        current = {k: v for k, v in current.items() if k in names}
    if getattr(state, "hashed_inputs", None) is not None:
        return {k: _token(v) for k, v in current.items()}
    return current


def never_use(
    state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]
) -> bool:
    """Never reuse a cache.

    Returns:
        - bool: False
    """
    return False


def duration_only(
    state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]
) -> bool:
    """Reuse the cache until it expires (the default with `cache_for`).

    Args:
        - state (State): the candidate Cached state
        - inputs (dict): the inputs of this run
        - parameters (dict): the flow parameters of this run

    Returns:
        - bool: whether the cache has not expired
    """
    return _unexpired(state)


def all_inputs(
    state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]
) -> bool:
    """Reuse the cache while unexpired and every input equals the cached run's.

    Args:
        - state (State): the candidate Cached state
        - inputs (dict): the inputs of this run
        - parameters (dict): the flow parameters of this run

    Returns:
        - bool: whether the cache is valid
    """
    return _unexpired(state) and _cached_inputs_of(state) == _current_inputs_like(state, inputs)


def all_parameters(
    state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]
) -> bool:
    """Reuse the cache while unexpired and the flow parameters equal the cached run's.

    Args:
        - state (State): the candidate Cached state
        - inputs (dict): the inputs of this run
        - parameters (dict): the flow parameters of this run

    Returns:
        - bool: whether the cache is valid
    """
    return _unexpired(state) and (getattr(state, "cached_parameters", None) or {}) == (
        parameters or {}
    )


def _partial_validator(
    name: str,
    validate_on: Optional[Iterable[str]],
    cached_of: Callable[[State, List[str]], Dict[str, Any]],
    current_of: Callable[
        [State, Optional[Dict[str, Any]], Optional[Dict[str, Any]], List[str]], Dict[str, Any]
    ],
) -> Callable[..., bool]:
    """A validator reusing the cache while unexpired and the `validate_on` entries of
    `cached_of(state, names)` equal those of `current_of(state, inputs, parameters, names)` (a
    name missing on both sides matches)."""
    # the closure variable `names` is what serialization writes as `validate_on`
    names = list(validate_on) if validate_on is not None else None

    def validator(
        state: State, inputs: Optional[Dict[str, Any]], parameters: Optional[Dict[str, Any]]
    ) -> bool:
        if not _unexpired(state):
            return False
        if names is None:
            return True
        return cached_of(state, names) == current_of(state, inputs, parameters, names)

    validator.__name__ = name
    validator.compares_inputs = name == "partial_inputs_only" and names is not None  # type: ignore[attr-defined]
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
        lambda state, names: {
            k: v for k, v in (getattr(state, "cached_parameters", None) or {}).items() if k in names
        },
        lambda state, inputs, parameters, names: {
            k: v for k, v in (parameters or {}).items() if k in names
        },
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
        _cached_inputs_of,
        lambda state, inputs, parameters, names: _current_inputs_like(state, inputs, names),
    )


all_inputs.compares_inputs = True  # type: ignore[attr-defined]


def compares_inputs(validator: Callable[..., bool]) -> bool:
    """Whether a validator only accepts a cache made from the same inputs (`all_inputs`,
    `partial_inputs_only(validate_on=[...])`). The children of a mapped task share such caches
    across map indexes; with any other validator a child only reuses its own index's cache.

    Args:
        - validator (Callable): the validator

    Returns:
        - bool: whether it compares the inputs
    """
    return bool(getattr(validator, "compares_inputs", False))
