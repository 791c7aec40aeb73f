"""Prefect Cloud's key-value store: every operation needs the backend and raises
`BackendOnlyError` (a `ClientError`, as Prefect 1 raised for non-Cloud backends)."""

from typing import Any, List

from prefect_classic.client.client import no_backend

__all__ = ["delete_key", "get_key_value", "list_keys", "set_key_value"]

_INSTEAD = (
    "keep such state in a file, a database or a Result (e.g. `LocalResult`/`S3Result`) instead"
)


def set_key_value(key: str, value: Any) -> str:
    """Store a value under a key (raises `BackendOnlyError`)."""
    no_backend("The KV Store (`set_key_value()`)", _INSTEAD)


def get_key_value(key: str) -> Any:
    """Read the value of a key (raises `BackendOnlyError`)."""
    no_backend("The KV Store (`get_key_value()`)", _INSTEAD)


def delete_key(key: str) -> bool:
    """Delete a key (raises `BackendOnlyError`)."""
    no_backend("The KV Store (`delete_key()`)", _INSTEAD)


def list_keys() -> List[str]:
    """List the keys (raises `BackendOnlyError`)."""
    no_backend("The KV Store (`list_keys()`)", _INSTEAD)
