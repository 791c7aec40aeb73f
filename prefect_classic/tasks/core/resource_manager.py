"""Resource managers: set a resource up before the tasks that use it, and always clean it up."""
from typing import Any, Dict, Optional, Set

from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.utilities.context import context

__all__ = ["ResourceCleanupTask", "ResourceContext", "ResourceInitTask", "ResourceManager",
           "ResourceSetupTask", "resource_manager"]


class ResourceInitTask(Task):
    """Creates the resource manager object from its init arguments."""

    def __init__(self, resource_class: type, **kwargs: Any):
        self.resource_class = resource_class
        super().__init__(**kwargs)

    def run(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """Return `resource_class(**kwargs)`."""
        return self.resource_class(**kwargs)


class ResourceSetupTask(Task):
    """Calls the manager's `setup()`; its result is the resource."""

    def run(self, mgr: Any) -> Any:  # type: ignore[override]
        """Return `mgr.setup()`."""
        return mgr.setup()


def _cleanup_trigger(upstream_states: Dict[Any, Any]) -> bool:
    """Clean up when setup succeeded, whatever happened to the tasks using the resource."""
    for edge, state in upstream_states.items():
        if edge.key == "mgr" and not state.is_successful():
            raise signals.SKIP("Resource manager init failed; nothing to clean up.")
        if edge.key == "resource" and (state.is_skipped() or not state.is_successful()):
            raise signals.SKIP("Resource setup did not succeed; nothing to clean up.")
    return True


class ResourceCleanupTask(Task):
    """Calls the manager's `cleanup(resource)`; runs even when tasks using the resource failed."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("trigger", _cleanup_trigger)
        kwargs.setdefault("skip_on_upstream_skip", False)
        super().__init__(**kwargs)
        self.is_resource_cleanup = True

    def run(self, mgr: Any, resource: Any) -> None:  # type: ignore[override]
        """Call `mgr.cleanup(resource)`."""
        mgr.cleanup(resource)


class ResourceContext:
    """The `with` block of a resource: tasks created inside depend on setup; cleanup runs after
    all of them.

    Args:
        - init_task, setup_task, cleanup_task (Task): the three tasks of the resource
        - flow (Flow): the flow
    """

    def __init__(self, init_task: Task, setup_task: Task, cleanup_task: Task, flow: Any):
        self.init_task = init_task
        self.setup_task = setup_task
        self.cleanup_task = cleanup_task
        self._flow = flow
        self._tasks: Set[Task] = set()
        self._block: Any = None

    def add_task(self, task: Task, flow: Any) -> None:
        """Called by the flow for each task added inside the block."""
        if flow is self._flow:
            self._tasks.add(task)

    def __enter__(self) -> Task:
        self._block = context(resource=self)
        self._block.__enter__()
        return self.setup_task

    def __exit__(self, *args: Any) -> None:
        self._block.__exit__(*args)
        flow = self._flow
        own = {self.init_task, self.setup_task, self.cleanup_task}
        inside = self._tasks - own
        for t in inside:
            if not inside.intersection(flow.upstream_tasks(t)) and self.setup_task not in flow.upstream_tasks(t):
                t.set_upstream(self.setup_task, flow=flow)
        for t in inside:
            if not inside.intersection(flow.downstream_tasks(t)):
                self.cleanup_task.set_upstream(t, flow=flow)


class ResourceManager:
    """What `@resource_manager` makes of a class with `setup()` and `cleanup(resource)`.

    Calling it inside a flow adds init, setup and cleanup tasks and returns a `ResourceContext`.

    Args:
        - resource_class (type): the class
        - name (str, optional): the task name prefix (default: the class name)
        - init_task_kwargs, setup_task_kwargs, cleanup_task_kwargs (dict, optional): Task
            arguments for each of the three tasks
    """

    def __init__(self, resource_class: type, name: Optional[str] = None,
                 init_task_kwargs: Optional[dict] = None, setup_task_kwargs: Optional[dict] = None,
                 cleanup_task_kwargs: Optional[dict] = None):
        self.resource_class = resource_class
        self.name = name or resource_class.__name__
        self.init_task_kwargs = dict(init_task_kwargs or {})
        self.init_task_kwargs.setdefault("name", self.name)
        self.setup_task_kwargs = dict(setup_task_kwargs or {})
        self.setup_task_kwargs.setdefault("name", f"{self.name}.setup")
        self.cleanup_task_kwargs = dict(cleanup_task_kwargs or {})
        self.cleanup_task_kwargs.setdefault("name", f"{self.name}.cleanup")

    def __call__(self, *args: Any, flow: Any = None, **kwargs: Any) -> ResourceContext:
        """Add the resource's tasks to the flow.

        Returns:
            - ResourceContext: use it as `with manager(...) as resource:`
        """
        import inspect

        flow = flow if flow is not None else context.get("flow")
        if flow is None:
            raise ValueError("Could not infer an active Flow context; resource managers must be used inside a Flow.")
        params = list(inspect.signature(self.resource_class).parameters)
        bound = dict(zip(params, args))
        bound.update(kwargs)
        init_task = ResourceInitTask(self.resource_class, **self.init_task_kwargs)
        init_task.bind(flow=flow, **bound)
        setup_task = ResourceSetupTask(**self.setup_task_kwargs)
        setup_task.bind(mgr=init_task, flow=flow)
        cleanup_task = ResourceCleanupTask(**self.cleanup_task_kwargs)
        cleanup_task.bind(mgr=init_task, resource=setup_task, flow=flow)
        return ResourceContext(init_task, setup_task, cleanup_task, flow)


def resource_manager(resource_class: Optional[type] = None, name: Optional[str] = None,
                     init_task_kwargs: Optional[dict] = None, setup_task_kwargs: Optional[dict] = None,
                     cleanup_task_kwargs: Optional[dict] = None) -> Any:
    """Decorate a class with `setup()` and `cleanup(resource)` to use it as a flow resource.

    Args:
        - resource_class (type, optional): the class (omit to pass options first)
        - name (str, optional): the task name prefix
        - init_task_kwargs, setup_task_kwargs, cleanup_task_kwargs (dict, optional): Task arguments

    Returns:
        - ResourceManager, or a decorator
    """
    def wrap(cls: type) -> ResourceManager:
        return ResourceManager(cls, name=name, init_task_kwargs=init_task_kwargs,
                               setup_task_kwargs=setup_task_kwargs, cleanup_task_kwargs=cleanup_task_kwargs)

    if resource_class is None:
        return wrap
    return wrap(resource_class)


