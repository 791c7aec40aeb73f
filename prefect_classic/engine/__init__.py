"""The engine: states, signals, runners, results and cache validators."""
from typing import Any

from prefect_classic.engine import signals, state
from prefect_classic.engine.flow_runner import FlowRunner
from prefect_classic.engine.task_runner import TaskRunner

__all__ = ["FlowRunner", "TaskRunner", "get_default_executor_class", "get_default_flow_runner_class",
           "get_default_task_runner_class", "signals", "state"]


def get_default_flow_runner_class() -> Any:
    """The FlowRunner class named in `config.engine.flow_runner.default_class`."""
    from prefect_classic.configuration import config
    from prefect_classic.utilities.importing import import_object

    return import_object(config.engine.flow_runner.default_class)


def get_default_task_runner_class() -> Any:
    """The TaskRunner class named in `config.engine.task_runner.default_class`."""
    from prefect_classic.configuration import config
    from prefect_classic.utilities.importing import import_object

    return import_object(config.engine.task_runner.default_class)


def get_default_executor_class() -> Any:
    """The Executor class named in `config.engine.executor.default_class`."""
    from prefect_classic.configuration import config
    from prefect_classic.utilities.importing import import_object

    return import_object(config.engine.executor.default_class)
