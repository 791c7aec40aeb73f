"""Prefect 1's exception classes, plus `BackendOnlyError` for what needs a Prefect backend.

Signals (`PrefectSignal` and its subclasses) derive from `BaseException` so that ordinary
`except Exception` blocks in user code do not swallow them; everything else derives from
`PrefectException`.
"""

__all__ = [
    "AuthorizationError",
    "BackendOnlyError",
    "ClientError",
    "FlowStorageError",
    "ObjectNotFoundError",
    "PrefectException",
    "PrefectSignal",
    "TaskTimeoutSignal",
    "VersionLockMismatchSignal",
]


class PrefectSignal(BaseException):
    """The base of Prefect's control-flow signals (not caught by `except Exception`).

    Args:
        - message (str, optional): what happened
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class VersionLockMismatchSignal(PrefectSignal):
    """Raised by a backend when a run's state version does not match (never raised here)."""


class TaskTimeoutSignal(PrefectSignal):
    """Raised when a task run exceeds its timeout."""


class PrefectException(Exception):
    """The base of Prefect's exceptions.

    Args:
        - message (str, optional): what happened
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class ClientError(PrefectException):
    """An error talking to a Prefect backend."""


class ObjectNotFoundError(ClientError):
    """A backend did not find the requested object."""


class AuthorizationError(ClientError):
    """A backend refused the credentials."""


class FlowStorageError(PrefectException):
    """A flow could not be loaded from its storage."""


class BackendOnlyError(ClientError):
    """Raised by a Prefect 1 operation that needs the answer of a Prefect Cloud/Server
    backend, or of the deployment infrastructure a backend drives (an agent, a Docker daemon,
    a remote flow store). prefect_classic runs flows in this process, so such an operation
    cannot succeed; the message names the operation and what to do instead.

    It is a `ClientError`, so code that already handles a failed backend call keeps working.
    """
