"""Durable caching with cache policies and a transaction, on classic tasks.

- `fetch` is cached by its inputs (`INPUTS - "verbose"`: the `verbose` flag is not part of the
  key) for one day; its records live in `<home_dir>/storage/`, so a second run of this script —
  a new Python process — finds them and does not call it again.
- `load` / `publish` run inside a transaction with fixed cache keys: their records are written
  only when both succeed. Run with `--fail` first: `publish` fails, nothing is cached, and the
  next run executes both again.

    python examples/cache_policies.py            # first run: every task runs
    python examples/cache_policies.py            # second run: every task is Cached
    python examples/cache_policies.py --fail     # with a fresh home: nothing gets cached
"""

import datetime
import sys

from prefect_classic import Flow, Parameter, Task, task, unmapped
from prefect_classic.cache_policies import INPUTS, TASK_SOURCE
from prefect_classic.transactions import transaction


@task(cache_policy=INPUTS - "verbose", cache_expiration=datetime.timedelta(days=1))
def fetch(city: str, verbose: bool = False) -> dict:
    if verbose:
        print(f"fetching {city}...")
    return {"city": city, "temperature": len(city) * 3}


class Load(Task):
    """Loads the data set; cached by its code and a fixed key part."""

    def run(self) -> list:
        return [1, 2, 3]


@task(cache_key_fn=lambda context, parameters: f"publish-{len(parameters['rows'])}")
def publish(rows: list, fail: bool) -> int:
    if fail:
        raise RuntimeError("publishing failed")
    return sum(rows)


with Flow("cache-policies") as flow:
    fail = Parameter("fail", default=False)
    weather = fetch.map(["Paris", "Oslo", "Lima"], verbose=unmapped(True))
    rows = Load(cache_policy=TASK_SOURCE)()
    total = publish(rows, fail)


if __name__ == "__main__":
    with transaction() as txn:
        state = flow.run(fail="--fail" in sys.argv)
    children = state.result[weather].map_states
    print("fetch:", ", ".join(type(s).__name__ for s in children))
    print("Load:", type(state.result[rows]).__name__)
    print("publish:", type(state.result[total]).__name__)
    print(f"transaction {'committed' if txn.is_committed() else 'rolled back'}")
