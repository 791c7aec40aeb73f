"""`case`: a block of tasks that runs only when a task's result equals a value."""

from typing import Any, Optional, Set

from prefect_classic.core.task import Task
from prefect_classic.tasks.control_flow.conditional import CompareValue
from prefect_classic.utilities.context import context

__all__ = ["case"]


class case:
    """Run the tasks created inside the block only when `task`'s result equals `value`.

    On leaving the block, a `CompareValue` task (named `case(<value>)`) compares the result;
    every task of the block with no upstream task inside the block runs after it, so when the
    values differ the whole block is Skipped. Parameters and Constants created inside the block
    stay root tasks. Blocks nest: the comparison of an inner block belongs to the outer block,
    so the inner block only runs when both conditions hold.

    Args:
        - task (Task): the task whose result is compared
        - value (Any): the value that selects this block (not a task)

    Raises:
        - TypeError: when `value` is a task

    Example:
        ```python
        with Flow("f") as flow:
            cond = check()
            with case(cond, True):
                run_if_true()
            with case(cond, False):
                run_if_false()
        ```
    """

    def __init__(self, task: Task, value: Any):
        if isinstance(value, Task):
            raise TypeError("`value` cannot be a task")
        self.task = task
        self.value = value
        self._tasks: Set[Task] = set()
        self._flow: Any = None
        self._block: Optional[Any] = None

    def add_task(self, task: Task, flow: Any) -> None:
        """Record a task created inside the block (the flow calls this).

        Args:
            - task (Task): the task
            - flow (Flow): the flow it was added to

        Raises:
            - ValueError: when the block is used with more than one flow
        """
        if self._flow is None:
            self._flow = flow
        elif self._flow is not flow:
            raise ValueError("Multiple flows cannot be used with the same case statement")
        self._tasks.add(task)

    def __enter__(self) -> "case":
        self._block = context(case=self)
        self._block.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        block, self._block = self._block, None
        if block is not None:
            block.__exit__(*args)
        if not self._tasks:
            return
        flow = self._flow
        # bound after the block closed: an enclosing case (if any) adopts the comparison
        cond = CompareValue(self.value, name=f"case({self.value})").bind(value=self.task, flow=flow)
        for child in self._tasks:
            if not self._tasks.intersection(flow.upstream_tasks(child)):
                child.set_upstream(cond, flow=flow)
