"""`SecretResult`: the result of a Secret task, re-fetched on read and never stored."""

from typing import Any

from prefect_classic.engine.result.base import Result
from prefect_classic.engine.results._unstored import UnstoredResult

__all__ = ["SecretResult"]


class SecretResult(UnstoredResult):
    """The Result of a Secret task. Reading runs the task again to fetch the secret; the value is
    never written to any storage (`write` raises `ValueError`), and `repr` does not show it.

    Args:
        - secret_task (Task): the Secret task; its `run(name=...)` returns the secret value
        - **kwargs (Any, optional): other `Result` options except `serializer`; `location` (the
            secret's name) defaults to the task's name

    Raises:
        - ValueError: when a `serializer` is given
    """

    write_error = "SecretResults cannot be written to."

    def __init__(self, secret_task: Any, **kwargs: Any) -> None:
        self.secret_task = secret_task
        if kwargs.get("location") is None:
            kwargs["location"] = getattr(secret_task, "name", None)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<SecretResult: {self.location!r}>"

    def read(self, location: str) -> Result:
        """Fetch the secret named `location` by running the secret task.

        Args:
            - location (str): the secret's name

        Returns:
            - Result: a new SecretResult with `value` and `location` set
        """
        new = self.copy()
        new.value = self.secret_task.run(name=location)
        new.location = location
        return new
