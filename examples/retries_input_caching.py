"""Retries that reuse cached inputs.

`fetch` is expensive and runs once. `publish` depends on it and fails on its first two attempts
(a flaky service); with `max_retries=2` it enters Retrying, keeps its inputs in the Retrying
state (`cached_inputs`), and succeeds on the third attempt without `fetch` running again.
`audit` fails every time: after its one retry it ends Failed and the flow is Failed unless
`audit` is left out of the reference tasks - here it is, so the flow succeeds.

    python examples/retries_input_caching.py
    prefect-classic run examples/retries_input_caching.py
"""

import datetime
import sys

from prefect_classic import Flow, task

ATTEMPTS = {"fetch": 0, "publish": 0, "audit": 0}
RETRY_DELAY = datetime.timedelta(seconds=0.1)


@task
def fetch() -> dict:
    ATTEMPTS["fetch"] += 1
    return {"rows": 1234}


@task(max_retries=2, retry_delay=RETRY_DELAY)
def publish(payload: dict) -> str:
    ATTEMPTS["publish"] += 1
    if ATTEMPTS["publish"] < 3:
        raise ConnectionError(f"service unavailable (attempt {ATTEMPTS['publish']})")
    return f"published {payload['rows']} rows"


@task(max_retries=1, retry_delay=RETRY_DELAY)
def audit(payload: dict) -> None:
    ATTEMPTS["audit"] += 1
    raise RuntimeError("the audit service is down for good")


with Flow("retries") as flow:
    data = fetch()
    published = publish(data)
    audited = audit(data)

flow.set_reference_tasks([published])

if __name__ == "__main__":
    state = flow.run()
    for t in flow.sorted_tasks():
        s = state.result[t]
        print(f"{t.name:<8} {type(s).__name__:<8} attempts={ATTEMPTS[t.name]} {s.message}")
    expected = {"fetch": 1, "publish": 3, "audit": 2}
    ok = state.is_successful() and ATTEMPTS == expected and state.result[audited].is_failed()
    print("flow:", type(state).__name__, "| attempts as expected:", ATTEMPTS == expected)
    sys.exit(0 if ok else 1)
