"""Moved to `prefect_classic.engine.caching`; these names stay importable from here."""

from prefect_classic.engine.caching.records import (  # noqa: F401
    CacheRecordError,
    RecordStore,
    decode_record,
    default_storage,
    encode_record,
    record_store_for,
)

__all__ = [
    "CacheRecordError",
    "RecordStore",
    "decode_record",
    "default_storage",
    "encode_record",
    "record_store_for",
]
