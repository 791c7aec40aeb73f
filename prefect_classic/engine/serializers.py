"""Serializers turn task results into bytes and back; every `Result` carries one.

`PickleSerializer` (cloudpickle) is the default. `JSONSerializer` and `DateTimeSerializer` produce
human-readable bytes, `PandasSerializer` stores DataFrames in any format pandas reads and writes,
and `CompressedSerializer` wraps another serializer with a compression step.
"""

import base64
import bz2
import datetime
import gzip
import importlib
import io
import json
import lzma
import zlib
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

import cloudpickle
import pendulum

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CompressedSerializer",
    "DateTimeSerializer",
    "JSONSerializer",
    "PandasSerializer",
    "PickleSerializer",
    "Serializer",
]

COMPRESSION_FORMATS: Dict[str, Tuple[Callable[..., bytes], Callable[..., bytes]]] = {
    "bz2": (bz2.compress, bz2.decompress),
    "gzip": (gzip.compress, gzip.decompress),
    "lzma": (lzma.compress, lzma.decompress),
    "zlib": (zlib.compress, zlib.decompress),
}


def _type_name(value: Any) -> str:
    cls = type(value)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


class Serializer:
    """Turns a Python value into bytes and back.

    Subclasses implement `serialize` and `deserialize`. Two serializers are equal when they have the
    same type and the same configuration.
    """

    def serialize(self, value: Any) -> bytes:
        """Serialize a value to bytes.

        Args:
            - value (Any): the value

        Returns:
            - bytes: the serialized value
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement serialize")

    def deserialize(self, value: bytes) -> Any:
        """Deserialize bytes back into a value.

        Args:
            - value (bytes): bytes produced by `serialize`

        Returns:
            - Any: the value
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement deserialize")

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PickleSerializer(Serializer):
    """Serializes any picklable value with cloudpickle (so lambdas and local classes work too)."""

    def serialize(self, value: Any) -> bytes:
        """Pickle a value with cloudpickle.

        Args:
            - value (Any): the value

        Returns:
            - bytes: the pickle

        Raises:
            - TypeError: when the value cannot be pickled; the message names its type
        """
        try:
            return cloudpickle.dumps(value)
        except Exception as exc:
            raise TypeError(
                f"PickleSerializer cannot serialize a value of type {_type_name(value)}: {exc}"
            ) from exc

    def deserialize(self, value: bytes) -> Any:
        """Unpickle bytes; base64-encoded pickles written by very old Prefect versions also load.

        Args:
            - value (bytes): the pickle

        Returns:
            - Any: the value
        """
        try:
            return cloudpickle.loads(value)
        except Exception as exc:
            try:
                return cloudpickle.loads(base64.b64decode(value, validate=True))
            except Exception:
                raise exc from None


class JSONSerializer(Serializer):
    """Serializes JSON-compatible values (dicts, lists, strings, numbers, booleans, None) as UTF-8 JSON."""

    def serialize(self, value: Any) -> bytes:
        """Encode a value as JSON.

        Args:
            - value (Any): a JSON-compatible value

        Returns:
            - bytes: UTF-8 JSON

        Raises:
            - TypeError: when the value (or something inside it) is not JSON-serializable
            - ValueError: for circular references
        """
        try:
            return json.dumps(value).encode("utf-8")
        except TypeError as exc:
            raise TypeError(
                f"JSONSerializer cannot serialize a value of type {_type_name(value)}: {exc}"
            ) from exc
        except ValueError as exc:
            raise ValueError(
                f"JSONSerializer cannot serialize a value of type {_type_name(value)}: {exc}"
            ) from exc

    def deserialize(self, value: bytes) -> Any:
        """Decode JSON bytes.

        Args:
            - value (bytes): UTF-8 JSON

        Returns:
            - Any: the decoded value
        """
        return json.loads(value)


class DateTimeSerializer(Serializer):
    """Serializes datetimes as ISO 8601 strings and reads them back as pendulum `DateTime`s.

    Naive datetimes are taken to be in UTC.
    """

    def serialize(self, value: Any) -> bytes:
        """Encode a datetime as an ISO 8601 string.

        Args:
            - value (datetime.datetime): the datetime

        Returns:
            - bytes: the UTF-8 ISO 8601 string

        Raises:
            - TypeError: when the value is not a `datetime.datetime`
        """
        if not isinstance(value, datetime.datetime):
            raise TypeError(
                f"DateTimeSerializer can only serialize datetimes, not a value of type {_type_name(value)}"
            )
        return pendulum.instance(value).to_iso8601_string().encode("utf-8")

    def deserialize(self, value: bytes) -> Any:
        """Parse an ISO 8601 string.

        Args:
            - value (bytes): the UTF-8 ISO 8601 string

        Returns:
            - pendulum.DateTime: the datetime
        """
        return pendulum.parse(value.decode("utf-8"))


def _import_pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "PandasSerializer requires pandas, which is not installed. "
            "Install it with `pip install pandas`."
        ) from exc
    return pandas


class PandasSerializer(Serializer):
    """Serializes pandas DataFrames with a `DataFrame.to_<file_type>` / `pandas.read_<file_type>` pair.

    pandas is imported when the serializer is used, so the class is available without pandas.

    Args:
        - file_type (str): the format, e.g. `"csv"`, `"parquet"` or `"json"`: there must be a
            `DataFrame.to_<file_type>` method and a `pandas.read_<file_type>` function
        - deserialize_kwargs (dict, optional): keyword arguments for `pandas.read_<file_type>`
        - serialize_kwargs (dict, optional): keyword arguments for `DataFrame.to_<file_type>`
    """

    def __init__(
        self,
        file_type: str,
        deserialize_kwargs: Optional[Dict[str, Any]] = None,
        serialize_kwargs: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.file_type = file_type
        self.deserialize_kwargs = dict(deserialize_kwargs or {})
        self.serialize_kwargs = dict(serialize_kwargs or {})
        try:
            import pandas
        except ImportError:
            return  # checked on first use
        if not hasattr(pandas, f"read_{file_type}") or not hasattr(
            pandas.DataFrame, f"to_{file_type}"
        ):
            raise ValueError(f"pandas cannot read and write the file type {file_type!r}")

    def __repr__(self) -> str:
        return f"PandasSerializer(file_type={self.file_type!r})"

    def _writer(self, dataframe: Any) -> Callable[..., Any]:
        pd = _import_pandas()
        if not isinstance(dataframe, pd.DataFrame):
            raise TypeError(
                f"PandasSerializer can only serialize DataFrames, not a value of type {_type_name(dataframe)}"
            )
        method = getattr(dataframe, f"to_{self.file_type}", None)
        if method is None:
            raise ValueError(f"pandas has no DataFrame.to_{self.file_type} method")
        return method

    def _reader(self) -> Callable[..., Any]:
        pd = _import_pandas()
        method = getattr(pd, f"read_{self.file_type}", None)
        if method is None:
            raise ValueError(f"pandas has no read_{self.file_type} function")
        return method

    def serialize(self, value: "pd.DataFrame") -> bytes:
        """Write a DataFrame to bytes in `file_type` format.

        Args:
            - value (pandas.DataFrame): the DataFrame

        Returns:
            - bytes: the encoded DataFrame

        Raises:
            - ImportError: when pandas is not installed
            - TypeError: when the value is not a DataFrame
            - ValueError: when pandas cannot write `file_type`
        """
        writer = self._writer(value)
        buffer = io.BytesIO()
        try:
            writer(buffer, **self.serialize_kwargs)
            return buffer.getvalue()
        except TypeError:
            # some pandas writers (e.g. older `to_csv`) only accept text buffers
            text = io.StringIO()
            writer(text, **self.serialize_kwargs)
            return text.getvalue().encode("utf-8")

    def deserialize(self, value: bytes) -> "pd.DataFrame":
        """Read a DataFrame from bytes in `file_type` format.

        Args:
            - value (bytes): the encoded DataFrame

        Returns:
            - pandas.DataFrame: the DataFrame

        Raises:
            - ImportError: when pandas is not installed
        """
        return self._reader()(io.BytesIO(value), **self.deserialize_kwargs)


def compression_functions(format: str) -> Tuple[Callable[..., bytes], Callable[..., bytes]]:
    """The `compress` and `decompress` functions of a compression module.

    Args:
        - format (str): the module's import name, usually one of the standard library's
            `"bz2"`, `"gzip"`, `"lzma"` or `"zlib"`; any importable module with `compress` and
            `decompress` functions works (e.g. `"lz4.frame"`)

    Returns:
        - Tuple[Callable, Callable]: `(compress, decompress)`

    Raises:
        - ImportError: when the module cannot be imported
        - ValueError: when the module has no `compress` and `decompress` functions
    """
    standard = ", ".join(sorted(set(COMPRESSION_FORMATS) - {format}))
    try:
        module = importlib.import_module(format)
    except ImportError as exc:
        raise ImportError(
            f"The compression module {format!r} is not installed; the standard library has: "
            f"{standard}."
        ) from exc
    compress, decompress = getattr(module, "compress", None), getattr(module, "decompress", None)
    if not (callable(compress) and callable(decompress)):
        raise ValueError(
            f"The {format!r} module does not have 'compress' and 'decompress' functions: pass "
            f"`compress` and `decompress` yourself, or use one of: {standard}."
        )
    return compress, decompress


class CompressedSerializer(Serializer):
    """Wraps another serializer and compresses its bytes.

    Give either `format` (a compression module such as `"bz2"`, `"gzip"`, `"lzma"` or
    `"zlib"`) or both `compress` and `decompress`. Two CompressedSerializers are equal when they
    wrap equal serializers with the same functions and keyword arguments, so `format="gzip"`
    equals `compress=gzip.compress, decompress=gzip.decompress`.

    Args:
        - serializer (Serializer): the serializer whose output is compressed
        - format (str, optional): the import name of a module with `compress` and
            `decompress` functions
        - compress (Callable[..., bytes], optional): a custom compression function
        - decompress (Callable[..., bytes], optional): the matching decompression function
        - compress_kwargs (dict, optional): keyword arguments for the compression function
        - decompress_kwargs (dict, optional): keyword arguments for the decompression function

    Raises:
        - ValueError: when neither or both of `format` and `compress`/`decompress` are given,
            or the `format` module has no compression functions
        - ImportError: when the `format` module is not installed
    """

    def __init__(
        self,
        serializer: Serializer,
        format: Optional[str] = None,
        compress: Optional[Callable[..., bytes]] = None,
        decompress: Optional[Callable[..., bytes]] = None,
        compress_kwargs: Optional[Dict[str, Any]] = None,
        decompress_kwargs: Optional[Dict[str, Any]] = None,
    ) -> None:
        if not isinstance(serializer, Serializer):
            raise TypeError(
                f"CompressedSerializer wraps a Serializer, not a value of type {_type_name(serializer)}"
            )
        if format is not None:
            if compress is not None or decompress is not None:
                raise ValueError("Give either `format` or `compress`/`decompress`, not both.")
            compress, decompress = compression_functions(format)
        elif compress is None or decompress is None:
            raise ValueError(
                "Give either `format` (one of: "
                f"{', '.join(sorted(COMPRESSION_FORMATS))}) or both `compress` and `decompress`."
            )
        self.serializer = serializer
        self.format = format
        self.compress = compress
        self.decompress = decompress
        self.compress_kwargs = dict(compress_kwargs or {})
        self.decompress_kwargs = dict(decompress_kwargs or {})

    def __eq__(self, other: Any) -> bool:
        return (
            type(self) is type(other)
            and self.serializer == other.serializer
            and self.compress == other.compress
            and self.decompress == other.decompress
            and self.compress_kwargs == other.compress_kwargs
            and self.decompress_kwargs == other.decompress_kwargs
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        how = self.format or getattr(self.compress, "__name__", "custom")
        return f"CompressedSerializer({self.serializer!r}, {how})"

    def serialize(self, value: Any) -> bytes:
        """Serialize with the wrapped serializer, then compress.

        Args:
            - value (Any): the value

        Returns:
            - bytes: the compressed bytes
        """
        return self.compress(self.serializer.serialize(value), **self.compress_kwargs)

    def deserialize(self, value: bytes) -> Any:
        """Decompress, then deserialize with the wrapped serializer.

        Args:
            - value (bytes): the compressed bytes

        Returns:
            - Any: the value
        """
        return self.serializer.deserialize(self.decompress(value, **self.decompress_kwargs))
