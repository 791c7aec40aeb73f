"""Output caching with `cache_for` and each cache validator.

A task with `cache_for` stores its output in the process-wide cache for that long. On the next
run its `cache_validator` decides whether the stored output still fits:

- `duration_only`           any unexpired cache is valid (the default with `cache_for`)
- `all_inputs`              the task's inputs must equal the cached ones
- `all_parameters`          the flow's parameters must equal the cached ones
- `partial_inputs_only`     only the listed inputs must match
- `partial_parameters_only` only the listed parameters must match
- `never_use`               never reuse (the default without `cache_for`)

The flow runs three times in one process: with x=1, y=10; again unchanged; then with y=20.

    python examples/caching_validators.py
    prefect-classic run examples/caching_validators.py
"""

import datetime
import sys

from prefect_classic import Flow, Parameter, task
from prefect_classic.engine import cache_validators as cv

ONE_HOUR = datetime.timedelta(hours=1)
VALIDATORS = {
    "duration_only": cv.duration_only,
    "all_inputs": cv.all_inputs,
    "all_parameters": cv.all_parameters,
    "partial_inputs_only": cv.partial_inputs_only(validate_on=["x"]),
    "partial_parameters_only": cv.partial_parameters_only(validate_on=["y"]),
    "never_use": cv.never_use,
}


CALLS = {label: 0 for label in VALIDATORS}


def make_cached_task(label: str, validator):
    @task(name=label, cache_for=ONE_HOUR, cache_validator=validator)
    def combine(x: int, y: int) -> int:
        CALLS[label] += 1
        return x * y

    return combine


with Flow("caching-validators") as flow:
    x = Parameter("x", default=1)
    y = Parameter("y", default=10)
    cached = {label: make_cached_task(label, v)(x, y) for label, v in VALIDATORS.items()}

# which tasks should reuse their cache on runs 2 and 3 (run 1 computes everything). A task
# with `cache_for` always ends in a Cached state; a cache *hit* is a run where run() was not called.
EXPECTED = {
    "first": set(),
    "unchanged": {
        "duration_only",
        "all_inputs",
        "all_parameters",
        "partial_inputs_only",
        "partial_parameters_only",
    },
    "y changed": {"duration_only", "partial_inputs_only"},
}

if __name__ == "__main__":
    ok = True
    runs = [
        ("first", {"x": 1, "y": 10}),
        ("unchanged", {"x": 1, "y": 10}),
        ("y changed", {"x": 1, "y": 20}),
    ]
    for title, params in runs:
        calls_before = dict(CALLS)
        state = flow.run(parameters=params)
        hits = {label for label in VALIDATORS if CALLS[label] == calls_before[label]}
        print(f"== run '{title}' {params}: {type(state).__name__}")
        for label, t in cached.items():
            how = "cache hit" if label in hits else "computed"
            print(f"   {label:<24} {how:<10} result={state.result[t].result}")
        ok = ok and state.is_successful() and hits == EXPECTED[title]
    print("cache hits as expected:", ok)
    sys.exit(0 if ok else 1)
