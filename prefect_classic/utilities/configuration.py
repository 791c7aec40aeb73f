"""Temporary configuration changes."""
from contextlib import contextmanager
from typing import Any, Iterator

__all__ = ["set_temporary_config"]

_UNSET = object()


@contextmanager
def set_temporary_config(temp_config: dict) -> Iterator[Any]:
    """Set configuration keys for the duration of a `with` block, then restore them.

    Args:
        - temp_config (dict): dotted keys and values, e.g. `{"flows.checkpointing": True}`

    Returns:
        - Config: the live configuration, with the temporary values in place
    """
    from prefect_classic.configuration import config

    saved = [(key, config.get_nested(key, _UNSET)) for key in temp_config]
    try:
        for key, value in temp_config.items():
            config.set_nested(key, value)
        yield config
    finally:
        for key, old in reversed(saved):
            if old is _UNSET:
                *path, last = key.split(".")
                parent = config.get_nested(".".join(path)) if path else config
                if parent is not None and last in parent:
                    del parent[last]
            else:
                config.set_nested(key, old)
