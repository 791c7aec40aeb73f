"""Flow: a graph of tasks and the edges between them, and the entry point to run it."""
import collections
import copy
import functools
import os
import re
import sys
import warnings
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

import cloudpickle

from prefect_classic.configuration import config
from prefect_classic.core.edge import Edge
from prefect_classic.core.parameter import Parameter
from prefect_classic.core.task import Task, run_signature
from prefect_classic.utilities.context import context
from prefect_classic.utilities.edges import EdgeAnnotation
from prefect_classic.utilities.logging import get_logger

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
    """Memoize a Flow method until the flow's graph changes (`_cache` is cleared on change).

    Args:
        - method (Callable): the method (its arguments must be hashable)

    Returns:
        - Callable: the memoized method
    """

    @functools.wraps(method)
    def wrapper(self: "Flow", *args: Any, **kwargs: Any) -> Any:
        key = (method.__name__, args, tuple(sorted(kwargs.items())))
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = method(self, *args, **kwargs)
            return value
        except TypeError:  # unhashable arguments
            return method(self, *args, **kwargs)

    return wrapper


class Flow:
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
        - validate (bool, optional): validate edges as they are added (default
            `config.flows.eager_edge_validation`)
        - result (Result, optional): the default Result of tasks that have none
        - terminal_state_handler (Callable, optional): `fn(flow, state, reference_task_states)`
            that may replace the final state

    Raises:
        - ValueError: when `name` is empty
    """

    def __init__(self, name: str, schedule: Any = None, executor: Any = None, environment: Any = None,
                 run_config: Any = None, storage: Any = None, tasks: Optional[Iterable[Task]] = None,
                 edges: Optional[Iterable[Edge]] = None, reference_tasks: Optional[Iterable[Task]] = None,
                 state_handlers: Optional[List[Callable]] = None, on_failure: Optional[Callable] = None,
                 validate: Optional[bool] = None, result: Any = None,
                 terminal_state_handler: Optional[Callable] = None):
        if not name:
            raise ValueError("A name must be provided for the flow.")
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
        self.tasks: Set[Task] = set()
        self.edges: Set[Edge] = set()
        self.constants: Dict[Task, Dict[str, Any]] = collections.defaultdict(dict)
        self.slugs: Dict[Task, str] = {}
        self._slug_owners: Dict[str, Task] = {}
        self._upstream: Dict[Task, Set[Edge]] = {}
        self._downstream: Dict[Task, Set[Edge]] = {}
        self._slug_counts: Dict[str, int] = collections.defaultdict(int)
        self._reference_tasks: Set[Task] = set()
        self._cache: Dict[Any, Any] = {}
        self.state_handlers = list(state_handlers or [])
        self.on_failure = on_failure
        if on_failure is not None:
            self.state_handlers.append(_flow_failure_callback(on_failure))
        self.terminal_state_handler = terminal_state_handler
        self._context_stack: List[Any] = []
        for t in tasks or []:
            self.add_task(t)
        for e in edges or []:
            self.add_edge(e.upstream_task, e.downstream_task, key=e.key, mapped=e.mapped,
                          flattened=e.flattened, validate=validate)
        self.set_reference_tasks(reference_tasks or [])

    def __repr__(self) -> str:
        return f'<Flow: name="{self.name}">'

    def __iter__(self) -> Iterator[Task]:
        return iter(self.sorted_tasks())

    def __len__(self) -> int:
        return len(self.tasks)

    def __contains__(self, task: object) -> bool:
        return task in self.tasks

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return False
        assert isinstance(other, Flow)
        return (self.name == other.name and self.tasks == other.tasks and self.edges == other.edges
                and self.reference_tasks() == other.reference_tasks())

    def __hash__(self) -> int:
        return id(self)

    def __enter__(self) -> "Flow":
        block = context(flow=self)
        block.__enter__()
        self._context_stack.append(block)
        return self

    def __exit__(self, *args: Any) -> None:
        self._context_stack.pop().__exit__(*args)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("logger", None)
        state["_context_stack"] = []
        state["_cache"] = {}
        state["constants"] = dict(self.constants)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.constants = collections.defaultdict(dict, state.get("constants", {}))
        self.logger = get_logger(self.name)

    def _changed(self) -> None:
        self._cache.clear()

    # --- building -------------------------------------------------------------------------------
    def add_task(self, task: Task) -> Task:
        """Add a task (once; adding it again does nothing).

        Args:
            - task (Task): the task

        Returns:
            - Task: the task

        Raises:
            - TypeError: when `task` is not a Task
            - ValueError: when another task in the flow has the same slug
        """
        if task in self.tasks:
            return task
        if not isinstance(task, Task):
            raise TypeError(f"Tasks must be Task instances (received {type(task)})")
        if isinstance(task, Parameter) and any(p.name == task.name for p in self.parameters()):
            raise ValueError(f'A parameter named "{task.name}" already exists in this flow.')
        slug = task.slug
        # a slug another flow generated for this task is not the user's: generate a fresh one
        if slug is None or (slug in self._slug_owners and getattr(task, "_generated_slug", False)):
            slug = self._generate_slug(task)
        elif slug in self._slug_owners:
            raise ValueError(f'A task with the slug "{slug}" already exists in this flow.')
        self.slugs[task] = slug
        self._slug_owners[slug] = task
        if task.slug is None:
            task.slug = slug
            task._generated_slug = True  # type: ignore[attr-defined]
        self.tasks.add(task)
        self._upstream[task] = set()
        self._downstream[task] = set()
        self._changed()
        for block in ("case", "resource"):  # tasks made inside `with case(...)` / a resource block
            owner = context.get(block)
            if owner is not None:
                owner.add_task(task, self)
        return task

    def _generate_slug(self, task: Task) -> str:
        taken = self._slug_owners
        while True:
            self._slug_counts[task.name] += 1
            slug = f"{task.name}-{self._slug_counts[task.name]}"
            if slug not in taken:
                return slug

    def add_edge(self, upstream_task: Any, downstream_task: Any, key: Optional[str] = None,
                 mapped: bool = False, flattened: bool = False, validate: Optional[bool] = None) -> Edge:
        """Add an edge: `downstream_task` runs after `upstream_task` (and receives its result as `key`).

        Args:
            - upstream_task (Task): the upstream task
            - downstream_task (Task): the downstream task
            - key (str, optional): the downstream `run()` argument for the upstream result
            - mapped (bool, optional): map the downstream task over the upstream result
            - flattened (bool, optional): flatten the upstream result before passing it
            - validate (bool, optional): check for cycles now (default
                `config.flows.eager_edge_validation`)

        Returns:
            - Edge: the edge

        Raises:
            - ValueError: when `key` is already bound on the downstream task, is not one of its
                `run()` arguments, or (when validating) the edge makes a cycle
        """
        edge = Edge(upstream_task, downstream_task, key=key, mapped=mapped, flattened=flattened)
        up, down = edge.upstream_task, edge.downstream_task
        if key is not None:
            if any(e.key == key for e in self._upstream.get(down, ())) or key in self.constants.get(down, {}):
                raise ValueError(
                    f'Argument "{key}" for task {down} has already been assigned in this flow. If you are '
                    "trying to call the task again with new arguments, call Task.copy() before adding "
                    "the result to this flow."
                )
            if validate is not False:  # validate=False: e.g. deserialized base Tasks (no run() args)
                _check_key(down, key)
        self.add_task(up)
        self.add_task(down)
        if edge in self.edges:
            return edge
        self.edges.add(edge)
        self._upstream[down].add(edge)
        self._downstream[up].add(edge)
        self._changed()
        if (validate if validate is not None else config.flows.eager_edge_validation) and (
            up is down or up in self._descendants([down])
        ):
            self._remove_edge(edge)
            raise ValueError(f"Adding the edge {edge} would create a cycle; flows must be acyclic!")
        return edge

    def _remove_edge(self, edge: Edge) -> None:
        self.edges.discard(edge)
        self._upstream[edge.downstream_task].discard(edge)
        self._downstream[edge.upstream_task].discard(edge)
        self._changed()

    def set_dependencies(self, task: Any, upstream_tasks: Optional[Iterable[Any]] = None,
                         downstream_tasks: Optional[Iterable[Any]] = None,
                         keyword_tasks: Optional[Dict[str, Any]] = None, mapped: bool = False,
                         validate: Optional[bool] = None) -> None:
        """Add `task` and its dependencies.

        Plain (non-task) keyword values are kept as constants of the task rather than as tasks,
        unless they are mapped over.

        Args:
            - task (Task): the task
            - upstream_tasks ([Task], optional): tasks that run before it (no data passed)
            - downstream_tasks ([Task], optional): tasks that run after it (no data passed)
            - keyword_tasks (dict, optional): `{run() argument: task or value}`
            - mapped (bool, optional): map `task` over its upstream tasks and keyword values
                (wrap values in `unmapped(...)` to pass them whole)
            - validate (bool, optional): check for cycles now
        """
        from prefect_classic.utilities.tasks import _contains_task, as_task

        task = as_task(task, flow=self)
        self.add_task(task)
        for t in upstream_tasks or []:
            up, annotations = _unwrap(t)
            is_mapped = annotations.get("mapped", mapped)
            self.add_edge(as_task(up, flow=self), task, mapped=is_mapped,
                          flattened=annotations.get("flattened", False), validate=validate)
        for t in downstream_tasks or []:
            self.add_edge(task, as_task(t, flow=self), validate=validate)
        for key, t in (keyword_tasks or {}).items():
            value, annotations = _unwrap(t)
            is_mapped = annotations.get("mapped", mapped)
            flattened = annotations.get("flattened", False)
            if not is_mapped and not flattened and not _contains_task(value):
                if key in self.constants.get(task, {}) or any(e.key == key for e in self._upstream[task]):
                    raise ValueError(
                        f'Argument "{key}" for task {task} has already been assigned in this flow. If '
                        "you are trying to call the task again with new arguments, call Task.copy() "
                        "before adding the result to this flow."
                    )
                _check_key(task, key)
                self.constants[task][key] = value
                self._changed()
                continue
            self.add_edge(as_task(value, flow=self), task, key=key, mapped=is_mapped,
                          flattened=flattened, validate=validate)

    def chain(self, *tasks: Task, validate: Optional[bool] = None) -> List[Edge]:
        """Add edges so that each task runs after the one before it.

        Args:
            - *tasks (Task): the tasks in order
            - validate (bool, optional): check for cycles now

        Returns:
            - list: the new edges
        """
        return [self.add_edge(a, b, validate=validate) for a, b in zip(tasks, tasks[1:])]

    def replace(self, old: Task, new: Any, validate: bool = True) -> None:
        """Put `new` in `old`'s place: its edges, constants and reference-task status.

        Args:
            - old (Task): the task to replace
            - new (Task or value): the replacement
            - validate (bool, optional): validate the flow afterwards

        Raises:
            - ValueError: when `old` is not in the flow
        """
        from prefect_classic.utilities.tasks import as_task

        if old not in self.tasks:
            raise ValueError(f"Task {old} was not found in Flow {self}")
        new = as_task(new, flow=self)
        edges = list(self._upstream[old] | self._downstream[old])
        for e in edges:
            self._remove_edge(e)
        consts = self.constants.pop(old, {})
        was_reference = old in self._reference_tasks
        self.tasks.discard(old)
        old_slug = self.slugs.pop(old, None)
        if self._slug_owners.get(old_slug) is old:  # type: ignore[arg-type]
            del self._slug_owners[old_slug]  # type: ignore[arg-type]
        self._upstream.pop(old, None)
        self._downstream.pop(old, None)
        self._changed()
        self.add_task(new)
        for e in edges:
            up = new if e.upstream_task is old else e.upstream_task
            down = new if e.downstream_task is old else e.downstream_task
            self.add_edge(up, down, key=e.key, mapped=e.mapped, flattened=e.flattened, validate=False)
        if consts:
            self.constants[new].update(consts)
        if was_reference:
            self._reference_tasks.discard(old)
            self._reference_tasks.add(new)
        if validate:
            self.validate()

    def update(self, flow: "Flow", merge_parameters: bool = False, validate: Optional[bool] = None) -> None:
        """Add every task, edge and constant of another flow to this one.

        Args:
            - flow (Flow): the other flow
            - merge_parameters (bool, optional): reuse this flow's Parameter of the same name
                instead of raising on a duplicate
            - validate (bool, optional): check for cycles now
        """
        replace: Dict[Task, Task] = {}
        if merge_parameters:
            mine = {p.name: p for p in self.parameters()}
            replace = {p: mine[p.name] for p in flow.parameters() if p.name in mine}
        for t in flow.tasks:
            if t not in replace:
                self.add_task(t)
        for e in flow.edges:
            self.add_edge(replace.get(e.upstream_task, e.upstream_task),
                          replace.get(e.downstream_task, e.downstream_task),
                          key=e.key, mapped=e.mapped, flattened=e.flattened, validate=validate)
        for t, consts in flow.constants.items():
            self.constants[replace.get(t, t)].update(consts)
        self._changed()

    def copy(self) -> "Flow":
        """Return a copy with its own task, edge and constant collections (tasks are shared)."""
        new = copy.copy(self)
        new.tasks = set(self.tasks)
        new.edges = set(self.edges)
        new.constants = collections.defaultdict(dict, {t: dict(c) for t, c in self.constants.items()})
        new.slugs = dict(self.slugs)
        new._slug_owners = dict(self._slug_owners)
        new._upstream = {t: set(e) for t, e in self._upstream.items()}
        new._downstream = {t: set(e) for t, e in self._downstream.items()}
        new._slug_counts = collections.defaultdict(int, self._slug_counts)
        new._reference_tasks = set(self._reference_tasks)
        new._cache = {}
        new._context_stack = []
        new.state_handlers = list(self.state_handlers)
        return new

    # --- queries --------------------------------------------------------------------------------
    def edges_to(self, task: Task) -> Set[Edge]:
        """The edges into `task` (empty when it is not in the flow)."""
        return set(self._upstream.get(task, ()))

    def edges_from(self, task: Task) -> Set[Edge]:
        """The edges out of `task` (empty when it is not in the flow)."""
        return set(self._downstream.get(task, ()))

    def upstream_tasks(self, task: Task) -> Set[Task]:
        """The tasks with an edge into `task`."""
        return {e.upstream_task for e in self._upstream.get(task, ())}

    def downstream_tasks(self, task: Task) -> Set[Task]:
        """The tasks with an edge from `task`."""
        return {e.downstream_task for e in self._downstream.get(task, ())}

    @cache
    def root_tasks(self) -> Set[Task]:
        """The tasks with no upstream tasks."""
        return {t for t in self.tasks if not self._upstream[t]}

    @cache
    def terminal_tasks(self) -> Set[Task]:
        """The tasks with no downstream tasks."""
        return {t for t in self.tasks if not self._downstream[t]}

    def reference_tasks(self) -> Set[Task]:
        """The tasks whose states decide the flow's state (default: the terminal tasks; a resource
        cleanup task stands for the tasks that used the resource)."""
        if self._reference_tasks:
            return set(self._reference_tasks)
        found: Set[Task] = set()
        for t in self.terminal_tasks():
            if getattr(t, "is_resource_cleanup", False):
                found.update(e.upstream_task for e in self._upstream[t] if e.key is None)
            else:
                found.add(t)
        return found

    def set_reference_tasks(self, tasks: Iterable[Task]) -> None:
        """Choose the tasks whose states decide the flow's state.

        Args:
            - tasks ([Task]): the tasks (empty: back to the terminal tasks)

        Raises:
            - ValueError: when a task is not in the flow
        """
        tasks = set(tasks)
        if tasks - self.tasks:
            raise ValueError("reference tasks must be part of the flow.")
        self._reference_tasks = tasks

    def parameters(self) -> Set[Parameter]:
        """The flow's Parameter tasks."""
        return {t for t in self.tasks if isinstance(t, Parameter)}

    def get_tasks(self, name: Optional[str] = None, slug: Optional[str] = None,
                  tags: Optional[Iterable[str]] = None, task_type: Optional[type] = None) -> List[Task]:
        """The tasks matching every given criterion.

        Args:
            - name (str, optional): the task name
            - slug (str, optional): the task slug
            - tags ([str], optional): tags the task must all have
            - task_type (type, optional): the task's class (subclasses match)

        Returns:
            - list: the matching tasks
        """
        wanted_tags = set(tags or ())
        return [t for t in self.tasks
                if (name is None or t.name == name)
                and (slug is None or self.slugs.get(t, t.slug) == slug)
                and wanted_tags <= t.tags
                and (task_type is None or isinstance(t, task_type))]

    def sorted_tasks(self, root_tasks: Optional[Iterable[Task]] = None) -> Tuple[Task, ...]:
        """The tasks in an order where every task comes after its upstream tasks (O(V+E)).

        Args:
            - root_tasks ([Task], optional): only these tasks and their descendants

        Returns:
            - tuple: the tasks

        Raises:
            - ValueError: when the flow has a cycle
        """
        roots = None if root_tasks is None else tuple(root_tasks)
        key = ("sorted_tasks", roots)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        nodes = self.tasks if roots is None else self._descendants(roots)
        upstream, downstream = self._upstream, self._downstream
        if roots is None:  # every edge lies inside the flow
            indegree = {t: len(upstream[t]) for t in nodes}
        else:
            indegree = {t: sum(1 for e in upstream[t] if e.upstream_task in nodes) for t in nodes}
        # ties are broken by (name, slug) so the order is the same from run to run; sorting only
        # the ready roots and each task's own children keeps the whole pass O(V + E) up to those
        # small sorts
        ready = collections.deque(sorted((t for t, d in indegree.items() if d == 0), key=_sort_key))
        order: List[Task] = []
        while ready:
            t = ready.popleft()
            order.append(t)
            children = [e.downstream_task for e in downstream[t]]
            if len(children) > 1:
                children.sort(key=_sort_key)
            for d in children:
                if d in indegree:
                    indegree[d] -= 1
                    if indegree[d] == 0:
                        ready.append(d)
        if len(order) != len(nodes):
            raise ValueError("Cycle found; flows must be acyclic!")
        result = self._cache[key] = tuple(order)
        return result

    def _descendants(self, roots: Iterable[Task]) -> Set[Task]:
        seen: Set[Task] = set()
        stack = list(roots)
        while stack:
            t = stack.pop()
            if t in seen or t not in self.tasks:
                continue
            seen.add(t)
            stack.extend(e.downstream_task for e in self._downstream[t])
        return seen

    def validate(self) -> None:
        """Check that edges and reference tasks belong to the flow, slugs are unique and the graph is
        acyclic.

        Raises:
            - ValueError: naming the problem
        """
        if any(e.upstream_task not in self.tasks or e.downstream_task not in self.tasks for e in self.edges):
            raise ValueError("Some edges refer to tasks not contained in this flow.")
        if self._reference_tasks - self.tasks:
            raise ValueError("Some reference tasks are not contained in this flow.")
        if len(set(self.slugs.values())) != len(self.tasks):
            raise ValueError("Tasks must have unique slugs within a flow.")
        self.sorted_tasks()

    # --- running ----------------------------------------------------------------------------------
    def run(self, parameters: Optional[Dict[str, Any]] = None, run_on_schedule: Optional[bool] = None,
            runner_cls: Optional[type] = None, **kwargs: Any) -> Any:
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
        """
        from prefect_classic.engine.flow_runner import run_flow

        return run_flow(self, parameters=parameters, run_on_schedule=run_on_schedule,
                        runner_cls=runner_cls, **kwargs)

    # --- persistence and display ---------------------------------------------------------------------
    def save(self, fpath: Optional[str] = None) -> str:
        """Write the flow to a file with cloudpickle.

        Args:
            - fpath (str, optional): the path (default `~/.prefect/flows/<slugified name>.prefect`)

        Returns:
            - str: the path written
        """
        if fpath is None:
            home = os.path.expanduser(str(config.home_dir))
            fpath = os.path.join(home, "flows", re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") + ".prefect")
        fpath = os.path.abspath(os.path.expanduser(fpath))
        os.makedirs(os.path.dirname(fpath), exist_ok=True)
        tmp = f"{fpath}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            cloudpickle.dump(self, f)
        os.replace(tmp, fpath)
        return fpath

    @classmethod
    def load(cls, fpath: str) -> "Flow":
        """Read a flow written by `save`.

        Args:
            - fpath (str): the path (or a flow name saved at the default location)

        Returns:
            - Flow: the flow
        """
        path = os.path.expanduser(fpath)
        if not os.path.exists(path):
            home = os.path.expanduser(str(config.home_dir))
            path = os.path.join(home, "flows", re.sub(r"[^a-z0-9]+", "-", fpath.lower()).strip("-") + ".prefect")
        with open(path, "rb") as f:
            return cloudpickle.load(f)

    def visualize(self, flow_state: Any = None, filename: Optional[str] = None,
                  format: Optional[str] = None) -> Any:
        """Draw the flow with graphviz (the `viz` extra), colouring tasks by state when given.

        Args:
            - flow_state (State, optional): a flow run's final state
            - filename (str, optional): write the image here instead of opening it
            - format (str, optional): the image format (e.g. "png", "pdf")

        Returns:
            - graphviz.Digraph: the graph

        Raises:
            - ImportError: when graphviz is not installed
        """
        from prefect_classic.utilities.visualization import visualize_flow

        return visualize_flow(self, flow_state=flow_state, filename=filename, format=format)

    def serialize(self, build: bool = False) -> dict:
        """Return the flow's metadata as Prefect 1's JSON-compatible dict.

        Args:
            - build (bool): add the flow to its storage (if not there yet) and build the storage
                first; remote storage raises `BackendOnlyError` (see `prefect_classic.storage`)

        Returns:
            - dict: the serialized flow

        Raises:
            - ValueError: when `build=True` and the flow has no storage
        """
        from prefect_classic.serialization.flow import FlowSchema

        serialized = FlowSchema().dump(self)
        if build:
            from prefect_classic.serialization.storage import StorageSchema

            if not self.storage:
                raise ValueError("This flow has no storage to build")
            if self.name not in self.storage:
                self.storage.add_flow(self)
            else:
                warnings.warn("A flow with the same name is already contained in storage; if you changed "
                              "your Flow since the last build, re-create your storage object.", stacklevel=2)
            serialized["storage"] = StorageSchema().dump(self.storage.build())
        return serialized

    def serialized_hash(self, build: bool = False) -> str:
        """A SHA-256 of the serialized flow (keys sorted): equal hashes mean `flow.register()` would
        have sent a backend nothing new.

        Args:
            - build (bool, optional): build the storage first (see `serialize`)

        Returns:
            - str: the hex digest
        """
        import hashlib
        import json

        return hashlib.sha256(json.dumps(self.serialize(build), sort_keys=True).encode()).hexdigest()

    def run_agent(self, token: Optional[str] = None, show_flow_logs: bool = False,
                  log_to_cloud: Optional[bool] = None, api_key: Optional[str] = None) -> None:
        """Prefect 1 started a local agent for a Prefect backend here (raises `BackendOnlyError`).

        Raises:
            - BackendOnlyError: always; run the flow with `flow.run()` or `prefect-classic run`
        """
        from prefect_classic.client.client import no_backend

        no_backend("`flow.run_agent()`", "run the flow in this process with `flow.run()` or "
                   f"`prefect-classic run {_calling_file()}`")

    def register(self, project_name: Optional[str] = None, build: bool = True, labels: Optional[List[str]] = None,
                 set_schedule_active: bool = True, version_group_id: Optional[str] = None, no_url: bool = False,
                 idempotency_key: Optional[str] = None, **kwargs: Any) -> None:
        """Prefect 1 registered the flow with a Prefect backend here. prefect_classic has no backend:
        this prepares the flow as Prefect 1 did (a default storage built from `**kwargs`, a
        `UniversalRun` run config, the storage's and `labels` added to the run config's labels, the
        storage's Result as the flow's default), logs one warning that nothing was registered and
        how to run the flow here, and returns None. The storage is not built.

        Args:
            - project_name (str, optional): the backend project (unused)
            - build (bool, optional): build the storage (unused: nothing is uploaded)
            - labels (List[str], optional): labels added to the run config
            - set_schedule_active (bool, optional): unused
            - version_group_id (str, optional): unused
            - no_url (bool, optional): unused
            - idempotency_key (str, optional): unused
            - **kwargs (Any): arguments of the default storage class, when the flow has no storage

        Returns:
            - None: there is no flow id without a backend

        Raises:
            - ValueError: when called inside the flow's `with Flow(...)` block
        """
        if self._context_stack:
            raise ValueError(
                "Don't call `flow.register()` from within a `Flow` context manager: call it after the "
                "`with Flow(...) as flow:` block.")
        if not context.get("loading_flow", False):
            from prefect_classic.run_configs import UniversalRun
            from prefect_classic.storage import get_default_storage_class

            if self.storage is None:
                self.storage = get_default_storage_class()(**kwargs)
            if self.run_config is None:
                self.run_config = UniversalRun()
            self.run_config.labels.update(self.storage.labels)
            self.run_config.labels.update(labels or ())
            if not self.result:
                self.result = self.storage.result
        script = _calling_file()
        self.logger.warning(
            "flow.register(): flow %r was not registered: prefect_classic runs flows without a Prefect "
            "Cloud/Server backend. Run it here with `flow.run()` or `prefect-classic run %s`.",
            self.name, script)
        return None

def _calling_file() -> str:
    """The file of the code that called the caller, as a short path ("FILE.py" when unknown)."""
    path = sys._getframe(2).f_code.co_filename
    if not os.path.isfile(path):
        return "FILE.py"
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative.startswith("..") else relative


def _sort_key(task: Task) -> Tuple[str, str]:
    return (task.name, task.slug or "")


def _unwrap(value: Any) -> Tuple[Any, Dict[str, bool]]:
    if isinstance(value, EdgeAnnotation):
        return value.task, value.annotations
    return value, {}


def _check_key(task: Task, key: str) -> None:
    params = _run_params(task)
    if params is not None and key not in params:
        raise ValueError(
            f'Task {task} has no argument "{key}"; its run() takes: {", ".join(params) or "no arguments"}.'
        )


def _run_params(task: Task) -> Optional[Tuple[str, ...]]:
    sig = run_signature(task)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return None
    return tuple(sig.parameters)


def _flow_failure_callback(on_failure: Callable) -> Callable:
    def on_failure_handler(flow: Flow, old_state: Any, new_state: Any) -> Any:
        if new_state.is_failed():
            on_failure(flow, new_state)
        return new_state

    return on_failure_handler
