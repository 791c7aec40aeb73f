"""`CacheScope`: the one `with` block a task run's caching happens in.

The TaskRunner enters a scope once per run (`with CacheScope(runner) as scope:`) and puts it in
the run's context (`cache_scope`). The cache steps delegate to it: `check_target` (single writer
per target), `check_policy_cache` / `store_policy_cache` (durable records). Whatever the steps
took is given back when the block ends, and the run's final state (`scope.final_state`, set by
the runner; or the exception leaving the block) is reported to the open transaction, whichever
way the run ended: a failure marks the transaction failed, so it rolls back.
"""

import os
import threading
from typing import Any, Dict, List, Optional

import pendulum

from prefect_classic import transactions as _transactions
from prefect_classic.engine.caching.locks import FileLockManager, Lease, LockManager, LockTimeout
from prefect_classic.engine.caching.plans import RecordPlan, now, plan_for
from prefect_classic.engine.caching.records import RecordStore, decode_record, encode_record
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.runner import ENDRUN
from prefect_classic.engine.state import Cached, Failed, State
from prefect_classic.transactions import IsolationLevel, UnsupportedIsolationLevel
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.executors import RecursiveCall

__all__ = ["CacheScope", "PendingWrite", "current_scope", "target_lock_manager"]


def current_scope() -> Optional["CacheScope"]:
    """The scope of the task run in progress in this thread, if any."""
    return prefect_context.get("cache_scope")


_TARGET_LOCKS: Dict[str, LockManager] = {}


def target_lock_manager() -> LockManager:
    """The locks of targets: files in `<home_dir>/locks/` (one folder for every target)."""
    from prefect_classic.configuration import config

    home = os.path.expanduser(str(config.home_dir))
    found = _TARGET_LOCKS.get(home)
    if found is None:
        found = _TARGET_LOCKS[home] = FileLockManager(os.path.join(home, "locks"))
    return found


def _lock_targets() -> bool:
    from prefect_classic.configuration import config

    tasks = config.get("tasks")
    return bool(tasks.get("lock_targets", True)) if tasks is not None else True


class PendingWrite:
    """A record ready to be written, now or when its transaction commits; it keeps the key's
    lease (SERIALIZABLE) until then."""

    __slots__ = ("store", "key", "data", "value", "expires_at", "exclusive", "lease")

    def __init__(
        self,
        store: RecordStore,
        key: str,
        data: bytes,
        value: Any,
        expires_at: Optional[float],
        exclusive: bool,
        lease: Optional[Lease],
    ):
        self.store = store
        self.key = key
        self.data = data
        self.value = value
        self.expires_at = expires_at
        self.exclusive = exclusive
        self.lease = lease

    def commit(self) -> bool:
        """Write the record; False when `exclusive` and another writer stored one first."""
        return self.store.write(self.key, self.data, self.exclusive)

    def release(self) -> None:
        """Give back the key's lease (once)."""
        lease, self.lease = self.lease, None
        if lease is not None:
            lease.release()


class CacheScope:
    """The caching of one task run (see the module docs).

    Args:
        - runner (TaskRunner): the runner
        - name (str, optional): the task run's name for messages (default: the task's name)
    """

    __slots__ = ("runner", "name", "transaction", "plan", "leases", "existing", "final_state")

    def __init__(self, runner: Any, name: Optional[str] = None):
        self.runner = runner
        self.name = name or runner.task.name
        #: the open transaction (read once: transactions are rare, `ACTIVE_COUNT` is a cheap test)
        self.transaction: Any = (
            prefect_context.get("transaction") if _transactions.ACTIVE_COUNT else None
        )
        self.plan: Optional[RecordPlan] = None
        self.leases: List[Lease] = []
        self.existing = False
        #: the run's final state, set by the runner before the block ends
        self.final_state: Optional[State] = None

    def __enter__(self) -> "CacheScope":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        leases, self.leases = self.leases, []
        for lease in leases:
            lease.release()
        txn = self.transaction
        if txn is None or exc_type is RecursiveCall:  # a LOOP goes on in a new scope
            return
        if exc_type is not None:
            txn.mark_failed(f"task '{self.name}' raised {exc!r}")
        elif self.final_state is not None and self.final_state.is_failed():
            txn.mark_failed(
                f"task '{self.name}' finished in state {type(self.final_state).__name__}"
            )

    def __reduce__(self) -> Any:
        # a flat context handed to a worker process must not carry this run's locks
        return (_detached, ())

    # --- locks ----------------------------------------------------------------------------------
    def _serializable(self) -> bool:
        txn = self.transaction
        return txn is not None and txn.isolation_level == IsolationLevel.SERIALIZABLE

    def _owner(self) -> Any:
        """Who holds the locks: the outermost SERIALIZABLE transaction (its runs re-enter them,
        and they are held until it ends), else this thread."""
        return self.transaction.root if self._serializable() else threading.get_ident()

    def lock(self, manager: LockManager, key: str) -> Optional[Lease]:
        """Take `key`'s lock, held until the scope ends (see `locks` for when it is not waited
        for, and then None is returned).

        Raises:
            - ENDRUN: with a Failed state naming the key when the wait times out
        """
        timeout = self.transaction.lock_timeout if self.transaction is not None else None
        try:
            lease = manager.acquire(key, self._owner(), timeout=timeout)
        except LockTimeout as exc:
            raise ENDRUN(Failed(str(exc), result=exc)) from exc
        if lease is not None:
            self.leases.append(lease)
        return lease

    # --- targets --------------------------------------------------------------------------------
    def lock_target(self, result: Result, location: str) -> bool:
        """Become the one writer of a missing target: wait for the run that holds its lock.

        Args:
            - result (Result): the task's Result
            - location (str): the formatted target

        Returns:
            - bool: True when this run now holds the target's lock (look again: the run it
                waited for may have written it); False when targets are not locked
        """
        if not _lock_targets():
            return False
        key = _target_identity(result, location)
        return self.lock(target_lock_manager(), key) is not None

    # --- records --------------------------------------------------------------------------------
    def check_records(self, state: State, inputs: Dict[str, Result]) -> State:
        """A Cached state from the run's cache record (staged in the transaction, or stored), else
        `state`. On a miss the run takes the key's lock (outside transactions and in SERIALIZABLE
        ones), and looks again once it holds it.

        Raises:
            - ENDRUN: Failed with an `UnsupportedIsolationLevel` error in a SERIALIZABLE
                transaction whose storage has no locks, or with a `LockTimeout`
        """
        self.plan = None
        if state.is_finished():
            return state
        plan = plan_for(self.runner, inputs)
        if plan is None:
            return state
        self.plan = plan
        if not plan.refresh:
            hit = self._lookup(plan, inputs)
            if hit is not None:
                return hit
        if self.transaction is not None and not self._serializable():
            return state  # READ_COMMITTED: no locks
        manager = plan.store.lock_manager
        if not manager.supports_locking:
            if self._serializable():
                error = UnsupportedIsolationLevel(
                    f"Task '{prefect_context.get('task_full_name', plan.task.name)}': the SERIALIZABLE isolation level "
                    f"needs cache storage with locks, and {type(plan.store.result).__name__} storage has none; use "
                    "IsolationLevel.READ_COMMITTED, LocalResult storage, or give the store a lock manager "
                    "(`record_store_for(result).lock_manager = ...`)."
                )
                raise ENDRUN(Failed(str(error), result=error))
            return state
        lease = self.lock(manager, plan.key)
        if lease is not None and not plan.refresh:
            hit = self._lookup(plan, inputs)  # the run we waited for may have written it
            if hit is not None:
                self.leases.remove(lease)
                lease.release()
                return hit
        return state

    def _lookup(self, plan: RecordPlan, inputs: Dict[str, Result]) -> Optional[State]:
        current = now()
        if self.transaction is not None:
            staged = self.transaction.get_staged(plan.identity)
            if staged is not None and (staged.expires_at is None or staged.expires_at > current):
                return self._cached(
                    plan, staged.value, staged.expires_at, inputs, "staged in the transaction"
                )
        store = plan.store
        logger = self.runner.logger
        try:
            data = store.read(plan.key)
        except Exception as exc:
            logger.warning(f"Could not read cache record {store.describe(plan.key)}: {exc}")
            self.existing = True  # something is there: the new record replaces it
            return None
        if data is None:
            return None
        self.existing = True
        try:
            header, value_bytes = decode_record(data)
            expires_at = header.get("expires_at")
            if (expires_at is not None and expires_at <= current) or not plan.matches(header):
                return None
            value = store.serializer.deserialize(value_bytes)
        except Exception as exc:
            logger.warning(
                f"Cache record {store.describe(plan.key)} could not be read ({exc!r}); running the task again."
            )
            return None
        return self._cached(plan, value, expires_at, inputs, f"found at {store.describe(plan.key)}")

    def _cached(
        self,
        plan: RecordPlan,
        value: Any,
        expires_at: Optional[float],
        inputs: Dict[str, Result],
        where: str,
    ) -> State:
        result = plan.store.result.from_value(value)
        result.location = plan.key
        state = Cached(
            result=result,
            cached_inputs=dict(inputs),
            cached_parameters=prefect_context.get("parameters"),
            cached_result_expiration=None
            if expires_at is None
            else pendulum.from_timestamp(expires_at),
            message=f"Cached result {where}",
        )
        plan.remember(state)
        return state

    def store_records(self, state: State, inputs: Dict[str, Result]) -> State:
        """Write (or stage, in a transaction) the record of a successful run.

        Returns:
            - State: `state`, or Cached with the value another process stored first
        """
        plan, self.plan = self.plan, None
        if plan is None or plan.task is not self.runner.task or not plan.writes(state):
            return state
        value = state.result
        current = now()
        expires_at = plan.expires_at(state, current)
        store = plan.store
        header = dict(
            plan.header,
            key=plan.key,
            created_at=current,
            expires_at=expires_at,
            serializer=type(store.serializer).__name__,
        )
        try:
            data = encode_record(header, store.serializer.serialize(value))
        except Exception as exc:
            self.runner.logger.warning(
                f"The result of task '{plan.task.name}' could not be serialized for the cache: {exc}"
            )
            return state
        lease = self._lease_of(plan)
        write = PendingWrite(
            store,
            plan.key,
            data,
            value,
            expires_at,
            exclusive=not self.existing and not plan.refresh,
            lease=None,
        )
        if self.transaction is not None:
            if lease is not None:  # SERIALIZABLE: the lock is held until the transaction ends
                self.leases.remove(lease)
                write.lease = lease
            self.transaction.stage(plan.identity, write)
            return state
        try:
            written = write.commit()
        except Exception as exc:
            self.runner.logger.warning(
                f"Could not write cache record {store.describe(plan.key)}: {exc}"
            )
            return state
        return state if written else self._adopt(plan, state)

    def _lease_of(self, plan: RecordPlan) -> Optional[Lease]:
        for lease in self.leases:
            if lease.key == plan.key and lease.manager is plan.store.lock_manager:
                return lease
        return None

    def _adopt(self, plan: RecordPlan, state: State) -> State:
        """Another process stored this key first: take its value, so both runs agree."""
        try:
            data = plan.store.read(plan.key)
            if data is None:  # pragma: no cover - deleted in between
                return state
            header, value_bytes = decode_record(data)
            value = plan.store.serializer.deserialize(value_bytes)
        except Exception:  # pragma: no cover - keep our own value
            return state
        result = plan.store.result.from_value(value)
        result.location = plan.key
        expires_at = header.get("expires_at")
        return Cached(
            result=result,
            cached_inputs=getattr(state, "cached_inputs", None),
            cached_parameters=prefect_context.get("parameters"),
            cached_result_expiration=None
            if expires_at is None
            else pendulum.from_timestamp(expires_at),
            message=f"Cached result written first by another run at {plan.store.describe(plan.key)}",
        )


def _target_identity(result: Result, location: str) -> str:
    """A name for a target that is the same in every process: an absolute path for a
    LocalResult, a URL for bucket storage."""
    folder = getattr(result, "dir", None)
    if folder is not None:
        return os.path.abspath(os.path.join(os.path.expanduser(folder), location))
    container = getattr(result, "_container", None)
    if container is not None:
        return f"{getattr(result, 'scheme', type(result).__name__)}://{container}/{location}"
    return f"{type(result).__qualname__}:{location}"


def _detached() -> None:
    return None
