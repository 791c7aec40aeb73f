"""Which durable cache a task run uses, and what its record looks like: `plan_for`.

Two kinds of tasks keep cache records:

- policy caching (`PolicyPlan`): `cache_policy=...`, `cache_key_fn=...`, or `persist_result=True`
  alone (the DEFAULT policy). The key comes from the policy; records live in `result_storage`
  (default `<home_dir>/storage/`, one file per key); `cache_expiration` sets their expiry.
- durable classic caching (`ClassicPlan`): `cache_for` plus either `persist_result=True` or a
  storage Result with checkpointing on. The key comes from the memory key (`cache_key` or the task
  name) and the hashes of what the `cache_validator` compares; the record keeps the Cached
  state's expiration. Records only add hits in new processes: the in-memory caches work as before.
"""

import inspect
import time
import uuid
import weakref
from typing import Any, Dict, Optional, Tuple

from prefect_classic.cache_policies import TaskRunContext, policy_for, task_run_function
from prefect_classic.configuration import config
from prefect_classic.engine.caching import memory
from prefect_classic.engine.caching.records import (
    RecordStore,
    default_storage,
    is_storage,
    record_store_for,
)
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.state import State
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.hashing import HashError, hash_objects, stable_hash

__all__ = ["ClassicPlan", "PolicyPlan", "RecordPlan", "plan_for", "uses_records"]


def uses_records(task: Any) -> bool:
    """Whether runs of `task` may read or write cache records (a cheap test of its options).

    Args:
        - task (Task): the task

    Returns:
        - bool: whether `plan_for` needs to be asked
    """
    return (
        task.cache_policy is not None
        or task.cache_key_fn is not None
        or task.persist_result is True
        or (task.cache_for is not None and task.persist_result is not False)
    )


class RecordPlan:
    """The record one task run reads and writes: its key, store and header.

    Args:
        - task (Task): the task
        - key (str): the record's key
        - store (RecordStore): where it lives
        - refresh (bool): skip reading, always write
        - header (dict): what the record's header holds besides timestamps
    """

    __slots__ = ("task", "key", "store", "refresh", "header")
    kind = ""

    def __init__(
        self, task: Any, key: str, store: RecordStore, refresh: bool, header: Dict[str, Any]
    ):
        self.task = task
        self.key = key
        self.store = store
        self.refresh = refresh
        self.header = header

    @property
    def identity(self) -> Tuple[Any, str]:
        """The record's storage location and key (how transactions tell records apart)."""
        return (self.store.identity, self.key)

    def matches(self, header: Dict[str, Any]) -> bool:
        """Whether a stored record's header answers this run."""
        return True

    def writes(self, state: State) -> bool:
        """Whether the run's final state is one to record."""
        return state.is_successful() and not state.is_skipped() and not state.is_looped()

    def expires_at(self, state: State, now: float) -> Optional[float]:
        """When the record written for `state` expires (a timestamp), None for never."""
        return None

    def remember(self, state: State) -> None:
        """Note a Cached state found in a record where the in-memory caches can reuse it."""


class PolicyPlan(RecordPlan):
    """A record under the key of the task's cache policy; `cache_expiration` sets its expiry."""

    __slots__ = ("expiration",)
    kind = "policy"

    def __init__(
        self,
        task: Any,
        key: str,
        store: RecordStore,
        refresh: bool,
        header: Dict[str, Any],
        expiration: Optional[float],
    ):
        super().__init__(task, key, store, refresh, header)
        self.expiration = expiration

    def expires_at(self, state: State, now: float) -> Optional[float]:
        return None if self.expiration is None else now + self.expiration


class ClassicPlan(RecordPlan):
    """A record of a durable `cache_for` task: written when the run became Cached, read when its
    hashes of the compared inputs and parameters match."""

    __slots__ = ()
    kind = "classic"

    def matches(self, header: Dict[str, Any]) -> bool:
        return (
            header.get("inputs_hash") == self.header["inputs_hash"]
            and header.get("parameters_hash") == self.header["parameters_hash"]
        )

    def writes(self, state: State) -> bool:
        return super().writes(state) and state.is_cached()

    def expires_at(self, state: State, now: float) -> Optional[float]:
        expiration = getattr(state, "cached_result_expiration", None)
        return expiration.timestamp() if expiration is not None else None

    def remember(self, state: State) -> None:
        memory.remember(self.task, state)


_DEFAULTS: "weakref.WeakKeyDictionary[Any, Dict[str, Any]]" = weakref.WeakKeyDictionary()


def _input_defaults(task: Any) -> Dict[str, Any]:
    """Default values of the task's `run()` arguments (memoized per function)."""
    fn = task_run_function(task)
    try:
        return _DEFAULTS[fn]
    except (KeyError, TypeError):
        pass
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return {}
    found = {
        p.name: p.default
        for p in params
        if p.default is not p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    try:
        _DEFAULTS[fn] = found
    except TypeError:  # pragma: no cover - not weak-referenceable
        pass
    return found


def _refresh(task: Any) -> bool:
    if task.refresh_cache is not None:
        return bool(task.refresh_cache)
    tasks_section = config.get("tasks")
    return bool(tasks_section.get("refresh_cache", False)) if tasks_section is not None else False


def _validator_scope(validator: Any) -> Tuple[Any, Any]:
    """Which inputs and parameters a cache validator compares: (names or True or None, ...)."""
    from prefect_classic.engine import cache_validators as cv

    if validator is cv.duration_only:
        return None, None
    if validator is cv.all_inputs:
        return True, None
    if validator is cv.all_parameters:
        return None, True
    name = getattr(validator, "__name__", "")
    if name in ("partial_inputs_only", "partial_parameters_only"):
        nonlocals = inspect.getclosurevars(validator).nonlocals
        if "names" not in nonlocals:  # not the built-in closure: compare everything
            return True, True
        names = nonlocals["names"]
        scope = None if names is None else tuple(names)
        return (scope, None) if name == "partial_inputs_only" else (None, scope)
    return True, True  # a custom validator: compare everything


def _subset_hash(values: Dict[str, Any], scope: Any) -> Optional[str]:
    if scope is None:
        return None
    chosen = values if scope is True else {n: values.get(n) for n in scope}
    return stable_hash(chosen)


def _classic_plan(
    runner: Any, raw: Dict[str, Any], task: Any, full_name: str
) -> Optional[RecordPlan]:
    from prefect_classic.engine import cache_validators as cv

    if task.cache_validator is cv.never_use or task.target is not None:
        return None
    result = runner.result
    opted_in = task.persist_result is True or (
        is_storage(result)
        and task.checkpoint is not False
        and prefect_context.get("checkpointing") is True
    )
    if not opted_in:
        return None
    storage = task.result_storage or (result if is_storage(result) else default_storage())
    inputs_scope, params_scope = _validator_scope(task.cache_validator)
    try:
        inputs_hash = _subset_hash(raw, inputs_scope)
        params_hash = _subset_hash(prefect_context.get("parameters") or {}, params_scope)
    except HashError as exc:
        runner.logger.warning(f"Task '{full_name}': not using the durable cache: {exc}")
        return None
    name = memory.memory_key(task)
    key = hash_objects("classic-cache", name, inputs_hash, params_hash)
    header = {
        "mode": "classic",
        "task": task.name,
        "cache_key": name,
        "inputs_hash": inputs_hash,
        "parameters_hash": params_hash,
    }
    return ClassicPlan(task, key, record_store_for(storage), _refresh(task), header)


def _policy_plan(
    runner: Any, raw: Dict[str, Any], task: Any, policy: Any, full_name: str
) -> Optional[RecordPlan]:
    defaults = _input_defaults(task)
    inputs = {**defaults, **raw} if defaults else raw
    get = prefect_context.get
    flow_parameters = get("parameters") or {}
    run_context = TaskRunContext(
        task=task,
        parameters=inputs,
        flow_parameters=flow_parameters,
        flow_run_id=get("flow_run_id"),
        task_run_id=get("task_run_id") or str(uuid.uuid4()),
        flow_name=get("flow_name"),
        map_index=get("map_index"),
        task_run_count=get("task_run_count", 1),
    )
    try:
        key = policy.compute_key(task, inputs, flow_parameters, run_context)
    except Exception as exc:
        runner.logger.warning(
            f"Task '{full_name}': could not compute the cache key, so this run is not cached: {exc}"
        )
        return None
    if key is None:
        return None
    expiration = (
        task.cache_expiration.total_seconds() if task.cache_expiration is not None else None
    )
    return PolicyPlan(
        task,
        key,
        record_store_for(task.result_storage or default_storage()),
        _refresh(task),
        {"mode": "policy", "task": task.name},
        expiration,
    )


def plan_for(runner: Any, inputs: Dict[str, Result]) -> Optional[RecordPlan]:
    """Decide which durable cache a task run uses: a `PolicyPlan` (the task has a cache policy,
    a `cache_key_fn` or `persist_result=True`), a `ClassicPlan` (a `cache_for` task whose results
    are stored), or None.

    Args:
        - runner (TaskRunner): the runner
        - inputs (Dict[str, Result]): the inputs

    Returns:
        - RecordPlan: the plan, or None when the run keeps no record
    """
    task = runner.task
    if not uses_records(task):
        return None
    full_name = prefect_context.get("task_full_name", task.name)
    raw = {k: r.value for k, r in inputs.items()}
    policy = policy_for(task)
    if policy is not None:
        return _policy_plan(runner, raw, task, policy, full_name)
    if task.cache_for is not None and task.persist_result is not False:
        return _classic_plan(runner, raw, task, full_name)
    return None


def now() -> float:
    """The current time as a timestamp (records' clock)."""
    return time.time()
