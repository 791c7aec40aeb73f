"""`SecretBase` (the base of every secret task) and `PrefectSecret` (local secrets)."""

from typing import Any, Optional

from prefect_classic.core.task import Task
from prefect_classic.engine.results.secret_result import SecretResult

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
    """Return the local secret `name` (see `prefect_classic.client.Secret.get`).

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
    from prefect_classic.client.secrets import Secret

    return Secret(name).get()


class PrefectSecret(SecretBase):
    """Reads a secret with `prefect_classic.client.Secret`: from `prefect_classic.context.secrets`
    (local secrets; Prefect Cloud secrets need a backend).

    Args:
        - name (str, optional): the secret's name, also the task's name (may be given at run
            time instead)
        - **kwargs (Any): other `Task` arguments (except `result`)

    Example:
        ```python
        # export PREFECT__CONTEXT__SECRETS__API_TOKEN=abc123
        with Flow("uses-a-token") as flow:
            token = PrefectSecret("API_TOKEN")
            call_api(token)
        ```
    """

    def __init__(self, name: Optional[str] = None, **kwargs: Any):
        self.secret_name = name
        super().__init__(name=name, **kwargs)

    def run(self, name: Optional[str] = None) -> Any:  # type: ignore[override]
        """Return the secret's value.

        Args:
            - name (str, optional): the secret to read (default: the name given at init)

        Returns:
            - Any: the value

        Raises:
            - ValueError: if no name is given or the secret is not set
        """
        name = name if name is not None else self.secret_name
        if name is None:
            raise ValueError("A secret name must be provided.")
        from prefect_classic.client.secrets import Secret

        return Secret(name).get()
