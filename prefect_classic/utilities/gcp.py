"""Google Cloud helpers: clients built from Prefect 1's `GCP_CREDENTIALS` secret.

The google-cloud libraries are optional and imported when a client is built; a missing one
raises an `ImportError` saying how to install it.
"""

from typing import Any, Dict, Optional

from prefect_classic.utilities.context import context

try:
    from google.oauth2.service_account import Credentials
except ImportError:  # pragma: no cover - exercised without google-auth
    Credentials = None  # type: ignore[misc,assignment]

__all__ = ["get_bigquery_client", "get_google_client", "get_storage_client"]


def _secret_credentials() -> Any:
    """The `GCP_CREDENTIALS` secret from `context.secrets` (a service account key; JSON text
    is decoded), or None."""
    if "GCP_CREDENTIALS" not in (context.get("secrets") or {}):
        return None
    from prefect_classic.tasks.secrets.base import get_local_secret

    return get_local_secret("GCP_CREDENTIALS")


def get_google_client(
    submodule: Any, credentials: Optional[Dict[str, Any]] = None, project: Optional[str] = None
) -> Any:
    """A `submodule.Client`, authenticated the Prefect 1 way.

    A service account key is taken from `credentials`, else from the `GCP_CREDENTIALS` secret in
    `prefect.context.secrets`; its `project_id` is the default project. Without one, the
    library's own defaults apply (Application Default Credentials, `STORAGE_EMULATOR_HOST`, ...).

    Args:
        - submodule (module): a google-cloud module with a `Client` class, e.g.
            `google.cloud.storage`
        - credentials (dict, optional): a service account key (the JSON key file's content)
        - project (str, optional): the project; defaults to the key's or the environment's

    Returns:
        - Client: the client
    """
    client_class = submodule.Client
    info = credentials or _secret_credentials()
    if info is None:
        # leaving `project` out (rather than passing None) lets the library find the
        # environment's project
        return client_class(project=project) if project else client_class()
    if Credentials is None:
        raise ImportError(
            "Service account credentials need google-auth; install it with "
            "`pip install google-auth` (or `pip install prefect-classic[gcp]`)."
        )
    account = Credentials.from_service_account_info(info)
    return client_class(project=project or account.project_id, credentials=account)


def _import(name: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"google.cloud.{name}")
    except ImportError as exc:
        raise ImportError(
            f"google-cloud-{extra} is not installed; install it with "
            f"`pip install google-cloud-{extra}`"
            + (" (or `pip install prefect-classic[gcp]`)." if name == "storage" else ".")
        ) from exc


def get_storage_client(
    credentials: Optional[Dict[str, Any]] = None, project: Optional[str] = None
) -> Any:
    """A `google.cloud.storage.Client`, authenticated as `get_google_client` says.

    Args:
        - credentials (dict, optional): a service account key
        - project (str, optional): the project

    Returns:
        - google.cloud.storage.Client: the client

    Raises:
        - ImportError: when google-cloud-storage is not installed
    """
    return get_google_client(
        _import("storage", "storage"), credentials=credentials, project=project
    )


def get_bigquery_client(
    credentials: Optional[Dict[str, Any]] = None, project: Optional[str] = None
) -> Any:
    """A `google.cloud.bigquery.Client`, authenticated as `get_google_client` says.

    Args:
        - credentials (dict, optional): a service account key
        - project (str, optional): the project

    Returns:
        - google.cloud.bigquery.Client: the client

    Raises:
        - ImportError: when google-cloud-bigquery is not installed
    """
    return get_google_client(
        _import("bigquery", "bigquery"), credentials=credentials, project=project
    )
