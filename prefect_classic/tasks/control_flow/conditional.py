"""Conditional control flow: `case`, `switch`, `ifelse`, `merge`.

Branches that are not chosen end Skipped, and the skip spreads downstream to tasks with
`skip_on_upstream_skip=True` (the default); `merge` takes the first branch that ran.
"""
from typing import Any, Dict, Optional, Set

from prefect_classic import triggers
from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.utilities.context import context
from prefect_classic.utilities.tasks import as_task, tags

__all__ = ["CompareValue", "Merge", "case", "ifelse", "merge", "switch"]


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
        self.auto_generated = True

    def run(self, value: Any) -> None:  # type: ignore[override]
        """Raise SKIP unless `value == self.value`.

        Args:
            - value (Any): the value to compare
        """
        if value != self.value:
            raise signals.SKIP(f'Provided value "{value}" did not match "{self.value}"')


class case:
    """Run the tasks created inside the block only when `task`'s result equals `value`.

    Args:
        - task (Task): the task whose result is compared
        - value (Any): the value that selects this branch

    Example:
        ```python
        with Flow("f") as flow:
            cond = check()
            with case(cond, True):
                run_if_true()
        ```
    """

    def __init__(self, task: Any, value: Any):
        self.task = task
        self.value = value
        self._tasks: Set[Task] = set()
        self._flow: Any = None
        self._block: Any = None

    def add_task(self, task: Task, flow: Any) -> None:
        """Called by the flow for each task added inside the block."""
        if self._flow is None:
            self._flow = flow
        if flow is self._flow:
            self._tasks.add(task)

    def __enter__(self) -> "case":
        self._block = context(case=self)
        self._block.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self._block.__exit__(*args)
        flow = self._flow if self._flow is not None else context.get("flow")
        if not self._tasks or flow is None:
            return
        cond = CompareValue(self.value, name=f"case({self.value})").bind(value=self.task, flow=flow)
        for child in list(self._tasks):
            if child is cond or isinstance(child, CompareValue):
                continue
            if not self._tasks.intersection(flow.upstream_tasks(child)):
                child.set_upstream(cond, flow=flow)


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
    as_bool = _AsBool()
    cases = {c: t for c, t in ((True, true_task), (False, false_task)) if t is not None}
    if cases:
        flag = as_bool.map(condition) if mapped else as_bool(condition)
        switch(condition=flag, cases=cases, mapped=mapped)


class _AsBool(Task):
    def __init__(self) -> None:
        super().__init__(name="as_bool")
        self.auto_generated = True

    def run(self, x: Any) -> bool:  # type: ignore[override]
        return bool(x)


class Merge(Task):
    """Returns the first of its inputs that is not None (the branch that ran)."""

    def __init__(self, **kwargs: Any):
        if kwargs.setdefault("skip_on_upstream_skip", False):
            raise ValueError("Merge tasks must have `skip_on_upstream_skip=False`.")
        kwargs.setdefault("trigger", triggers.not_all_skipped)
        super().__init__(**kwargs)
        self.auto_generated = True

    def run(self, **task_results: Any) -> Any:  # type: ignore[override]
        """Return the first non-None input, in argument order (`task1`, `task2`, …)."""
        ordered = sorted(task_results.items(), key=lambda kv: int(kv[0][4:]))
        return next((v for _, v in ordered if v is not None), None)


def merge(*tasks: Any, flow: Optional[Any] = None, mapped: bool = False) -> Task:
    """A task whose result is the result of the first of `tasks` that ran (was not skipped).

    Args:
        - *tasks (Task): the branches
        - flow (Flow, optional): the flow
        - mapped (bool, optional): map over the branches

    Returns:
        - Task: the merge task
    """
    return Merge().bind(**{f"task{i + 1}": t for i, t in enumerate(tasks)}, flow=flow, mapped=mapped)
