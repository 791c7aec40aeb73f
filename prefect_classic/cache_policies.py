"""Cache policies: recipes that turn a task run into a cache key.

A task with `cache_policy=...` (or `cache_key_fn=...`) looks up a record stored under its key
before running; an unexpired record makes the run `Cached` with the stored value, and a
successful run writes one. Records live in the task's `result_storage` (default
`<home_dir>/storage/`, one file per key), so every process sharing the storage shares the cache.

```python
from prefect_classic import task
from prefect_classic.cache_policies import INPUTS, TASK_SOURCE

@task(cache_policy=INPUTS + TASK_SOURCE)
def add(x, y):
    return x + y
```

Policies compose with `+` (the key covers every part; when any part gives no key the task is
not cached), and `INPUTS - "name"` ignores an input.
"""

import dataclasses
from typing import Any, Callable, Dict, Iterable, Optional, Tuple, Union

from prefect_classic.utilities.hashing import (
    HashError,
    describe_unhashable,
    hash_objects,
    hash_source,
    stable_hash,
)

__all__ = [
    "DEFAULT",
    "FLOW_PARAMETERS",
    "INPUTS",
    "NONE",
    "RUN_ID",
    "TASK_SOURCE",
    "CacheKeyFnPolicy",
    "CachePolicy",
    "CompoundCachePolicy",
    "FlowParameters",
    "Inputs",
    "RunId",
    "TaskRunContext",
    "TaskSource",
]


class TaskRunContext:
    """What a cache policy (and a `cache_key_fn`) knows about the task run being keyed.

    Args:
        - task (Task): the task
        - parameters (dict): the task's inputs, by name (defaults filled in)
        - flow_parameters (dict): the flow run's parameter values
        - flow_run_id (str, optional): the flow run's id (None outside a flow run)
        - task_run_id (str): an id for this task run
        - flow_name (str, optional): the flow's name
        - map_index (int, optional): the index of a mapped child
        - task_run_count (int): the attempt number, starting at 1
    """

    __slots__ = (
        "task",
        "parameters",
        "flow_parameters",
        "flow_run_id",
        "task_run_id",
        "flow_name",
        "map_index",
        "task_run_count",
    )

    def __init__(
        self,
        task: Any,
        parameters: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        flow_run_id: Optional[str],
        task_run_id: str,
        flow_name: Optional[str] = None,
        map_index: Optional[int] = None,
        task_run_count: int = 1,
    ):
        self.task = task
        self.parameters = parameters
        self.flow_parameters = flow_parameters
        self.flow_run_id = flow_run_id
        self.task_run_id = task_run_id
        self.flow_name = flow_name
        self.map_index = map_index
        self.task_run_count = task_run_count

    @property
    def task_name(self) -> str:
        """The task's name."""
        return self.task.name

    def __repr__(self) -> str:
        return (
            f"TaskRunContext(task={self.task!r}, task_run_id={self.task_run_id!r}, "
            f"flow_run_id={self.flow_run_id!r}, map_index={self.map_index!r})"
        )


class CachePolicy:
    """Base class of cache policies: `compute_key` returns the cache key of a task run, or None
    when the run must not be cached."""

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        """Compute the cache key of a task run.

        Args:
            - task (Task): the task
            - inputs (dict): the task's input values by name (defaults filled in)
            - flow_parameters (dict): the flow run's parameters
            - context (TaskRunContext): the task run's metadata

        Returns:
            - Optional[str]: the key, or None for "do not cache"
        """
        raise NotImplementedError

    def __add__(self, other: "CachePolicy") -> "CachePolicy":
        if not isinstance(other, CachePolicy):
            return NotImplemented
        if isinstance(self, _None) or isinstance(other, _None):
            return NONE
        return CompoundCachePolicy(_parts(self) + _parts(other))

    def __sub__(self, name: str) -> "CachePolicy":
        raise TypeError(
            f"Only policies that include INPUTS can ignore an input; {self!r} - {name!r} is not supported"
        )


def _parts(policy: CachePolicy) -> Tuple[CachePolicy, ...]:
    return policy.policies if isinstance(policy, CompoundCachePolicy) else (policy,)


@dataclasses.dataclass(frozen=True)
class _None(CachePolicy):
    """No caching and no result persistence: the key is always None."""

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        return None

    def __repr__(self) -> str:
        return "NONE"


@dataclasses.dataclass(frozen=True)
class Inputs(CachePolicy):
    """The key is a hash of the task's inputs (by name, defaults filled in).

    Args:
        - exclude (Iterable[str], optional): input names to leave out; `INPUTS - "debug"` builds
            `Inputs(exclude=("debug",))`

    Raises (from `compute_key`):
        - HashError: when an input cannot be hashed; the message names it
    """

    exclude: Tuple[str, ...] = ()

    def __init__(self, exclude: Iterable[str] = ()):
        object.__setattr__(self, "exclude", tuple(exclude))

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        excluded = self.exclude
        chosen = {k: v for k, v in inputs.items() if k not in excluded} if excluded else inputs
        try:
            return stable_hash(chosen)
        except HashError:
            for name, value in chosen.items():  # find the input to blame
                try:
                    stable_hash(value)
                except HashError as exc:
                    raise HashError(describe_unhashable(name, exc)) from exc
            raise

    def __sub__(self, name: str) -> "Inputs":
        if not isinstance(name, str):
            raise TypeError(f"Subtract an input name (a str) from INPUTS, not {name!r}")
        return Inputs(exclude=self.exclude + (name,))

    def __repr__(self) -> str:
        return "INPUTS" if not self.exclude else "INPUTS - " + " - ".join(map(repr, self.exclude))


@dataclasses.dataclass(frozen=True)
class TaskSource(CachePolicy):
    """The key is a hash of the task's code: the `run` method of a Task subclass, or the function
    of an `@task` / FunctionTask (its compiled code when the source cannot be read)."""

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        return hash_source(task_run_function(task))

    def __repr__(self) -> str:
        return "TASK_SOURCE"


@dataclasses.dataclass(frozen=True)
class FlowParameters(CachePolicy):
    """The key is a hash of the flow run's parameter values (all of them; none outside a flow)."""

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        try:
            return stable_hash(dict(flow_parameters or {}))
        except HashError as exc:
            raise HashError(f"Cannot compute a cache key from the flow parameters: {exc}") from exc

    def __repr__(self) -> str:
        return "FLOW_PARAMETERS"


@dataclasses.dataclass(frozen=True)
class RunId(CachePolicy):
    """The key is the flow run's id, or the task run's own id when it runs outside a flow run (so
    repeated calls are cached only within one flow run)."""

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        run_id = context.flow_run_id or context.task_run_id
        return None if run_id is None else str(run_id)

    def __repr__(self) -> str:
        return "RUN_ID"


@dataclasses.dataclass(frozen=True)
class CacheKeyFnPolicy(CachePolicy):
    """The key is whatever `cache_key_fn(context, parameters)` returns (None: do not cache).

    Args:
        - cache_key_fn (Callable): called with the `TaskRunContext` and the task's inputs by name
    """

    cache_key_fn: Callable[[TaskRunContext, Dict[str, Any]], Optional[str]]

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        key = self.cache_key_fn(context, inputs)
        if key is None:
            return None
        if not isinstance(key, str):
            raise TypeError(
                f"cache_key_fn must return a str or None, not {type(key).__name__}: {key!r}"
            )
        return key


@dataclasses.dataclass(frozen=True)
class CompoundCachePolicy(CachePolicy):
    """Several policies at once: the key is a hash of every part's key; if any part returns None
    the task run is not cached.

    Args:
        - policies (Tuple[CachePolicy, ...]): the parts
    """

    policies: Tuple[CachePolicy, ...] = ()

    def __init__(self, policies: Iterable[CachePolicy] = ()):
        object.__setattr__(self, "policies", tuple(policies))

    def compute_key(
        self,
        task: Any,
        inputs: Dict[str, Any],
        flow_parameters: Dict[str, Any],
        context: TaskRunContext,
    ) -> Optional[str]:
        keys = []
        for policy in self.policies:
            key = policy.compute_key(task, inputs, flow_parameters, context)
            if key is None:
                return None
            keys.append(key)
        return hash_objects(*keys)

    def __sub__(self, name: str) -> "CompoundCachePolicy":
        if not any(isinstance(p, Inputs) for p in self.policies):
            return super().__sub__(name)  # type: ignore[return-value]
        return CompoundCachePolicy(p - name if isinstance(p, Inputs) else p for p in self.policies)

    def __repr__(self) -> str:
        return " + ".join(map(repr, self.policies))


def task_run_function(task: Any) -> Callable:
    """The function whose code defines a task: an `@task` function or a Task subclass's `run`.

    Args:
        - task (Task): the task

    Returns:
        - Callable: the function
    """
    run = task.__dict__.get("run")
    if run is None:
        run = type(task).run
    return getattr(run, "__func__", run)


def policy_for(task: Any) -> Union[CachePolicy, None]:
    """The cache policy a task uses: its `cache_policy`, `CacheKeyFnPolicy(cache_key_fn)`, or
    DEFAULT when it only sets `persist_result=True`.

    Args:
        - task (Task): the task

    Returns:
        - Optional[CachePolicy]: the policy, or None when the task does not use policy caching
    """
    if task.persist_result is False:
        return None
    if task.cache_policy is not None:
        if not isinstance(task.cache_policy, CachePolicy):
            raise TypeError(f"cache_policy must be a CachePolicy, not {task.cache_policy!r}")
        return task.cache_policy
    if task.cache_key_fn is not None:
        return CacheKeyFnPolicy(task.cache_key_fn)
    if task.persist_result is True and task.cache_for is None:
        return DEFAULT
    return None


INPUTS = Inputs()
TASK_SOURCE = TaskSource()
FLOW_PARAMETERS = FlowParameters()
RUN_ID = RunId()
NONE = _None()
DEFAULT = INPUTS + TASK_SOURCE + RUN_ID
