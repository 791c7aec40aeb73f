"""`EnvVarSecret`: a secret read from an environment variable."""

import os
from typing import Any, Callable, Optional

from prefect_classic.tasks.secrets.base import SecretBase
from prefect_classic.utilities.tasks import defaults_from_attrs

__all__ = ["EnvVarSecret"]


class EnvVarSecret(SecretBase):
    """Reads a secret from the environment variable `name`.

    Args:
        - name (str): the environment variable, also the task's name
        - cast (Callable[[Any], Any], optional): applied to the value when it is set (`int`,
            `json.loads`, ...)
        - raise_if_missing (bool, optional): raise ValueError when the variable is not set,
            instead of returning None (default False)
        - **kwargs (Any): other `Task` arguments (except `result`)
    """

    def __init__(
        self,
        name: str,
        cast: Optional[Callable[[Any], Any]] = None,
        raise_if_missing: bool = False,
        **kwargs: Any,
    ):
        self.cast = cast
        self.raise_if_missing = raise_if_missing
        super().__init__(name=name, **kwargs)

    @defaults_from_attrs("name")
    def run(self, name: Optional[str] = None) -> Any:  # type: ignore[override]
        """Return the variable's value, cast when `cast` is set.

        Args:
            - name (str, optional): the variable (default: the task's name)

        Returns:
            - Any: the value, or None when it is not set

        Raises:
            - ValueError: when it is not set and `raise_if_missing` is True
        """
        value = os.environ.get(name)  # type: ignore[arg-type]
        if value is None:
            if self.raise_if_missing:
                raise ValueError(f"Environment variable not set: {name}")
            return None
        return self.cast(value) if self.cast is not None else value
