"""Stable hashing for cache keys.

`hash_objects(...)` returns the same hex digest for equal values in every process and every
Python run: values are walked into a canonical, type-tagged byte encoding fed to SHA-256 (never
the salted built-in `hash()`). Dicts and sets are order-independent; dataclasses, dates and
times (including pendulum's), `Decimal`, `UUID`, enums and paths have stable encodings; any other
object falls back to its cloudpickle bytes.
"""

import dataclasses
import datetime
import decimal
import enum
import hashlib
import pathlib
import types
import uuid
from typing import Any, Callable, Dict, List, Optional

__all__ = [
    "HashError",
    "describe_unhashable",
    "hash_bytes",
    "hash_objects",
    "hash_source",
    "stable_hash",
]


class HashError(ValueError):
    """A value could not be turned into stable bytes for hashing."""


def hash_bytes(data: bytes) -> str:
    """Return the SHA-256 hex digest of `data`.

    Args:
        - data (bytes): the bytes

    Returns:
        - str: the 64-character hex digest
    """
    return hashlib.sha256(data).hexdigest()


def stable_hash(obj: Any) -> str:
    """Return a hex digest of `obj` that is equal for equal values across processes and runs.

    Args:
        - obj (Any): the value

    Returns:
        - str: the 64-character SHA-256 hex digest

    Raises:
        - HashError: when `obj` (or something inside it) can neither be encoded nor pickled
    """
    digest = hashlib.sha256()
    _encode(obj, digest.update, 0)
    return digest.hexdigest()


def hash_objects(*objects: Any) -> str:
    """Return one stable digest of several values (the order of the values matters).

    Args:
        - *objects (Any): the values

    Returns:
        - str: the 64-character SHA-256 hex digest

    Raises:
        - HashError: when a value cannot be hashed
    """
    return stable_hash(objects)


_SOURCE_HASHES: Dict[Any, str] = {}


def hash_source(fn: Callable) -> str:
    """Hash the source code of a function or method (its code object's contents when the source
    cannot be read, e.g. for functions built with `exec` or in a `<...>` pseudo-file). Results are
    memoized per code object.

    Args:
        - fn (Callable): a function, method or other object with a `__code__`

    Returns:
        - str: the 64-character SHA-256 hex digest

    Raises:
        - HashError: when `fn` has neither readable source nor a code object
    """
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    memo_key = code if code is not None else fn
    try:
        return _SOURCE_HASHES[memo_key]
    except (KeyError, TypeError):
        pass
    import inspect

    filename = getattr(code, "co_filename", "")
    try:
        # code built by `exec` or `python -c` names a label, not a file, that many sources share
        # (Python 3.13 keeps the `-c` text under "<string>", and reads it for any such function)
        if filename.startswith("<") and filename.endswith(">"):
            raise OSError("no source file")
        source = inspect.getsource(fn)
        if not source.strip():
            raise OSError("no source")
        digest = hash_bytes(b"src\x00" + source.encode("utf-8"))
    except (OSError, TypeError):
        if code is None:
            raise HashError(
                f"Cannot hash the source of {fn!r}: no source and no code object"
            ) from None
        hasher = hashlib.sha256(b"code\x00")
        _encode_code(code, hasher.update)
        digest = hasher.hexdigest()
    try:
        _SOURCE_HASHES[memo_key] = digest
    except TypeError:  # pragma: no cover - unhashable callables are not memoized
        pass
    return digest


def _encode_code(code: types.CodeType, write: Callable[[bytes], Any]) -> None:
    """Encode what defines a code object's behaviour: bytecode, constants and names."""
    write(code.co_code)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            write(b"\x01")
            _encode_code(const, write)
        else:
            write(b"\x02")
            _encode(const, write, 0)
    write(repr(code.co_names).encode())


_MAX_DEPTH = 200


def _tagged(write: Callable[[bytes], Any], tag: bytes, payload: bytes) -> None:
    write(tag)
    write(len(payload).to_bytes(8, "big"))
    write(payload)


def _encode(obj: Any, write: Callable[[bytes], Any], depth: int) -> None:
    """Write a canonical, type-tagged encoding of `obj` (length-prefixed, so no two different
    values share an encoding)."""
    if depth > _MAX_DEPTH:
        raise HashError(f"Value nested more than {_MAX_DEPTH} levels deep (a cycle?)")
    cls = type(obj)
    if obj is None:
        write(b"N")
    elif cls is bool:
        write(b"T" if obj else b"F")
    elif cls is str:
        _tagged(write, b"s", obj.encode("utf-8", "surrogatepass"))
    elif cls is int:
        _tagged(write, b"i", str(obj).encode())
    elif cls is float:
        _tagged(write, b"f", repr(obj).encode())
    elif cls in (bytes, bytearray, memoryview):
        _tagged(write, b"b", bytes(obj))
    elif cls in (list, tuple):
        write(b"l" if cls is list else b"t")
        write(len(obj).to_bytes(8, "big"))
        for item in obj:
            _encode(item, write, depth + 1)
    elif isinstance(obj, dict):
        items = sorted(
            _encode_to_bytes(k, depth) + _encode_to_bytes(v, depth) for k, v in obj.items()
        )
        _encode_sequence(write, b"d", items)
    elif isinstance(obj, (set, frozenset)):
        _encode_sequence(write, b"S", sorted(_encode_to_bytes(item, depth) for item in obj))
    elif isinstance(obj, enum.Enum):
        _tagged(write, b"e", _qualname(cls).encode())
        _encode(obj.value, write, depth + 1)
    elif isinstance(obj, (str, int, float, bytes)):  # subclasses of the primitives
        _tagged(write, b"P", _qualname(cls).encode())
        _encode(_primitive_base(obj), write, depth + 1)
    elif isinstance(obj, datetime.datetime):  # before date: datetime is a date subclass
        _tagged(write, b"D", obj.isoformat().encode())
    elif isinstance(obj, (datetime.date, datetime.time)):
        _tagged(write, b"d" if isinstance(obj, datetime.date) else b"h", obj.isoformat().encode())
    elif isinstance(obj, datetime.timedelta):
        _tagged(write, b"g", f"{obj.days}:{obj.seconds}:{obj.microseconds}".encode())
    elif isinstance(obj, decimal.Decimal):
        _tagged(write, b"m", str(obj).encode())
    elif isinstance(obj, uuid.UUID):
        _tagged(write, b"u", obj.bytes)
    elif isinstance(obj, pathlib.PurePath):
        _tagged(write, b"p", str(obj).encode())
    elif isinstance(obj, (list, tuple)):  # subclasses such as namedtuples
        _tagged(write, b"L", _qualname(cls).encode())
        _encode(list(obj), write, depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        _tagged(write, b"c", _qualname(cls).encode())
        fields = [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
        _encode(fields, write, depth + 1)
    else:
        _tagged(write, b"x", _pickled(obj))


def _encode_to_bytes(obj: Any, depth: int) -> bytes:
    parts: List[bytes] = []
    _encode(obj, parts.append, depth + 1)
    return b"".join(parts)


def _encode_sequence(write: Callable[[bytes], Any], tag: bytes, encoded: List[bytes]) -> None:
    write(tag)
    write(len(encoded).to_bytes(8, "big"))
    for item in encoded:
        write(item)


def _primitive_base(obj: Any) -> Any:
    """The plain value of a str/int/float/bytes subclass instance (ignoring overridden dunders)."""
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, int):
        return int.__int__(obj)
    if isinstance(obj, float):
        return float.__float__(obj)
    return obj[:]  # bytes: slicing gives a plain bytes object


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _pickled(obj: Any) -> bytes:
    import cloudpickle

    try:
        return cloudpickle.dumps(obj, protocol=4)
    except Exception as exc:
        raise HashError(
            f"Cannot hash {type(obj).__name__} object {_short_repr(obj)}: {exc}"
        ) from exc


def _short_repr(obj: Any, limit: int = 60) -> str:
    try:
        text = repr(obj)
    except Exception:  # pragma: no cover - a broken __repr__
        text = f"<{type(obj).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_unhashable(name: str, exc: Exception, hint: Optional[str] = None) -> str:
    """The message for an input that cannot be hashed: names it and suggests a fix.

    Args:
        - name (str): the input's name
        - exc (Exception): why hashing failed
        - hint (str, optional): an extra suggestion

    Returns:
        - str: the message
    """
    text = (
        f"Cannot compute a cache key: input {name!r} cannot be hashed ({exc}). Exclude it with "
        f"`cache_policy=INPUTS - {name!r}` or compute the key yourself with `cache_key_fn`."
    )
    return f"{text} {hint}" if hint else text
