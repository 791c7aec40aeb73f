"""Flow storage (Prefect 1's `prefect.storage`): where a backend-era flow said it was kept.

Every class constructs with Prefect 1's arguments, serializes with Prefect 1's schema and can be
assigned to `flow.storage`. `Local` and `Module` store and load flows for real; the remote ones
record flows but raise `prefect_classic.exceptions.BackendOnlyError` when asked to upload or
download them. Run flows from their files instead: `prefect-classic run FILE.py`.
"""

import warnings

from prefect_classic.configuration import config
from prefect_classic.storage.azure import Azure
from prefect_classic.storage.base import Storage
from prefect_classic.storage.bitbucket import Bitbucket
from prefect_classic.storage.codecommit import CodeCommit
from prefect_classic.storage.docker import Docker
from prefect_classic.storage.gcs import GCS
from prefect_classic.storage.git import Git
from prefect_classic.storage.github import GitHub
from prefect_classic.storage.gitlab import GitLab
from prefect_classic.storage.local import Local
from prefect_classic.storage.module import Module
from prefect_classic.storage.s3 import S3
from prefect_classic.storage.webhook import Webhook
from prefect_classic.utilities.importing import import_object

__all__ = [
    "Azure",
    "Bitbucket",
    "CodeCommit",
    "Docker",
    "GCS",
    "Git",
    "GitHub",
    "GitLab",
    "Local",
    "Module",
    "S3",
    "Storage",
    "Webhook",
    "get_default_storage_class",
]


def get_default_storage_class() -> type:
    """The storage class named by `config.flows.defaults.storage.default_class` (a class, or
    its dotted path; Prefect 1's `prefect.` paths name the same classes here).

    Returns:
        - type: the class; `Local` (with a warning) when the path cannot be imported
    """
    value = config.flows.defaults.storage.default_class
    if not isinstance(value, str):
        return value
    candidates = [value]
    if value.startswith("prefect."):
        candidates.append("prefect_classic." + value[len("prefect.") :])
    for name in candidates:
        try:
            return import_object(name)
        except ImportError:
            continue
    warnings.warn(f"Could not import {value}; using prefect.storage.Local instead.", stacklevel=2)
    return Local
