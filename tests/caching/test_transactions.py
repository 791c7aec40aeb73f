"""Transactions stage the cache records of the task runs inside them and write them only when
every run succeeds."""

import datetime

import pytest

from prefect_classic import Flow, Task, task
from prefect_classic.cache_policies import INPUTS
from prefect_classic.executors import LocalDaskExecutor
from prefect_classic.transactions import Transaction, get_transaction, transaction


def records(storage_dir):
    return (
        sorted(p.name for p in storage_dir.iterdir() if not p.name.startswith("."))
        if storage_dir.exists()
        else []
    )


def keyed_task(key, calls, fail=False, **kwargs):
    @task(cache_key_fn=lambda c, p: key, name=key, **kwargs)
    def work():
        calls.append(key)
        if fail:
            raise RuntimeError(f"{key} failed")
        return key.upper()

    return work


def test_records_are_written_when_the_block_ends_not_before(storage_dir):
    calls = []
    with Flow("staged") as flow:
        keyed_task("alpha", calls)()
    with transaction() as txn:
        assert get_transaction() is txn and txn.is_active()
        assert flow.run().is_successful()
        assert records(storage_dir) == []
    assert txn.is_committed() and records(storage_dir) == ["alpha"]
    assert get_transaction() is None


def test_runs_inside_the_transaction_see_its_staged_records(storage_dir):
    calls = []
    work = keyed_task("beta", calls)
    with Flow("twice") as flow:
        work()
    with transaction():
        flow.run()
        again = flow.run()
    assert calls == ["beta"] and next(iter(again.result.values())).is_cached()


def test_an_exception_leaving_the_block_discards_the_staged_records(storage_dir):
    calls = []
    with Flow("raises") as flow:
        keyed_task("gamma", calls)()
    with pytest.raises(KeyError):
        with transaction() as txn:
            flow.run()
            raise KeyError("boom")
    assert txn.is_rolled_back() and records(storage_dir) == []


def test_a_failing_task_without_caching_also_rolls_back(storage_dir):
    calls = []

    @task
    def plain_failure():
        raise ValueError("no cache here")

    with Flow("mixed") as flow:
        keyed_task("delta", calls)()
        plain_failure()
    with transaction() as txn:
        assert flow.run().is_failed()
    assert txn.is_rolled_back() and "plain_failure" in txn.failures[0]
    assert records(storage_dir) == []


def test_a_failure_that_a_retry_recovers_does_not_roll_back(storage_dir):
    attempts = []

    @task(cache_policy=INPUTS, max_retries=1, retry_delay=datetime.timedelta(0))
    def flaky(x):
        attempts.append(x)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        return x

    with Flow("retry") as flow:
        flaky(1)
    with transaction() as txn:
        assert flow.run().is_successful()
    assert attempts == [1, 1] and txn.is_committed() and len(records(storage_dir)) == 1


def test_a_transaction_inside_a_task_hands_its_records_to_the_outer_one(storage_dir):
    calls = []
    with Flow("inner") as inner_flow:
        keyed_task("inner", calls)()

    class RunsInnerFlow(Task):
        def run(self):
            with transaction() as inner:
                inner_flow.run()
            assert inner.is_committed()
            return "done"

    with Flow("outer") as outer_flow:
        RunsInnerFlow(name="outer-task")()
        keyed_task("sibling", calls, fail=True)()

    with transaction() as outer:
        outer_flow.run()
    assert (
        outer.is_rolled_back() and records(storage_dir) == []
    )  # the sibling failed: nothing written

    alone = Transaction()
    with alone:
        RunsInnerFlow().run()
    assert records(storage_dir) == ["inner"]


def test_thread_pool_workers_stage_on_the_transaction(storage_dir):
    calls = []
    with Flow("threads", executor=LocalDaskExecutor(scheduler="threads", num_workers=2)) as flow:
        for name in ("t1", "t2", "t3"):
            keyed_task(name, calls)()
        keyed_task("t-fail", calls, fail=True)()
    with transaction() as txn:
        flow.run()
    assert sorted(calls) == ["t-fail", "t1", "t2", "t3"]
    assert txn.is_rolled_back() and records(storage_dir) == []


def test_a_transaction_cannot_be_entered_twice():
    txn = transaction(name="once")
    with txn:
        pass
    with pytest.raises(RuntimeError, match="already used"):
        with txn:
            pass
