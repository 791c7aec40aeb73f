"""`VertexRun`: a flow run started as a Google Vertex AI custom job."""

from typing import Iterable, List, Optional

from prefect_classic.run_configs.base import RunConfig

__all__ = ["VertexRun"]


class VertexRun(RunConfig):
    """Run the flow as a Vertex AI custom job (Prefect 1's Vertex agent).

    Args:
        - env (dict, optional): environment variables of the job
        - labels (Iterable[str], optional): labels an agent needs to pick up the run
        - image (str, optional): the image
        - machine_type (str, optional): the machine type (default `"e2-standard-4"`)
        - scheduling (dict, optional): the job's scheduling (e.g. a timeout)
        - service_account (str, optional): the service account the job runs as
        - network (str, optional): the network to peer with
        - worker_pool_specs (List[dict], optional): full worker pool specs
    """

    def __init__(
        self,
        *,
        env: Optional[dict] = None,
        labels: Optional[Iterable[str]] = None,
        image: Optional[str] = None,
        machine_type: str = "e2-standard-4",
        scheduling: Optional[dict] = None,
        service_account: Optional[str] = None,
        network: Optional[str] = None,
        worker_pool_specs: Optional[List[dict]] = None,
    ) -> None:
        super().__init__(env=env, labels=labels)
        self.image = image
        self.machine_type = machine_type
        self.scheduling = scheduling
        self.service_account = service_account
        self.network = network
        self.worker_pool_specs = worker_pool_specs
