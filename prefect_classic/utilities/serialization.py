"""Serialization helpers, as Prefect 1's `prefect.utilities.serialization`: qualified names
(`to_qualified_name`, `from_qualified_name`), and the marshmallow schemas and fields the
`prefect_classic.serialization` schemas are built from (working on marshmallow 3 and 4)."""

from prefect_classic.serialization.fields import (
    UUID,
    Bytes,
    FunctionReference,
    JSONCompatible,
    Nested,
    SortedList,
    StatefulFunctionReference,
)
from prefect_classic.serialization.schedule import DateTimeTZ
from prefect_classic.serialization.schema import (
    ContextSchema,
    ObjectSchema,
    ObjectSchemaOptions,
    OneOfSchema,
    from_qualified_name,
    to_qualified_name,
)

__all__ = [
    "UUID",
    "Bytes",
    "ContextSchema",
    "DateTimeTZ",
    "FunctionReference",
    "JSONCompatible",
    "Nested",
    "ObjectSchema",
    "ObjectSchemaOptions",
    "OneOfSchema",
    "SortedList",
    "StatefulFunctionReference",
    "from_qualified_name",
    "to_qualified_name",
]
