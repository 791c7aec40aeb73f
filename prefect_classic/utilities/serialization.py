"""Qualified names: the import path of an object, and the object back from its path.

Serialized flows name their task classes, triggers and cache validators this way.
"""
import sys
from typing import Any

__all__ = ["from_qualified_name", "to_qualified_name"]


def to_qualified_name(obj: Any) -> str:
    """Return the import path of a class or function: `module.QualifiedName`.

    Args:
        - obj (Any): a class or function

    Returns:
        - str: the qualified name
    """
    return f"{obj.__module__}.{obj.__qualname__}"


def from_qualified_name(obj_str: str) -> Any:
    """Return the object at a qualified name. The longest prefix of the name that is an
    already-imported module is taken, and the rest is read as attributes; nothing is imported.

    Args:
        - obj_str (str): the qualified name, e.g. `"prefect_classic.triggers.all_successful"`

    Returns:
        - Any: the object

    Raises:
        - ValueError: if no imported module and attribute path matches the name
    """
    parts = obj_str.split(".")
    for split in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:split]))
        if module is None:
            continue
        obj: Any = module
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            break
        return obj
    raise ValueError(f'Couldn\'t load "{obj_str}"; maybe it hasn\'t been imported yet?')
