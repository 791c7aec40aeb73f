"""Resource managers: set a resource up before the tasks that use it, and clean it up after
them, whatever happened to them."""

from typing import Any, Callable, Dict, Optional, Set

from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.utilities.context import context

__all__ = [
    "ResourceCleanupTask",
    "ResourceContext",
    "ResourceInitTask",
    "ResourceManager",
    "ResourceSetupTask",
    "resource_cleanup_trigger",
    "resource_manager",
]


class ResourceInitTask(Task):
    """Creates the resource manager object: its `run` is the resource class itself, so the task
    takes the class's `__init__` arguments.

    Args:
        - resource_class (Callable): the class (or any callable returning the manager object)
        - **kwargs: other Task arguments
    """

    def __init__(self, resource_class: Callable, **kwargs: Any):
        self.run = resource_class  # type: ignore[method-assign]
        super().__init__(**kwargs)


class ResourceSetupTask(Task):
    """Calls the manager's `setup()`; its result is the resource the block's tasks receive."""

    def run(self, mgr: Any) -> Any:  # type: ignore[override]
        """Return `mgr.setup()`."""
        return mgr.setup()


class ResourceCleanupTask(Task):
    """Calls the manager's `cleanup(resource)` (resource is None when the manager has no
    `setup`)."""

    def run(self, mgr: Any, resource: Any = None) -> None:  # type: ignore[override]
        """Call `mgr.cleanup(resource)`."""
        mgr.cleanup(resource)


def resource_cleanup_trigger(upstream_states: Dict[Any, Any]) -> bool:
    """The cleanup task's trigger: run once every upstream task finished, provided the manager
    was created and set up; the states of the block's tasks do not matter.

    Args:
        - upstream_states (Dict[Edge, State]): the upstream states

    Returns:
        - bool: True (the cleanup runs)

    Raises:
        - TRIGGERFAIL: when an upstream task is not finished
        - SKIP: when the init or setup task was skipped or did not succeed
    """
    for edge, state in upstream_states.items():
        if not state.is_finished():
            raise signals.TRIGGERFAIL(
                "Trigger was 'resource_cleanup_trigger' but some of the upstream tasks were not finished."
            )
        if edge.key == "mgr":
            if state.is_skipped():
                raise signals.SKIP("Resource manager init skipped")
            if not state.is_successful():
                raise signals.SKIP("Resource manager init failed")
        elif edge.key == "resource":
            if state.is_skipped():
                raise signals.SKIP("Resource manager setup skipped")
            if not state.is_successful():
                raise signals.SKIP("Resource manager setup failed")
    return True


class ResourceContext:
    """The `with` block of a resource (what calling a `ResourceManager` returns).

    On leaving the block, every task created inside it with no upstream task in the block runs
    after the setup task, and every one with no downstream task in the block runs before the
    cleanup task. Parameters and Constants created inside stay root tasks.

    Args:
        - init_task (Task): creates the manager object
        - setup_task (Task, optional): calls `setup()` (None when the class has no `setup`)
        - cleanup_task (Task): calls `cleanup(resource)`
        - flow (Flow): the flow
    """

    def __init__(self, init_task: Task, setup_task: Optional[Task], cleanup_task: Task, flow: Any):
        self.init_task = init_task
        self.setup_task = setup_task
        self.cleanup_task = cleanup_task
        self._flow = flow
        self._tasks: Set[Task] = set()
        self._blocks: list = []

    def add_task(self, task: Task, flow: Any) -> None:
        """Record a task created inside the block (the flow calls this).

        Raises:
            - ValueError: when the task belongs to another flow
        """
        if flow is not self._flow:
            raise ValueError("Multiple flows cannot be used with the same resource block")
        self._tasks.add(task)

    def __enter__(self) -> Optional[Task]:
        block = context(resource=self)
        block.__enter__()
        self._blocks.append(block)
        return self.setup_task

    def __exit__(self, *args: Any) -> None:
        self._blocks.pop().__exit__(*args)
        flow = self._flow
        for child in self._tasks:
            upstream = flow.upstream_tasks(child)
            if (
                self.setup_task is not None
                and not self._tasks.intersection(upstream)
                and self.setup_task not in upstream
            ):
                child.set_upstream(self.setup_task, flow=flow)
            downstream = flow.downstream_tasks(child)
            if (
                self.cleanup_task is not None
                and not self._tasks.intersection(downstream)
                and self.cleanup_task not in downstream
            ):
                child.set_downstream(self.cleanup_task, flow=flow)


class ResourceManager:
    """A resource for the tasks of a block: what `@resource_manager` makes of a class.

    The class's `__init__` takes the resource's settings, `setup()` (optional) creates the
    resource and returns what the block's tasks receive, and `cleanup(resource)` releases it.
    Calling the manager inside a flow adds up to three tasks (init, setup, cleanup) and returns
    a `ResourceContext`: `with manager(...) as resource:`.

    Args:
        - resource_class (Callable): the class
        - name (str, optional): the task name prefix (default: the class name)
        - init_task_kwargs, setup_task_kwargs, cleanup_task_kwargs (dict, optional): Task
            arguments for each of the three tasks (copied). Setup and cleanup are not
            checkpointed by default; cleanup has the `resource_cleanup_trigger` and
            `skip_on_upstream_skip=False` unless given.
    """

    def __init__(
        self,
        resource_class: Callable,
        name: Optional[str] = None,
        init_task_kwargs: Optional[dict] = None,
        setup_task_kwargs: Optional[dict] = None,
        cleanup_task_kwargs: Optional[dict] = None,
    ):
        self.resource_class = resource_class
        self.init_task_kwargs = dict(init_task_kwargs or {})
        self.setup_task_kwargs = dict(setup_task_kwargs or {})
        self.cleanup_task_kwargs = dict(cleanup_task_kwargs or {})
        if name is None:
            name = getattr(resource_class, "__name__", "resource")
        self.name = name
        self.init_task_kwargs.setdefault("name", name)
        self.setup_task_kwargs.setdefault("name", f"{name}.setup")
        self.setup_task_kwargs.setdefault("checkpoint", False)
        self.cleanup_task_kwargs.setdefault("name", f"{name}.cleanup")
        self.cleanup_task_kwargs.setdefault("trigger", resource_cleanup_trigger)
        self.cleanup_task_kwargs.setdefault("skip_on_upstream_skip", False)
        self.cleanup_task_kwargs.setdefault("checkpoint", False)

    def __call__(self, *args: Any, flow: Any = None, **kwargs: Any) -> ResourceContext:
        """Add the resource's tasks to the flow.

        Args:
            - *args, **kwargs: the resource class's `__init__` arguments (tasks or values)
            - flow (Flow, optional): the flow (default: the one in context)

        Returns:
            - ResourceContext: use it as `with manager(...) as resource:`

        Raises:
            - ValueError: when there is no flow
        """
        if flow is None:
            flow = context.get("flow")
            if flow is None:
                raise ValueError("Could not infer an active Flow context.")
        init_task = ResourceInitTask(self.resource_class, **self.init_task_kwargs)(
            *args, flow=flow, **kwargs
        )
        setup_task: Optional[Task]
        if hasattr(self.resource_class, "setup"):
            setup_task = ResourceSetupTask(**self.setup_task_kwargs)(init_task, flow=flow)
            cleanup_task = ResourceCleanupTask(**self.cleanup_task_kwargs)(
                init_task, setup_task, flow=flow
            )
        else:
            setup_task = None
            cleanup_task = ResourceCleanupTask(**self.cleanup_task_kwargs)(init_task, flow=flow)
        return ResourceContext(init_task, setup_task, cleanup_task, flow)


def resource_manager(
    resource_class: Optional[Callable] = None,
    *,
    name: Optional[str] = None,
    init_task_kwargs: Optional[dict] = None,
    setup_task_kwargs: Optional[dict] = None,
    cleanup_task_kwargs: Optional[dict] = None,
) -> Any:
    """Decorate a class to use it as a flow resource (see `ResourceManager`).

    Args:
        - resource_class (Callable, optional): the class (omit to pass options first)
        - name (str, optional): the task name prefix
        - init_task_kwargs, setup_task_kwargs, cleanup_task_kwargs (dict, optional): Task arguments

    Returns:
        - ResourceManager, or a decorator when `resource_class` is omitted

    Example:
        ```python
        @resource_manager
        class TempDir:
            def setup(self):
                return tempfile.mkdtemp()

            def cleanup(self, path):
                shutil.rmtree(path)

        with Flow("f") as flow:
            with TempDir() as path:
                write_files(path)
        ```
    """

    def wrap(cls: Callable) -> ResourceManager:
        return ResourceManager(
            cls,
            name=name,
            init_task_kwargs=init_task_kwargs,
            setup_task_kwargs=setup_task_kwargs,
            cleanup_task_kwargs=cleanup_task_kwargs,
        )

    if resource_class is None:
        return wrap
    return wrap(resource_class)
