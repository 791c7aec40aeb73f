"""Temporary configuration changes (meant for tests)."""

from contextlib import contextmanager
from typing import Iterator

__all__ = ["set_temporary_config"]


@contextmanager
def set_temporary_config(temp_config: dict) -> Iterator:
    """Set configuration keys for the duration of a `with` block, then restore the whole
    configuration as it was before the block (changes made inside the block are undone too).

    Args:
        - temp_config (dict): keys and values; nested keys are dotted strings, e.g.
            `{"flows.checkpointing": True}`; missing sections are created

    Yields:
        - Config: the live configuration, with the temporary values in place

    Example:
        ```python
        with set_temporary_config({"logging.level": "DEBUG", "tasks.defaults.max_retries": 2}):
            assert prefect_classic.config.logging.level == "DEBUG"
        ```
    """
    import prefect_classic
    from prefect_classic.configuration import Config

    config = prefect_classic.config
    saved = config.copy()
    try:
        for key, value in temp_config.items():
            *sections, last = key.split(".")
            section = config
            for name in sections:
                section = section.setdefault(name, Config())
            section[last] = value
        # a context that overrides configuration keys sees the temporary values as well
        with prefect_classic.context(config=config):
            yield config
    finally:
        config.clear()
        config.update(saved)
