"""Azure helpers: Blob Storage clients from a connection string, as Prefect 1's AzureResult
built them.

azure-storage-blob (and azure-identity, for connection strings without a key) are optional and
imported when a client is built; a missing one raises an `ImportError` saying how to install it.
"""

from typing import Any

__all__ = ["get_blob_service_client"]

#: connection string parts that carry a credential; without one, azure-identity authenticates
_KEY_PARTS = ("AccountKey=", "SharedAccessSignature=")


def get_blob_service_client(connection_string: str) -> Any:
    """An `azure.storage.blob.BlobServiceClient` for a connection string.

    A connection string with an `AccountKey` or a `SharedAccessSignature` authenticates by
    itself; any other is authenticated with azure-identity's `DefaultAzureCredential` (service
    principal, managed identity, Azure CLI, ...).

    Args:
        - connection_string (str): the storage account's connection string

    Returns:
        - BlobServiceClient: the client

    Raises:
        - ImportError: when azure-storage-blob (or, for a connection string without a key,
            azure-identity) is not installed
    """
    try:
        from azure.storage.blob import BlobServiceClient
    except ImportError as exc:
        raise ImportError(
            "Azure Blob Storage needs azure-storage-blob; install it with "
            "`pip install azure-storage-blob` (or `pip install prefect-classic[azure]`)."
        ) from exc
    credential = None
    if not any(part in connection_string for part in _KEY_PARTS):
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError as exc:
            raise ImportError(
                "This connection string has no AccountKey or SharedAccessSignature, so "
                "azure-identity must authenticate; install it with `pip install azure-identity` "
                "(or `pip install prefect-classic[azure]`)."
            ) from exc
        credential = DefaultAzureCredential()
    return BlobServiceClient.from_connection_string(
        conn_str=connection_string, credential=credential
    )
