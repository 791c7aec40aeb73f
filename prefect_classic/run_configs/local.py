"""`LocalRun`: a flow run started as a local process."""

import os
from typing import Iterable, Optional

from prefect_classic.run_configs.base import RunConfig

__all__ = ["LocalRun"]


class LocalRun(RunConfig):
    """Run the flow as a local process (Prefect 1's Local agent).

    Args:
        - env (dict, optional): environment variables for the process
        - working_dir (str, optional): the process's working directory (made absolute)
        - labels (Iterable[str], optional): labels an agent needs to pick up the run
    """

    def __init__(
        self,
        *,
        env: Optional[dict] = None,
        working_dir: Optional[str] = None,
        labels: Optional[Iterable[str]] = None,
    ) -> None:
        super().__init__(env=env, labels=labels)
        self.working_dir = os.path.abspath(working_dir) if working_dir is not None else None
