"""`TenantView`: a Prefect Cloud tenant (looking one up raises `BackendOnlyError`)."""

from dataclasses import dataclass

from prefect_classic.client.client import no_backend

__all__ = ["TenantView"]


@dataclass(frozen=True)
class TenantView:
    """A tenant as a backend described it.

    Args:
        - tenant_id (str): the tenant's UUID
        - name (str): its name
        - slug (str): its slug
    """

    tenant_id: str
    name: str
    slug: str

    @classmethod
    def from_tenant_id(cls, tenant_id: str) -> "TenantView":
        """Look up a tenant (raises `BackendOnlyError`)."""
        no_backend("`TenantView.from_tenant_id()`")

    @classmethod
    def from_current_tenant(cls) -> "TenantView":
        """Look up the current tenant (raises `BackendOnlyError`)."""
        no_backend("`TenantView.from_current_tenant()`")
