"""The State hierarchy: what a task run or flow run is doing, with its message and result.

```
State
├── Pending ── Scheduled ── Paused / Resume / Retrying
│          └── Submitted          (MetaState: Queued, ClientFailed)
├── Running ── Cancelling
└── Finished ─ Success ── Cached / Mapped / Skipped
             ├ Failed ─── TimedOut / TriggerFailed / ValidationFailed
             ├ Looped
             └ Cancelled
```
"""
import datetime
from typing import Any, Dict, List, Optional, Type

import pendulum

from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.utilities.context import context as _context

__all__ = [
    "Cached", "Cancelled", "Cancelling", "ClientFailed", "Failed", "Finished", "Looped", "Mapped",
    "MetaState", "Paused", "Pending", "Queued", "Resume", "Retrying", "Running", "Scheduled",
    "Skipped", "State", "Submitted", "Success", "TimedOut", "TriggerFailed", "ValidationFailed",
]


def _utc(dt: Optional[datetime.datetime]) -> Optional[datetime.datetime]:
    if dt is None:
        return None
    return pendulum.instance(dt) if not isinstance(dt, pendulum.DateTime) else dt


class State:
    """Base class for every state.

    Args:
        - message (str or Exception, optional): a message about the state
        - result (Any, optional): the state's value, or a `Result` holding it
        - context (dict, optional): context to keep with the state
        - cached_inputs (dict, optional): `{argument name: Result}` inputs kept for a re-run
    """

    color = "#996633"

    def __init__(
        self,
        message: Any = None,
        result: Any = NoResult,
        context: Optional[Dict[str, Any]] = None,
        cached_inputs: Optional[Dict[str, Result]] = None,
    ):
        self.message = message
        self.result = result
        self.context = context or {}
        self.cached_inputs = cached_inputs or {}

    @property
    def result(self) -> Any:
        """The value of the state's `Result` (`_result`)."""
        return self._result.value

    @result.setter
    def result(self, value: Any) -> None:
        self._result = value if isinstance(value, Result) else Result(value=value)

    def __repr__(self) -> str:
        if self.message:
            return f'<{type(self).__name__}: "{self.message}">'
        return f"<{type(self).__name__}>"

    def __eq__(self, other: object) -> bool:
        """Equal when the type and the data (not the message or context) match."""
        if type(self) is not type(other):
            return False
        for attr in self.__dict__:
            if attr.startswith("_") or attr in ("context", "message"):
                continue
            if getattr(self, attr, object()) != getattr(other, attr, object()):
                return False
        return self._result.value == other._result.value  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return id(self)

    # --- results ------------------------------------------------------------------------------
    def load_result(self, result: Optional[Result] = None) -> "State":
        """Read the value from its location when the state carries only a location.

        Args:
            - result (Result, optional): the Result type to read with (default: the state's own)

        Returns:
            - State: this state, with its value loaded
        """
        known = self._result
        if known.location and known.value is None:
            reader = result if result is not None else known
            if reader is NoResult or type(reader) is Result:
                raise ValueError("This state's result has a location but no Result type to read it with.")
            self._result = reader.read(known.location)
        return self

    def load_cached_results(self, results: Optional[Dict[str, Result]] = None) -> "State":
        """Read each cached input that carries only a location.

        Args:
            - results (dict, optional): `{argument name: Result}` readers

        Returns:
            - State: this state, with cached input values loaded
        """
        results = results or {}
        for key, res in list((self.cached_inputs or {}).items()):
            if res.location and res.value is None:
                reader = results.get(key, res)
                self.cached_inputs[key] = reader.read(res.location)
        return self

    # --- class tree -----------------------------------------------------------------------------
    @classmethod
    def children(cls, include_self: bool = False, names_only: bool = False) -> List[Any]:
        """Every subclass of this state class (recursively).

        Args:
            - include_self (bool): include this class
            - names_only (bool): return names instead of classes

        Returns:
            - list: the classes or names
        """
        found: List[Type[State]] = [cls] if include_self else []
        for sub in cls.__subclasses__():
            found.extend(sub.children(include_self=True))
        return [c.__name__ for c in found] if names_only else found

    @classmethod
    def parents(cls, include_self: bool = False, names_only: bool = False) -> List[Any]:
        """Every State ancestor of this class.

        Args:
            - include_self (bool): include this class
            - names_only (bool): return names instead of classes

        Returns:
            - list: the classes or names
        """
        found = [c for c in cls.__mro__ if issubclass(c, State) and (include_self or c is not cls)]
        return [c.__name__ for c in found] if names_only else found

    # --- predicates -----------------------------------------------------------------------------
    def is_pending(self) -> bool:
        """Whether this is a Pending state (or a subclass)."""
        return isinstance(self, Pending)

    def is_paused(self) -> bool:
        """Whether this is a Paused state."""
        return isinstance(self, Paused)

    def is_running(self) -> bool:
        """Whether this is a Running state."""
        return isinstance(self, Running)

    def is_cancelling(self) -> bool:
        """Whether this is a Cancelling state."""
        return isinstance(self, Cancelling)

    def is_finished(self) -> bool:
        """Whether this is a Finished state."""
        return isinstance(self, Finished)

    def is_looped(self) -> bool:
        """Whether this is a Looped state."""
        return isinstance(self, Looped)

    def is_scheduled(self) -> bool:
        """Whether this is a Scheduled state."""
        return isinstance(self, Scheduled)

    def is_skipped(self) -> bool:
        """Whether this is a Skipped state."""
        return isinstance(self, Skipped)

    def is_successful(self) -> bool:
        """Whether this is a Success state (Cached, Mapped and Skipped included)."""
        return isinstance(self, Success)

    def is_failed(self) -> bool:
        """Whether this is a Failed state."""
        return isinstance(self, Failed)

    def is_mapped(self) -> bool:
        """Whether this is a Mapped state."""
        return isinstance(self, Mapped)

    def is_meta_state(self) -> bool:
        """Whether this is a MetaState (a state wrapping another)."""
        return isinstance(self, MetaState)

    def is_cached(self) -> bool:
        """Whether this is a Cached state."""
        return isinstance(self, Cached)

    def is_retrying(self) -> bool:
        """Whether this is a Retrying state."""
        return isinstance(self, Retrying)

    def is_submitted(self) -> bool:
        """Whether this is a Submitted state."""
        return isinstance(self, Submitted)

    def is_queued(self) -> bool:
        """Whether this is a Queued state."""
        return isinstance(self, Queued)

    # --- serialization ----------------------------------------------------------------------------
    def serialize(self) -> dict:
        """Return this state as Prefect 1's JSON-compatible dict.

        Returns:
            - dict: the serialized state
        """
        from prefect_classic.serialization.state import StateSchema

        return StateSchema().dump(self)

    @staticmethod
    def deserialize(json_blob: dict) -> "State":
        """Build a State from a dict made by `serialize()` (or by Prefect 1).

        Args:
            - json_blob (dict): the serialized state

        Returns:
            - State: the state
        """
        from prefect_classic.serialization.state import StateSchema

        return StateSchema().load(json_blob)


# ------------------------------------------------------------------------------------------------
class MetaState(State):
    """A state that wraps another state (`state`).

    Args:
        - message, result, context, cached_inputs: as `State`
        - state (State, optional): the wrapped state
    """

    color = "#00000000"

    def __init__(self, message: Any = None, result: Any = NoResult, context: Optional[dict] = None,
                 cached_inputs: Optional[dict] = None, state: Optional[State] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs)
        self.state = state


#: Prefect 1's name for the meta state base class
_MetaState = MetaState


class ClientFailed(MetaState):
    """A state that could not be recorded; it wraps the state that was meant."""

    color = "#eb0000"


class Pending(State):
    """Waiting to run."""

    color = "#d3d3d3"


class Scheduled(Pending):
    """Waiting until `start_time` to run.

    Args:
        - message, result, context, cached_inputs: as `State`
        - start_time (datetime, optional): when to run; default now (UTC)
    """

    color = "#ffab00"

    def __init__(self, message: Any = None, result: Any = NoResult, start_time: Optional[datetime.datetime] = None,
                 cached_inputs: Optional[dict] = None, context: Optional[dict] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs)
        self.start_time = _utc(start_time) or pendulum.now("utc")


class Paused(Scheduled):
    """Waiting for manual approval; `start_time` defaults to ten years from now."""

    color = "#cfd8dc"

    def __init__(self, message: Any = None, result: Any = NoResult, start_time: Optional[datetime.datetime] = None,
                 cached_inputs: Optional[dict] = None, context: Optional[dict] = None):
        super().__init__(message=message, result=result, cached_inputs=cached_inputs, context=context,
                         start_time=start_time or pendulum.now("utc").add(years=10))


class Resume(Scheduled):
    """Approved to leave a Paused state."""

    color = "#20b0c6"


class Retrying(Scheduled):
    """Failed and waiting until `start_time` to run again.

    Args:
        - message, result, start_time, cached_inputs, context: as `Scheduled`
        - run_count (int, optional): runs attempted so far; default context `task_run_count` or 1
    """

    color = "#ffab00"

    def __init__(self, message: Any = None, result: Any = NoResult, start_time: Optional[datetime.datetime] = None,
                 cached_inputs: Optional[dict] = None, context: Optional[dict] = None,
                 run_count: Optional[int] = None):
        super().__init__(message=message, result=result, start_time=start_time,
                         cached_inputs=cached_inputs, context=context)
        self.run_count = run_count if run_count is not None else _context.get("task_run_count", 1)


class Submitted(State):
    """Handed to an executor; wraps the state it was submitted from."""

    color = "#13bdbf"

    def __init__(self, message: Any = None, result: Any = NoResult, state: Optional[State] = None,
                 context: Optional[dict] = None, cached_inputs: Optional[dict] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs)
        self.state = state


class Queued(MetaState):
    """Waiting for capacity; wraps the state it was queued from.

    Args:
        - message, result, context, cached_inputs, state: as `MetaState`
        - start_time (datetime, optional): when to try again; default now
    """

    color = "#bdbdbd"

    def __init__(self, message: Any = None, result: Any = NoResult, state: Optional[State] = None,
                 start_time: Optional[datetime.datetime] = None, context: Optional[dict] = None,
                 cached_inputs: Optional[dict] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs,
                         state=state)
        self.start_time = _utc(start_time) or pendulum.now("utc")


class Running(State):
    """Running now."""

    color = "#1e88e5"


class Cancelling(Running):
    """Asked to stop; finishing the work in flight."""

    color = "#a5a5a5"


class Finished(State):
    """Done, one way or another."""

    color = "#003ccb"


class Success(Finished):
    """Finished successfully."""

    color = "#28a745"


class Cached(Success):
    """Finished with a result reused from a cache.

    Args:
        - message, result, context: as `State`
        - cached_inputs (dict, optional): the inputs the cached run had
        - cached_parameters (dict, optional): the flow parameters the cached run had
        - cached_result_expiration (datetime, optional): when the cache expires
        - hashed_inputs (dict, optional): hashes of the inputs (durable caches)
    """

    color = "#374c5e"

    def __init__(self, message: Any = None, result: Any = NoResult, cached_inputs: Optional[dict] = None,
                 cached_parameters: Optional[dict] = None,
                 cached_result_expiration: Optional[datetime.datetime] = None,
                 context: Optional[dict] = None, hashed_inputs: Optional[dict] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs)
        self.cached_parameters = cached_parameters
        self.hashed_inputs = hashed_inputs
        self.cached_result_expiration = _utc(cached_result_expiration)


class Mapped(Success):
    """A mapped parent: its children's states are in `map_states`.

    Args:
        - message, result, context, cached_inputs: as `State`
        - map_states (list, optional): the children's states
        - n_map_states (int, optional): how many children (default `len(map_states)`)
    """

    color = "#97c2fc"

    def __init__(self, message: Any = None, result: Any = NoResult, map_states: Optional[List[State]] = None,
                 context: Optional[dict] = None, cached_inputs: Optional[dict] = None,
                 n_map_states: Optional[int] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs)
        self.map_states: List[State] = map_states if map_states is not None else []
        self._n_map_states = n_map_states

    @property
    def n_map_states(self) -> int:
        """How many children this mapped task has."""
        return self._n_map_states if self._n_map_states is not None else len(self.map_states)

    @n_map_states.setter
    def n_map_states(self, value: int) -> None:
        self._n_map_states = value


class Looped(Finished):
    """Finished one iteration of a LOOP; `loop_count` iterations so far.

    Args:
        - message, result, context, cached_inputs: as `State`
        - loop_count (int, optional): iterations so far
    """

    color = "#d3d3d3"

    def __init__(self, message: Any = None, result: Any = NoResult, context: Optional[dict] = None,
                 cached_inputs: Optional[dict] = None, loop_count: Optional[int] = None):
        super().__init__(message=message, result=result, context=context, cached_inputs=cached_inputs)
        self.loop_count = loop_count


class Failed(Finished):
    """Finished with an error."""

    color = "#eb0000"


class Cancelled(Finished):
    """Stopped before finishing."""

    color = "#bdbdbd"


class TimedOut(Failed):
    """Failed by running longer than the task's `timeout`."""

    color = "#ff5131"


class TriggerFailed(Failed):
    """Not run because the task's trigger failed."""

    color = "#c42800"


class ValidationFailed(Failed):
    """Failed because a result did not validate."""

    color = "#ff8a80"


class Skipped(Success):
    """Not run, on purpose (a SKIP signal or a skipped upstream)."""

    color = "#62757f"
