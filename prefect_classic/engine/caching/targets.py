"""Targets: a value stored at a task's templated location serves its runs (Prefect 1's `target`).

Of several processes (or threads) running a task whose target is missing, one computes and
writes it and the others wait for it, then read it: the first run that finds the target missing
takes the target's lock (`CacheScope.lock_target`, held until its run ends, the checkpoint that
writes the target included) and looks again. `tasks.lock_targets = false` turns this off.
"""

from typing import Any, Dict

from prefect_classic.engine.caching.scope import current_scope
from prefect_classic.engine.result.base import Result, ResultStorageError
from prefect_classic.engine.signals import ENDRUN
from prefect_classic.engine.state import Cached, Failed, State
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.templates import TemplateError, format_template, template_fields

__all__ = ["PER_CHILD_FIELDS", "find_target"]

#: template fields that differ between the children of a mapped task
PER_CHILD_FIELDS = {"map_index", "task_full_name", "task_run_name"}


def find_target(runner: Any, state: State, inputs: Dict[str, Result]) -> State:
    """Cached with the value at the task's target, or `state` when there is none (then this run
    holds the target's lock until it ends).

    Args:
        - runner (TaskRunner): the runner (its `task`, `result` and `logger`)
        - state (State): the current state
        - inputs (Dict[str, Result]): the inputs

    Returns:
        - State: Cached with the stored value, or `state`

    Raises:
        - ENDRUN: Failed, when the target cannot be formatted, is the same for every mapped
            child, or its storage cannot be checked
    """
    from prefect_classic.engine.task_runner import formatting_kwargs

    task, result = runner.task, runner.result
    target = task.target
    if not target or not result:
        return state
    kwargs = formatting_kwargs({k: r.value for k, r in inputs.items()})
    per_child = getattr(runner, "_mapped_input_names", None)
    if (
        prefect_context.get("map_index") is not None
        and isinstance(target, str)
        and not template_fields(target)
        & (PER_CHILD_FIELDS | (set(inputs) if per_child is None else per_child))
    ):
        raise ENDRUN(
            Failed(
                f"Target {target!r} of mapped task '{task.name}' has no per-child field, so every "
                "child would write the same location; add {map_index} (or a mapped input's name) to the template."
            )
        )
    try:
        if callable(target):  # a callable gives the template, as in Prefect 1
            target = target(**kwargs)
        location = format_template(target, **kwargs)
    except TemplateError as exc:
        raise ENDRUN(
            Failed(f"Could not format the target of task '{task.name}': {exc}", result=exc)
        ) from exc
    try:
        exists = result.exists(location)  # already formatted: values may contain braces
        if not exists:
            scope = current_scope()  # one writer: wait for a run computing it, then look again
            if (
                scope is None
                or not scope.lock_target(result, location)
                or not result.exists(location)
            ):
                return state
        found = result.read(location)
    except (
        ResultStorageError,
        NotImplementedError,
    ) as exc:  # store failed / cannot store: don't overwrite
        raise ENDRUN(
            Failed(f"Could not check the target of task '{task.name}': {exc}", result=exc)
        ) from exc
    except ENDRUN:
        raise
    except Exception as exc:
        runner.logger.warning(
            f"Task '{prefect_context.get('task_full_name', task.name)}': target {location} exists but "
            f"could not be read ({exc!r}); running the task again and replacing it."
        )
        return state
    return Cached(
        result=found,
        cached_result_expiration=None,
        cached_parameters=kwargs.get("parameters"),
        message=f"Result found at task target {location}",
    )
