"""`DockerRun`: a flow run started as a Docker container."""

from typing import Iterable, Optional

from prefect_classic.run_configs.base import RunConfig

__all__ = ["DockerRun"]


class DockerRun(RunConfig):
    """Run the flow in a Docker container (Prefect 1's Docker agent).

    Args:
        - image (str, optional): the image
        - env (dict, optional): environment variables of the container
        - labels (Iterable[str], optional): labels an agent needs to pick up the run
        - ports (Iterable[int], optional): container ports to expose
        - host_config (dict, optional): Docker host-config arguments
    """

    def __init__(
        self,
        *,
        image: Optional[str] = None,
        env: Optional[dict] = None,
        labels: Optional[Iterable[str]] = None,
        ports: Optional[Iterable[int]] = None,
        host_config: Optional[dict] = None,
    ) -> None:
        super().__init__(env=env, labels=labels)
        self.image = image
        self.ports = ports
        self.host_config = host_config
