"""
Marshmallow fields with Prefect 1's behaviour (`prefect.utilities.serialization`), working
the same on marshmallow 3 and 4:

- `JSONCompatible`: any JSON-compatible value.
- `Nested`: a nested schema sharing the parent's `context`; `value_selection_fn(obj, context)`
  may choose the value to dump (or `marshmallow.missing` to leave the key out).
- `SortedList`: a list dumped in sorted order.
- `Bytes` (base64 text), `UUID` (validated, loaded as text), `ISODateTime` (ISO 8601 with
  offset, loaded in UTC), `Seconds` (timedeltas as seconds), `Message` (state messages).
- `FunctionReference`: one of a fixed set of functions, as its import path.
- `StatefulFunctionReference`: a function, or a closure built by one (a "factory" such as
  `some_successful(at_least=2)`), as `{"fn": <import path>, "kwargs": <factory arguments>}`.
"""

import base64
import datetime
import inspect
import json
import uuid
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

import pendulum
from marshmallow import ValidationError, fields, missing

from prefect_classic.serialization.schema import to_qualified_name

__all__ = [
    "UUID",
    "Bytes",
    "FunctionReference",
    "ISODateTime",
    "JSONCompatible",
    "Message",
    "Nested",
    "Seconds",
    "SortedList",
    "StatefulFunctionReference",
]

#: the module prefix of Prefect 1's names, accepted for this package's functions
PREFECT_NAMESPACE = "prefect."
LOCAL_NAMESPACE = "prefect_classic."


def _root_context(field: fields.Field) -> Optional[Dict[Any, Any]]:
    """The `context` of the schema a field belongs to (through containers such as List)."""
    node = getattr(field, "parent", None)
    while isinstance(node, fields.Field):
        node = getattr(node, "parent", None)
    context = getattr(node, "context", None)
    return context if isinstance(context, dict) else None


class JSONCompatible(fields.Field):
    """A field holding any JSON-compatible value (`null` included); anything else is a
    `ValidationError`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        super().__init__(*args, **kwargs)

    def _check(self, value: Any, attr: Optional[str] = None, obj: Any = None) -> Any:
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            where = f" for `{type(obj).__name__}.{attr}`" if attr else ""
            raise ValidationError(
                f"Values{where} must be JSON compatible, got `{value!r}`."
            ) from exc
        return value

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return self._check(value, attr, obj)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        return self._check(value)


class Nested(fields.Nested):
    """
    A nested schema that shares its parent schema's `context`. With `value_selection_fn`,
    the value dumped is `value_selection_fn(obj, context)`, where `context` also holds the
    attribute's name (`"attr"`) and value (`"value"`); returning `marshmallow.missing`
    leaves the key out.

    Args:
        - nested (Union[type, Schema, Callable]): the nested schema (or a function returning it)
        - value_selection_fn (Callable, optional): chooses the value to dump
        - **kwargs (Any): the keyword arguments of `marshmallow.fields.Nested`
    """

    def __init__(
        self, nested: Any, value_selection_fn: Optional[Callable[..., Any]] = None, **kwargs: Any
    ) -> None:
        super().__init__(nested, **kwargs)
        self.value_selection_fn = value_selection_fn
        if value_selection_fn is not None:
            self._CHECK_ATTRIBUTE = False

    @property
    def schema(self) -> Any:
        schema = super().schema
        context = _root_context(self)
        if context is not None and getattr(schema, "context", None) is not context:
            schema.context = context  # type: ignore[attr-defined]
        return schema

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.value_selection_fn is not None:
            context = dict(_root_context(self) or {})
            context.update(value=value, attr=attr)
            value = self.value_selection_fn(obj, context)
        if value is missing:
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class SortedList(fields.List):
    """A list field whose dump is sorted, so that dumps of sets are deterministic."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        dumped = super()._serialize(value, attr, obj, **kwargs)
        return None if dumped is None else sorted(dumped)


class Bytes(fields.Field):
    """Bytes, written as base64 text."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return None if value is None else base64.b64encode(value).decode("utf-8")

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        try:
            return base64.b64decode(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError("Not valid base64 text.") from exc


class UUID(fields.UUID):
    """A UUID, validated on load but kept as text."""

    def _deserialize(self, value: Any, attr: Optional[str], data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        return None if loaded is None else str(loaded)

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            try:
                value = uuid.UUID(value)
            except ValueError as exc:
                raise ValidationError("Not a valid UUID.") from exc
        return super()._serialize(value, attr, obj, **kwargs)


class ISODateTime(fields.Field):
    """
    A datetime as an ISO 8601 string with its UTC offset. Loads into a pendulum
    `DateTime` in UTC; strings without an offset are read as UTC.
    """

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime.datetime):
            raise ValidationError(f"Not a datetime: {value!r}.")
        return pendulum.instance(value).isoformat()

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, str):
            raise ValidationError("Not a valid datetime string.")
        try:
            parsed = pendulum.parse(value, tz="UTC")
        except Exception as exc:
            raise ValidationError(f"Not a valid datetime: {value!r}.") from exc
        if not isinstance(parsed, pendulum.DateTime):
            raise ValidationError(f"Not a valid datetime: {value!r}.")
        return parsed.in_tz("UTC")


class Seconds(fields.Field):
    """
    A timedelta as a number of seconds (an integer when whole), as Prefect 1 wrote
    `retry_delay` and `cache_for`.
    """

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime.timedelta):
            raise ValidationError(f"Not a timedelta: {value!r}.")
        seconds = value.total_seconds()
        return int(seconds) if seconds.is_integer() else seconds

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a number of seconds.")
        try:
            return datetime.timedelta(seconds=value)
        except OverflowError as exc:
            raise ValidationError("Number of seconds out of range.") from exc


class Message(fields.Field):
    """A state message: strings pass through, anything else (e.g. an exception) is dumped
    as its `str()`."""

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, str):
            raise ValidationError("Not a valid string.")
        return value


def _names(function: Callable[..., Any], wire_prefix: Optional[str]) -> List[str]:
    """The names a function is read under, the one it is written under first: its import
    path, and the same path under Prefect 1's `prefect.` namespace (written when `wire_prefix`
    is `"prefect."`)."""
    local = to_qualified_name(function)
    if not local.startswith(LOCAL_NAMESPACE):
        return [local]
    prefect1 = PREFECT_NAMESPACE + local[len(LOCAL_NAMESPACE) :]
    return [prefect1, local] if wire_prefix == PREFECT_NAMESPACE else [local, prefect1]


class FunctionReference(fields.Field):
    """
    A function written as its import path. Loading returns the function for the paths of
    `valid_functions` (under `prefect_classic.` or Prefect 1's `prefect.`).

    Args:
        - valid_functions (List[Callable]): the functions that can be referenced
        - reject_invalid (bool, optional): refuse other functions (the default); when False,
            any function is written as its path and unknown paths load as the plain string
        - **kwargs (Any): the keyword arguments of `marshmallow.fields.Field`
    """

    def __init__(
        self,
        valid_functions: Iterable[Callable[..., Any]],
        reject_invalid: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.reject_invalid = reject_invalid
        self.valid_functions: Dict[str, Callable[..., Any]] = {}
        for fn in valid_functions:
            for name in _names(fn, None):
                self.valid_functions.setdefault(name, fn)

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            if self.allow_none:
                return None
            raise ValidationError("A function reference may not be null.")
        if self.reject_invalid and not any(fn is value for fn in self.valid_functions.values()):
            raise ValidationError(f"Invalid function reference: {value!r}")
        try:
            return to_qualified_name(value)
        except AttributeError as exc:
            raise ValidationError(f"Not a function: {value!r}") from exc

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, str):
            raise ValidationError("A function reference must be a string.")
        if value in self.valid_functions:
            return self.valid_functions[value]
        if self.reject_invalid:
            raise ValidationError(f"Invalid function reference: {value}")
        return value


class StatefulFunctionReference(fields.Field):
    """
    A function, or a closure made by one (a factory), written as `{"fn": <import path>,
    "kwargs": {...}}`. For a closure, `fn` is its factory among `valid_functions` and `kwargs`
    are the factory's arguments, read from the closure's variables; datetimes, times and
    timedeltas are written as `"//datetime:<ISO>"`, `"//time:<ISO>"` and
    `"//timedelta:<seconds>"`. Loading a reference with arguments calls the factory with them;
    without arguments it returns the function itself.

    Args:
        - valid_functions (List[Callable]): the functions and factories that can be referenced
        - reject_invalid (bool, optional): refuse other functions (the default); when False,
            they are written by their own path and load as `None`
        - closure_aliases (dict, optional): `{closure variable: factory argument}` for
            factories that keep an argument under another name
        - wire_prefix (str, optional): `"prefect."` to write this package's functions under
            Prefect 1's names (both names are always read)
        - **kwargs (Any): the keyword arguments of `marshmallow.fields.Field`
    """

    def __init__(
        self,
        valid_functions: Iterable[Callable[..., Any]],
        reject_invalid: bool = True,
        closure_aliases: Optional[Mapping[str, str]] = None,
        wire_prefix: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.reject_invalid = reject_invalid
        self.closure_aliases = dict(closure_aliases or {})
        self.valid_functions: Dict[str, Callable[..., Any]] = {}
        self._written_name: Dict[int, str] = {}
        self._local_names: Dict[str, Callable[..., Any]] = {}
        for fn in valid_functions:
            names = _names(fn, wire_prefix)
            self._written_name[id(fn)] = names[0]
            self._local_names[to_qualified_name(fn)] = fn
            for name in names:
                self.valid_functions.setdefault(name, fn)

    def _base_function(self, value: Any) -> Optional[Callable[..., Any]]:
        """The valid function `value` is, or the factory that made it."""
        for fn in self._local_names.values():
            if fn is value:
                return fn
        try:
            qualified = to_qualified_name(value)
        except AttributeError:
            return None
        prefixes = sorted(
            (name for name in self._local_names if qualified.startswith(name + ".<locals>.")),
            key=len,
            reverse=True,
        )
        if prefixes:
            return self._local_names[prefixes[0]]
        # closures built by a shared helper carry their factory's name
        named = f"{getattr(value, '__module__', '')}.{getattr(value, '__name__', '')}"
        return self._local_names.get(named)

    def encode_argument(self, value: Any) -> Any:
        """How a factory argument is written (datetimes, times and timedeltas as tagged text).

        Args:
            - value (Any): the argument

        Returns:
            - Any: a JSON-compatible value
        """
        if isinstance(value, datetime.datetime):
            return "//datetime:" + value.isoformat()
        if isinstance(value, datetime.time):
            return "//time:" + value.isoformat()
        if isinstance(value, datetime.timedelta):
            return "//timedelta:" + str(value.total_seconds())
        return value

    def decode_argument(self, value: Any) -> Any:
        """The factory argument for a written value (the reverse of `encode_argument`).

        Args:
            - value (Any): the written value

        Returns:
            - Any: the argument
        """
        if not isinstance(value, str):
            return value
        try:
            if value.startswith("//datetime:"):
                return pendulum.parse(value[len("//datetime:") :])
            if value.startswith("//time:"):
                return datetime.time.fromisoformat(value[len("//time:") :])
            if value.startswith("//timedelta:"):
                return datetime.timedelta(seconds=float(value[len("//timedelta:") :]))
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"Not a valid argument: {value!r}.") from exc
        return value

    def _arguments(self, value: Any, factory: Optional[Callable[..., Any]]) -> Dict[str, Any]:
        try:
            closure = dict(inspect.getclosurevars(value).nonlocals)
        except TypeError:
            closure = {}
        arguments = {self.closure_aliases.get(k, k): v for k, v in closure.items()}
        if factory is not None and factory is not value:
            wanted: Mapping[str, Any]
            try:
                wanted = inspect.signature(factory).parameters
            except (TypeError, ValueError):
                wanted = {}
            if wanted:  # keep the factory's arguments, not the closure's helpers
                arguments = {k: v for k, v in arguments.items() if k in wanted}
        return {k: self.encode_argument(v) for k, v in arguments.items()}

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None:
            if self.allow_none:
                return None
            raise ValidationError("A function reference may not be null.")
        factory = self._base_function(value)
        if factory is None:
            if self.reject_invalid or not callable(value):
                raise ValidationError(
                    f"Unable to serialize `{value!r}` for `{type(obj).__name__}.{attr}`: "
                    "custom functions aren't supported here."
                )
            name = to_qualified_name(value) if hasattr(value, "__qualname__") else repr(value)
        else:
            name = self._written_name[id(factory)]
        arguments = self._arguments(value, factory)
        try:
            json.dumps(arguments)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"The arguments of {value!r} are not JSON compatible.") from exc
        return {"fn": name, "kwargs": arguments}

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if isinstance(value, str):  # a plain reference
            value = {"fn": value, "kwargs": {}}
        if not isinstance(value, Mapping) or not isinstance(value.get("fn"), str):
            raise ValidationError("A function reference must be an object with an 'fn' name.")
        fn = self.valid_functions.get(value["fn"])
        if fn is None:
            if self.reject_invalid:
                raise ValidationError(f"Invalid function reference: {value['fn']}")
            return None
        arguments = value.get("kwargs") or {}
        if not isinstance(arguments, Mapping):
            raise ValidationError("Function reference kwargs must be an object.")
        if not arguments:
            return fn
        try:
            return fn(**{k: self.decode_argument(v) for k, v in arguments.items()})
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"Invalid arguments for {value['fn']}: {exc}") from exc
