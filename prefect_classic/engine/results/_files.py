"""Atomic file writes, and the sweeping of the temporary files that killed writes leave behind.

A write goes to a temporary file next to its target, `.<name>.<16 hex digits>.tmp`, which is then
renamed over the target. The writer holds an exclusive `flock` on the temporary file while it
writes, so a sweeper can tell a live write from a dead one.

A process that writes into a folder sweeps that folder: on its first write there, then again
after `SWEEP_INTERVAL` seconds. A sweep looks at `SWEEP_BATCH` folder entries per write until it
has seen them all, so no single write pays for a large folder. It removes the temporary files
that have not been modified for `TEMP_FILE_MAX_AGE` seconds and whose writer is gone (no lock
held; where locks are not available, age alone decides).
"""

import contextlib
import os
import re
import threading
import time
from typing import Dict, Iterator, Optional

try:  # pragma: no cover - always present on POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be removed anyway
    fcntl = None  # type: ignore[assignment]

__all__ = ["SWEEP_BATCH", "SWEEP_INTERVAL", "TEMP_FILE_MAX_AGE", "atomic_write", "sweep_folder"]

#: seconds since its last modification after which an unlocked temporary file is a leftover
TEMP_FILE_MAX_AGE = 900.0
#: seconds between two sweeps of one folder by one process
SWEEP_INTERVAL = 300.0
#: folder entries a write looks at while a sweep of its folder is under way
SWEEP_BATCH = 256
#: how many folders one process remembers having swept (the oldest are forgotten first)
_REMEMBERED_FOLDERS = 4096
#: how many sweeps may be under way at once (each holds an open directory)
_OPEN_SWEEPS = 4

_TEMP_NAME = re.compile(r"^\..*\.[0-9a-f]{16}\.tmp$", re.DOTALL)


def _fsync_dir(folder: str) -> None:
    """Make a rename inside `folder` durable (POSIX only; best effort)."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open directories
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _create_temp(path: str, folder: str) -> "tuple[str, int, bool]":
    """Create the temporary file for `path`: (its path, an open descriptor, whether `folder` had
    to be created)."""
    tmp = os.path.join(folder, f".{os.path.basename(path)[:200]}.{os.urandom(8).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        return tmp, os.open(tmp, flags, 0o666), False
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        return tmp, os.open(tmp, flags, 0o666), True


def atomic_write(path: str, data: bytes, durable: bool = True, if_absent: bool = False) -> bool:
    """Write `data` to `path` so that readers see either the old file or the complete new one.

    The bytes go to a uniquely named temporary file in the same folder, which is then renamed over
    `path` with `os.replace` (atomic on POSIX and Windows). If anything fails, the temporary file
    is removed and `path` is left untouched. Concurrent writers to one path each use their own
    temporary file; the last rename wins. Leftovers of writers that were killed are swept (see
    the module's documentation).

    Args:
        - path (str): the target path; missing parent folders are created
        - data (bytes): the bytes to write
        - durable (bool, optional): flush the bytes to disk (`fsync`) before the rename and the
            rename after it, so that `path` holds `data` even after a power loss. Without it, a
            power loss shortly after the write may leave `path` old, missing, empty or partly
            written: use `durable=False` only for bytes that carry their own checksum.
        - if_absent (bool, optional): write only if nothing is at `path` yet: the temporary file
            is hard-linked to `path` (which fails when `path` exists) instead of renamed over it

    Returns:
        - bool: True when written; False when `if_absent` and `path` already existed
    """
    folder = os.path.dirname(path) or os.curdir
    tmp, fd, created = _create_temp(path, folder)
    try:
        try:
            if fcntl is not None:
                with contextlib.suppress(OSError):  # e.g. a file system without locks
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if if_absent:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(folder)
    _sweeper.after_write(folder, created)
    return True


def _is_abandoned(path: str, now: float) -> bool:
    """Whether a temporary file is old enough and no writer holds its lock."""
    try:
        if now - os.stat(path).st_mtime < TEMP_FILE_MAX_AGE:
            return False
        if fcntl is None:  # pragma: no cover - Windows refuses to remove an open file
            return True
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live writer holds it
    except OSError:
        return True  # no locks on this file system: age decides
    finally:
        os.close(fd)
    return True


def sweep_folder(folder: str, limit: Optional[int] = None) -> int:
    """Remove the abandoned temporary files of writes into `folder` now.

    Args:
        - folder (str): the folder
        - limit (int, optional): look at no more than this many entries

    Returns:
        - int: how many files were removed
    """
    removed = 0
    now = time.time()
    try:
        entries = os.scandir(folder)
    except OSError:
        return 0
    with entries:
        for count, entry in enumerate(entries):
            if limit is not None and count >= limit:
                break
            removed += _sweep_entry(entry, now)
    return removed


def _sweep_entry(entry: "os.DirEntry[str]", now: float) -> int:
    if not _TEMP_NAME.match(entry.name) or not _is_abandoned(entry.path, now):
        return 0
    try:
        os.unlink(entry.path)
    except OSError:
        return 0
    return 1


class _Sweeper:
    """Per-process bookkeeping of which folders are due for a sweep, and the sweeps under way."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: Dict[str, float] = {}  # folder -> monotonic time of its next sweep
        self._running: Dict[str, Iterator[os.DirEntry[str]]] = {}
        self._pid = os.getpid()

    def after_write(self, folder: str, created: bool) -> None:
        """Advance the sweep of `folder` after a write into it (if one is due)."""
        now = time.monotonic()
        due = self._due.get(folder)
        if due is not None and due > now and folder not in self._running:
            return  # the common case: swept recently
        if not self._lock.acquire(blocking=False):
            return  # another thread is sweeping; this write does not wait for it
        try:
            if self._pid != os.getpid():  # a forked child: the open directories are the parent's
                self._due.clear()
                self._running.clear()
                self._pid = os.getpid()
            self._advance(folder, now, created)
        finally:
            self._lock.release()

    def _advance(self, folder: str, now: float, created: bool) -> None:
        entries = self._running.get(folder)
        if entries is None:
            due = self._due.get(folder)
            if due is not None and due > now:
                return
            if created or len(self._running) >= _OPEN_SWEEPS:
                # a folder this write created holds nothing left over; with too many sweeps
                # under way, this folder waits for its next turn
                self._remember(folder, now + (SWEEP_INTERVAL if created else 1.0))
                return
            try:
                entries = os.scandir(folder)
            except OSError:
                self._remember(folder, now + SWEEP_INTERVAL)
                return
            self._running[folder] = entries
        wall = time.time()
        for _ in range(SWEEP_BATCH):
            entry = next(entries, None)
            if entry is None:
                self._finish(folder, now)
                return
            _sweep_entry(entry, wall)

    def _finish(self, folder: str, now: float) -> None:
        entries = self._running.pop(folder)
        close = getattr(entries, "close", None)
        if close is not None:
            close()
        self._remember(folder, now + SWEEP_INTERVAL)

    def _remember(self, folder: str, due: float) -> None:
        self._due.pop(folder, None)
        self._due[folder] = due
        if len(self._due) > _REMEMBERED_FOLDERS:  # forget the oldest half
            for old in list(self._due)[: _REMEMBERED_FOLDERS // 2]:
                if old not in self._running:
                    del self._due[old]


_sweeper = _Sweeper()
