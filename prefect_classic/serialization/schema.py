"""
Shared building blocks for the marshmallow schemas in `prefect_classic.serialization`,
with Prefect 1's API (`prefect.utilities.serialization`) on marshmallow 3 and 4.

- `ContextSchema`: a Schema that takes `context=` (marshmallow 4 removed it) and shares
  that very dict with its nested schemas (`Nested`, `OneOfSchema`), so that e.g. a flow's
  tasks and edges load into the same Task objects (`context["task_cache"]`).
- `ObjectSchema`: loads into an instance of `Meta.object_class` (a class, or a function
  returning one), leaving out `Meta.exclude_fields`; `load(data, create_object=False)`
  returns the loaded dict instead. Every dump gets a `"__version__"`; data written by a
  newer release than this one is refused; unknown keys are ignored, as in Prefect 1.
- `OneOfSchema`: dispatches on the `"type"` key (by default the dumped object's class
  name); an unknown or missing type is a `ValidationError`.

The fields live in `prefect_classic.serialization.fields`.
"""

import re
import sys
import types
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Tuple, Type

from marshmallow import EXCLUDE, Schema, SchemaOpts, ValidationError, post_dump, post_load, pre_load

__all__ = [
    "ContextSchema",
    "ObjectSchema",
    "ObjectSchemaOptions",
    "OneOfSchema",
    "check_version",
    "from_qualified_name",
    "load_each",
    "package_version",
    "sorted_strings",
    "to_qualified_name",
]

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

    Data without a `"__version__"` (or `None`) is accepted. Pre-release, post-release and
    local tags are ignored: `"1.4.1rc1"` and `"0.7.1+108.g3ad8ced1"` count as releases 1.4.1
    and 0.7.1.

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


def from_qualified_name(obj_str: str) -> Any:
    """The object at an import path, looked up among modules that are already imported
    (nothing is imported).

    Args:
        - obj_str (str): a qualified name such as `"prefect_classic.core.task.Task"`

    Returns:
        - Any: the object

    Raises:
        - ValueError: when no imported module provides the object
    """
    parts = obj_str.split(".")
    for split in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:split]))
        if module is None:
            continue
        found: Any = module
        try:
            for attribute in parts[split:]:
                found = getattr(found, attribute)
        except AttributeError:
            break
        return found
    raise ValueError(f"Couldn't load {obj_str!r}; maybe it hasn't been imported yet?")


def load_each(load: Any, items: Any) -> List[Any]:
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


_MOVED_TO_FIELDS = {
    "FunctionReference",
    "ISODateTime",
    "JSONCompatible",
    "Message",
    "Nested",
    "Seconds",
}


def __getattr__(name: str) -> Any:
    # the fields used to live here; they are in `prefect_classic.serialization.fields` now
    if name in _MOVED_TO_FIELDS:
        from prefect_classic.serialization import fields

        return getattr(fields, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------
# schemas
# ---------------------------------------------------------------------------------------


class ContextSchema(Schema):
    """
    A Schema with a `context` dict, on marshmallow 3 and 4 alike. The dict given is the one
    used (not a copy), and nested schemas reached through `Nested` fields or `OneOfSchema`
    share it.

    Args:
        - context (dict, optional): shared state for the dump or load, e.g. `task_cache`
        - *args, **kwargs: the arguments of `marshmallow.Schema`
    """

    def __init__(self, *args: Any, context: Optional[Dict[Any, Any]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context: Dict[Any, Any] = context if context is not None else {}


def make_schema(schema: Any, context: Optional[Dict[Any, Any]], **kwargs: Any) -> Schema:
    """An instance of `schema` (a Schema class or instance) sharing `context`.

    Args:
        - schema (Union[type, Schema]): the schema
        - context (dict, optional): the context to share
        - **kwargs (Any): arguments for the class (`many`, `only`, ...)

    Returns:
        - Schema: the instance
    """
    if isinstance(schema, Schema):
        instance = schema
    elif issubclass(schema, ContextSchema):
        return schema(context=context, **kwargs)
    else:
        instance = schema(**kwargs)
    if context is not None:
        instance.context = context  # type: ignore[attr-defined]
    return instance


class ObjectSchemaOptions(SchemaOpts):
    """`Meta` options of an ObjectSchema: `object_class`, `exclude_fields`, and `unknown`
    (default `EXCLUDE`)."""

    def __init__(self, meta: Any, **kwargs: Any) -> None:
        super().__init__(meta, **kwargs)
        self.object_class = getattr(meta, "object_class", None)
        self.exclude_fields = list(getattr(meta, "exclude_fields", None) or [])
        self.unknown = getattr(meta, "unknown", EXCLUDE)


_UNSET = object()


class ObjectSchema(ContextSchema):
    """
    A schema that loads into an instance of `Meta.object_class`, called with the loaded
    fields (except `Meta.exclude_fields`) as keyword arguments. `Meta.object_class` may be
    a function returning the class (to avoid import cycles). It adds `"__version__"` to every
    dump, refuses data written by a newer release, and ignores unknown keys.

    Subclasses that build the object themselves override `create_object` (decorated with
    `@post_load` as in Prefect 1, or not).
    """

    OPTIONS_CLASS = ObjectSchemaOptions
    opts: ObjectSchemaOptions

    #: the object class, for schemas that set it as a class attribute instead of in `Meta`
    object_class: ClassVar[Optional[Any]] = None

    class Meta:
        object_class = None
        exclude_fields: List[str] = []
        unknown = EXCLUDE

    @pre_load
    def _check_and_remove_version(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            check_version(data.get("__version__"))
            data = {key: value for key, value in data.items() if key != "__version__"}
        return data

    @post_dump
    def _add_version(self, data: Dict[str, Any], **kwargs: Any) -> Dict[str, Any]:
        data = dict(data)
        data.setdefault("__version__", package_version())
        return data

    def load(self, data: Any, create_object: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        """
        Load `data` into an object (or, with `create_object=False`, a dict of loaded fields).

        Args:
            - data (dict): the serialized data
            - create_object (bool, optional): build the object (default); nested schemas
                follow the outermost `load`'s choice
            - **kwargs (Any): the other arguments of `marshmallow.Schema.load`

        Returns:
            - Any: the object, or the loaded dict

        Raises:
            - ValidationError: when the data is invalid
        """
        if "create_object" in self.context:  # a nested load: the outermost load decides
            return super().load(data, **kwargs)
        self.context["create_object"] = create_object
        try:
            return super().load(data, **kwargs)
        finally:
            self.context.pop("create_object", None)

    def object_class_(self) -> Optional[type]:
        """The class this schema loads into (`Meta.object_class`, called first when it is a
        function returning the class).

        Returns:
            - type: the class, or None when the schema loads into dicts
        """
        found = self.opts.object_class
        if found is None:
            found = type(self).object_class
        if isinstance(found, types.FunctionType):
            found = found()
        return found

    @post_load
    def _create_object_of_plain_override(self, data: Any, **kwargs: Any) -> Any:
        # a subclass may override `create_object` without `@post_load` (and with the
        # signature `create_object(self, data)`): call it here, since marshmallow then no
        # longer sees it as a hook
        method = type(self).create_object
        if hasattr(method, "__marshmallow_hook__"):
            return data  # runs as its own hook
        return method(self, data)

    @post_load
    def create_object(self, data: Dict[str, Any], **kwargs: Any) -> Any:
        """
        Build the object from the loaded fields, unless the load was asked not to.

        Args:
            - data (dict): the loaded fields
            - **kwargs (Any): marshmallow's hook arguments

        Returns:
            - Any: the new object (`data` itself without an object class or with
                `create_object=False`)

        Raises:
            - TypeError: when the fields do not fit the class's arguments (as in Prefect 1)
            - ValidationError: when the class rejects a value (its `ValueError`)
        """
        if not self.context.get("create_object", True):
            return data
        object_class = self.object_class_()
        if object_class is None:
            return data
        excluded = self.opts.exclude_fields
        try:
            return object_class(**{k: v for k, v in data.items() if k not in excluded})
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class OneOfSchema(ContextSchema):
    """
    A schema that picks one of `type_schemas` by the `"type"` key: `dump` writes the
    object's type name (see `get_obj_type`) and `load` reads it (see `get_data_type`).
    Unknown or missing types raise `ValidationError`. The chosen schema shares this
    schema's context.
    """

    type_field: ClassVar[str] = "type"
    type_field_remove: ClassVar[bool] = True
    type_schemas: ClassVar[Dict[str, Type[Schema]]] = {}

    class Meta:
        unknown = EXCLUDE

    def get_obj_type(self, obj: Any) -> str:
        """
        The type name written for `obj`.

        Args:
            - obj (Any): the object being dumped

        Returns:
            - str: a key of `type_schemas` (by default, the object's class name)
        """
        return type(obj).__name__

    def get_data_type(self, data: Mapping[str, Any]) -> Any:
        """
        The type name of serialized data.

        Args:
            - data (dict): the serialized data

        Returns:
            - Any: the `"type"` value (None when missing)
        """
        return data.get(self.type_field)

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
            raise ValidationError(f"Unsupported object type: {name}")
        data = make_schema(schema, self.context).dump(obj)
        data[self.type_field] = name
        return data

    def load(
        self,
        data: Any,
        *,
        many: Optional[bool] = None,
        partial: Any = None,
        unknown: Optional[str] = None,
        **kwargs: Any,
    ) -> Any:
        many = self.many if many is None else bool(many)
        kwargs["unknown"] = unknown or self.unknown  # EXCLUDE by default, for the chosen schema
        if not many:
            return self._load_one(data, partial, **kwargs)
        if not isinstance(data, list):
            raise ValidationError("Expected a list.")
        return load_each(lambda item: self._load_one(item, partial, **kwargs), data)

    def _load_one(self, data: Any, partial: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValidationError({"_schema": ["Invalid input type."]})
        name = self.get_data_type(data)
        if name is None:
            raise ValidationError({self.type_field: ["Missing data for required field."]})
        schema = self.type_schemas.get(name) if isinstance(name, str) else None
        if schema is None:
            known = ", ".join(sorted(self.type_schemas))
            raise ValidationError(
                {self.type_field: [f"Unsupported value: {name!r} (known types: {known})."]}
            )
        payload = dict(data)
        if self.type_field_remove:
            payload.pop(self.type_field, None)
        return make_schema(schema, self.context).load(payload, partial=partial, **kwargs)

    def validate(
        self, data: Any, *, many: Optional[bool] = None, partial: Any = None
    ) -> Dict[str, Any]:
        try:
            self.load(data, many=many, partial=partial)
        except ValidationError as exc:
            return exc.normalized_messages()  # type: ignore[return-value]
        return {}
