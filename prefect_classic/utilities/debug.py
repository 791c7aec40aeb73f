"""Debugging helpers."""

import subprocess
import sys
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator

import cloudpickle

from prefect_classic.utilities.context import context

__all__ = ["is_serializable", "raise_on_exception"]


def is_serializable(obj: Any, raise_on_error: bool = False) -> bool:
    """Whether `obj` can be cloudpickled here and unpickled in a fresh Python process (what a
    process-based executor needs).

    Args:
        - obj (Any): the object
        - raise_on_error (bool, optional): raise the error instead of returning False

    Returns:
        - bool: whether it round-trips
    """
    try:
        payload = cloudpickle.dumps(obj)
    except Exception:
        if raise_on_error:
            raise
        return False
    with tempfile.NamedTemporaryFile("wb", suffix=".pkl") as f:
        f.write(payload)
        f.flush()
        proc = subprocess.run(
            [sys.executable, "-c", f"import cloudpickle; cloudpickle.load(open({f.name!r}, 'rb'))"],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        if raise_on_error:
            raise RuntimeError(
                proc.stderr.strip().splitlines()[-1] if proc.stderr else "unpickling failed"
            )
        return False
    return True


@contextmanager
def raise_on_exception() -> Iterator[None]:
    """Inside this block, errors in tasks and runners are raised instead of becoming Failed states.

    Example:
        ```python
        with raise_on_exception():
            flow.run()  # the task's exception propagates here
        ```
    """
    with context(raise_on_exception=True):
        yield
