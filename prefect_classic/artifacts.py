"""Prefect 1's `prefect.artifacts`: the older names of the artifact functions, which moved to
`prefect.backend` (each call warns about the move, as in Prefect 1). Without a backend they do
nothing and return None."""

import warnings
from typing import Optional

from prefect_classic import backend

__all__ = ["create_link", "create_markdown", "delete_artifact", "update_link", "update_markdown"]


def _moved(old: str, new: str) -> None:
    warnings.warn(
        f"`prefect.artifacts.{old}` has been moved to `prefect.backend.{new}`. Please update "
        "your imports.",
        stacklevel=3,
    )


def create_link(link: str) -> Optional[str]:
    """Create a link artifact (see `prefect_classic.backend.create_link_artifact`).

    Args:
        - link (str): the link

    Returns:
        - str: the artifact's id; None without a backend
    """
    _moved("create_link", "create_link_artifact")
    return backend.create_link_artifact(link)


def update_link(task_run_artifact_id: str, link: str) -> None:
    """Replace a link artifact (see `prefect_classic.backend.update_link_artifact`).

    Args:
        - task_run_artifact_id (str): the artifact's id
        - link (str): the new link
    """
    _moved("update_link", "update_link_artifact")
    backend.update_link_artifact(task_run_artifact_id, link)


def create_markdown(markdown: str) -> Optional[str]:
    """Create a markdown artifact (see `prefect_classic.backend.create_markdown_artifact`).

    Args:
        - markdown (str): the markdown

    Returns:
        - str: the artifact's id; None without a backend
    """
    _moved("create_markdown", "create_markdown_artifact")
    return backend.create_markdown_artifact(markdown)


def update_markdown(task_run_artifact_id: str, markdown: str) -> None:
    """Replace a markdown artifact (see `prefect_classic.backend.update_markdown_artifact`).

    Args:
        - task_run_artifact_id (str): the artifact's id
        - markdown (str): the new markdown
    """
    _moved("update_markdown", "update_markdown_artifact")
    backend.update_markdown_artifact(task_run_artifact_id, markdown)


def delete_artifact(task_run_artifact_id: str) -> None:
    """Delete an artifact (see `prefect_classic.backend.delete_artifact`).

    Args:
        - task_run_artifact_id (str): the artifact's id
    """
    _moved("delete_artifact", "delete_artifact")
    backend.delete_artifact(task_run_artifact_id)
