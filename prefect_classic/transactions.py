"""Transactions: cache records of several task runs are written together or not at all.

```python
from prefect_classic.transactions import transaction

with transaction():
    flow.run()
```

While a transaction is active (in this thread, and in the worker threads of thread-based
executors, which inherit the run context), the cache records that task runs would write are
staged on it. When the block ends, they are written only if no task run inside it failed and no
exception left the block; otherwise they are discarded, so a rerun executes those tasks again,
together. A task run inside the transaction also sees the records staged before it (a repeated
call is Cached). A transaction opened inside another (e.g. inside a task's `run()`) hands its
staged records to the outer one, which writes them when it commits.

Isolation levels (as in Prefect 3): with `READ_COMMITTED` (the default) a task run reads only
committed records and takes no lock, so two processes computing one key may both compute it (the
first record written wins). With `SERIALIZABLE` a task run that misses takes the key's lock and
holds it until the transaction ends, so another process waits for the commit and then reads the
record: one computation per key. It needs storage with locks (LocalResult storage); a task run
whose storage has none (a bucket) fails with `UnsupportedIsolationLevel`. Lock waits are bounded
by `lock_timeout` (default `tasks.cache_lock_timeout`) and cannot deadlock (see
`prefect_classic.engine.caching.locks`).

A task run reports its final state to the transaction however it ended (a failed run, a state
handler or trigger that raised, a target that could not be formatted, nothing to map over, an
unexpected error): any failure rolls the transaction back.

Flows run with process-based executors do not share the transaction with their workers: a
transaction pickles to None, so task runs in worker processes write their records directly.
"""

import threading
from typing import Any, Dict, Hashable, List, Optional

from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.logging import get_logger

__all__ = [
    "IsolationLevel",
    "Transaction",
    "TransactionState",
    "UnsupportedIsolationLevel",
    "get_transaction",
    "transaction",
]

#: how many transactions are open in this process; the task runner checks it (a plain attribute
#: read) to decide whether tasks without caching must report their failures
ACTIVE_COUNT = 0
_COUNT_LOCK = threading.Lock()


class IsolationLevel:
    """How the cache records of a transaction's task runs are isolated from other processes."""

    #: read only committed records; no locks
    READ_COMMITTED = "READ_COMMITTED"
    #: lock each missed key until the transaction ends: one computation per key
    SERIALIZABLE = "SERIALIZABLE"


class UnsupportedIsolationLevel(ValueError):
    """The cache storage of a task run cannot give the transaction's isolation level."""


class TransactionState:
    """The states of a transaction."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    COMMITTED = "COMMITTED"
    ROLLED_BACK = "ROLLED_BACK"


class Transaction:
    """A unit of work whose staged cache records are committed together.

    Use it as a context manager (see `transaction()`). Staged writes are objects with `commit()`
    (write the record) and `release()` (drop any lock held for it) methods and a `value`.

    Args:
        - name (str, optional): a name for logs
        - isolation_level (str, optional): `IsolationLevel.READ_COMMITTED` or `SERIALIZABLE`
            (default: the outer transaction's, else READ_COMMITTED)
        - lock_timeout (float, optional): seconds a task run waits for a key's lock (default
            `tasks.cache_lock_timeout`)
    """

    def __init__(
        self,
        name: Optional[str] = None,
        isolation_level: Optional[str] = None,
        lock_timeout: Optional[float] = None,
    ):
        if isolation_level is not None and isolation_level not in (
            IsolationLevel.READ_COMMITTED,
            IsolationLevel.SERIALIZABLE,
        ):
            raise ValueError(
                f"transaction(): `isolation_level` must be IsolationLevel.READ_COMMITTED or "
                f"IsolationLevel.SERIALIZABLE, not {isolation_level!r}"
            )
        if lock_timeout is not None and (
            isinstance(lock_timeout, bool)
            or not isinstance(lock_timeout, (int, float))
            or lock_timeout < 0
        ):
            raise ValueError(
                f"transaction(): `lock_timeout` must be a number of seconds >= 0, not {lock_timeout!r}"
            )
        self.name = name
        self._isolation_level = isolation_level
        self._lock_timeout = lock_timeout
        self.state = TransactionState.PENDING
        self.parent: Optional[Transaction] = None
        self.failures: List[str] = []
        self._staged: Dict[Hashable, Any] = {}
        self._lock = threading.RLock()
        self._overlay: Any = None
        self._counted = False
        self.logger = get_logger("Transaction")

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<Transaction{label}: {self.state}, {len(self._staged)} staged>"

    @property
    def isolation_level(self) -> str:
        """The isolation level: as given, else the outer transaction's, else READ_COMMITTED."""
        txn: Optional[Transaction] = self
        while txn is not None:
            if txn._isolation_level is not None:
                return txn._isolation_level
            txn = txn.parent
        return IsolationLevel.READ_COMMITTED

    @property
    def lock_timeout(self) -> Optional[float]:
        """Seconds a task run waits for a key's lock (None: `tasks.cache_lock_timeout`)."""
        txn: Optional[Transaction] = self
        while txn is not None:
            if txn._lock_timeout is not None:
                return float(txn._lock_timeout)
            txn = txn.parent
        return None

    @property
    def root(self) -> "Transaction":
        """The outermost transaction this one is nested in (itself when it is not nested)."""
        txn = self
        while txn.parent is not None:
            txn = txn.parent
        return txn

    def is_active(self) -> bool:
        """Whether the block is running."""
        return self.state == TransactionState.ACTIVE

    def is_committed(self) -> bool:
        """Whether the staged records were committed (to storage, or to the outer transaction)."""
        return self.state == TransactionState.COMMITTED

    def is_rolled_back(self) -> bool:
        """Whether the staged records were discarded."""
        return self.state == TransactionState.ROLLED_BACK

    # --- staging ----------------------------------------------------------------------------------
    def stage(self, identity: Hashable, write: Any) -> None:
        """Stage a record write; a later write with the same identity replaces it.

        Args:
            - identity (Hashable): what the record is (its storage and key)
            - write (Any): the pending write (`commit()`, `release()`, `value`)
        """
        with self._lock:
            old = self._staged.pop(identity, None)
            self._staged[identity] = write
        if old is not None and old is not write:
            old.release()

    def get_staged(self, identity: Hashable) -> Any:
        """The write staged under `identity` here or in an outer transaction, or None.

        Args:
            - identity (Hashable): the record's storage and key

        Returns:
            - the pending write, or None
        """
        txn: Optional[Transaction] = self
        while txn is not None:
            found = txn._staged.get(identity)
            if found is not None:
                return found
            txn = txn.parent
        return None

    def mark_failed(self, reason: str) -> None:
        """Record that a task run inside the transaction failed: the block will roll back.

        Args:
            - reason (str): what failed (shown in the log)
        """
        with self._lock:
            self.failures.append(reason)

    # --- ending -------------------------------------------------------------------------------------
    def commit(self) -> bool:
        """Write the staged records (or hand them to the outer transaction).

        Returns:
            - bool: True when committed; False when it rolled back instead because a write failed
        """
        with self._lock:
            staged, self._staged = self._staged, {}
        if self.parent is not None:
            for identity, write in staged.items():
                self.parent.stage(identity, write)
            self.state = TransactionState.COMMITTED
            return True
        pending = list(staged.values())
        try:
            while pending:
                write = pending[0]
                write.commit()
                pending.pop(0)
                write.release()
        except Exception:
            self.logger.exception(
                f"{self!r}: writing a staged cache record failed; rolling back the rest"
            )
            for write in pending:
                write.release()
            self.state = TransactionState.ROLLED_BACK
            return False
        self.state = TransactionState.COMMITTED
        return True

    def rollback(self) -> None:
        """Discard the staged records."""
        with self._lock:
            staged, self._staged = self._staged, {}
        for write in staged.values():
            write.release()
        self.state = TransactionState.ROLLED_BACK
        if staged or self.failures:
            self.logger.info(
                f"{self!r}: rolled back; {len(staged)} cache record(s) not written"
                + (f" ({'; '.join(self.failures)})" if self.failures else "")
            )

    def __reduce__(self) -> Any:
        # worker processes cannot stage on this process's transaction: they see none
        return (_detached, ())

    # --- context manager ------------------------------------------------------------------------
    def __enter__(self) -> "Transaction":
        global ACTIVE_COUNT
        if self.state != TransactionState.PENDING:
            raise RuntimeError(f"{self!r} was already used; create a new transaction")
        self.parent = prefect_context.get("transaction")
        self.state = TransactionState.ACTIVE
        self._overlay = prefect_context(transaction=self)
        self._overlay.__enter__()
        with _COUNT_LOCK:
            ACTIVE_COUNT += 1
        self._counted = True
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        global ACTIVE_COUNT
        try:
            if exc_type is not None or self.failures:
                self.rollback()
            else:
                self.commit()
        finally:
            self._overlay.__exit__(exc_type, exc, tb)
            if self._counted:
                with _COUNT_LOCK:
                    ACTIVE_COUNT -= 1
                self._counted = False


def _detached() -> None:
    return None


def transaction(
    name: Optional[str] = None,
    isolation_level: Optional[str] = None,
    lock_timeout: Optional[float] = None,
) -> Transaction:
    """Open a transaction: `with transaction(): ...` commits the cache records of the task runs
    inside the block only if all of them succeed.

    Args:
        - name (str, optional): a name for logs
        - isolation_level (str, optional): `IsolationLevel.READ_COMMITTED` (default) or
            `IsolationLevel.SERIALIZABLE`
        - lock_timeout (float, optional): seconds a task run waits for a key's lock

    Returns:
        - Transaction: the transaction, a context manager
    """
    return Transaction(name=name, isolation_level=isolation_level, lock_timeout=lock_timeout)


def get_transaction() -> Optional[Transaction]:
    """The innermost active transaction of this thread's run context, if any.

    Returns:
        - Optional[Transaction]: the transaction
    """
    return prefect_context.get("transaction")
