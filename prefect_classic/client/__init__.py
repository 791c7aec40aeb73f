"""Prefect 1's `prefect.client`: `Client` (constructs; its API calls raise `BackendOnlyError`)
and `Secret` (reads local secrets)."""

from prefect_classic.client.client import Client
from prefect_classic.client.secrets import Secret

__all__ = ["Client", "Secret"]
