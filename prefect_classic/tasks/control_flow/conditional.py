"""Conditional control flow: `switch`, `ifelse`, `merge` (and `CompareValue`, which `case`
uses).

Branches that are not chosen end Skipped, and the skip spreads downstream to tasks with
`skip_on_upstream_skip=True` (the default); `merge` takes the first branch that ran.
"""

from typing import Any, Dict, Optional

from prefect_classic import triggers
from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.utilities.tasks import as_task, tags
from prefect_classic.utilities.tasks import task as task_decorator

__all__ = ["CompareValue", "Merge", "ifelse", "merge", "switch"]


class CompareValue(Task):
    """Skips unless its input equals `value`.

    Args:
        - value (Any): the value to match
        - **kwargs: other Task arguments
    """

    def __init__(self, value: Any, **kwargs: Any):
        self.value = value
        kwargs.setdefault("name", f'CompareValue: "{value}"')
        super().__init__(**kwargs)

    def run(self, value: Any) -> None:  # type: ignore[override]
        """Raise SKIP unless `value == self.value`.

        Args:
            - value (Any): the value to compare
        """
        if value != self.value:
            raise signals.SKIP(f'Provided value "{value}" did not match "{self.value}"')


def switch(condition: Any, cases: Dict[Any, Any], mapped: bool = False) -> None:
    """Run exactly the task of `cases` whose key equals `condition`'s result; skip the others.

    Args:
        - condition (Task): the task whose result chooses the branch
        - cases (dict): `{value: task}`
        - mapped (bool, optional): map the branches over the condition
    """
    with tags("switch"):
        for value, task in cases.items():
            task = as_task(task)
            match = CompareValue(value=value).bind(value=condition, mapped=mapped)
            task.set_dependencies(upstream_tasks=[match], mapped=mapped)


def ifelse(condition: Any, true_task: Any, false_task: Any, mapped: bool = False) -> None:
    """Run `true_task` when `condition`'s result is truthy, else `false_task`.

    Args:
        - condition (Task): the condition
        - true_task (Task, optional): the branch for a truthy result
        - false_task (Task, optional): the branch for a falsy result
        - mapped (bool, optional): map over the condition
    """

    @task_decorator
    def as_bool(x: Any) -> bool:
        return bool(x)

    cases = {c: t for c, t in ((True, true_task), (False, false_task)) if t is not None}
    if cases:
        flag = as_bool(condition, mapped=mapped)
        switch(condition=flag, cases=cases, mapped=mapped)


class Merge(Task):
    """Returns the first of its inputs that is not None (the branch that ran).

    Inputs arrive as `task_1`, `task_2`, …; they are tried in the order of their names sorted
    as strings (so `task_10` comes before `task_2`), as in Prefect 1.

    Args:
        - **kwargs: Task arguments (`skip_on_upstream_skip` must stay False; the default trigger
            is `not_all_skipped`)

    Raises:
        - ValueError: when `skip_on_upstream_skip=True`
    """

    def __init__(self, **kwargs: Any):
        if kwargs.setdefault("skip_on_upstream_skip", False):
            raise ValueError("Merge tasks must have `skip_on_upstream_skip=False`.")
        kwargs.setdefault("trigger", triggers.not_all_skipped)
        super().__init__(**kwargs)

    def run(self, **task_results: Any) -> Any:  # type: ignore[override]
        """Return the first non-None input (None when every input is None)."""
        return next((v for _, v in sorted(task_results.items()) if v is not None), None)


def merge(*tasks: Any, flow: Optional[Any] = None, mapped: bool = False, **kwargs: Any) -> Task:
    """A task whose result is the result of the first of `tasks` that ran (was not skipped).

    It skips when every branch skipped. When several branches may produce a result, group them
    in a list first.

    Args:
        - *tasks (Task): the branches
        - flow (Flow, optional): the flow (default: the one in context)
        - mapped (bool, optional): map over the branches
        - **kwargs: arguments for the `Merge` task (e.g. `name`, `checkpoint`)

    Returns:
        - Task: the merge task
    """
    return Merge(**kwargs).bind(
        **{f"task_{i + 1}": t for i, t in enumerate(tasks)}, flow=flow, mapped=mapped
    )
