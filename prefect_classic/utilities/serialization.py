"""Serialization helpers, as Prefect 1's `prefect.utilities.serialization`: qualified names
(`to_qualified_name`, `from_qualified_name`), and the marshmallow schemas and fields the
`prefect_classic.serialization` schemas are built from (working on marshmallow 3 and 4).

The marshmallow names are loaded on first use, so importing this module stays cheap.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers; loaded lazily at run time
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

# --- marshmallow schemas and fields (and the qualified-name helpers they use) ---------------
_LAZY_NAMES = {
    "UUID": "prefect_classic.serialization.fields",
    "Bytes": "prefect_classic.serialization.fields",
    "FunctionReference": "prefect_classic.serialization.fields",
    "JSONCompatible": "prefect_classic.serialization.fields",
    "Nested": "prefect_classic.serialization.fields",
    "SortedList": "prefect_classic.serialization.fields",
    "StatefulFunctionReference": "prefect_classic.serialization.fields",
    "DateTimeTZ": "prefect_classic.serialization.schedule",
    "ContextSchema": "prefect_classic.serialization.schema",
    "ObjectSchema": "prefect_classic.serialization.schema",
    "ObjectSchemaOptions": "prefect_classic.serialization.schema",
    "OneOfSchema": "prefect_classic.serialization.schema",
    "from_qualified_name": "prefect_classic.serialization.schema",
    "to_qualified_name": "prefect_classic.serialization.schema",
}


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> Any:
    return sorted(set(globals()) | set(_LAZY_NAMES))
