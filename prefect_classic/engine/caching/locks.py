"""Locks on cache keys and targets: bounded waits, no deadlocks, a bounded number of lock files.

A `LockManager` hands out `Lease`s on string keys for an *owner* (a transaction, or the thread of a
task run): an owner may take a key it already holds again (the lease counts), every other owner
waits for it. Two managers ship:

- `FileLockManager(folder)`: across threads by a condition variable, across processes by an
  exclusive lock on one of `stripes` lock files in `folder`: `fcntl.flock` on POSIX (taken
  directly: one `open` and two system calls, where `filelock` 4 spends 0.1-0.3 ms of Python per
  acquisition, more than a target write can afford), `filelock.FileLock` elsewhere (Windows). A key is mapped to a stripe by its hash, so however many keys are ever used the
  folder never holds more than `stripes` files and the process never more than `stripes` entries
  per folder. Two keys on one stripe simply share a lock.
- `NullLockManager`: no locks (storage other processes cannot see a lock of, such as a bucket);
  SERIALIZABLE transactions refuse it.

Waits are bounded (`timeout`, by default `tasks.cache_lock_timeout`): a wait that runs out raises
`LockTimeout`, naming the keys. Deadlocks are impossible by construction: an owner waits for a lock
only when it ranks above every lock it already holds (ranked by folder, then stripe); a lock that
ranks below one it holds is only *tried* (`try_acquire` semantics), and when it is busy the caller
goes on without it (see `acquire(..., wait=...)`). Every cycle of waiting owners would need one of
them to wait for a lower lock, which never happens.

A lease is released explicitly (`Lease.release`, idempotent); nothing relies on garbage
collection. A process that dies releases its file locks with it (the operating system drops them).
"""

import os
import threading
import time
import zlib
from typing import Any, Dict, Hashable, Iterable, List, Optional, Tuple

__all__ = [
    "FileLockManager",
    "Lease",
    "LockManager",
    "LockTimeout",
    "NullLockManager",
    "default_timeout",
    "held_locks",
]

#: default number of lock files per folder
DEFAULT_STRIPES = 256


class LockTimeout(TimeoutError):
    """A lock could not be taken within the timeout: another run holds it.

    Args:
        - keys (Iterable[str]): the keys waited for
        - timeout (float): the seconds waited
        - where (str): the lock folder
    """

    def __init__(self, keys: Iterable[str], timeout: float, where: str):
        self.keys = list(keys)
        self.timeout = timeout
        names = ", ".join(repr(k) for k in self.keys)
        super().__init__(
            f"Timed out after {timeout:g} s waiting for the lock of {names} (lock folder {where}): another "
            "run holds it. Raise `tasks.cache_lock_timeout` (PREFECT__TASKS__CACHE_LOCK_TIMEOUT) if that run "
            "is merely slow."
        )


def default_timeout() -> float:
    """`tasks.cache_lock_timeout` from the config (seconds), 300 when unset."""
    from prefect_classic.configuration import config

    tasks = config.get("tasks")
    value = tasks.get("cache_lock_timeout", 300) if tasks is not None else 300
    return float(value)


class Lease:
    """One holding of a lock; `release()` gives it back (a second call does nothing).

    Args:
        - manager (LockManager): the manager that granted it
        - key (str): the key
        - owner (Hashable): who holds it
        - slot (Any): the manager's lock object (None: nothing to release)
    """

    __slots__ = ("manager", "key", "owner", "_slot")

    def __init__(self, manager: "LockManager", key: str, owner: Hashable, slot: Any):
        self.manager = manager
        self.key = key
        self.owner = owner
        self._slot = slot

    @property
    def held(self) -> bool:
        """Whether this lease still holds its lock."""
        return self._slot is not None

    def release(self) -> None:
        """Release the lock (once)."""
        slot, self._slot = self._slot, None
        if slot is not None:
            self.manager._release(slot, self.owner)

    def __repr__(self) -> str:
        return f"<Lease {self.key!r}{'' if self.held else ' (released)'}>"


class LockManager:
    """Grants exclusive, owner-reentrant locks on keys (the protocol; see the module docs)."""

    #: whether the locks hold across processes (SERIALIZABLE transactions need it)
    supports_locking = True

    def acquire(
        self, key: str, owner: Hashable, timeout: Optional[float] = None, wait: bool = True
    ) -> Optional[Lease]:
        """Take the lock of `key` for `owner`.

        Args:
            - key (str): the key
            - owner (Hashable): who takes it (reentrant for the same owner)
            - timeout (float, optional): seconds to wait at most (default `tasks.cache_lock_timeout`)
            - wait (bool, optional): False: only try, never wait

        Returns:
            - Lease: the lease; None when the lock is busy and it may not (or must not) be waited for

        Raises:
            - LockTimeout: when the wait runs out
        """
        raise NotImplementedError

    def _release(self, slot: Any, owner: Hashable) -> None:
        raise NotImplementedError


class NullLockManager(LockManager):
    """No locks: every acquisition succeeds at once and holds nothing."""

    supports_locking = False

    def acquire(
        self, key: str, owner: Hashable, timeout: Optional[float] = None, wait: bool = True
    ) -> Optional[Lease]:
        return Lease(self, key, owner, None)

    def _release(self, slot: Any, owner: Hashable) -> None:  # pragma: no cover - nothing is held
        pass


#: the locks each owner holds, as (folder, stripe) ranks: the deadlock-avoidance order
_HELD: Dict[Hashable, Dict[Tuple[str, int], int]] = {}
_HELD_GUARD = threading.Lock()


def held_locks(owner: Optional[Hashable] = None) -> List[Tuple[str, int]]:
    """The locks held in this process (by `owner`, or by anyone), as (folder, stripe) pairs.

    Args:
        - owner (Hashable, optional): one owner

    Returns:
        - list: the (folder, stripe) pairs held
    """
    with _HELD_GUARD:
        owners = [_HELD.get(owner, {})] if owner is not None else list(_HELD.values())
        return sorted(rank for held in owners for rank in held)


try:  # pragma: no cover - always present on POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: filelock
    fcntl = None  # type: ignore[assignment]


class _FlockFile:
    """An exclusive `flock` on a file, polled until a deadline (POSIX)."""

    __slots__ = ("path", "fd")

    def __init__(self, path: str):
        self.path = path
        self.fd: Optional[int] = None

    def try_acquire(self) -> bool:
        return self.acquire(0.0)

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        pause = 0.001
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self.fd = fd
                    return True
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        os.close(fd)
                        return False
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.05)
        except BaseException:
            if self.fd != fd:
                os.close(fd)
            raise

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class _PortableFile:
    """An exclusive `filelock.FileLock` on a file (platforms without `fcntl`)."""

    __slots__ = ("lock",)

    def __init__(self, path: str):
        import filelock

        self.lock = filelock.FileLock(path, thread_local=False, is_singleton=False)

    def try_acquire(self) -> bool:
        return self.acquire(0.0)

    def acquire(self, timeout: float) -> bool:
        import filelock

        try:
            self.lock.acquire(timeout=timeout, poll_interval=0.01)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        self.lock.release()


class _Stripe:
    """One lock file and its in-process state: owner, depth, waiters."""

    __slots__ = ("rank", "path", "cond", "owner", "acquiring", "depth", "waiters", "file_lock")

    def __init__(self, rank: Tuple[str, int], path: str):
        self.rank = rank
        self.path = path
        self.cond = threading.Condition(threading.Lock())
        self.owner: Any = None
        self.acquiring = False
        self.depth = 0
        self.waiters = 0
        self.file_lock = _FlockFile(path) if fcntl is not None else _PortableFile(path)


class FileLockManager(LockManager):
    """Locks as files `<folder>/<stripe>.lock` (see the module docs).

    Args:
        - folder (str): where the lock files live (created when needed)
        - stripes (int, optional): how many lock files at most
    """

    folder: str
    stripes: int
    _entries: Dict[int, _Stripe]
    _guard: Any
    _REGISTRY: Dict[Tuple[str, int], "FileLockManager"] = {}
    _REGISTRY_GUARD = threading.Lock()

    def __new__(cls, folder: str, stripes: int = DEFAULT_STRIPES) -> "FileLockManager":
        # one manager (and so one set of in-process entries) per folder
        folder = os.path.abspath(os.path.expanduser(folder))
        with cls._REGISTRY_GUARD:
            found = cls._REGISTRY.get((folder, stripes))
            if found is None:
                found = super().__new__(cls)
                found.folder = folder
                found.stripes = stripes
                found._entries = {}
                found._guard = threading.Lock()
                cls._REGISTRY[(folder, stripes)] = found
            return found

    def __init__(self, folder: str, stripes: int = DEFAULT_STRIPES):
        pass  # set up once in __new__

    def __repr__(self) -> str:
        return f"FileLockManager({self.folder!r}, stripes={self.stripes})"

    def stripe_of(self, key: str) -> int:
        """The stripe (lock file number) of `key`."""
        return zlib.crc32(key.encode("utf-8", "surrogatepass")) % self.stripes

    def entry_count(self) -> int:
        """How many stripes this process has used (bounded by `stripes`)."""
        return len(self._entries)

    def _stripe(self, key: str) -> _Stripe:
        number = self.stripe_of(key)
        entry = self._entries.get(number)
        if entry is None:
            with self._guard:
                entry = self._entries.get(number)
                if entry is None:
                    os.makedirs(self.folder, exist_ok=True)
                    entry = self._entries[number] = _Stripe(
                        (self.folder, number), os.path.join(self.folder, f"{number:04d}.lock")
                    )
        return entry

    def acquire(
        self, key: str, owner: Hashable, timeout: Optional[float] = None, wait: bool = True
    ) -> Optional[Lease]:
        entry = self._stripe(key)
        with _HELD_GUARD:
            held = _HELD.get(owner)
            if held and entry.rank not in held and entry.rank < max(held):
                wait = False  # waiting here could close a cycle: only try
        limit = timeout  # the default is read only when there is something to wait for
        deadline = 0.0 if limit is None else time.monotonic() + limit
        with entry.cond:
            while True:
                if (
                    entry.owner is None
                ):  # free here: take it, then the file lock (outside the condition)
                    entry.owner, entry.acquiring = owner, True
                    break
                if entry.owner == owner and not entry.acquiring:  # reentrant
                    entry.depth += 1
                    self._note_held(owner, entry.rank)
                    return Lease(self, key, owner, entry)
                if not wait:
                    return None
                if limit is None:
                    limit = default_timeout()
                    deadline = time.monotonic() + limit
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LockTimeout([key], limit or 0.0, self.folder)
                entry.waiters += 1
                try:
                    entry.cond.wait(remaining)
                finally:
                    entry.waiters -= 1
        try:
            got = entry.file_lock.try_acquire()
            if not got and wait:
                if limit is None:
                    limit = default_timeout()
                    deadline = time.monotonic() + limit
                got = entry.file_lock.acquire(max(deadline - time.monotonic(), 0.0))
        except BaseException:
            got = None
            raise
        finally:
            if not got:
                with entry.cond:
                    entry.owner, entry.acquiring = None, False
                    entry.cond.notify_all()
        if not got:
            if not wait:
                return None
            raise LockTimeout([key], limit or 0.0, self.folder)
        with entry.cond:
            entry.acquiring = False
            entry.depth = 1
            entry.cond.notify_all()  # other threads of the same owner may enter now
        self._note_held(owner, entry.rank)
        return Lease(self, key, owner, entry)

    @staticmethod
    def _note_held(owner: Hashable, rank: Tuple[str, int]) -> None:
        with _HELD_GUARD:
            counts = _HELD.setdefault(owner, {})
            counts[rank] = counts.get(rank, 0) + 1

    def _release(self, slot: Any, owner: Hashable) -> None:
        entry: _Stripe = slot
        with _HELD_GUARD:
            counts = _HELD.get(owner)
            if counts is not None:
                left = counts.get(entry.rank, 1) - 1
                if left > 0:
                    counts[entry.rank] = left
                else:
                    counts.pop(entry.rank, None)
                    if not counts:
                        del _HELD[owner]
        with entry.cond:
            entry.depth -= 1
            if entry.depth == 0:
                entry.owner = None
                try:
                    entry.file_lock.release()
                finally:
                    entry.cond.notify_all()
