"""Tasks that gather their inputs into a collection (how `as_task` wraps lists, dicts, …)."""

from typing import Any, Iterable

from prefect_classic.core.task import Task

__all__ = ["Dict", "List", "Set", "Tuple", "VarArgsTask"]


class VarArgsTask(Task):
    """A task whose positional arguments arrive as keywords `arg_1`, `arg_2`, …; subclasses
    gather them in order.

    Like any task, it is skipped when an upstream task skipped (`skip_on_upstream_skip=True`
    unless given), so a collection built inside a `case` branch that did not run is skipped too.
    """

    def bind(  # type: ignore[override]
        self,
        *args: Any,
        upstream_tasks: Any = None,
        mapped: bool = False,
        flow: Any = None,
    ) -> Task:
        """Bind positional arguments as `arg_1 … arg_n`.

        Args:
            - *args: the items (tasks or values)
            - upstream_tasks ([Task], optional): extra upstream dependencies
            - mapped (bool, optional): map over the items
            - flow (Flow, optional): the flow (default: the one in context)

        Returns:
            - Task: this task
        """
        kwargs = {f"arg_{i + 1}": a for i, a in enumerate(args)}
        return super().bind(upstream_tasks=upstream_tasks, mapped=mapped, flow=flow, **kwargs)

    @staticmethod
    def _ordered(kwargs: dict) -> list:
        return [v for _, v in sorted(kwargs.items(), key=lambda kv: int(kv[0][4:]))]

    def run(self, **task_results: Any) -> Any:  # noqa: D102
        return self._ordered(task_results)


class List(VarArgsTask):
    """Collects its arguments into a list."""

    def run(self, **task_results: Any) -> list:
        """Return the arguments as a list."""
        return self._ordered(task_results)


class Tuple(VarArgsTask):
    """Collects its arguments into a tuple."""

    def run(self, **task_results: Any) -> tuple:
        """Return the arguments as a tuple."""
        return tuple(self._ordered(task_results))


class Set(VarArgsTask):
    """Collects its arguments into a set."""

    def run(self, **task_results: Any) -> set:
        """Return the arguments as a set."""
        return set(task_results.values())


class Dict(Task):
    """Builds a dict from `keys` and `values` lists."""

    def run(self, keys: Iterable[Any], values: Iterable[Any]) -> dict:  # type: ignore[override]
        """Return `dict(zip(keys, values))`.

        Args:
            - keys (Iterable): the keys
            - values (Iterable): the values (same length)

        Raises:
            - ValueError: when lengths differ
        """
        keys, values = list(keys), list(values)
        if len(keys) != len(values):
            raise ValueError("A different number of keys and values were provided!")
        return dict(zip(keys, values))
