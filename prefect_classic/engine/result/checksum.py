"""Checksums on stored values: what a storage Result writes carries the SHA-256 and the length of
its bytes, and a read that finds them different raises `ResultCorruptError`.

Where the checksum goes depends on who else reads the stored bytes. Prefect 1 (and pandas, `jq`,
...) read our targets, so the bytes a serializer produced stay readable by its plain
`deserialize`:

- **pickle** (`PickleSerializer` and subclasses that keep its `deserialize`): the checksum record
  is a pickle no-op in front of the value, `PROTO 4, SHORT_BINBYTES <record>, POP`. Any unpickler
  runs it (pushes the record, drops it) and then reads the value as usual.
- **JSON** (`JSONSerializer` and subclasses that keep its `deserialize`): the record spelled in
  binary as a first line of spaces and tabs. JSON allows whitespace before a value.
- **any other serializer** (`DateTimeSerializer`, `PandasSerializer`, `CompressedSerializer`,
  user-defined ones): the bytes are stored unchanged and the record travels next to them, as
  text (`sha256:<hex digest>:<length>`): a hidden sidecar file for `LocalResult`, object
  metadata for `S3Result`, `GCSResult` and `AzureResult`.

A frame is recognised by its first bytes, so values written without one (by Prefect 1, or before
checksums) are read as they are. A frame that is cut short is not recognised, but then neither is
the value behind it: a pickle or JSON document that ends early does not load.
"""

import hashlib
from typing import Any, Callable, Optional, Tuple, Union

__all__ = ["ResultCorruptError", "in_band", "seal", "unwrap"]


class ResultCorruptError(ValueError):
    """A stored value is damaged: its bytes do not match the checksum written with them (a
    flipped byte, a truncated file, a download cut short).

    Like a value that exists but cannot be deserialized, a damaged target is reported with a
    warning and the task runs again, replacing it.
    """


#: the checksum record: magic, 8-byte big-endian length, SHA-256 digest
_MAGIC = b"PCSUM\x01"
_RECORD_SIZE = len(_MAGIC) + 8 + 32

#: PROTO 4, SHORT_BINBYTES of the record's size ... POP
_PICKLE_HEAD = b"\x80\x04C" + bytes([_RECORD_SIZE])
_PICKLE_TAIL = b"0"
_PICKLE_FRAME_SIZE = len(_PICKLE_HEAD) + _RECORD_SIZE + len(_PICKLE_TAIL)

#: the JSON frame: one whitespace character per bit of the record, then a newline
_JSON_BITS = {"0": " ", "1": "\t"}
_JSON_FRAME_SIZE = _RECORD_SIZE * 8 + 1
_JSON_MAGIC = "".join(_JSON_BITS[b] for b in "".join(f"{byte:08b}" for byte in _MAGIC)).encode()
_JSON_UNBITS = bytes.maketrans(b" \t", b"01")

_TOKEN_PREFIX = "sha256:"


def _record(payload: bytes) -> bytes:
    return _MAGIC + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest()


def _frame_kind(serializer: Any) -> Optional[str]:
    """ "pickle", "json", or None when the serializer's readers might not skip a frame."""
    from prefect_classic.engine.serializers import JSONSerializer, PickleSerializer

    deserialize = getattr(type(serializer), "deserialize", None)
    if deserialize is PickleSerializer.deserialize:
        return "pickle"
    if deserialize is JSONSerializer.deserialize:
        return "json"
    return None


def in_band(serializer: Any) -> bool:
    """Whether values of `serializer` carry their checksum inside their bytes (pickle, JSON)
    rather than next to them.

    Args:
        - serializer (Serializer): the serializer

    Returns:
        - bool: whether `seal` frames its bytes
    """
    return _frame_kind(serializer) is not None


def seal(serializer: Any, payload: bytes) -> Tuple[bytes, Optional[str]]:
    """Attach the checksum of `payload`, the bytes `serializer` produced.

    Args:
        - serializer (Serializer): the serializer that produced `payload`
        - payload (bytes): the serialized value

    Returns:
        - Tuple[bytes, Optional[str]]: the bytes to store, and the checksum text to store next to
            them (None when the bytes carry it)
    """
    kind = _frame_kind(serializer)
    if kind == "pickle":
        return b"".join((_PICKLE_HEAD, _record(payload), _PICKLE_TAIL, payload)), None
    if kind == "json":
        bits = format(int.from_bytes(_record(payload), "big"), f"0{_RECORD_SIZE * 8}b")
        frame = bits.replace("0", " ").replace("1", "\t").encode() + b"\n"
        return frame + payload, None
    digest = hashlib.sha256(payload).hexdigest()
    return payload, f"{_TOKEN_PREFIX}{digest}:{len(payload)}"


def _framed(data: bytes) -> Optional[Tuple[bytes, bytes]]:
    """The (record, payload) of framed bytes, or None for bytes without a frame."""
    if data[: len(_PICKLE_HEAD)] == _PICKLE_HEAD and data[4 : 4 + len(_MAGIC)] == _MAGIC:
        if data[_PICKLE_FRAME_SIZE - 1 : _PICKLE_FRAME_SIZE] == _PICKLE_TAIL:
            return data[4 : 4 + _RECORD_SIZE], data[_PICKLE_FRAME_SIZE:]
    elif (
        data[: len(_JSON_MAGIC)] == _JSON_MAGIC
        and data[_JSON_FRAME_SIZE - 1 : _JSON_FRAME_SIZE] == b"\n"
    ):
        bits = data[: _JSON_FRAME_SIZE - 1].translate(_JSON_UNBITS)
        try:
            record = int(bits, 2).to_bytes(_RECORD_SIZE, "big")
        except ValueError:  # not only spaces and tabs: not our frame
            return None
        return record, data[_JSON_FRAME_SIZE:]
    return None


def _parse_token(token: str) -> Optional[Tuple[bytes, int]]:
    if not token.startswith(_TOKEN_PREFIX):
        return None
    try:
        digest, size = token[len(_TOKEN_PREFIX) :].split(":")
        return bytes.fromhex(digest), int(size)
    except ValueError:
        return None


def unwrap(
    data: bytes,
    checksum: Union[None, str, Callable[[], Optional[str]]] = None,
    where: str = "",
) -> bytes:
    """Check stored bytes against their checksum and return the serializer's bytes.

    Framed bytes are checked against their frame (and `checksum` is not looked at); other bytes
    against `checksum` when there is one; bytes with neither (written by Prefect 1) are returned
    as they are.

    Args:
        - data (bytes): the stored bytes
        - checksum (Union[str, Callable, None], optional): the checksum text stored next to them,
            or a function returning it (called only for bytes without a frame), or None
        - where (str, optional): the value's location, for error messages

    Returns:
        - bytes: the serialized value, ready for the serializer's `deserialize`

    Raises:
        - ResultCorruptError: when the bytes do not match their checksum
    """
    what = f"The value stored at {where}" if where else "The stored value"
    framed = _framed(data)
    if framed is not None:
        record, payload = framed
        expected_size, expected_digest = int.from_bytes(record[6:14], "big"), record[14:]
    else:
        token = checksum() if callable(checksum) else checksum
        if not token:
            return data
        parsed = _parse_token(token)
        if parsed is None:
            raise ResultCorruptError(f"{what} has an unreadable checksum: {token[:80]!r}")
        payload = data
        expected_digest, expected_size = parsed
    if len(payload) != expected_size:
        raise ResultCorruptError(
            f"{what} is damaged: {len(payload)} bytes where {expected_size} were written"
        )
    if hashlib.sha256(payload).digest() != expected_digest:
        raise ResultCorruptError(
            f"{what} is damaged: its bytes do not match their SHA-256 checksum"
        )
    return payload
