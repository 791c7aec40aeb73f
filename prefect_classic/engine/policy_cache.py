"""Durable caching steps of the task run: cache records stored under a cache key.

Two kinds of tasks keep cache records:

- policy caching: `cache_policy=...`, `cache_key_fn=...`, or `persist_result=True` alone (the
  DEFAULT policy). The key comes from the policy; records live in `result_storage` (default
  `<home_dir>/storage/`, one file per key); `cache_expiration` sets their expiry.
- durable classic caching: `cache_for` plus either `persist_result=True` or a storage Result
  (LocalResult, S3Result, GCSResult, ...) with checkpointing on. The key comes from `cache_key`
  (or the task name) and the hashes of what the `cache_validator` compares (all inputs, all
  parameters, the named ones for the `partial_*` validators, both for custom validators); the
  record keeps the Cached state's expiration. The in-memory caches keep working as before: the
  records only add hits in new processes.

A record is one blob, written atomically: a magic line, a 4-byte header length, a JSON header
(key, task, created/expiry timestamps, serializer, hashes) and the value serialized with the
storage Result's serializer.

Concurrency: with LocalResult storage, a run that misses takes an exclusive lock on the key (a
`fcntl.flock`ed file under `<dir>/.locks/`, plus an in-process lock) until its record is written
or it gives up, and looks again once it holds the lock, so of several runs computing one key one
runs and the others read its record. S3 storage writes a new record with a conditional put
(`IfNoneMatch="*"`); the run that loses adopts the stored value. Other backends: the last
writer wins.
"""
import inspect
import json
import os
import threading
import time
import uuid
import weakref
from typing import Any, Dict, Hashable, Optional, Tuple

import pendulum

from prefect_classic.cache_policies import TaskRunContext, policy_for, task_run_function
from prefect_classic.configuration import config
from prefect_classic.engine.result.base import NoResultType, Result
from prefect_classic.engine.serializers import Serializer
from prefect_classic.engine.state import Cached, State
from prefect_classic.utilities.context import context as prefect_context
from prefect_classic.utilities.hashing import HashError, hash_objects, stable_hash

try:  # pragma: no cover - always present on POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: in-process locks only
    fcntl = None  # type: ignore[assignment]

__all__ = ["CacheRecordError", "check", "decode_record", "encode_record", "record_store_for", "store"]

RECORD_MAGIC = b"PCREC1\n"
_PLAN_KEY = "_durable_cache_plan"


class CacheRecordError(ValueError):
    """A stored cache record is not in the expected format."""


# --- record format -----------------------------------------------------------------------------------
def encode_record(header: Dict[str, Any], value_bytes: bytes) -> bytes:
    """Build a cache record blob.

    Args:
        - header (dict): JSON-serializable metadata
        - value_bytes (bytes): the serialized value

    Returns:
        - bytes: the record
    """
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return RECORD_MAGIC + len(head).to_bytes(4, "big") + head + value_bytes


def decode_record(data: bytes) -> Tuple[Dict[str, Any], bytes]:
    """Split a cache record blob into its header and serialized value.

    Args:
        - data (bytes): the record

    Returns:
        - Tuple[dict, bytes]: the header and the value bytes

    Raises:
        - CacheRecordError: when `data` is not a cache record
    """
    start = len(RECORD_MAGIC)
    if not data.startswith(RECORD_MAGIC) or len(data) < start + 4:
        raise CacheRecordError("not a prefect_classic cache record")
    size = int.from_bytes(data[start:start + 4], "big")
    try:
        header = json.loads(data[start + 4:start + 4 + size])
    except ValueError as exc:
        raise CacheRecordError(f"corrupt cache record header: {exc}") from exc
    return header, data[start + 4 + size:]


# --- record stores ----------------------------------------------------------------------------------
class _RawBytes(Serializer):
    """Passes bytes through unchanged (records are already bytes)."""

    def serialize(self, value: Any) -> bytes:
        return bytes(value)

    def deserialize(self, value: bytes) -> Any:
        return value


class RecordStore:
    """Reads and writes record blobs by key in one storage location.

    Args:
        - result (Result): the storage Result (its serializer serializes values)
    """

    def __init__(self, result: Result):
        self.result = result
        self.serializer = result.serializer

    @property
    def identity(self) -> Hashable:
        """What distinguishes this storage location from others."""
        r = self.result
        return (type(r).__qualname__, getattr(r, "bucket", None), getattr(r, "dir", None))

    def describe(self, key: str) -> str:
        """A human-readable location of `key`."""
        return f"{type(self.result).__name__} key {key!r}"

    def read(self, key: str) -> Optional[bytes]:
        """The record stored under `key`, or None when there is none."""
        raw = self.result.copy()
        raw.serializer = _RawBytes()
        try:
            return raw.read(key).value
        except Exception:
            if not raw.exists(key):
                return None
            raise

    def write(self, key: str, data: bytes, exclusive: bool) -> bool:
        """Store a record; returns False when `exclusive` and another writer stored one first."""
        raw = self.result.copy()
        raw.serializer = _RawBytes()
        raw.location, raw._formatter = key.replace("{", "{{").replace("}", "}}"), None
        raw.write(data)
        return True

    def lock(self, key: str, owner: Any) -> Optional["_Lease"]:
        """Take the exclusive lock of `key` (None: this storage has no locks)."""
        return None


class LocalRecordStore(RecordStore):
    """Records as files `<dir>/<key>`, written atomically, with file locks under `<dir>/.locks/`."""

    def __init__(self, result: Result):
        super().__init__(result)
        self.dir = os.path.abspath(os.path.expanduser(result.dir))  # type: ignore[attr-defined]

    @property
    def identity(self) -> Hashable:
        return ("local", self.dir)

    def describe(self, key: str) -> str:
        return os.path.join(self.dir, key)

    def read(self, key: str) -> Optional[bytes]:
        try:
            with open(os.path.join(self.dir, key), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write(self, key: str, data: bytes, exclusive: bool) -> bool:
        from prefect_classic.engine.results.local_result import atomic_write

        atomic_write(os.path.join(self.dir, key), data)
        return True

    def lock_path(self, key: str) -> str:
        """The lock file of `key`."""
        return os.path.join(self.dir, ".locks", stable_hash(key)[:40] + ".lock")

    def lock(self, key: str, owner: Any) -> Optional["_Lease"]:
        return _key_lock(self.lock_path(key)).acquire(owner)


class S3RecordStore(RecordStore):
    """Records as S3 objects; a new record is written only if no object exists yet."""

    @property
    def identity(self) -> Hashable:
        r = self.result
        return ("s3", r.bucket, r.boto3_kwargs.get("endpoint_url"))  # type: ignore[attr-defined]

    def describe(self, key: str) -> str:
        return f"s3://{self.result.bucket}/{key}"  # type: ignore[attr-defined]

    def read(self, key: str) -> Optional[bytes]:
        from prefect_classic.engine.results.s3_result import _is_not_found

        r = self.result
        try:
            return r.client.get_object(Bucket=r.bucket, Key=key)["Body"].read()  # type: ignore[attr-defined]
        except Exception as exc:
            if _is_not_found(exc):
                return None
            raise

    def write(self, key: str, data: bytes, exclusive: bool) -> bool:
        r = self.result
        extra = {"IfNoneMatch": "*"} if exclusive else {}
        try:
            r.client.put_object(Bucket=r.bucket, Key=key, Body=data, **extra)  # type: ignore[attr-defined]
        except Exception as exc:
            response = getattr(exc, "response", None) or {}
            if exclusive and (response.get("Error", {}).get("Code") == "PreconditionFailed"
                              or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 412):
                return False
            raise
        return True


_STORES: "weakref.WeakKeyDictionary[Result, RecordStore]" = weakref.WeakKeyDictionary()


def record_store_for(result: Result) -> RecordStore:
    """The record store of a storage Result (one per Result instance).

    Args:
        - result (Result): a LocalResult, S3Result, GCSResult or other storage Result

    Returns:
        - RecordStore: the store
    """
    found = _STORES.get(result)
    if found is None:
        from prefect_classic.engine.results import LocalResult, S3Result

        if isinstance(result, LocalResult):
            found = LocalRecordStore(result)
        elif isinstance(result, S3Result):
            found = S3RecordStore(result)
        else:
            found = RecordStore(result)
        _STORES[result] = found
    return found


_DEFAULT_STORAGE: Dict[str, Result] = {}


def default_storage() -> Result:
    """`LocalResult(dir=<home_dir>/storage)`, one per home folder.

    Returns:
        - Result: the default cache storage
    """
    folder = os.path.join(os.path.expanduser(str(config.home_dir)), "storage")
    found = _DEFAULT_STORAGE.get(folder)
    if found is None:
        from prefect_classic.engine.results.local_result import local_result_at

        found = _DEFAULT_STORAGE[folder] = local_result_at(folder)
    return found


def _is_storage(result: Any) -> bool:
    """Whether a Result stores values somewhere (not the base Result, PrefectResult and co)."""
    from prefect_classic.engine.results import ConstantResult, PrefectResult, SecretResult

    return (isinstance(result, Result) and type(result) is not Result
            and not isinstance(result, (NoResultType, ConstantResult, PrefectResult, SecretResult)))


# --- locks ---------------------------------------------------------------------------------------
class _KeyLock:
    """An exclusive lock on one key: reentrant for one owner (a transaction or a task run), held
    across threads of this process by a Condition and across processes by `flock`."""

    def __init__(self, path: str):
        self.path = path
        self._cond = threading.Condition(threading.RLock())
        self._owner: Any = None
        self._depth = 0
        self._fd: Optional[int] = None
        #: how many acquirers of this process are waiting for another owner to release it
        self.waiters = 0

    def acquire(self, owner: Any) -> "_Lease":
        with self._cond:
            while self._owner is not None and self._owner is not owner:
                self.waiters += 1
                try:
                    self._cond.wait()
                finally:
                    self.waiters -= 1
            if self._depth == 0 and fcntl is not None:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._owner = owner
            self._depth += 1
        return _Lease(self)

    def release(self) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth == 0:
                if self._fd is not None:
                    try:
                        fcntl.flock(self._fd, fcntl.LOCK_UN)
                    finally:
                        os.close(self._fd)
                        self._fd = None
                self._owner = None
                self._cond.notify_all()


class _Lease:
    """One holding of a `_KeyLock`; released explicitly, or when garbage (a run that ended
    before reaching the store step)."""

    __slots__ = ("_lock",)

    def __init__(self, lock: _KeyLock):
        self._lock: Optional[_KeyLock] = lock

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


_LOCKS: Dict[str, _KeyLock] = {}
_LOCKS_GUARD = threading.Lock()


def _key_lock(path: str) -> _KeyLock:
    with _LOCKS_GUARD:
        lock = _LOCKS.get(path)
        if lock is None:
            lock = _LOCKS[path] = _KeyLock(path)
        return lock


# --- planning -------------------------------------------------------------------------------------
class _Plan:
    """What the check step found out, for the store step of the same run."""

    __slots__ = ("task", "mode", "key", "store", "refresh", "expiration", "lease", "existing",
                 "header", "transaction")

    def __init__(self, task: Any, mode: str, key: str, store: RecordStore, refresh: bool,
                 expiration: Optional[float], header: Dict[str, Any], transaction: Any):
        self.task = task
        self.mode = mode
        self.key = key
        self.store = store
        self.refresh = refresh
        self.expiration = expiration
        self.header = header
        self.transaction = transaction
        self.lease: Optional[_Lease] = None
        self.existing = False

    @property
    def identity(self) -> Hashable:
        return (self.store.identity, self.key)


class _PendingWrite:
    """A record ready to be written (now, or when its transaction commits)."""

    __slots__ = ("store", "key", "data", "value", "expires_at", "exclusive", "lease")

    def __init__(self, plan: _Plan, data: bytes, value: Any, expires_at: Optional[float]):
        self.store = plan.store
        self.key = plan.key
        self.data = data
        self.value = value
        self.expires_at = expires_at
        self.exclusive = not plan.existing and not plan.refresh
        self.lease, plan.lease = plan.lease, None

    def commit(self) -> bool:
        return self.store.write(self.key, self.data, self.exclusive)

    def release(self) -> None:
        lease, self.lease = self.lease, None
        if lease is not None:
            lease.release()


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
    found = {p.name: p.default for p in params if p.default is not p.empty
             and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
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


def _classic_plan(runner: Any, run: Any, task: Any, full_name: str) -> Optional[_Plan]:
    from prefect_classic.engine import cache_validators as cv

    if task.cache_validator is cv.never_use or task.target is not None:
        return None
    result = runner.result
    opted_in = task.persist_result is True or (
        _is_storage(result) and task.checkpoint is not False and prefect_context.get("checkpointing") is True
    )
    if not opted_in:
        return None
    storage = task.result_storage or (result if _is_storage(result) else default_storage())
    inputs_scope, params_scope = _validator_scope(task.cache_validator)
    try:
        inputs_hash = _subset_hash(run.raw_inputs(), inputs_scope)
        params_hash = _subset_hash(prefect_context.get("parameters") or {}, params_scope)
    except HashError as exc:
        runner.logger.warning(f"Task '{full_name}': not using the durable cache: {exc}")
        return None
    name = task.cache_key or task.name
    key = hash_objects("classic-cache", name, inputs_hash, params_hash)
    header = {"mode": "classic", "task": task.name, "cache_key": name,
              "inputs_hash": inputs_hash, "parameters_hash": params_hash}
    return _Plan(task, "classic", key, record_store_for(storage), _refresh(task), None, header,
                 prefect_context.get("transaction"))


def _policy_plan(runner: Any, run: Any, task: Any, policy: Any, full_name: str) -> Optional[_Plan]:
    raw = run.raw_inputs()
    defaults = _input_defaults(task)
    inputs = {**defaults, **raw} if defaults else raw
    get = prefect_context.get
    flow_parameters = get("parameters") or {}
    run_context = TaskRunContext(
        task=task, parameters=inputs, flow_parameters=flow_parameters, flow_run_id=get("flow_run_id"),
        task_run_id=get("task_run_id") or str(uuid.uuid4()), flow_name=get("flow_name"),
        map_index=get("map_index"), task_run_count=get("task_run_count", 1),
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
    expiration = task.cache_expiration.total_seconds() if task.cache_expiration is not None else None
    header = {"mode": "policy", "task": task.name}
    return _Plan(task, "policy", key, record_store_for(task.result_storage or default_storage()),
                 _refresh(task), expiration, header, get("transaction"))


def _make_plan(runner: Any, run: Any) -> Optional[_Plan]:
    task = runner.task
    full_name = prefect_context.get("task_full_name", task.name)
    policy = policy_for(task)
    if policy is not None:
        return _policy_plan(runner, run, task, policy, full_name)
    if task.cache_for is not None and task.persist_result is not False:
        return _classic_plan(runner, run, task, full_name)
    return None


# --- lookups ----------------------------------------------------------------------------------------
def _lookup(runner: Any, plan: _Plan, run: Any) -> Optional[State]:
    """A Cached state from the transaction's staged records or the storage, or None."""
    now = time.time()
    if plan.transaction is not None:
        staged = plan.transaction.get_staged(plan.identity)
        if staged is not None and (staged.expires_at is None or staged.expires_at > now):
            return _cached(plan, staged.value, staged.expires_at, run, "staged in the transaction")
    store = plan.store
    try:
        data = store.read(plan.key)
    except Exception as exc:
        runner.logger.warning(f"Could not read cache record {store.describe(plan.key)}: {exc}")
        return None
    if data is None:
        return None
    plan.existing = True
    try:
        header, value_bytes = decode_record(data)
        expires_at = header.get("expires_at")
        if expires_at is not None and expires_at <= now:
            return None
        if plan.mode == "classic" and (header.get("inputs_hash") != plan.header["inputs_hash"]
                                       or header.get("parameters_hash") != plan.header["parameters_hash"]):
            return None
        value = store.serializer.deserialize(value_bytes)
    except Exception as exc:
        runner.logger.warning(
            f"Cache record {store.describe(plan.key)} could not be read ({exc!r}); running the task again."
        )
        return None
    return _cached(plan, value, expires_at, run, f"found at {store.describe(plan.key)}")


def _cached(plan: _Plan, value: Any, expires_at: Optional[float], run: Any, where: str) -> State:
    result = plan.store.result.from_value(value)
    result.location = plan.key
    state = Cached(
        result=result, cached_inputs=dict(run.inputs), cached_parameters=prefect_context.get("parameters"),
        cached_result_expiration=None if expires_at is None else pendulum.from_timestamp(expires_at),
        message=f"Cached result {where}",
    )
    if plan.mode == "classic":
        caches = prefect_context.get("caches")
        if caches is not None:
            caches.setdefault(plan.task.cache_key or plan.task.name, []).append(state)
    return state


def _owner(plan: _Plan) -> Any:
    """Who holds the key's lock: the outermost transaction (so its runs can re-enter it), else a
    token of this run. Not the plan itself: the lock must not keep the plan (and so the lease,
    whose garbage collection releases the lock of a run that ended early) alive."""
    return plan.transaction.root if plan.transaction is not None else object()


# --- the two steps -----------------------------------------------------------------------------------
def check(runner: Any, state: State, run: Any) -> State:
    """Return a Cached state when a valid cache record exists for the task's key, else `state`.

    On a miss the run holds the key's lock (LocalResult storage) until `store` writes the record.

    Args:
        - runner (TaskRunner): the runner
        - state (State): the current state
        - run (_Run): the run's inputs and upstream states

    Returns:
        - State: a Cached state on a hit, else `state`
    """
    prefect_context.update({_PLAN_KEY: None})
    if state.is_finished():
        return state
    plan = _make_plan(runner, run)
    if plan is None:
        return state
    prefect_context.update({_PLAN_KEY: plan})
    if not plan.refresh:
        hit = _lookup(runner, plan, run)
        if hit is not None:
            return hit
    try:
        plan.lease = plan.store.lock(plan.key, _owner(plan))
    except OSError as exc:
        runner.logger.warning(f"Could not lock cache key {plan.key!r}: {exc}")
    if plan.lease is not None and not plan.refresh:
        hit = _lookup(runner, plan, run)  # another run may have written it while we waited
        if hit is not None:
            plan.lease.release()
            plan.lease = None
            return hit
    return state


def _will_retry(task: Any, state: State) -> bool:
    if not task.max_retries:
        return False
    if task.retry_on and not any(isinstance(state.result, t) for t in task.retry_on):
        return False
    return prefect_context.get("task_run_count", 1) <= task.max_retries


def store(runner: Any, state: State, run: Any) -> State:
    """Write (or stage, inside a transaction) the cache record of a successful run.

    A failed run inside a transaction (with no retry left) makes the transaction roll back.

    Args:
        - runner (TaskRunner): the runner
        - state (State): the current state
        - run (_Run): the run's inputs and upstream states

    Returns:
        - State: `state`, or a Cached state holding the value another process stored first
    """
    plan: Optional[_Plan] = prefect_context.get(_PLAN_KEY)
    if plan is not None and plan.task is not runner.task:
        plan = None
    task = runner.task
    if state.is_failed():
        txn = prefect_context.get("transaction")
        if txn is not None and not _will_retry(task, state):
            txn.mark_failed(f"task '{prefect_context.get('task_full_name', task.name)}' "
                            f"finished in state {type(state).__name__}")
    if plan is None:
        return state
    prefect_context.update({_PLAN_KEY: None})
    if not state.is_successful() or state.is_skipped() or state.is_looped() \
            or (plan.mode == "classic" and not state.is_cached()):
        _release(plan)
        return state
    return _write(runner, plan, state)


def _release(plan: _Plan) -> None:
    if plan.lease is not None:
        plan.lease.release()
        plan.lease = None


def _write(runner: Any, plan: _Plan, state: State) -> State:
    value = state.result
    now = time.time()
    if plan.mode == "classic":
        exp = getattr(state, "cached_result_expiration", None)
        expires_at = exp.timestamp() if exp is not None else None
    else:
        expires_at = now + plan.expiration if plan.expiration is not None else None
    header = dict(plan.header, key=plan.key, created_at=now, expires_at=expires_at,
                  serializer=type(plan.store.serializer).__name__)
    try:
        data = encode_record(header, plan.store.serializer.serialize(value))
    except Exception as exc:
        runner.logger.warning(f"The result of task '{plan.task.name}' could not be serialized for the cache: {exc}")
        _release(plan)
        return state
    write = _PendingWrite(plan, data, value, expires_at)
    if plan.transaction is not None:
        plan.transaction.stage(plan.identity, write)
        return state
    try:
        written = write.commit()
    except Exception as exc:
        runner.logger.warning(f"Could not write cache record {plan.store.describe(plan.key)}: {exc}")
        return state
    finally:
        write.release()
    if written:
        return state
    return _adopt_committed(runner, plan, state)


def _adopt_committed(runner: Any, plan: _Plan, state: State) -> State:
    """Another process stored this key first: take its value, so both runs agree."""
    try:
        data = plan.store.read(plan.key)
        if data is None:  # pragma: no cover - deleted in between
            return state
        header, value_bytes = decode_record(data)
        value = plan.store.serializer.deserialize(value_bytes)
    except Exception:  # pragma: no cover - keep our own value
        return state
    result = plan.store.result.from_value(value)
    result.location = plan.key
    exp = header.get("expires_at")
    return Cached(
        result=result, cached_inputs=getattr(state, "cached_inputs", None),
        cached_parameters=prefect_context.get("parameters"),
        cached_result_expiration=None if exp is None else pendulum.from_timestamp(exp),
        message=f"Cached result written first by another run at {plan.store.describe(plan.key)}",
    )
