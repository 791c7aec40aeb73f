"""Task-run artifacts (links and markdown shown in the Prefect UI).

As in Prefect 1 without a backend, creating or changing an artifact does nothing: the
functions return None unless `prefect.context.running_with_backend` is set, which only a
backend's task runner does (and then they raise `BackendOnlyError`). Log the information
instead, e.g. `prefect_classic.context.logger.info(link)`.
"""

from typing import Optional

from prefect_classic.client.client import no_backend
from prefect_classic.utilities.context import context

__all__ = [
    "create_link_artifact",
    "create_markdown_artifact",
    "delete_artifact",
    "update_link_artifact",
    "update_markdown_artifact",
]


def _running_with_backend() -> bool:
    return bool(context.get("running_with_backend"))


def _artifact_call(operation: str) -> None:
    if _running_with_backend():
        no_backend(f"`{operation}()`", "log the information with `prefect_classic.context.logger`")


def create_link_artifact(link: str) -> Optional[str]:
    """Attach a link to the current task run (does nothing without a backend).

    Args:
        - link (str): the link

    Returns:
        - str: the artifact's id; None without a backend
    """
    _artifact_call("create_link_artifact")
    return None


def update_link_artifact(task_run_artifact_id: str, link: str) -> None:
    """Replace a link artifact (does nothing without a backend).

    Args:
        - task_run_artifact_id (str): the artifact's id
        - link (str): the new link
    """
    _artifact_call("update_link_artifact")


def create_markdown_artifact(markdown: str) -> Optional[str]:
    """Attach markdown to the current task run (does nothing without a backend).

    Args:
        - markdown (str): the markdown

    Returns:
        - str: the artifact's id; None without a backend
    """
    _artifact_call("create_markdown_artifact")
    return None


def update_markdown_artifact(task_run_artifact_id: str, markdown: str) -> None:
    """Replace a markdown artifact (does nothing without a backend).

    Args:
        - task_run_artifact_id (str): the artifact's id
        - markdown (str): the new markdown
    """
    _artifact_call("update_markdown_artifact")


def delete_artifact(task_run_artifact_id: str) -> None:
    """Delete an artifact (does nothing without a backend).

    Args:
        - task_run_artifact_id (str): the artifact's id
    """
    _artifact_call("delete_artifact")
