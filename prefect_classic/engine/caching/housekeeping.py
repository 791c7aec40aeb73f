"""Housekeeping of local cache records: list them, remove expired ones.

Records are files in a record folder (`<home_dir>/storage` by default, or the folder of a task's
`result_storage` / checkpoint `LocalResult`); each starts with a header naming its task, mode,
creation and expiry times (see `records.py`). The `prefect-classic cache` command lists and removes
them through these functions.

Expired records are also removed while records are written: each write into a folder looks at a
few more entries of it (`EXPIRED_PER_WRITE`), so a folder is gone through once per
`PASS_INTERVAL` seconds at most, at a bounded cost per write, without a separate cleaner.
A record replaced between its header being read and its removal is kept (its inode changed).
"""

import json
import os
import threading
import time
from typing import Any, Dict, Iterator, List, NamedTuple, Optional

from prefect_classic.engine.caching.records import RECORD_MAGIC

__all__ = [
    "RecordInfo",
    "after_record_write",
    "iter_records",
    "read_header",
    "remove_record",
    "remove_expired",
]

#: directory entries a record write looks at for expired records
EXPIRED_PER_WRITE = 8
#: seconds between two passes over one folder
PASS_INTERVAL = 60.0
_HEAD = len(RECORD_MAGIC) + 4


class RecordInfo(NamedTuple):
    """One record file: its path, header, size, inode, and whether it has expired."""

    path: str
    header: Dict[str, Any]
    size: int
    inode: int
    expired: bool

    @property
    def task(self) -> str:
        """The name of the task that wrote the record."""
        return str(self.header.get("task") or "")


def read_header(path: str) -> Optional[Dict[str, Any]]:
    """The header of the record file at `path`, or None when the file is not a record.

    Args:
        - path (str): the file

    Returns:
        - Optional[dict]: the header
    """
    try:
        with open(path, "rb") as f:
            head = f.read(_HEAD)
            if len(head) < _HEAD or not head.startswith(RECORD_MAGIC):
                return None
            size = int.from_bytes(head[len(RECORD_MAGIC) :], "big")
            header = json.loads(f.read(size))
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def _info(entry: "os.DirEntry[str]", now: float) -> Optional[RecordInfo]:
    if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
        return None
    header = read_header(entry.path)
    if header is None:
        return None
    stat = entry.stat(follow_symlinks=False)
    expires_at = header.get("expires_at")
    expired = isinstance(expires_at, (int, float)) and expires_at <= now
    return RecordInfo(entry.path, header, stat.st_size, stat.st_ino, expired)


def iter_records(folder: str, now: Optional[float] = None) -> Iterator[RecordInfo]:
    """The cache records in `folder` (other files are left out).

    Args:
        - folder (str): the record folder
        - now (float, optional): the time expiry is judged at (default: now)

    Returns:
        - Iterator[RecordInfo]: the records, in directory order
    """
    current = time.time() if now is None else now
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            info = _info(entry, current)
            if info is not None:
                yield info


def remove_record(info: RecordInfo) -> bool:
    """Remove a record file, unless it was replaced since `info` was taken.

    Args:
        - info (RecordInfo): the record

    Returns:
        - bool: whether it was removed
    """
    try:
        if os.stat(info.path).st_ino != info.inode:
            return False
        os.unlink(info.path)
    except OSError:
        return False
    return True


def remove_expired(folder: str, now: Optional[float] = None) -> List[RecordInfo]:
    """Remove every expired record in `folder`.

    Args:
        - folder (str): the record folder
        - now (float, optional): the time expiry is judged at (default: now)

    Returns:
        - List[RecordInfo]: the records removed
    """
    return [info for info in iter_records(folder, now) if info.expired and remove_record(info)]


class _ExpirySweeper:
    """Per-process state of the gradual passes over record folders."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._passes: Dict[str, Any] = {}  # folder -> open scandir iterator of the pass under way
        self._next_pass: Dict[str, float] = {}  # folder -> monotonic time the next pass may start

    def after_write(self, folder: str) -> None:
        with self._lock:
            entries = self._passes.get(folder)
            if entries is None:
                if self._next_pass.get(folder, 0.0) > time.monotonic():
                    return
                self._next_pass[folder] = time.monotonic() + PASS_INTERVAL
                try:
                    entries = self._passes[folder] = os.scandir(folder)
                except OSError:
                    return
            now = time.time()
            for _ in range(EXPIRED_PER_WRITE):
                entry = next(entries, None)
                if entry is None:
                    entries.close()
                    del self._passes[folder]
                    return
                info = _info(entry, now)
                if info is not None and info.expired:
                    remove_record(info)


_SWEEPER = _ExpirySweeper()


def after_record_write(folder: str) -> None:
    """Advance the removal of expired records in `folder` by a few entries (called per write).

    Args:
        - folder (str): the record folder just written into
    """
    _SWEEPER.after_write(folder)
