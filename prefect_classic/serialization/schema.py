"""
Shared building blocks for the marshmallow schemas in `prefect_classic.serialization`.

- `ObjectSchema`: loads into an instance of its `object_class`, stamps every dump with a
  `"__version__"` and refuses data written by a newer release than this one.
- `OneOfSchema`: dispatches on the `"type"` key (the class name of the dumped object);
  an unknown or missing type is a `ValidationError`, never a guess.
- Fields that behave the same on marshmallow 3 and 4: `JSONCompatible`, `ISODateTime`,
  `Seconds` (timedeltas), `Message` and `FunctionReference`.

Nothing here uses schema `context`, implicit fields, `fields.Function` with a context
argument, `missing=`/`default=` or `ordered`, all of which marshmallow 4 removed.
"""

import ast
import datetime
import inspect
import json
import re
import sys
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple, Type

import pendulum
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, post_load, pre_load

__all__ = [
    "FunctionReference",
    "ISODateTime",
    "JSONCompatible",
    "Message",
    "ObjectSchema",
    "OneOfSchema",
    "Seconds",
    "check_version",
    "load_each",
    "package_version",
    "sorted_strings",
    "to_qualified_name",
]

#: the module prefix Prefect 1 used; written for built-in functions so Prefect 1 reads them
PREFECT_NAMESPACE = "prefect."
LOCAL_NAMESPACE = "prefect_classic."

_RELEASE = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def package_version() -> str:
    """The version of this package, written as `"__version__"` in every dump.

    Returns:
        - str: the version string
    """
    package = sys.modules.get(__name__.split(".")[0])
    return str(getattr(package, "__version__", "0"))


def _release(version: str) -> Tuple[int, ...]:
    match = _RELEASE.match(version)
    if match is None:
        raise ValueError(version)
    numbers = [int(part) for part in match.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def check_version(version: Any) -> None:
    """Refuse serialized data from a release newer than this one.

    Data without a `"__version__"` (or `None`) is accepted. Pre-release and post-release
    tags are ignored: `"1.4.1rc1"` and `"1.4.1.post2"` both count as release 1.4.1.

    Args:
        - version (Any): the `"__version__"` value of the data

    Raises:
        - ValidationError: when the version is not a version string, or is newer than
            this package's release
    """
    if version is None:
        return
    if not isinstance(version, str):
        raise ValidationError({"__version__": [f"Not a version string: {version!r}."]})
    try:
        theirs = _release(version)
    except ValueError:
        raise ValidationError({"__version__": [f"Not a version string: {version!r}."]}) from None
    ours = package_version()
    if theirs > _release(ours):
        raise ValidationError(
            {
                "__version__": [
                    f"Data was written by version {version}, which is newer than this "
                    f"version ({ours}); upgrade prefect_classic to load it."
                ]
            }
        )


def to_qualified_name(obj: Any) -> str:
    """The import path of an object: `module.QualifiedName`.

    Args:
        - obj (Any): a class or function

    Returns:
        - str: the qualified name
    """
    return f"{obj.__module__}.{obj.__qualname__}"


# ---------------------------------------------------------------------------------------
# schemas
# ---------------------------------------------------------------------------------------


class ObjectSchema(Schema):
    """
    A schema that loads into an instance of `object_class` (called with the loaded fields
    as keyword arguments, see `create_object`) and adds `"__version__"` to every dump.
    Loading data whose `"__version__"` is newer than this package raises
    `ValidationError`; unknown keys are ignored, as in Prefect 1.
    """

    object_class: ClassVar[Optional[Callable[..., Any]]] = None

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _check_and_remove_version(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            check_version(data.get("__version__"))
            data = {key: value for key, value in data.items() if key != "__version__"}
        return data

    @post_dump
    def _add_version(self, data: Dict[str, Any], **kwargs: Any) -> Dict[str, Any]:
        data.setdefault("__version__", package_version())
        return data

    @post_load
    def _create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        return self.create_object(data)

    def create_object(self, data: Dict[str, Any]) -> Any:
        """
        Build the object from the loaded fields.

        Args:
            - data (dict): the loaded fields

        Returns:
            - Any: the new object (`data` itself when the schema has no `object_class`)

        Raises:
            - ValidationError: when the object class rejects the fields
        """
        if self.object_class is None:
            return data
        try:
            return self.object_class(**data)
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc


class OneOfSchema(Schema):
    """
    A schema that picks one of `type_schemas` by the `"type"` key: `dump` writes the
    object's type name (see `get_obj_type`) and `load` reads it back. Unknown or missing
    types raise `ValidationError`.
    """

    type_field: ClassVar[str] = "type"
    type_schemas: ClassVar[Dict[str, Type[Schema]]] = {}

    def get_obj_type(self, obj: Any) -> str:
        """
        The type name written for `obj`.

        Args:
            - obj (Any): the object being dumped

        Returns:
            - str: a key of `type_schemas` (by default, the object's class name)
        """
        return type(obj).__name__

    def dump(self, obj: Any, *, many: Optional[bool] = None) -> Any:
        many = self.many if many is None else bool(many)
        if many:
            return [self._dump_one(item) for item in obj]
        return self._dump_one(obj)

    def _dump_one(self, obj: Any) -> Any:
        if obj is None:
            return None
        name = self.get_obj_type(obj)
        schema = self.type_schemas.get(name)
        if schema is None:
            raise ValidationError(f"Unsupported object type: {type(obj).__name__}")
        data = schema().dump(obj)
        data[self.type_field] = name
        return data

    def load(
        self,
        data: Any,
        *,
        many: Optional[bool] = None,
        partial: Any = None,
        unknown: Optional[str] = None,
    ) -> Any:
        many = self.many if many is None else bool(many)
        if not many:
            return self._load_one(data, partial)
        if not isinstance(data, list):
            raise ValidationError("Expected a list.")
        return load_each(lambda item: self._load_one(item, partial), data)

    def _load_one(self, data: Any, partial: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValidationError({"_schema": ["Invalid input type."]})
        name = data.get(self.type_field)
        if name is None:
            raise ValidationError({self.type_field: ["Missing data for required field."]})
        schema = self.type_schemas.get(name) if isinstance(name, str) else None
        if schema is None:
            known = ", ".join(sorted(self.type_schemas))
            raise ValidationError(
                {self.type_field: [f"Unsupported value: {name!r} (known types: {known})."]}
            )
        payload = {key: value for key, value in data.items() if key != self.type_field}
        return schema().load(payload, partial=partial)


# ---------------------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------------------


class JSONCompatible(fields.Field):
    """A field holding any JSON-compatible value (`null` included); anything else is a
    `ValidationError`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def _check(self, value: Any) -> Any:
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError("Value is not JSON-compatible.") from exc
        return value

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        return self._check(value)

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        return self._check(value)


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


def _wire_name(local_name: str) -> str:
    if local_name.startswith(LOCAL_NAMESPACE):
        return PREFECT_NAMESPACE + local_name[len(LOCAL_NAMESPACE) :]
    return local_name


_CALL = re.compile(r"^([\w.]+)\((.*)\)$", re.DOTALL)


class FunctionReference(fields.Field):
    """
    A reference to a function, written as a string the way Prefect 1 wrote triggers and
    cache validators: `"prefect.triggers.all_successful"` for a plain function, and
    `"prefect.triggers.some_successful(at_least=2, at_most=None)"` for a function built
    by one of the `factories` (its arguments are read from the closure).

    Loading resolves the built-in names (with the `prefect.` or `prefect_classic.`
    prefix) back into functions, calling factories with their literal arguments. Any
    other name (a custom function) loads as the plain string, as in Prefect 1.

    Args:
        - functions (List[Callable]): plain functions that can be referenced
        - factories (List[Callable], optional): functions returning closures
        - closure_aliases (dict, optional): `{closure variable: factory argument}` for
            factories that store an argument under another name
        - **kwargs (Any): the keyword arguments of `marshmallow.fields.Field`
    """

    def __init__(
        self,
        functions: Sequence[Callable[..., Any]],
        factories: Sequence[Callable[..., Any]] = (),
        closure_aliases: Optional[Mapping[str, str]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.functions: Dict[str, Callable[..., Any]] = {}
        self.factories: Dict[str, Callable[..., Any]] = {}
        self.closure_aliases = dict(closure_aliases or {})
        for table, items in ((self.functions, functions), (self.factories, factories)):
            for fn in items:
                local = to_qualified_name(fn)
                table[local] = table[_wire_name(local)] = fn

    def _factory_of(self, value: Any) -> Optional[Callable[..., Any]]:
        module = getattr(value, "__module__", "") or ""
        name = getattr(value, "__name__", "") or ""
        return self.factories.get(f"{module}.{name}")

    def _serialize(self, value: Any, attr: Optional[str], obj: Any, **kwargs: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if not callable(value):
            raise ValidationError(f"Not a function: {value!r}.")
        for name, fn in self.functions.items():
            if fn is value:
                return _wire_name(name)
        factory = self._factory_of(value)
        if factory is not None:
            try:
                closure = inspect.getclosurevars(value).nonlocals
            except TypeError:
                closure = {}
            arguments = {self.closure_aliases.get(k, k): v for k, v in closure.items()}
            wanted = inspect.signature(factory).parameters
            call = ", ".join(f"{k}={arguments[k]!r}" for k in wanted if k in arguments)
            return f"{_wire_name(to_qualified_name(factory))}({call})"
        module = getattr(value, "__module__", None) or "__main__"
        qualname = getattr(value, "__qualname__", None) or type(value).__qualname__
        return f"{module}.{qualname}"

    def _deserialize(
        self, value: Any, attr: Optional[str], data: Optional[Mapping[str, Any]], **kwargs: Any
    ) -> Any:
        if not isinstance(value, str):
            raise ValidationError("A function reference must be a string.")
        if value in self.functions:
            return self.functions[value]
        match = _CALL.match(value.strip())
        if match and match.group(1) in self.factories:
            return self._call_factory(match.group(1), match.group(2))
        if match and match.group(1) in self.functions and not match.group(2).strip():
            return self.functions[match.group(1)]  # Prefect 1 wrote "name()" for plain ones
        return value

    def _call_factory(self, name: str, arguments: str) -> Any:
        try:
            call = ast.parse(f"f({arguments})", mode="eval").body
            assert isinstance(call, ast.Call) and not call.args
            assert all(kw.arg is not None for kw in call.keywords)
            literal: Dict[str, Any] = {
                str(kw.arg): ast.literal_eval(kw.value) for kw in call.keywords
            }
        except Exception as exc:
            raise ValidationError(f"Invalid arguments in function reference {name}({arguments}).") from exc
        try:
            return self.factories[name](**literal)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"Invalid arguments for {name}: {exc}") from exc


def load_each(load: Callable[[Any], Any], items: Sequence[Any]) -> List[Any]:
    """Load every item of a list, reporting the errors of all failing items at once.

    Args:
        - load (Callable): loads one item; raises `ValidationError` when it is invalid
        - items (Sequence): the items

    Returns:
        - List: the loaded items, in order

    Raises:
        - ValidationError: with the messages of each failing item, keyed by its index
    """
    loaded, errors = [], {}
    for index, item in enumerate(items):
        try:
            loaded.append(load(item))
        except ValidationError as exc:
            errors[index] = exc.messages
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    return loaded


def sorted_strings(values: Any) -> List[str]:
    """Sort a collection of strings (for deterministic dumps of sets such as tags).

    Args:
        - values (Any): an iterable of strings, or None

    Returns:
        - List[str]: the sorted strings
    """
    return sorted(values or [])
