"""Prefect 1's `prefect.backend`: views of what a Prefect backend recorded, the KV store and
task-run artifacts.

Without a backend, looking anything up raises `prefect_classic.exceptions.BackendOnlyError`
(naming what to do instead), and the artifact functions do nothing and return None, as
Prefect 1 did outside a backend's flow run.
"""

from prefect_classic.backend.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    delete_artifact,
    update_link_artifact,
    update_markdown_artifact,
)
from prefect_classic.backend.flow import FlowView
from prefect_classic.backend.flow_run import FlowRunView
from prefect_classic.backend.kv_store import delete_key, get_key_value, list_keys, set_key_value
from prefect_classic.backend.task_run import TaskRunView
from prefect_classic.backend.tenant import TenantView

__all__ = [
    "FlowRunView",
    "FlowView",
    "TaskRunView",
    "TenantView",
    "create_link_artifact",
    "create_markdown_artifact",
    "delete_artifact",
    "delete_key",
    "get_key_value",
    "list_keys",
    "set_key_value",
    "update_link_artifact",
    "update_markdown_artifact",
]
