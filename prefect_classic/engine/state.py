"""The State hierarchy: what a task run or flow run is doing, with its message and result.

```
State
├── Pending ── Scheduled ── Paused / Resume / Retrying
├── _MetaState ── Submitted / Queued / ClientFailed    (wrap another state)
├── Running ── Cancelling
└── Finished ─ Success ── Cached / Mapped / Skipped
             ├ Failed ─── TimedOut / TriggerFailed / ValidationFailed
             ├ Looped
             └ Cancelled
```
Every `is_*()` predicate is true for subclasses too (`Retrying().is_pending()`).
"""

import sys
from typing import Any, Dict, List, Mapping, Optional, Type

import cloudpickle
import pendulum

from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.utilities.context import SEEN_TRUTHY
from prefect_classic.utilities.context import context as _context
from prefect_classic.utilities.context import read as read_context

__all__ = [
    "Cached",
    "Cancelled",
    "Cancelling",
    "ClientFailed",
    "Failed",
    "Finished",
    "Looped",
    "Mapped",
    "MetaState",
    "Paused",
    "Pending",
    "Queued",
    "Resume",
    "Retrying",
    "Running",
    "Scheduled",
    "Skipped",
    "State",
    "Submitted",
    "Success",
    "TimedOut",
    "TriggerFailed",
    "ValidationFailed",
]


class State:
    """Base class for every state.

    Args:
        - message (str or Exception, optional): a message about the state (or the error behind it)
        - result (Any, optional): the state's value, or a `Result` holding it
        - context (dict, optional): JSON-compatible facts about the run; inside a run of a
            task with tags, they are added under `tags`
        - cached_inputs (dict, optional): `{argument name: Result}` inputs kept for a re-run
    """

    color = "#696969"
    _result: Result

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        context: Optional[Dict[str, Any]] = None,
        cached_inputs: Optional[Dict[str, Result]] = None,
    ):
        self.message = message
        if type(self).result is not _RESULT_PROPERTY:  # a subclass with its own `result`
            self.result = NoResult if result is None else result
        elif result is None:  # (what the `result` setter does, without the call)
            self._result = NoResult
        elif isinstance(result, Result):
            self._result = result
        else:
            self._result = Result(value=result)
        self.context = context or {}
        self.cached_inputs = cached_inputs or {}
        tags = read_context("task_tags") if "task_tags" in SEEN_TRUTHY else None
        if tags:  # (Prefect 1 also records an empty list; a mapped child's state stays lean)
            self.context.setdefault("tags", list(tags))

    @property
    def result(self) -> Any:
        """The value of the state's `Result` (`_result`)."""
        return self._result.value

    @result.setter
    def result(self, value: Any) -> None:
        self._result = value if isinstance(value, Result) else Result(value=value)

    def __repr__(self) -> str:
        if self.message is not None:
            return f'<{type(self).__name__}: "{self.message}">'
        return f"<{type(self).__name__}>"

    def __eq__(self, other: object) -> bool:
        """Equal when the type, the result and the other data (not the message or context) match."""
        if type(self) is not type(other):
            return False
        if self.result != other.result:  # type: ignore[attr-defined]
            return False
        for attr in self.__dict__:
            if attr.startswith("_") or attr in ("context", "message"):
                continue
            if getattr(self, attr, object()) != getattr(other, attr, object()):
                return False
        return True

    def __hash__(self) -> int:
        return id(self)

    def __getstate__(self) -> dict:
        """Pickle the state; an exception result that cannot be pickled travels as its repr."""
        data = self.__dict__
        value = self._result.value
        if isinstance(value, Exception):
            from prefect_classic.engine.signals import PrefectStateSignal

            if not isinstance(value, PrefectStateSignal):
                try:
                    cloudpickle.dumps(value)
                except Exception as exc:
                    substitute = self._result.copy()
                    substitute.value = (
                        f"The following exception could not be pickled due to {exc!r}: {value!r}"
                    )
                    data = dict(data, _result=substitute)
        return data

    def __sizeof__(self) -> int:
        return super().__sizeof__() + sys.getsizeof(self.result, 0)

    # --- results ------------------------------------------------------------------------------
    def load_result(self, result: Optional[Result] = None) -> "State":
        """Read the value from its location when the state carries a location but no value.

        A Mapped state loads each child instead (its own result is the children's results).

        Args:
            - result (Result, optional): the Result to read with (default: the state's own)

        Returns:
            - State: this state, with its value loaded
        """
        known = self._result
        if known.value is None and known.location is not None:
            reader = result or known
            self._result = reader.read(known.location)
        return self

    def load_cached_results(
        self, results: Optional[Mapping[str, Optional[Result]]] = None
    ) -> "State":
        """Read each cached input that carries a location but no value.

        Args:
            - results (dict, optional): `{argument name: Result}` readers (default: each input's own)

        Returns:
            - State: this state, with its cached input values loaded
        """
        results = results or {}
        loaded = {}
        for key, res in self.cached_inputs.items():
            reader = results.get(key) or res
            location = res.location or getattr(reader, "location", None)
            loaded[key] = (
                reader.read(location) if res.value is None and location is not None else res
            )
        self.cached_inputs = loaded
        return self

    # --- class tree -----------------------------------------------------------------------------
    @classmethod
    def children(cls, include_self: bool = False, names_only: bool = False) -> List[Any]:
        """Every public subclass of this state class (recursively).

        Args:
            - include_self (bool): include this class (last)
            - names_only (bool): return names instead of classes

        Returns:
            - list: the classes or names
        """
        found: List[Type[State]] = []
        for sub in cls.__subclasses__():
            if not sub.__name__.startswith("_"):
                found.append(sub)
            found.extend(sub.children())
        if include_self:
            found.append(cls)
        return [c.__name__ for c in found] if names_only else found

    @classmethod
    def parents(cls, include_self: bool = False, names_only: bool = False) -> List[Any]:
        """Every public State ancestor of this class, nearest first.

        Args:
            - include_self (bool): include this class (last)
            - names_only (bool): return names instead of classes

        Returns:
            - list: the classes or names
        """
        found = [c for c in cls.__mro__[1:] if c is not object and not c.__name__.startswith("_")]
        if include_self:
            found.append(cls)
        return [c.__name__ for c in found] if names_only else found

    # --- predicates -----------------------------------------------------------------------------
    def is_pending(self) -> bool:
        """Whether this is a Pending state (Scheduled, Retrying, Paused... included)."""
        return isinstance(self, Pending)

    def is_queued(self) -> bool:
        """Whether this is a Queued state."""
        return isinstance(self, Queued)

    def is_retrying(self) -> bool:
        """Whether this is a Retrying state."""
        return isinstance(self, Retrying)

    def is_running(self) -> bool:
        """Whether this is a Running state."""
        return isinstance(self, Running)

    def is_cached(self) -> bool:
        """Whether this is a Cached state."""
        return isinstance(self, Cached)

    def is_finished(self) -> bool:
        """Whether this is a Finished state."""
        return isinstance(self, Finished)

    def is_looped(self) -> bool:
        """Whether this is a Looped state."""
        return isinstance(self, Looped)

    def is_scheduled(self) -> bool:
        """Whether this state has a start time: Scheduled (and subclasses) or Queued."""
        return isinstance(self, (Scheduled, Queued))

    def is_submitted(self) -> bool:
        """Whether this is a Submitted state."""
        return isinstance(self, Submitted)

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
        """Whether this state wraps another (Submitted, Queued, ClientFailed)."""
        return isinstance(self, _MetaState)

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


#: the base `result` property (a subclass may define its own, which __init__ then uses)
_RESULT_PROPERTY = State.__dict__["result"]


# --- Pending ------------------------------------------------------------------------------------


class Pending(State):
    """Waiting to run; the state every run starts from.

    Args:
        - message, result, cached_inputs, context: as `State`
    """

    color = "#d3d3d3"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        cached_inputs: Optional[dict] = None,
        context: Optional[dict] = None,
    ):
        super().__init__(
            message=message, result=result, context=context, cached_inputs=cached_inputs
        )


class Scheduled(Pending):
    """Waiting until `start_time` to run. Created inside a task run, it records the run count in
    its context (`task_run_count`), so that the count survives the wait.

    Args:
        - message, result, cached_inputs, context: as `State`
        - start_time (datetime, optional): when to run; default now (UTC)
    """

    color = "#ffab00"
    start_time: Optional[pendulum.DateTime]

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        start_time: Any = None,
        cached_inputs: Optional[dict] = None,
        context: Optional[dict] = None,
    ):
        super().__init__(
            message=message, result=result, cached_inputs=cached_inputs, context=context
        )
        self.start_time = (
            pendulum.instance(start_time) if start_time is not None else pendulum.now("utc")
        )
        run_count = _context.get("task_run_count")
        if run_count is not None:
            self.context["task_run_count"] = run_count


class Paused(Scheduled):
    """Waiting for manual approval (a `Resume`), or until `start_time` when one is given.

    Args:
        - message, result, cached_inputs, context: as `State`
        - start_time (datetime, optional): when to resume on its own; default never (`None`)
    """

    color = "#cfd8dc"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        start_time: Any = None,
        cached_inputs: Optional[dict] = None,
        context: Optional[dict] = None,
    ):
        super().__init__(
            message=message,
            result=result,
            start_time=start_time,
            cached_inputs=cached_inputs,
            context=context,
        )
        if start_time is None:
            self.start_time = None


class Resume(Scheduled):
    """Approved to leave a Paused state."""

    color = "#20b0c6"


class Retrying(Scheduled):
    """Failed and waiting until `start_time` to run again.

    Args:
        - message, result, start_time, cached_inputs, context: as `Scheduled`
        - run_count (int, optional): runs attempted so far; default context `task_run_count` or 1
    """

    color = "#f66a0a"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        start_time: Any = None,
        cached_inputs: Optional[dict] = None,
        context: Optional[dict] = None,
        run_count: Optional[int] = None,
    ):
        super().__init__(
            message=message,
            result=result,
            start_time=start_time,
            cached_inputs=cached_inputs,
            context=context,
        )
        self.run_count: int = (
            run_count if run_count is not None else _context.get("task_run_count", 1)
        )


# --- meta states ------------------------------------------------------------------------------
class _MetaState(State):
    """A state that wraps another state (`state`); wrapping a meta state keeps only the state
    inside it, so meta states never nest.

    Args:
        - message, result, context, cached_inputs: as `State`
        - state (State, optional): the wrapped state
    """

    color = "#00000000"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        state: Optional[State] = None,
        context: Optional[dict] = None,
        cached_inputs: Optional[dict] = None,
    ):
        super().__init__(
            message=message, result=result, context=context, cached_inputs=cached_inputs
        )
        self.state = state

    @property
    def state(self) -> Optional[State]:
        """The wrapped (innermost non-meta) state."""
        return self._state

    @state.setter
    def state(self, value: Optional[State]) -> None:
        while isinstance(value, _MetaState):
            value = value.state
        self._state = value


#: the public name of the meta-state base class (Prefect 1 calls it `_MetaState`)
MetaState = _MetaState


class ClientFailed(_MetaState):
    """A state that could not be recorded; it wraps the state that was meant."""

    color = "#eb0000"


class Submitted(_MetaState):
    """Handed to an executor; wraps the state it was submitted from."""

    color = "#13bdbf"


class Queued(_MetaState):
    """Waiting for capacity; wraps the state it was queued from.

    Args:
        - message, result, state, context, cached_inputs: as `_MetaState`
        - start_time (datetime, optional): when to try again; default now (UTC)
    """

    color = "#bdbdbd"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        state: Optional[State] = None,
        start_time: Any = None,
        context: Optional[dict] = None,
        cached_inputs: Optional[dict] = None,
    ):
        super().__init__(
            message=message,
            result=result,
            state=state,
            context=context,
            cached_inputs=cached_inputs,
        )
        self.start_time = start_time or pendulum.now("utc")


# --- Running ------------------------------------------------------------------------------------
class Running(State):
    """Running now."""

    color = "#1e88e5"


class Cancelling(Running):
    """Asked to stop; finishing the work in flight."""

    color = "#a5a5a5"


# --- Finished -----------------------------------------------------------------------------------
class Finished(State):
    """Done, one way or another."""

    color = "#003ccb"


class Looped(Finished):
    """Finished one iteration of a LOOP; the task runs again right away.

    Args:
        - message, result, context, cached_inputs: as `State`
        - loop_count (int, optional): the iteration; default context `task_loop_count` or 1
    """

    color = "#d3d3d3"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        loop_count: Optional[int] = None,
        context: Optional[dict] = None,
        cached_inputs: Optional[dict] = None,
    ):
        super().__init__(
            message=message, result=result, context=context, cached_inputs=cached_inputs
        )
        self.loop_count: int = (
            loop_count if loop_count is not None else _context.get("task_loop_count", 1)
        )


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
        - hashed_inputs (dict, optional): `{argument: dask token}` of the cached run's inputs
    """

    color = "#374c5e"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        cached_inputs: Optional[dict] = None,
        cached_parameters: Optional[dict] = None,
        cached_result_expiration: Any = None,
        context: Optional[dict] = None,
        hashed_inputs: Optional[Dict[str, str]] = None,
    ):
        super().__init__(
            message=message, result=result, context=context, cached_inputs=cached_inputs
        )
        self.hashed_inputs = hashed_inputs
        self.cached_parameters = cached_parameters
        self.cached_result_expiration = (
            pendulum.instance(cached_result_expiration)
            if cached_result_expiration is not None
            else None
        )


class Mapped(Success):
    """A mapped parent: its children's states are in `map_states`, its result is theirs.

    Args:
        - message, result, context, cached_inputs: as `State`
        - map_states (list, optional): the children's states
        - n_map_states (int, optional): how many children (default `len(map_states)`)
    """

    color = "#97c2fc"

    def __init__(
        self,
        message: Any = None,
        result: Any = None,
        map_states: Optional[List[Any]] = None,
        context: Optional[dict] = None,
        cached_inputs: Optional[dict] = None,
        n_map_states: Optional[int] = None,
    ):
        super().__init__(
            message=message, result=result, context=context, cached_inputs=cached_inputs
        )
        self.map_states: List[Any] = map_states or []
        self._n_map_states = n_map_states

    @property
    def n_map_states(self) -> int:
        """How many children this mapped task has."""
        return self._n_map_states or len(self.map_states)

    @n_map_states.setter
    def n_map_states(self, value: Optional[int]) -> None:
        self._n_map_states = value

    def load_result(self, result: Optional[Result] = None) -> "State":
        """Load each child's result; the parent's result becomes the list of them.

        Args:
            - result (Result, optional): the Result to read with

        Returns:
            - State: this state
        """
        self.map_states = [
            s.load_result(result) if s is not None else None for s in self.map_states
        ]
        if self.map_states:
            self.result = [s.result if s is not None else None for s in self.map_states]
        return self


class Cancelled(Finished):
    """Stopped before finishing."""

    color = "#bdbdbd"


class Failed(Finished):
    """Finished with an error."""

    color = "#eb0000"


class TimedOut(Failed):
    """Failed by running longer than the task's `timeout`."""

    color = "#ff4e33"


class TriggerFailed(Failed):
    """Not run because the task's trigger failed."""

    color = "#c42800"


class ValidationFailed(Failed):
    """Failed because a result did not validate."""

    color = "#ff8a80"


class Skipped(Success):
    """Not run, on purpose (a SKIP signal or a skipped upstream)."""

    color = "#62757f"
