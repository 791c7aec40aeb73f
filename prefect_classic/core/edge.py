"""Edges connect an upstream task to a downstream task, optionally as a keyword argument."""

import keyword
from typing import Any, Optional

from prefect_classic.core.task import Task
from prefect_classic.utilities.edges import EdgeAnnotation

__all__ = ["Edge", "Task", "is_valid_identifier"]


def is_valid_identifier(string: str) -> bool:
    """Whether `string` can be a Python argument name (and is not a keyword).

    Args:
        - string (str): the candidate

    Returns:
        - bool: whether it is valid
    """
    return isinstance(string, str) and string.isidentifier() and not keyword.iskeyword(string)


class Edge:
    """A dependency: `downstream_task` runs after `upstream_task`, receiving its result as `key`.

    Args:
        - upstream_task (Any): the task that runs first (a non-task becomes one with `as_task`;
            an `unmapped`/`mapped`/`flatten` annotation sets `mapped`/`flattened`)
        - downstream_task (Any): the task that runs after
        - key (str, optional): the downstream `run()` argument that receives the upstream result
        - mapped (bool, optional): map the downstream task over the upstream result (an
            annotation takes precedence)
        - flattened (bool, optional): flatten the upstream result (a list of lists) first (an
            annotation takes precedence)
        - flow (Flow, optional): the flow that collections of tasks are bound in (default: the
            flow in context)

    Raises:
        - ValueError: if the edge connects a task to itself, or `key` is not a valid Python
            identifier
    """

    __slots__ = ("upstream_task", "downstream_task", "key", "mapped", "flattened")

    def __init__(
        self,
        upstream_task: Any,
        downstream_task: Any,
        key: Optional[str] = None,
        mapped: Optional[bool] = None,
        flattened: Optional[bool] = None,
        flow: Any = None,
    ):
        from prefect_classic.utilities.tasks import as_task

        if upstream_task is downstream_task:
            raise ValueError(
                f"Edges can not connect a task to itself (received {upstream_task!r} at both ends)."
            )
        if key is not None and not is_valid_identifier(key):
            raise ValueError(f'Key must be a valid identifier (received "{key}")')
        annotations: dict = {}
        if isinstance(upstream_task, EdgeAnnotation):
            annotations.update(upstream_task.annotations)
        if isinstance(downstream_task, EdgeAnnotation):
            annotations.update(downstream_task.annotations)
        self.upstream_task = as_task(upstream_task, flow=flow)
        self.downstream_task = as_task(downstream_task, flow=flow)
        if (
            self.upstream_task is self.downstream_task
        ):  # one end wrapped in unmapped(...), flatten(...)
            raise ValueError(
                f"Edges can not connect a task to itself (received {self.upstream_task!r} at both ends)."
            )
        self.key = key
        self.mapped = bool(annotations.get("mapped", mapped or False))
        self.flattened = bool(annotations.get("flattened", flattened or False))

    @property
    def tasks(self) -> set:
        """The two tasks of this edge."""
        return {self.upstream_task, self.downstream_task}

    def __repr__(self) -> str:
        desc = f"Edge(key={self.key}, mapped={self.mapped}, flattened={self.flattened})"
        return f"<{desc}: {self.upstream_task.name} to {self.downstream_task.name}>"

    def _cmp(self) -> tuple:
        return (self.upstream_task, self.downstream_task, self.key, self.mapped, self.flattened)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._cmp() == other._cmp()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._cmp())

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def serialize(self) -> dict:
        """Return this edge as Prefect 1's JSON-compatible dict."""
        from prefect_classic.serialization.edge import EdgeSchema

        return EdgeSchema().dump(self)
