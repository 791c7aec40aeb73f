"""The engine: states, signals, runners, results and cache validators."""

from typing import Any
from warnings import warn

from prefect_classic.engine import signals, state
from prefect_classic.engine.flow_runner import FlowRunner
from prefect_classic.engine.task_runner import TaskRunner

__all__ = [
    "FlowRunner",
    "TaskRunner",
    "get_default_executor_class",
    "get_default_flow_runner_class",
    "get_default_task_runner_class",
    "signals",
    "state",
]


def _configured_class(value: Any, fallback: Any, fallback_name: str) -> Any:
    """The class a config value names (a dotted path, or the class itself); the fallback, with
    a warning, when the path cannot be imported."""
    if not isinstance(value, str):
        return value
    from prefect_classic.utilities.importing import import_object

    try:
        return import_object(value)
    except ImportError:
        warn(f"Could not import {value}; using {fallback_name} instead.", stacklevel=3)
        return fallback


def get_default_executor_class() -> Any:
    """The Executor class named in config `engine.executor.default_class` (LocalExecutor when it
    cannot be imported)."""
    from prefect_classic.configuration import config
    from prefect_classic.executors import LocalExecutor

    return _configured_class(
        config.engine.executor.default_class,
        LocalExecutor,
        "prefect_classic.executors.LocalExecutor",
    )


def get_default_flow_runner_class() -> Any:
    """The FlowRunner class named in config `engine.flow_runner.default_class` (FlowRunner when it
    cannot be imported)."""
    from prefect_classic.configuration import config
    from prefect_classic.engine import flow_runner

    return _configured_class(
        config.engine.flow_runner.default_class,
        flow_runner.FlowRunner,
        "prefect_classic.engine.flow_runner.FlowRunner",
    )


def get_default_task_runner_class() -> Any:
    """The TaskRunner class named in config `engine.task_runner.default_class` (TaskRunner when it
    cannot be imported)."""
    from prefect_classic.configuration import config
    from prefect_classic.engine import task_runner

    return _configured_class(
        config.engine.task_runner.default_class,
        task_runner.TaskRunner,
        "prefect_classic.engine.task_runner.TaskRunner",
    )
