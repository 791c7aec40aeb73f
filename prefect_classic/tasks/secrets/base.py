"""`SecretBase` (the base of every secret task) and `PrefectSecret` (local secrets)."""
import json
from typing import Any, Optional

from prefect_classic.core.task import Task
from prefect_classic.engine.results.secret_result import SecretResult
from prefect_classic.utilities.collections import DotDict
from prefect_classic.utilities.context import context
from prefect_classic.utilities.tasks import defaults_from_attrs

__all__ = ["PrefectSecret", "SecretBase", "get_local_secret"]


class SecretBase(Task):
    """The base class of secret tasks. Subclass it and implement `run()` to read another
    secret store.

    Secret tasks never persist their value: `checkpoint` is always False and the Result is a
    `SecretResult`, which refuses writes and fetches the value again when read.

    Args:
        - **kwargs (Any): other `Task` arguments (except `result`)

    Raises:
        - ValueError: if a `result` is given
    """

    def __init__(self, **kwargs: Any):
        if kwargs.get("result") is not None:
            raise ValueError("Result types for Secrets are not configurable.")
        kwargs["checkpoint"] = False
        super().__init__(**kwargs)
        self.result = SecretResult(secret_task=self)


def get_local_secret(name: str) -> Any:
    """Return the local secret `name` from `prefect_classic.context.secrets`.

    The `secrets` context key starts from the `[context.secrets]` configuration section, which
    `PREFECT__CONTEXT__SECRETS__NAME` environment variables fill in. A string value that is
    valid JSON is decoded (`'{"a": 1}'` gives a dict), as in Prefect 1.

    Args:
        - name (str): the secret's name

    Returns:
        - Any: the secret's value

    Raises:
        - ValueError: if no secret of that name is set
    """
    secrets = context.get("secrets") or {}
    try:
        value = secrets[name]
    except KeyError:
        raise ValueError(
            f'Local Secret "{name}" was not found. Set it with the environment variable '
            f"PREFECT__CONTEXT__SECRETS__{name}, in the [context.secrets] section of your config "
            f'file, or with prefect_classic.context(secrets={{"{name}": ...}}).'
        ) from None
    if isinstance(value, DotDict):  # a JSON object given through the environment
        return value.to_dict()
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class PrefectSecret(SecretBase):
    """Reads a local secret from `prefect_classic.context.secrets` (Prefect Cloud secrets are
    out of scope).

    Args:
        - name (str): the secret's name, also the task's name
        - **kwargs (Any): other `Task` arguments (except `result`)

    Example:
        ```python
        # export PREFECT__CONTEXT__SECRETS__API_TOKEN=abc123
        with Flow("uses-a-token") as flow:
            token = PrefectSecret("API_TOKEN")
            call_api(token)
        ```
    """

    def __init__(self, name: str, **kwargs: Any):
        kwargs["name"] = name
        super().__init__(**kwargs)

    @defaults_from_attrs("name")
    def run(self, name: Optional[str] = None) -> Any:  # type: ignore[override]
        """Return the secret's value.

        Args:
            - name (str, optional): the secret to read (default: the task's name)

        Returns:
            - Any: the value

        Raises:
            - ValueError: if the secret is not set
        """
        return get_local_secret(name)  # type: ignore[arg-type]
