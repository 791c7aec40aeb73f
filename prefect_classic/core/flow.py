"""Flow: a graph of tasks and the edges between them, and the entry point to run it."""

import collections
import collections.abc
import copy
import functools
import inspect
import sys
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

from prefect_classic.configuration import config
from prefect_classic.core._arg_checks import (
    check_collection,
    check_flow_arguments,
    check_parameter_values,
    check_run_arguments,
)
from prefect_classic.core._flow_io import FlowIO
from prefect_classic.core.edge import Edge
from prefect_classic.core.parameter import Parameter
from prefect_classic.core.task import Task
from prefect_classic.tasks.core.constants import Constant
from prefect_classic.utilities.context import context
from prefect_classic.utilities.logging import get_logger
from prefect_classic.utilities.tasks import as_task

if sys.version_info >= (3, 11):
    from typing import TypedDict
else:  # pragma: no cover
    from typing_extensions import TypedDict

__all__ = ["Flow", "ParameterDetails", "cache"]


class ParameterDetails(TypedDict):
    """What `Flow.parameters()` metadata holds for one Parameter."""

    default: Any
    required: bool
    name: str


def cache(method: Callable) -> Callable:
    """Memoize a Flow method in the flow's `_cache` until the graph changes.

    Entries are keyed `(method name, ((argument, value), ...))`. Every Flow method that changes
    tasks, edges or reference tasks clears the cache; changing those collections directly is
    noticed when their sizes change.

    Args:
        - method (Callable): the method (its arguments must be hashable)

    Returns:
        - Callable: the memoized method
    """
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self: "Flow", *args: Any, **kwargs: Any) -> Any:
        self._check_cache()
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        key = (method.__name__, tuple(bound.arguments.items())[1:])
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = method(self, *args, **kwargs)
            return value

    return wrapper


class Flow(FlowIO):
    """A set of tasks and the dependencies between them.

    Args:
        - name (str): the flow's name
        - schedule (Schedule, optional): when `flow.run()` runs it
        - executor (Executor, optional): the default executor for `flow.run()`
        - run_config (RunConfig, optional): how a Prefect agent would start the flow's runs
            (kept and serialized; `flow.run()` does not use it)
        - storage (Storage, optional): where a Prefect backend would keep the flow (kept and
            serialized; see `prefect_classic.storage`)
        - tasks ([Task], optional): tasks to add
        - edges ([Edge], optional): edges to add
        - reference_tasks ([Task], optional): the tasks whose states decide the flow's state
            (default: the terminal tasks)
        - state_handlers ([Callable], optional): `handler(flow, old_state, new_state)` on each change
        - on_failure (Callable, optional): `fn(flow, state)` when the flow run fails
        - validate (bool, optional): validate the `edges` as they are added (default
            `config.flows.eager_edge_validation`)
        - result (Result, optional): the default Result of tasks that have none
        - terminal_state_handler (Callable, optional): `fn(flow, state, reference_task_states)`
            that may replace the final state

    Raises:
        - ValueError: when `name` is empty
        - TypeError: naming the argument, when `name` is not a string, `schedule` is not a
            Schedule, `executor` is not an Executor, `result` is not a Result, or
            `state_handlers`, `on_failure`, `terminal_state_handler` are not (lists of) callables
    """

    def __init__(
        self,
        name: str,
        schedule: Any = None,
        executor: Any = None,
        environment: Any = None,
        run_config: Any = None,
        storage: Any = None,
        tasks: Optional[Iterable[Task]] = None,
        edges: Optional[Iterable[Edge]] = None,
        reference_tasks: Optional[Iterable[Task]] = None,
        state_handlers: Optional[List[Callable]] = None,
        on_failure: Optional[Callable] = None,
        validate: Optional[bool] = None,
        result: Any = None,
        terminal_state_handler: Optional[Callable] = None,
    ):
        self._cache: Dict[Any, Any] = {}
        self._cache_key: Tuple[int, int, int] = (0, 0, 0)
        if not name:
            raise ValueError("A name must be provided for the flow.")
        check_flow_arguments(
            name,
            schedule,
            executor,
            result,
            state_handlers,
            on_failure,
            terminal_state_handler,
            tasks,
            edges,
            reference_tasks,
            validate,
        )
        if environment is not None:
            raise ValueError(
                "`environment` is part of Prefect Cloud/Server deployment, which is not part of "
                "prefect_classic; run the flow with `flow.run()` or `prefect-classic run`."
            )
        self.run_config = run_config
        self.storage = storage
        self.name = name
        self.logger = get_logger(self.name)
        self.schedule = schedule
        self.executor = executor
        self.result = result
        self.terminal_state_handler = terminal_state_handler
        self.tasks: Set[Task] = set()
        self.edges: Set[Edge] = set()
        self.slugs: Dict[Task, str] = {}
        self.constants: Dict[Task, Dict[str, Any]] = collections.defaultdict(dict)
        self._reference_tasks: Set[Task] = set()
        self._slug_counters: Dict[str, int] = {}
        self._taken_slugs: Set[str] = set()
        # the edge index: edges into / out of each task, kept up to date by the Flow's methods
        self._upstream: Dict[Task, Set[Edge]] = {}
        self._downstream: Dict[Task, Set[Edge]] = {}
        self._index_key: Optional[Tuple[int, int]] = (0, 0)
        for t in tasks or []:
            self.add_task(t)
        self.set_reference_tasks(reference_tasks or [])
        for e in edges or []:
            self._add_edge_like(e, validate)
        self._prefect_version = __import__("prefect_classic").__version__
        self.state_handlers = list(state_handlers or [])
        self.on_failure = on_failure
        if on_failure is not None:
            self.state_handlers.append(_flow_failure_callback(on_failure))

    def __repr__(self) -> str:
        return f'<{type(self).__name__}: name="{self.name}">'

    def __iter__(self) -> Iterator[Task]:
        yield from self.sorted_tasks()

    def __contains__(self, task: object) -> bool:
        return task in self.tasks

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return False
        assert isinstance(other, Flow)
        return (
            self.name == other.name
            and self.tasks == other.tasks
            and self.edges == other.edges
            and self.reference_tasks() == other.reference_tasks()
        )

    def __hash__(self) -> int:
        return id(self)

    # --- the `with Flow(...)` block ---------------------------------------------------------------
    @contextmanager
    def _flow_context(self) -> Iterator["Flow"]:
        """Put this flow in context, and track the tasks created inside the block to warn about
        those that never became part of the flow."""
        created: Set[Task] = set()
        with context(flow=self, _unused_task_tracker=created):
            yield self
        unused = created - self.tasks
        if unused:
            warnings.warn(
                f"Tasks were created but not added to the flow: {unused}. This can occur when `Task` "
                "classes, including `Parameters`, are instantiated inside a `with flow:` block but not "
                "added to the flow either explicitly or as the input to another task.",
                stacklevel=3,
            )

    def __enter__(self) -> "Flow":
        self._ctx = self._flow_context()
        return self._ctx.__enter__()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        ctx = self.__dict__.pop("_ctx")
        ctx.__exit__(exc_type, exc_value, traceback)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for transient in ("logger", "_ctx", "_upstream", "_downstream", "_index_key"):
            state.pop(transient, None)
        state["constants"] = dict(self.constants)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.constants = collections.defaultdict(dict, state.get("constants", {}))
        self.__dict__.setdefault("_cache", {})
        self.__dict__.setdefault("_cache_key", (0, 0, 0))
        self.__dict__.setdefault("_slug_counters", {})
        self.__dict__.setdefault("_taken_slugs", set(self.slugs.values()))
        self._index_key = None
        self._edge_index()  # rebuilt (it is not pickled)
        self.logger = get_logger(self.name)

    # --- caches and the edge index ---------------------------------------------------------------
    def _changed(self) -> None:
        self._cache.clear()

    def _check_cache(self) -> None:
        key = (len(self.tasks), len(self.edges), len(self._reference_tasks))
        if key != self._cache_key:
            self._cache.clear()
            self._cache_key = key

    def _edge_index(self) -> Tuple[Dict[Task, Set[Edge]], Dict[Task, Set[Edge]]]:
        """`(edges into each task, edges out of each task)`: kept up to date by the Flow's own
        methods, rebuilt when `tasks`/`edges` were changed directly (their sizes changed)."""
        if self._index_key != (len(self.tasks), len(self.edges)):
            up: Dict[Task, Set[Edge]] = {t: set() for t in self.tasks}
            down: Dict[Task, Set[Edge]] = {t: set() for t in self.tasks}
            for e in self.edges:
                up.setdefault(e.downstream_task, set()).add(e)
                down.setdefault(e.upstream_task, set()).add(e)
            self._upstream, self._downstream = up, down
            self._index_key = (len(self.tasks), len(self.edges))
        return self._upstream, self._downstream

    def _sync_index_key(self) -> None:
        if self._index_key is not None:
            self._index_key = (len(self.tasks), len(self.edges))

    # --- building -------------------------------------------------------------------------------
    def add_task(self, task: Task) -> Task:
        """Add a task (once; adding it again does nothing).

        Inside a `with case(...)` or resource-manager block, the task joins that block, except
        Parameters and Constants, which always stay root tasks.

        Args:
            - task (Task): the task

        Returns:
            - Task: the task

        Raises:
            - TypeError: when `task` is not a Task
            - ValueError: when another task in the flow has the same slug
        """
        if not isinstance(task, Task):
            raise TypeError(f"Tasks must be Task instances (received {type(task)})")
        if task in self.tasks:
            return task
        taken = self._slugs_taken()
        if task.slug and task.slug in taken:
            raise ValueError(f'A task with the slug "{task.slug}" already exists in this flow.')
        slug = task.slug or self._generate_task_slug(task)
        self.slugs[task] = slug
        taken.add(slug)
        index = self._edge_index()
        self.tasks.add(task)
        index[0].setdefault(task, set())
        index[1].setdefault(task, set())
        self._sync_index_key()
        self._changed()
        if not isinstance(task, (Parameter, Constant)):
            for block in ("case", "resource"):
                owner = context.get(block)
                if owner is not None:
                    owner.add_task(task, self)
        return task

    def _slugs_taken(self) -> Set[str]:
        if len(self._taken_slugs) != len(self.slugs):
            self._taken_slugs = set(self.slugs.values())
        return self._taken_slugs

    def _generate_task_slug(self, task: Task) -> str:
        """A slug `<name>[-<tag>...]-<n>`: the same build script gives the same slugs."""
        prefix = "-".join([task.name, *sorted(task.tags)])
        taken = self._slugs_taken()
        while True:
            n = self._slug_counters.get(prefix, 0) + 1
            self._slug_counters[prefix] = n
            slug = f"{prefix}-{n}"
            if slug not in taken:
                return slug

    def _add_edge_like(self, edge: Edge, validate: Optional[bool]) -> None:
        """Add an edge with the tasks, key, mapped and flattened flags of `edge`."""
        self.add_edge(
            edge.upstream_task,
            edge.downstream_task,
            key=edge.key,
            mapped=edge.mapped,
            flattened=edge.flattened,
            validate=validate,
        )

    def add_edge(
        self,
        upstream_task: Any,
        downstream_task: Any,
        key: Optional[str] = None,
        mapped: bool = False,
        flattened: bool = False,
        validate: Optional[bool] = None,
    ) -> Edge:
        """Add an edge: `downstream_task` runs after `upstream_task` (and receives its result as `key`).

        A keyed, unmapped, unflattened edge from a `Constant` is not added to the graph: its value
        is stored in `flow.constants[downstream_task][key]` instead (the edge is still returned).

        Args:
            - upstream_task (Any): the upstream task (a non-task becomes one)
            - downstream_task (Any): the downstream task (a non-task becomes one)
            - key (str, optional): the downstream `run()` argument for the upstream result
            - mapped (bool, optional): map the downstream task over the upstream result
            - flattened (bool, optional): flatten the upstream result before passing it
            - validate (bool, optional): check the key and the whole flow (cycles) now (default
                `config.flows.eager_edge_validation`)

        Returns:
            - Edge: the edge

        Raises:
            - ValueError: when `downstream_task` is a Parameter, when mapping inside a mapped
                context, or (validating) when `key` is already bound or the edge makes a cycle
            - TypeError: (validating) when `key` is not an argument of the downstream `run()`
        """
        if validate is None:
            validate = bool(config.flows.eager_edge_validation)
        if mapped and context.get("mapped", False):
            raise ValueError("Cannot set `mapped=True` when running from inside a mapped context")
        if isinstance(downstream_task, Parameter):
            raise ValueError(
                "Parameters must be root tasks and can not have upstream dependencies."
            )
        edge = Edge(
            upstream_task, downstream_task, key=key, mapped=mapped, flattened=flattened, flow=self
        )
        up, down = edge.upstream_task, edge.downstream_task
        if isinstance(up, Constant) and edge.key and not edge.mapped and not edge.flattened:
            self.constants[down][edge.key] = up.value
            self.add_task(down)
            return edge
        self.add_task(up)
        self.add_task(down)
        index = self._edge_index()
        is_new = edge not in self.edges
        if is_new:
            self.edges.add(edge)
            index[0][down].add(edge)
            index[1][up].add(edge)
            self._sync_index_key()
            self._changed()
        if validate:
            try:
                if key is not None:
                    if any(e.key == key for e in index[0][down] if e is not edge):
                        raise ValueError(
                            f'Argument "{key}" for task {down} has already been assigned in this flow. If '
                            "you are trying to call the task again with new arguments, call Task.copy() "
                            "before adding the result to this flow."
                        )
                    _check_keys(down, {e.key for e in index[0][down] if e.key is not None})
                self.validate()
            except (ValueError, TypeError):
                if is_new:
                    self._remove_edge(edge)
                raise
        return edge

    def _remove_edge(self, edge: Edge) -> None:
        if edge not in self.edges:
            return
        up, down = self._edge_index()
        self.edges.discard(edge)
        up.get(edge.downstream_task, set()).discard(edge)
        down.get(edge.upstream_task, set()).discard(edge)
        self._sync_index_key()
        self._changed()

    def set_dependencies(
        self,
        task: Any,
        upstream_tasks: Optional[Iterable[Any]] = None,
        downstream_tasks: Optional[Iterable[Any]] = None,
        keyword_tasks: Optional[Mapping[str, Any]] = None,
        mapped: bool = False,
        validate: Optional[bool] = None,
    ) -> None:
        """Add `task` and its dependencies (each one through `add_edge`).

        Args:
            - task (Any): the task (a non-task becomes one)
            - upstream_tasks ([Any], optional): tasks that run before it (no data passed)
            - downstream_tasks ([Any], optional): tasks that run after it (no data passed)
            - keyword_tasks (dict, optional): `{run() argument: task or value}`; plain values are
                stored as constants unless mapped
            - mapped (bool, optional): map `task` over its upstream tasks and keyword values
                (values wrapped in `unmapped(...)` are passed whole)
            - validate (bool, optional): validate each edge now

        Raises:
            - ValueError: when mapping inside a mapped context
        """
        if mapped and context.get("mapped", False):
            raise ValueError("Cannot set `mapped=True` when running from inside a mapped context")
        check_collection("upstream_tasks", upstream_tasks)
        check_collection("downstream_tasks", downstream_tasks)
        task = as_task(task, flow=self)
        self.add_task(task)
        for t in upstream_tasks or []:
            self.add_edge(t, task, mapped=mapped, validate=validate)
        for t in downstream_tasks or []:
            self.add_edge(task, t, validate=validate)
        for key, t in (keyword_tasks or {}).items():
            self.add_edge(t, task, key=key, mapped=mapped, validate=validate)

    def chain(self, *tasks: Any, validate: Optional[bool] = None) -> List[Edge]:
        """Add edges so that each task runs after the one before it.

        Args:
            - *tasks (Task): the tasks in order
            - validate (bool, optional): validate each edge now

        Returns:
            - list: the new edges
        """
        return [self.add_edge(a, b, validate=validate) for a, b in zip(tasks, tasks[1:])]

    def replace(self, old: Task, new: Any, validate: bool = True) -> None:
        """Put `new` in `old`'s place: its edges, constants and reference-task status.

        Args:
            - old (Task): the task to replace
            - new (Task or value): the replacement (a value becomes a Constant, so keyed
                edges to it become constants)
            - validate (bool, optional): validate the flow afterwards

        Raises:
            - ValueError: when `old` is not in the flow
        """
        if old not in self.tasks:
            raise ValueError(f"Task {old} was not found in Flow {self}")
        new = as_task(new, flow=self)
        up_index, down_index = self._edge_index()
        affected = set(up_index.get(old, ())) | set(down_index.get(old, ()))
        for e in affected:
            self._remove_edge(e)
        self.tasks.discard(old)
        self.slugs.pop(old, None)
        up_index.pop(old, None)
        down_index.pop(old, None)
        self._sync_index_key()
        consts = self.constants.pop(old, None)
        self._changed()
        self.add_task(new)
        for e in affected:
            self.add_edge(
                new if e.upstream_task is old else e.upstream_task,
                new if e.downstream_task is old else e.downstream_task,
                key=e.key,
                mapped=e.mapped,
                flattened=e.flattened,
                validate=False,
            )
        if consts:
            self.constants[new].update(consts)
        if old in self._reference_tasks:
            self.set_reference_tasks((self._reference_tasks - {old}) | {new})
        if validate:
            self.validate()

    def update(
        self,
        flow: "Flow",
        merge_parameters: bool = False,
        validate: Optional[bool] = None,
        merge_reference_tasks: bool = False,
    ) -> None:
        """Add every task, edge and constant of another flow to this one.

        Args:
            - flow (Flow): the other flow
            - merge_parameters (bool, optional): this flow's Parameters that share a name with one
                of `flow` are replaced by that one (and the result is validated); without it a
                shared Parameter name raises
            - validate (bool, optional): validate each edge now
            - merge_reference_tasks (bool, optional): add `flow`'s reference tasks to this
                flow's

        Raises:
            - ValueError: when both flows have a task with the same slug
        """
        if merge_parameters:
            validate = True
            incoming = {p.name: p for p in flow.parameters()}
            for p in self.parameters():
                if p.name in incoming:
                    self.replace(p, incoming[p.name])
        for t in flow.tasks:
            self.add_task(t)
        for e in flow.edges:
            if e not in self.edges:
                self._add_edge_like(e, validate)
        if merge_reference_tasks:
            self.set_reference_tasks(self.reference_tasks() | flow.reference_tasks())
        for t, consts in flow.constants.items():
            self.constants[t].update(consts)
        self._changed()

    def copy(self) -> "Flow":
        """Return a copy with its own task, edge and constant collections (tasks are shared)."""
        new = copy.copy(self)
        new._cache = {}
        new.tasks = set(self.tasks)
        new.edges = set(self.edges)
        new.constants = collections.defaultdict(
            dict, {t: dict(c) for t, c in self.constants.items()}
        )
        new.slugs = dict(self.slugs)
        new._slug_counters = dict(self._slug_counters)
        new._taken_slugs = set(self._taken_slugs)
        new._upstream = {t: set(e) for t, e in self._upstream.items()}
        new._downstream = {t: set(e) for t, e in self._downstream.items()}
        new.__dict__.pop("_ctx", None)
        new.state_handlers = list(self.state_handlers)
        new.set_reference_tasks(self._reference_tasks)
        return new

    # --- queries --------------------------------------------------------------------------------
    def get_tasks(
        self,
        name: Optional[str] = None,
        slug: Optional[str] = None,
        tags: Optional[Iterable[str]] = None,
        task_type: Optional[type] = None,
    ) -> List[Task]:
        """The tasks matching every given criterion.

        Args:
            - name (str, optional): the task name
            - slug (str, optional): the task's slug
            - tags ([str], optional): tags the task must all have
            - task_type (type, optional): the task's class (subclasses match)

        Returns:
            - list: the matching tasks, in the order they were added
        """
        wanted_tags = set(tags) if tags is not None else None
        # in the order the tasks were added
        ordered = [t for t in self.slugs if t in self.tasks]
        if len(ordered) != len(self.tasks):
            ordered += [t for t in self.tasks if t not in self.slugs]
        return [
            t
            for t in ordered
            if (name is None or t.name == name)
            and (slug is None or t.slug == slug or self.slugs.get(t) == slug)
            and (wanted_tags is None or t.tags.issuperset(wanted_tags))
            and (task_type is None or isinstance(t, task_type))
        ]

    @cache
    def all_upstream_edges(self) -> Dict[Task, Set[Edge]]:
        """Every task's upstream edges: `{task: {edge, ...}}`."""
        return {t: set(edges) for t, edges in self._edge_index()[0].items()}

    @cache
    def all_downstream_edges(self) -> Dict[Task, Set[Edge]]:
        """Every task's downstream edges: `{task: {edge, ...}}`."""
        return {t: set(edges) for t, edges in self._edge_index()[1].items()}

    def edges_to(self, task: Task) -> Set[Edge]:
        """The edges into `task` (a new set: changing it does not change the flow).

        Raises:
            - ValueError: when `task` is not in the flow
        """
        if task not in self.tasks:
            raise ValueError(f"Task {task} was not found in Flow {self}")
        return set(self._edge_index()[0][task])

    def edges_from(self, task: Task) -> Set[Edge]:
        """The edges out of `task` (a new set: changing it does not change the flow).

        Raises:
            - ValueError: when `task` is not in the flow
        """
        if task not in self.tasks:
            raise ValueError(f"Task {task} was not found in Flow {self}")
        return set(self._edge_index()[1][task])

    def upstream_tasks(self, task: Task) -> Set[Task]:
        """The tasks with an edge into `task` (ValueError when it is not in the flow)."""
        if task not in self.tasks:
            raise ValueError(f"Task {task} was not found in Flow {self}")
        return {e.upstream_task for e in self._edge_index()[0][task]}

    def downstream_tasks(self, task: Task) -> Set[Task]:
        """The tasks with an edge from `task` (ValueError when it is not in the flow)."""
        if task not in self.tasks:
            raise ValueError(f"Task {task} was not found in Flow {self}")
        return {e.downstream_task for e in self._edge_index()[1][task]}

    @cache
    def root_tasks(self) -> Set[Task]:
        """The tasks with no upstream tasks (where a run begins)."""
        up = self._edge_index()[0]
        return {t for t in self.tasks if not up[t]}

    @cache
    def terminal_tasks(self) -> Set[Task]:
        """The tasks with no downstream tasks."""
        down = self._edge_index()[1]
        return {t for t in self.tasks if not down[t]}

    @cache
    def _default_reference_tasks(self) -> Set[Task]:
        """Terminal tasks, where resource-manager init and cleanup tasks do not count (a task
        whose only downstream tasks are cleanup tasks is terminal)."""
        from prefect_classic.tasks.core.resource_manager import (
            ResourceCleanupTask,
            ResourceInitTask,
        )

        down = self._edge_index()[1]
        return {
            t
            for t in self.tasks
            if not isinstance(t, (ResourceInitTask, ResourceCleanupTask))
            and all(isinstance(e.downstream_task, ResourceCleanupTask) for e in down[t])
        }

    def reference_tasks(self) -> Set[Task]:
        """The tasks whose states decide the flow run's state: those set with
        `set_reference_tasks`, else the terminal tasks (resource cleanup tasks excluded)."""
        if self._reference_tasks:
            return set(self._reference_tasks)
        return set(self._default_reference_tasks())

    def set_reference_tasks(self, tasks: Iterable[Task]) -> None:
        """Choose the tasks whose states decide the flow's state.

        Args:
            - tasks ([Task]): the tasks (empty: back to the terminal tasks)

        Raises:
            - ValueError: when a task is not in the flow
        """
        self._changed()
        tasks = set(tasks)
        if any(t not in self.tasks for t in tasks):
            raise ValueError("reference tasks must be part of the flow.")
        self._reference_tasks = tasks

    def parameters(self) -> Set[Parameter]:
        """The flow's Parameter tasks."""
        return set(self._parameters())

    @cache
    def _parameters(self) -> Set[Parameter]:
        return {t for t in self.tasks if isinstance(t, Parameter)}

    def sorted_tasks(self, root_tasks: Optional[Iterable[Task]] = None) -> Tuple[Task, ...]:
        """The tasks in an order where every task comes after its upstream tasks (O(V+E)); ties
        are broken by name and slug, so the order is the same from run to run.

        Args:
            - root_tasks ([Task], optional): only these tasks and their descendants

        Returns:
            - tuple: the tasks

        Raises:
            - ValueError: when the flow has a cycle, or a root task is not in the flow
        """
        return self._sorted_tasks(root_tasks=tuple(root_tasks or []))

    @cache
    def _sorted_tasks(self, root_tasks: Tuple[Task, ...] = ()) -> Tuple[Task, ...]:
        up_index, down_index = self._edge_index()
        if root_tasks:
            for t in root_tasks:
                if t not in self.tasks:
                    raise ValueError(f"Task {t} was not found in Flow {self}")
            nodes = self._descendants(root_tasks)
            indegree = {t: sum(1 for e in up_index[t] if e.upstream_task in nodes) for t in nodes}
        else:
            nodes = self.tasks
            indegree = {t: len(up_index[t]) for t in nodes}
        slugs = self.slugs
        key = lambda t: (t.name, slugs.get(t, ""))  # noqa: E731
        ready = collections.deque(sorted((t for t, d in indegree.items() if d == 0), key=key))
        order: List[Task] = []
        while ready:
            t = ready.popleft()
            order.append(t)
            children = [e.downstream_task for e in down_index[t]]
            if len(children) > 1:
                children.sort(key=key)
            for d in children:
                if d in indegree:
                    indegree[d] -= 1
                    if indegree[d] == 0:
                        ready.append(d)
        if len(order) != len(nodes):
            raise ValueError("Cycle found; flows must be acyclic!")
        return tuple(order)

    def _descendants(self, roots: Iterable[Task]) -> Set[Task]:
        down_index = self._edge_index()[1]
        seen: Set[Task] = set()
        stack = list(roots)
        while stack:
            t = stack.pop()
            if t in seen:
                continue
            seen.add(t)
            stack.extend(e.downstream_task for e in down_index.get(t, ()))
        return seen

    def validate(self) -> None:
        """Check that edges and reference tasks belong to the flow, slugs are unique and the graph
        is acyclic.

        Raises:
            - ValueError: naming the problem
        """
        self._changed()
        if any(
            e.upstream_task not in self.tasks or e.downstream_task not in self.tasks
            for e in self.edges
        ):
            raise ValueError("Some edges refer to tasks not contained in this flow.")
        if len(set(self.slugs.values())) != len(self.slugs):
            raise ValueError("Tasks must have unique slugs within a flow.")
        self.sorted_tasks()
        if any(t not in self.tasks for t in self.reference_tasks()):
            raise ValueError("Some reference tasks are not contained in this flow.")

    # --- running ----------------------------------------------------------------------------------
    def run(
        self,
        parameters: Optional[Dict[str, Any]] = None,
        run_on_schedule: Optional[bool] = None,
        runner_cls: Optional[type] = None,
        **kwargs: Any,
    ) -> Any:
        """Run the flow in this process until every task is finished (retries included).

        Args:
            - parameters (dict, optional): values for the flow's Parameters
            - run_on_schedule (bool, optional): run at each event of the flow's schedule, forever
                (default `config.flows.run_on_schedule` when the flow has a schedule)
            - runner_cls (type, optional): the FlowRunner class
            - **kwargs: parameter values by name; others go to `FlowRunner.run` (`executor`, `task_states`,
                `context`, …)

        Returns:
            - State: the flow run's final state; `state.result` maps each task to its State
                (None when called while a flow file is being loaded)

        Raises:
            - RuntimeError: when called inside the flow's own `with` block
            - ValueError: when `parameters` is not a dict, for unknown or missing parameters, or a
                `return_tasks` keyword
        """
        from prefect_classic.engine.flow_runner import run_flow

        if "_ctx" in self.__dict__:
            raise RuntimeError(
                "Don't call `flow.run()` from within a `Flow` context manager.\n\n"
                "Do:\n\n  with Flow(...) as flow:\n      ...\n  flow.run(...)\n\n"
                "Don't:\n\n  with Flow(...) as flow:\n      ...\n      flow.run(...)"
            )
        check_parameter_values(parameters)
        runner_args: Dict[str, Any] = {
            k: kwargs[k]
            for k in ("executor", "task_states", "context", "task_contexts")
            if k in kwargs
        }
        if runner_args:  # a keyword naming one of the flow's parameters is a parameter value
            names = {p.name for p in self.parameters()}
            runner_args = {k: v for k, v in runner_args.items() if k not in names}
        check_run_arguments(run_on_schedule, runner_args)
        if context.get("loading_flow", False):
            warnings.warn(
                "Attempting to call `flow.run` during execution of flow file will lead to "
                "unexpected results.",
                stacklevel=2,
            )
            return None

        # run ids and names given as keywords go to the run's context (a context value wins)
        run_keys = [k for k in ("flow_run_id", "flow_run_name") if k in kwargs]
        if run_keys:
            param_names = {p.name for p in self.parameters()}
            run_context = dict(kwargs.get("context") or {})
            for key in run_keys:
                if key not in param_names:
                    run_context.setdefault(key, kwargs.pop(key))
            kwargs["context"] = run_context
        return run_flow(
            self,
            parameters=parameters,
            run_on_schedule=run_on_schedule,
            runner_cls=runner_cls,
            **kwargs,
        )


def _check_keys(task: Task, keys: Set[str]) -> None:
    """Raise TypeError unless every key is an argument of `task.run`."""
    sig = inspect.signature(task.run)
    try:
        sig.bind_partial(**{k: None for k in keys})
    except TypeError:
        takes = ", ".join(sig.parameters) or "no arguments"
        unknown = ", ".join(sorted(k for k in keys if k not in sig.parameters))
        raise TypeError(
            f"Task {task} has no argument {unknown!r}; its run() takes: {takes}."
        ) from None


def _flow_failure_callback(on_failure: Callable) -> Callable:
    def on_failure_handler(flow: Flow, old_state: Any, new_state: Any) -> Any:
        if new_state.is_failed():
            on_failure(flow, new_state)
        return new_state

    return on_failure_handler
