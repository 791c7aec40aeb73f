"""Caching of task runs as one component: "is this run already done?", asked in one `with` block.

Five mechanisms can serve a task run without running it: its **target** (a stored value at a
templated location), the in-memory output caches of **`cache_for`** tasks (`memory`), durable
**classic records** of `cache_for` tasks, **policy records** (`cache_policy`, `cache_key_fn`,
`persist_result`), and records **staged in a transaction**. `plans.plan_for` decides which durable
record a run uses (`ClassicPlan` or `PolicyPlan`); `records` stores them; `locks` gives one writer
per key and per target; `scope.CacheScope` is the block the TaskRunner enters once per run, whose
end releases every lock and reports the run's final state to the open transaction.

The steps of `TaskRunner.run` that touch caching, in order, and why:

1. `check_target` (tasks with a target) or else `check_task_is_cached` (in-memory caches): the
   cheapest answers first, and Prefect 1's order. A missing target takes the target's lock and
   looks again, so of several processes one computes it and the others read it.
2. `check_policy_cache`: the durable record (staged in the transaction, then stored). After the
   in-memory caches (a hit there is final), before the trigger: a Cached run needs no trigger,
   as in Prefect 1, and a trigger that PAUSEs keeps the inputs. A miss takes the key's lock.
3. `check_task_trigger`, `set_task_to_running`, `get_task_run_state`: the run (its checkpoint
   writes the target while the target's lock is held).
4. `cache_result`: a success of a `cache_for` task becomes Cached (kept in the in-memory caches).
5. `store_policy_cache`: after `cache_result`, because a classic record stores that Cached
   state and its expiration; before `check_for_retry`, which would turn a failure into Retrying.
6. the end of the `with CacheScope(...)` block: locks released (leases staged in a SERIALIZABLE
   transaction excepted: they are released when it ends), final state reported.

Run-context keys the steps exchange (all set per task run):

- `cache_scope`: this run's `CacheScope` (pickles to None: worker processes get no locks);
  `check_policy_cache` leaves its plan there for `store_policy_cache`, and `check_target` its
  target lock.
- `caches`: the flow run's in-memory output caches, `{memory_key: [Cached, ...]}`
  (`memory.memory_key`: `task.cache_key or task.name`).
- `transaction`: the innermost open `Transaction` (read once, when the scope starts).
- `checkpointing`, `parameters`, `flow_run_id`, `map_index`, `task_full_name`, `task_run_count`:
  read by the plans (keys, hashes, whether a classic record applies) and the in-memory caches.
"""

from prefect_classic.engine.caching import memory
from prefect_classic.engine.caching.locks import (
    FileLockManager,
    Lease,
    LockManager,
    LockTimeout,
    NullLockManager,
)
from prefect_classic.engine.caching.plans import (
    ClassicPlan,
    PolicyPlan,
    RecordPlan,
    plan_for,
    uses_records,
)
from prefect_classic.engine.caching.records import (
    CacheRecordError,
    RecordStore,
    decode_record,
    default_storage,
    encode_record,
    record_store_for,
)
from prefect_classic.engine.caching.scope import CacheScope, current_scope, target_lock_manager

__all__ = [
    "CacheRecordError",
    "CacheScope",
    "ClassicPlan",
    "FileLockManager",
    "Lease",
    "LockManager",
    "LockTimeout",
    "NullLockManager",
    "PolicyPlan",
    "RecordPlan",
    "RecordStore",
    "current_scope",
    "decode_record",
    "default_storage",
    "encode_record",
    "memory",
    "plan_for",
    "record_store_for",
    "target_lock_manager",
    "uses_records",
]
