"""End-to-end checks that a Prefect 1 style flow runs: mapping, retries, parameters."""

import datetime

from prefect_classic import Flow, Parameter, Task, task


class Add(Task):
    def run(self, x, y):
        return x + y


def test_functional_flow_with_map_reduce_and_retry_reaches_success():
    calls = []

    @task
    def inc(x):
        return x + 1

    @task
    def total(xs):
        return sum(xs)

    @task(max_retries=2, retry_delay=datetime.timedelta(seconds=0))
    def flaky(x):
        calls.append(x)
        if len(calls) < 2:
            raise ValueError("boom")
        return x * 10

    with Flow("smoke") as flow:
        p = Parameter("p", default=3)
        a = Add()(p, 2)
        t = total(inc.map([1, 2, 3]))
        f = flaky(a)

    state = flow.run()
    assert state.is_successful()
    assert state.result[a].result == 5
    assert state.result[t].result == 9
    assert state.result[f].result == 50
    # the retry re-used the cached input 5 instead of re-running Add
    assert calls == [5, 5]
