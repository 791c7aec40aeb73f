"""Exception types shared by the whole package.

Two families, as in Prefect 1:

- `PrefectSignal` derives from `BaseException`, so a plain `except Exception:` in user code or in
  a library never swallows it. The engine's signals (`prefect_classic.engine.signals`: `SKIP`,
  `FAIL`, `RETRY`, `ENDRUN`, ...) and `TaskTimeoutSignal` are signals.
- `PrefectException` derives from `Exception`: ordinary errors raised by the package.
"""

__all__ = [
    "AuthorizationError", "ClientError", "FlowStorageError", "ObjectNotFoundError",
    "PrefectException", "PrefectSignal", "TaskTimeoutSignal", "VersionLockMismatchSignal",
]


class PrefectSignal(BaseException):
    """Base class of the signals the engine raises to change the course of a run.

    Args:
        - message (str, optional): what happened
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class VersionLockMismatchSignal(PrefectSignal):
    """A backend refused a state because its version did not match (kept for compatibility).

    Args:
        - message (str, optional): what happened
    """


class TaskTimeoutSignal(PrefectSignal):
    """Raised when a task run goes past its `timeout`.

    Args:
        - message (str, optional): what happened
    """


class PrefectException(Exception):
    """Base class of the package's ordinary errors.

    Args:
        - message (str, optional): what went wrong
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class ClientError(PrefectException):
    """A request to a Prefect API failed (kept for compatibility; no backend is used here)."""


class ObjectNotFoundError(ClientError):
    """A requested object does not exist on the backend."""


class AuthorizationError(ClientError):
    """The backend refused the credentials."""


class FlowStorageError(PrefectException):
    """A flow could not be loaded from its storage."""
