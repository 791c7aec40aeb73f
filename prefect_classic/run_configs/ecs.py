"""`ECSRun`: a flow run started as an AWS ECS task."""

from typing import Iterable, Optional, Union

from prefect_classic.run_configs.base import RunConfig, read_local_yaml

__all__ = ["ECSRun"]


class ECSRun(RunConfig):
    """Run the flow as an ECS task (Prefect 1's ECS agent).

    The task definition is given at most one way: `task_definition` (a dict),
    `task_definition_path` (a local file is read now and kept as `task_definition`; a remote
    one is kept as a path) or `task_definition_arn`.

    Args:
        - task_definition (dict, optional): a task definition
        - task_definition_path (str, optional): a task definition file (YAML)
        - task_definition_arn (str, optional): a registered task definition
        - image (str, optional): the image (not with `task_definition_arn`)
        - env (dict, optional): environment variables of the task
        - cpu (int or str, optional): kept as a string
        - memory (int or str, optional): kept as a string
        - task_role_arn (str, optional): the task's IAM role
        - execution_role_arn (str, optional): the execution IAM role
        - run_task_kwargs (dict, optional): extra `run_task` arguments
        - labels (Iterable[str], optional): labels an agent needs to pick up the run

    Raises:
        - ValueError: when the task definition is given more than one way, or
            `task_definition_arn` comes with an `image`
    """

    def __init__(
        self,
        *,
        task_definition: Optional[dict] = None,
        task_definition_path: Optional[str] = None,
        task_definition_arn: Optional[str] = None,
        image: Optional[str] = None,
        env: Optional[dict] = None,
        cpu: Optional[Union[int, str]] = None,
        memory: Optional[Union[int, str]] = None,
        task_role_arn: Optional[str] = None,
        execution_role_arn: Optional[str] = None,
        run_task_kwargs: Optional[dict] = None,
        labels: Optional[Iterable[str]] = None,
    ) -> None:
        super().__init__(env=env, labels=labels)
        given = [
            x is not None for x in (task_definition, task_definition_path, task_definition_arn)
        ]
        if sum(given) > 1:
            raise ValueError(
                "Can only provide one of `task_definition`, `task_definition_path`, "
                "or `task_definition_arn`"
            )
        if task_definition_arn is not None and image is not None:
            raise ValueError(
                "Cannot provide both `task_definition_arn` and `image`, since an ECS task's "
                "`image` can only be configured as part of the task definition"
            )
        if task_definition_path is not None:
            loaded = read_local_yaml(task_definition_path)
            if loaded is not None:
                task_definition, task_definition_path = loaded, None
        self.task_definition = task_definition
        self.task_definition_path = task_definition_path
        self.task_definition_arn = task_definition_arn
        self.image = image
        self.cpu = None if cpu is None else str(cpu)
        self.memory = None if memory is None else str(memory)
        self.task_role_arn = task_role_arn
        self.execution_role_arn = execution_role_arn
        self.run_task_kwargs = run_task_kwargs
