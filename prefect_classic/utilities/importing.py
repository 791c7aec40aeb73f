"""Import an object from a dotted path such as `"prefect_classic.executors.LocalExecutor"`."""

import importlib
from typing import Any

__all__ = ["import_object"]


def import_object(name: str) -> Any:
    """Import and return the object at a dotted path.

    Args:
        - name (str): `"package.module.attribute"`

    Returns:
        - Any: the object

    Raises:
        - ImportError: when the module or attribute does not exist
    """
    module_name, _, attr = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ImportError(f"Could not import {name!r}: {exc}") from exc
