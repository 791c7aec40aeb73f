"""`Secret`: a named secret read from `prefect.context.secrets` (Prefect 1's local secrets).

Local secrets come from the `[context.secrets]` section of the configuration, which
`PREFECT__CONTEXT__SECRETS__NAME` environment variables fill in, or from
`prefect_classic.context(secrets={...})`. With `config.cloud.use_local_secrets = false`, a
secret missing locally would have been fetched from a Prefect backend: that raises
`BackendOnlyError` here.
"""

import json
from typing import Any, Optional

from prefect_classic.client.client import Client, no_backend, setting
from prefect_classic.utilities.collections import DotDict
from prefect_classic.utilities.context import context

__all__ = ["Secret"]


def _uses_local_secrets() -> bool:
    return setting("cloud.use_local_secrets", True) is not False


class Secret:
    """A secret known by its name; its value is looked up when `get()` is called.

    A string value that is valid JSON is decoded (`'{"a": 1}'` gives a dict, `"42"` gives 42),
    so store local secrets as JSON documents when the type matters.

    Args:
        - name (str): the secret's name
    """

    def __init__(self, name: str):
        self.name = name

    @property
    def client(self) -> Client:
        """A `Client` (constructed on first use)."""
        if not hasattr(self, "_client"):
            self._client = Client()
        return self._client

    def exists(self) -> bool:
        """Whether the secret is set locally.

        Returns:
            - bool: True when `prefect.context.secrets` holds it

        Raises:
            - BackendOnlyError: when it is not set locally and `use_local_secrets` is off
        """
        if self.name in (context.get("secrets") or {}):
            return True
        if not _uses_local_secrets():
            no_backend(
                f"Looking up secret {self.name!r} (`config.cloud.use_local_secrets` is false)",
                self._how_to_set(),
            )
        return False

    def get(self) -> Optional[Any]:
        """The secret's value, JSON-decoded when it is a JSON string.

        Returns:
            - Any: the value

        Raises:
            - ValueError: when called while a flow is being built (inside `with Flow(...)`), or
                when the secret is not set locally
            - BackendOnlyError: when it is not set locally and `use_local_secrets` is off
        """
        from prefect_classic.core.flow import Flow

        if isinstance(context.get("flow"), Flow):
            raise ValueError(
                "Secrets should only be retrieved during a Flow run, not while building a Flow."
            )
        secrets = context.get("secrets") or {}
        try:
            value = secrets[self.name]
        except KeyError:
            if not _uses_local_secrets():
                no_backend(
                    f"Reading secret {self.name!r} (`config.cloud.use_local_secrets` is false)",
                    self._how_to_set(),
                )
            raise ValueError(
                f'Local Secret "{self.name}" was not found. {self._how_to_set()}.'
            ) from None
        if isinstance(value, DotDict):  # a JSON object given through the environment
            return value.to_dict()
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            return value

    def _how_to_set(self) -> str:
        return (
            f"Set it with the environment variable PREFECT__CONTEXT__SECRETS__{self.name}, in the "
            "[context.secrets] section of your config file, or with "
            f'prefect_classic.context(secrets={{"{self.name}": ...}})'
        )
