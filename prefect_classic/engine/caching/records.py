"""Durable cache records: their format, and the stores that keep them by key.

A record is one blob: a magic line, a 4-byte header length, a JSON header (key, task, created and
expiry timestamps, serializer, hashes) and the value serialized with the storage Result's
serializer. A `RecordStore` reads and writes record blobs in one storage location and owns the
`LockManager` of that location:

- `LocalResult` storage: one file per key in its folder, written atomically (write only if absent:
  a hard link that fails when the file exists); locks are files in `<folder>/.locks/`.
- bucket storage (`S3Result`, `GCSResult`, `AzureResult`): one object per key; write only if
  absent is a conditional request to the service. No locks by default (a lock on this machine
  would not stop another machine), so SERIALIZABLE transactions refuse them unless a lock manager
  is given (`record_store_for(result).lock_manager = ...`).
- any other storage Result: through its `read`/`write`/`exists`; write if absent checks first
  (not atomic).
"""

import json
import os
import threading
import weakref
from typing import Any, Dict, Hashable, Optional, Tuple

from prefect_classic.configuration import config
from prefect_classic.engine.caching.locks import FileLockManager, LockManager, NullLockManager
from prefect_classic.engine.result.base import NoResultType, Result
from prefect_classic.engine.serializers import Serializer

__all__ = [
    "CacheRecordError",
    "RecordStore",
    "decode_record",
    "default_storage",
    "default_storage_dir",
    "encode_record",
    "is_storage",
    "record_store_for",
]

RECORD_MAGIC = b"PCREC1\n"


class CacheRecordError(ValueError):
    """A stored cache record is not in the expected format."""


def encode_record(header: Dict[str, Any], value_bytes: bytes) -> bytes:
    """Build a cache record blob.

    Args:
        - header (dict): JSON-serializable metadata
        - value_bytes (bytes): the serialized value

    Returns:
        - bytes: the record
    """
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return RECORD_MAGIC + len(head).to_bytes(4, "big") + head + value_bytes


def decode_record(data: bytes) -> Tuple[Dict[str, Any], bytes]:
    """Split a cache record blob into its header and serialized value.

    Args:
        - data (bytes): the record

    Returns:
        - Tuple[dict, bytes]: the header and the value bytes

    Raises:
        - CacheRecordError: when `data` is not a cache record
    """
    start = len(RECORD_MAGIC)
    if not data.startswith(RECORD_MAGIC) or len(data) < start + 4:
        raise CacheRecordError("not a prefect_classic cache record")
    size = int.from_bytes(data[start : start + 4], "big")
    try:
        header = json.loads(data[start + 4 : start + 4 + size])
    except ValueError as exc:
        raise CacheRecordError(f"corrupt cache record header: {exc}") from exc
    return header, data[start + 4 + size :]


class _RawBytes(Serializer):
    """Passes bytes through unchanged (records are already bytes)."""

    def serialize(self, value: Any) -> bytes:
        return bytes(value)

    def deserialize(self, value: bytes) -> Any:
        return value


class RecordStore:
    """Reads and writes record blobs by key in one storage location (any storage Result).

    Args:
        - result (Result): the storage Result (its serializer serializes values)
        - lock_manager (LockManager, optional): the locks of this location (default: none)
    """

    def __init__(self, result: Result, lock_manager: Optional[LockManager] = None):
        self.result = result
        self.serializer = result.serializer
        self.lock_manager: LockManager = lock_manager or NullLockManager()

    @property
    def identity(self) -> Hashable:
        """What distinguishes this storage location from others."""
        r = self.result
        return (type(r).__qualname__, getattr(r, "bucket", None), getattr(r, "dir", None))

    def describe(self, key: str) -> str:
        """A human-readable location of `key`."""
        return f"{type(self.result).__name__} key {key!r}"

    def _raw(self, key: Optional[str] = None) -> Result:
        raw = self.result.copy()
        raw.serializer = _RawBytes()
        if key is not None:
            raw.location, raw._formatter = key.replace("{", "{{").replace("}", "}}"), None
        return raw

    def read(self, key: str) -> Optional[bytes]:
        """The record stored under `key`, or None when there is none."""
        raw = self._raw()
        try:
            return raw.read(key).value
        except Exception:
            if not raw.exists(key):
                return None
            raise

    def write(self, key: str, data: bytes, exclusive: bool) -> bool:
        """Store a record; with `exclusive`, only if none is stored yet.

        Returns:
            - bool: False when `exclusive` and a record was there first
        """
        raw = self._raw(key)
        if exclusive and raw.exists(key):
            return False
        raw.write(data)
        return True


class LocalRecordStore(RecordStore):
    """Records as files `<dir>/<key>`, written atomically, with file locks under `<dir>/.locks/`."""

    def __init__(self, result: Result, lock_manager: Optional[LockManager] = None):
        self.dir = os.path.abspath(os.path.expanduser(result.dir))  # type: ignore[attr-defined]
        super().__init__(result, lock_manager or FileLockManager(os.path.join(self.dir, ".locks")))

    @property
    def identity(self) -> Hashable:
        return ("local", self.dir)

    def describe(self, key: str) -> str:
        return os.path.join(self.dir, key)

    def read(self, key: str) -> Optional[bytes]:
        try:
            with open(os.path.join(self.dir, key), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write(self, key: str, data: bytes, exclusive: bool) -> bool:
        from prefect_classic.engine.caching.housekeeping import after_record_write
        from prefect_classic.engine.results._files import atomic_write

        written = atomic_write(os.path.join(self.dir, key), data, if_absent=exclusive)
        after_record_write(self.dir)  # expired records go a few entries at a time
        return written


class BucketRecordStore(RecordStore):
    """Records as objects in a bucket (`S3Result`, `GCSResult`, `AzureResult`)."""

    @property
    def identity(self) -> Hashable:
        r: Any = self.result
        endpoint = (
            getattr(r, "boto3_kwargs", {}).get("endpoint_url")
            if hasattr(r, "boto3_kwargs")
            else None
        )
        return (type(r).__qualname__, r._container, endpoint)

    def describe(self, key: str) -> str:
        r: Any = self.result
        return f"{r.scheme}://{r._container}/{key}"

    def read(self, key: str) -> Optional[bytes]:
        return self.result.read_bytes(key)  # type: ignore[attr-defined]

    def write(self, key: str, data: bytes, exclusive: bool) -> bool:
        return self.result.write_bytes(key, data, if_absent=exclusive)  # type: ignore[attr-defined]


_STORES: "weakref.WeakKeyDictionary[Result, RecordStore]" = weakref.WeakKeyDictionary()
_STORES_GUARD = threading.Lock()


def record_store_for(result: Result) -> RecordStore:
    """The record store of a storage Result (one per Result instance).

    Args:
        - result (Result): a LocalResult, S3Result, GCSResult or other storage Result

    Returns:
        - RecordStore: the store
    """
    found = _STORES.get(result)
    if found is None:
        from prefect_classic.engine.results import LocalResult
        from prefect_classic.engine.results._bucket import BucketResult

        with _STORES_GUARD:
            found = _STORES.get(result)
            if found is None:
                if isinstance(result, LocalResult):
                    found = LocalRecordStore(result)
                elif isinstance(result, BucketResult):
                    found = BucketRecordStore(result)
                else:
                    found = RecordStore(result)
                _STORES[result] = found
    return found


_DEFAULT_STORAGE: Dict[str, Result] = {}


def default_storage_dir() -> str:
    """The folder of the default cache storage: `<home_dir>/storage`.

    Returns:
        - str: the folder
    """
    return os.path.join(os.path.expanduser(str(config.home_dir)), "storage")


def default_storage() -> Result:
    """`LocalResult(dir=<home_dir>/storage)`, one per home folder.

    Returns:
        - Result: the default cache storage
    """
    folder = default_storage_dir()
    found = _DEFAULT_STORAGE.get(folder)
    if found is None:
        from prefect_classic.engine.results.local_result import local_result_at

        found = _DEFAULT_STORAGE[folder] = local_result_at(folder)
    return found


def is_storage(result: Any) -> bool:
    """Whether a Result stores values somewhere (not the base Result, PrefectResult and co).

    Args:
        - result (Any): the Result

    Returns:
        - bool: whether it is storage
    """
    from prefect_classic.engine.results import ConstantResult, PrefectResult, SecretResult

    return (
        isinstance(result, Result)
        and type(result) is not Result
        and not isinstance(result, (NoResultType, ConstantResult, PrefectResult, SecretResult))
    )
