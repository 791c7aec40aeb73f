"""The caching scope a task run is entered in: however the run ends, its locks are released
(explicitly, not by garbage collection) and its final state reaches the open transaction, so a
failure anywhere in the block rolls every record back."""

import gc
import os

import pytest
from filelock import FileLock, Timeout

from prefect_classic import Flow, Task, task
from prefect_classic.engine import caching
from prefect_classic.engine.caching.locks import held_locks
from prefect_classic.engine.caching.memory import memory_key
from prefect_classic.engine.results import LocalResult
from prefect_classic.transactions import transaction


def records(storage_dir):
    return (
        sorted(p.name for p in storage_dir.iterdir() if not p.name.startswith("."))
        if storage_dir.exists()
        else []
    )


@task(cache_key_fn=lambda c, p: "sibling-key")
def sibling():
    return "fine"


def run_in_transaction(flow, **kwargs):
    with transaction() as txn:
        state = flow.run(**kwargs)
    return txn, state


def raising_handler(task_obj, old, new):
    if new.is_running():
        raise RuntimeError("handler broke")
    return new


@pytest.mark.parametrize(
    "case",
    ["state handler raises", "target template fails", "nothing to map over", "unexpected error"],
)
def test_every_early_end_of_a_run_rolls_the_transaction_back(case, storage_dir, tmp_path):
    with Flow(f"early end: {case}") as flow:
        sibling()
        if case == "state handler raises":
            Task(name="handled", state_handlers=[raising_handler])()
        elif case == "target template fails":
            Task(
                name="templated",
                target="{no_such_field}.bin",
                checkpoint=True,
                result=LocalResult(dir=str(tmp_path)),
            )()
        elif case == "nothing to map over":

            @task
            def five():
                return 5

            @task
            def per_item(x):
                return x

            per_item.map(five())
        else:

            def broken_name(**kwargs):
                raise ValueError("the run name cannot be made")

            Task(name="unnamed", task_run_name=broken_name)()
    txn, state = run_in_transaction(flow)
    assert state.is_failed()
    assert txn.is_rolled_back() and txn.failures, case
    assert records(storage_dir) == []  # the sibling succeeded, but its record was not written


def test_without_failures_the_same_flow_commits(storage_dir):
    with Flow("fine") as flow:
        sibling()
        Task(name="plain")()
    txn, state = run_in_transaction(flow)
    assert state.is_successful() and txn.is_committed() and records(storage_dir) == ["sibling-key"]


def lock_is_free(key):
    """Whether another holder could take `key`'s lock file now (flock is per open file, so a
    fresh FileLock of this process competes like another process would)."""
    manager = caching.record_store_for(caching.default_storage()).lock_manager
    probe = FileLock(
        os.path.join(manager.folder, f"{manager.stripe_of(key):04d}.lock"), is_singleton=False
    )
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return False
    probe.release()
    return True


@pytest.mark.parametrize(
    "ending", ["success", "failure", "trigger fails after the miss", "handler raises"]
)
def test_no_lock_outlives_its_run_without_garbage_collection(ending):
    key = f"lock-check {ending}"

    @task
    def upstream():
        if ending == "trigger fails after the miss":
            raise ValueError("upstream failed")
        return 1

    @task(
        cache_key_fn=lambda c, p: key,
        state_handlers=[raising_handler] if ending == "handler raises" else [],
    )
    def keyed(x):
        if ending == "failure":
            raise ValueError("body failed")
        return x

    with Flow(f"locks: {ending}") as flow:
        keyed(upstream())
    gc.disable()
    try:
        state = flow.run()
        assert state.is_successful() == (ending == "success")
        assert held_locks() == []
        assert lock_is_free(key)
    finally:
        gc.enable()


def test_the_memory_key_rule_is_the_cache_key_else_the_name():
    assert memory_key(Task(name="n")) == "n"
    assert memory_key(Task(name="n", cache_key="shared")) == "shared"


def test_lock_files_and_entries_stay_bounded_however_many_keys(tmp_path):
    manager = caching.FileLockManager(str(tmp_path / "locks"))
    for number in range(3000):
        manager.acquire(f"key {number}", owner="me").release()
    files = os.listdir(tmp_path / "locks")
    assert len(files) <= manager.stripes < 3000
    assert manager.entry_count() <= manager.stripes
    assert held_locks() == []


def test_a_lock_wait_is_bounded_and_names_the_key(tmp_path):
    manager = caching.FileLockManager(str(tmp_path / "locks"))
    held = manager.acquire("busy key", owner="first")
    again = manager.acquire("busy key", owner="first")  # the owner re-enters
    try:
        with pytest.raises(caching.LockTimeout, match="'busy key'"):
            manager.acquire("busy key", owner="second", timeout=0.05)
    finally:
        held.release()
        held.release()  # a second release of one lease does nothing
    with pytest.raises(caching.LockTimeout):
        manager.acquire("busy key", owner="second", timeout=0.05)  # still held once
    again.release()
    lease = manager.acquire("busy key", owner="second", timeout=0.05)
    assert lease is not None
    lease.release()
    assert held_locks() == []


def test_an_owner_never_waits_for_a_lock_ranking_below_one_it_holds(tmp_path):
    """The deadlock-avoidance rule: holding a higher-ranked lock, an owner only tries a lower one
    (and gets None when it is busy) instead of waiting for it."""
    manager = caching.FileLockManager(str(tmp_path / "locks"))
    keys = sorted((f"k{i}" for i in range(20)), key=manager.stripe_of)
    low, high = keys[0], keys[-1]
    assert manager.stripe_of(low) < manager.stripe_of(high)
    other = manager.acquire(low, owner="other")
    mine = manager.acquire(high, owner="me")
    try:
        assert manager.acquire(low, owner="me", timeout=30) is None  # returns at once
    finally:
        mine.release()
        other.release()
    for lease in [manager.acquire(k, owner="x") for k in keys]:
        lease.release()
    assert held_locks() == []


def test_task_runs_with_more_keys_than_lock_files_leave_a_bounded_lock_folder(storage_dir):
    manager = caching.record_store_for(caching.default_storage()).lock_manager
    keys = 300  # more than the 256 lock files

    def keyed(number):
        @task(name=f"t{number}", cache_key_fn=lambda c, p: f"key {number}")
        def work():
            return number

        return work

    with Flow("many keys") as flow:
        for number in range(keys):
            keyed(number)()
    assert flow.run().is_successful()
    assert len(records(storage_dir)) == keys
    assert len(os.listdir(storage_dir / ".locks")) <= manager.stripes < keys
    assert manager.entry_count() <= manager.stripes


@pytest.mark.parametrize("kind", ["_FlockFile", "_PortableFile"])
def test_both_file_locks_exclude_each_other_and_time_out(tmp_path, kind):
    """The POSIX lock (flock) and the portable one (filelock, used where fcntl is missing)."""
    from prefect_classic.engine.caching import locks

    cls = getattr(locks, kind)
    first, second = cls(str(tmp_path / "a.lock")), cls(str(tmp_path / "a.lock"))
    assert first.try_acquire()
    assert not second.try_acquire() and not second.acquire(0.05)
    first.release()
    assert second.acquire(1.0)
    second.release()
