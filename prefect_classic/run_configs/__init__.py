"""Run configs (Prefect 1's `prefect.run_configs`): how a Prefect agent would start a flow run.

They construct with Prefect 1's arguments, serialize with Prefect 1's schema and can be assigned
to `flow.run_config`; prefect_classic starts runs itself (`flow.run()`, `prefect-classic run`),
so they do not change how a flow runs here.
"""

from prefect_classic.run_configs.base import RunConfig, UniversalRun
from prefect_classic.run_configs.docker import DockerRun
from prefect_classic.run_configs.ecs import ECSRun
from prefect_classic.run_configs.kubernetes import KubernetesRun
from prefect_classic.run_configs.local import LocalRun
from prefect_classic.run_configs.vertex import VertexRun

__all__ = [
    "DockerRun",
    "ECSRun",
    "KubernetesRun",
    "LocalRun",
    "RunConfig",
    "UniversalRun",
    "VertexRun",
]
