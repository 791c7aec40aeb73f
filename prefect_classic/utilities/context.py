"""The run context: a thread-local stack of dict overlays, read like Prefect 1's `prefect.context`.

`with prefect_classic.context(a=1):` pushes one overlay and pops it on exit; a lookup walks the
stack from the top. Entering a block costs O(keys added): the configuration is never copied,
except when a block itself overrides configuration keys (`context(config={...})`), which merges
them over the current configuration as Prefect 1 does. Keys set or deleted inside a block
(`context.x = 1`, `context.update(...)`, `del context.x`) go to its overlay and vanish with it.

Each thread has its own stack, created on the thread's first use from a base layer: the
`[context]` section of the configuration, the configuration itself under `config`, the
process-wide output caches under `caches`, then the arguments the Context was created with. The
global `context` holds the `prefect` logger under `logger`, so module-level code can call
`prefect.context.get("logger")` before any run, as in Prefect 1.

The per-thread stack is found through a `ContextVar` (checked against the thread id, so a
contextvars context carried into another thread never shares a stack): this is several times
cheaper than a `threading.local` attribute, and the context is read many times per task run.

Each overlay dict is pushed once (re-entering the same block pushes a copy) and is changed only
through the Context. A stack's `version` changes whenever a block is entered or exited or a key
written, so `memo()` can cache one value derived from what the context holds (the log record
factory reads six keys per record this way).

Keys the engine sets during runs (Prefect 1's names): `flow_name`, `flow_run_id`,
`flow_run_name`, `parameters`, `scheduled_start_time`, `date`, `today`, `yesterday`, `tomorrow`
(and `*_nodash`), `task_name`, `task_full_name`, `task_slug`, `task_tags`, `task_run_count`,
`task_loop_count`, `task_loop_result`, `task_run_name`, `map_index`, `logger`, `checkpointing`,
`caches`, `resume`.
"""

import itertools
import logging
from contextvars import ContextVar
from threading import get_ident
from typing import Any, Callable, Iterator, List, Mapping, Optional, Set

from prefect_classic.configuration import config
from prefect_classic.utilities.collections import DotDict, merge_dicts

__all__ = ["Context", "context"]


class _Deleted:
    """Marks a key deleted inside a block. It is falsy, so code that keeps only truthy values
    (the log record factory) drops it without a check of its own."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<deleted>"


_DELETED = _Deleted()
_MISSING = object()
_OWN_ATTRIBUTES = frozenset(("_var", "_init_args"))

#: output caches shared by every thread and flow run of this process (Prefect 1's context.caches)
CACHES: dict = {}

#: keys noted as they enter any context of the process: hot paths that only act when one of them
#: is set (a State records `task_tags`; `CloudHandler` ships logs under `running_with_backend`; a
#: task run inside a LOOP iteration logs less) skip reading the context while `SEEN_TRUTHY` lacks
#: the key
NOTED_KEYS = ("task_tags", "running_with_backend", "task_loop_count")
#: those of `NOTED_KEYS` that have had a truthy value in some context (never removed)
SEEN_TRUTHY: Set[str] = set()


def _note(layer: Mapping) -> None:
    """Add the keys of `NOTED_KEYS` that `layer` sets to a truthy value to `SEEN_TRUTHY`."""
    if len(SEEN_TRUTHY) == len(NOTED_KEYS):  # every key seen: nothing left to note
        return
    for key in NOTED_KEYS:
        if layer.get(key):
            SEEN_TRUTHY.add(key)


_VERSIONS = itertools.count()


class _Stack:
    """One thread's overlays, its write counter and `Context.memo`'s slot."""

    __slots__ = (
        "ident",
        "layers",
        "writes",
        "version",
        "memo_version",
        "memo_key",
        "memo_compute",
        "memo_value",
        "found_below",
        "truthy_below",
    )

    def __init__(self, base: dict):
        self.ident = get_ident()
        self.layers: List[dict] = [base]
        self.writes = 0
        #: a number, new (process-wide) whenever a block is entered or exited or a key written
        self.version = next(_VERSIONS)
        #: `Context.memo`'s slot: the value and the version, key and computation it is for
        self.memo_version = -1
        self.memo_key: Any = None
        self.memo_compute: Any = None
        self.memo_value: Any = None
        #: `Context._find`'s answer for the layers under the top one, and what it depends on:
        #: (layer under the top, depth, writes, keys, found)
        self.found_below: tuple = (None, 0, 0, None, None)
        #: the same for `truthy_values`
        self.truthy_below: tuple = (None, 0, 0, None, None)


def _below(stack: _Stack, slot: str, keys: frozenset, truthy: bool) -> dict:
    """A new dict of the values of `keys` in the layers under the top one (only the truthy ones
    when `truthy`). The answer is kept in the stack's `slot` until those layers may have changed:
    a task run's block then costs only the pass over its own layer (this runs once per task run,
    for its log records)."""
    layers = stack.layers
    depth = len(layers)
    if depth == 1:
        return {}
    kept = getattr(stack, slot)
    if kept[0] is layers[-2] and kept[1] == depth and kept[2] == stack.writes and kept[3] is keys:
        return kept[4].copy()
    values: dict = {}
    for layer in layers[:-1]:
        for key in keys.intersection(layer):
            values[key] = layer[key]
    if truthy:
        values = {key: value for key, value in values.items() if value}
    setattr(stack, slot, (layers[-2], depth, stack.writes, keys, values.copy()))
    return values


def _find_in(stack: _Stack, keys: frozenset) -> dict:
    """The values of those of `keys` that are in some layer of `stack` (a key deleted inside a
    block maps to a falsy marker)."""
    found = _below(stack, "found_below", keys, False)
    top = stack.layers[-1]
    for key in keys.intersection(top):
        found[key] = top[key]
    return found


def _memo_in(stack: _Stack, ctx: "Context", key: Any, compute: Callable[["Context"], Any]) -> Any:
    """`Context.memo` on `stack` (see there)."""
    if (
        stack.memo_version == stack.version
        and stack.memo_compute is compute
        and stack.memo_key == key
    ):
        return stack.memo_value
    value = compute(ctx)
    stack.memo_version, stack.memo_key = stack.version, key
    stack.memo_compute, stack.memo_value = compute, value
    return value


def _stack_of(ctx: "Context") -> _Stack:
    """`ctx._stack()`, without the method lookup (slow on a class with `__getattr__`): the
    blocks of every task run call it on entry and exit."""
    stack = (_GLOBAL_VAR if ctx is _GLOBAL else ctx._var).get(None)
    if stack is None or stack.ident != get_ident():
        stack = ctx._new_stack()
    return stack


class _Overlay:
    """The `with context(...)` block: pushes a layer on enter and pops it on exit."""

    __slots__ = ("_ctx", "_layer", "_pushed")

    def __init__(self, ctx: "Context", layer: dict):
        self._ctx = ctx
        self._layer = layer
        self._pushed: Optional[List[dict]] = None

    def __enter__(self) -> "Context":
        layer = self._layer
        if self._pushed is None:
            self._pushed = [layer]
        else:  # entered again: a layer is never on a stack twice (see the module docstring)
            layer = dict(layer)
            self._pushed.append(layer)
        stack = _stack_of(self._ctx)
        stack.layers.append(layer)
        stack.version = next(_VERSIONS)
        return self._ctx

    def __exit__(self, *exc: Any) -> None:
        stack = _stack_of(self._ctx)
        layers = stack.layers
        mine = self._pushed.pop() if self._pushed else None
        # pop our layer (and any a misbehaving block left above it)
        while len(layers) > 1:
            if layers.pop() is mine:
                break
        stack.version = next(_VERSIONS)


class Context(DotDict):
    """A thread-local, dict-like run context with attribute access (`context.a`, `context["a"]`).

    Each thread sees its own keys. Values from the configuration's `[context]` section seed it,
    then the arguments; `config` is the configuration, with any `config` mapping passed here
    merged over it.

    Args:
        - *args: mappings whose items seed the context
        - **kwargs: keys and values that seed the context
    """

    _var: ContextVar
    _init_args: tuple

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_init_args", (args, kwargs))
        object.__setattr__(self, "_var", ContextVar(f"prefect_classic.context.{id(self)}"))
        self._new_stack()

    def _new_stack(self) -> _Stack:
        """Give this thread a fresh stack holding only the base layer."""
        args, kwargs = self._init_args
        base: dict = {
            key: (value.copy() if isinstance(value, dict) else value)
            for key, value in config.get("context", {}).items()
        }
        base["caches"] = CACHES
        base.update(dict(*args, **kwargs))
        given = base.get("config")
        base["config"] = config if given is None or given is config else merge_dicts(config, given)
        _note(base)
        stack = _Stack(base)
        self._var.set(stack)
        return stack

    def _stack(self) -> _Stack:
        """This thread's stack (created on the thread's first use)."""
        return _stack_of(self)

    @property
    def _layers(self) -> List[dict]:
        """This thread's overlays, base first (the list itself: copy it to keep a snapshot)."""
        return self._stack().layers

    def __call__(self, *args: Any, **kwargs: Any) -> _Overlay:
        """Return a block that adds keys for its duration: `with context(a=1): ...`.

        Keys set on the context inside the block (by assignment or `update`) also vanish when it
        exits. A `config` mapping is merged over the current configuration.

        Args:
            - *args: mappings of keys to add
            - **kwargs: keys to add

        Returns:
            - a context manager that yields this Context
        """
        if args:
            layer: dict = {}
            for arg in args:
                layer.update(arg)
            layer.update(kwargs)
        else:
            layer = kwargs
        if "config" in layer:  # always a merged copy: later changes to either side stay apart
            layer["config"] = merge_dicts(self.get("config", {}), layer["config"])
        _note(layer)
        return _Overlay(self, layer)

    # --- reads --------------------------------------------------------------------------------
    def get(self, key: Any, default: Any = None) -> Any:
        """Return the value for `key`, or `default` when it is not set.

        Args:
            - key (Any): the key
            - default (Any): returned when the key is not set

        Returns:
            - Any: the value
        """
        # (the global context's variable is read without an attribute lookup, which `__getattr__`
        # makes slow: this runs several times per task run)
        stack = (_GLOBAL_VAR if self is _GLOBAL else self._var).get(None)
        if stack is None or stack.ident != get_ident():
            stack = self._new_stack()
        layers = stack.layers
        value = layers[-1].get(key, _MISSING)  # most reads are of the innermost block's keys
        if value is _MISSING:
            for layer in reversed(layers):
                value = layer.get(key, _MISSING)
                if value is not _MISSING:
                    break
            else:
                return default
        return default if value is _DELETED else value

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr in _OWN_ATTRIBUTES:
            raise AttributeError(attr)
        value = self.get(attr, _MISSING)
        if value is _MISSING:
            raise AttributeError(f"'Context' object has no attribute '{attr}'")
        return value

    def _find(self, keys: frozenset) -> dict:
        """The values of those of `keys` that are in some layer (see `_find_in`)."""
        return _find_in(self._stack(), keys)

    def memo(self, key: Any, compute: Callable[["Context"], Any]) -> Any:
        """`compute(self)`, cached in this thread until the visible keys may have changed (a block
        entered or exited, a key written) or `key` or `compute` differ from the last call's.
        There is one slot per thread: it pays off for one hot caller (the log record factory).

        Args:
            - key (Any): anything else the value depends on (compared with `==`)
            - compute (Callable[[Context], Any]): derives the value from the context

        Returns:
            - Any: the (possibly cached) value
        """
        return _memo_in(self._stack(), self, key, compute)

    def to_dict(self) -> dict:
        """Return a flat dict of every visible key (what executors hand to workers).

        Returns:
            - dict: the keys and values
        """
        flat: dict = {}
        for layer in self._stack().layers:
            flat.update(layer)
        return {k: v for k, v in flat.items() if v is not _DELETED}

    def __iter__(self) -> Iterator:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    def keys(self) -> Any:
        """The keys currently visible."""
        return self.to_dict().keys()

    def items(self) -> Any:
        """The (key, value) pairs currently visible."""
        return self.to_dict().items()

    def values(self) -> Any:
        """The values currently visible."""
        return self.to_dict().values()

    def copy(self) -> dict:  # type: ignore[override]
        """Same as `to_dict()`."""
        return self.to_dict()

    # --- writes (to the innermost layer) ----------------------------------------------------------
    def __setitem__(self, key: Any, value: Any) -> None:
        stack = self._stack()
        stack.writes += 1
        stack.version = next(_VERSIONS)
        stack.layers[-1][key] = value
        if value and key in NOTED_KEYS:
            SEEN_TRUTHY.add(key)

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        stack = self._stack()
        stack.writes += 1
        stack.version = next(_VERSIONS)
        if len(stack.layers) == 1:
            del stack.layers[0][key]
        else:
            stack.layers[-1][key] = _DELETED

    def __setattr__(self, attr: str, value: Any) -> None:
        self[attr] = value

    def __delattr__(self, attr: str) -> None:
        try:
            del self[attr]
        except KeyError:
            raise AttributeError(attr) from None

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Set keys on the innermost layer (they vanish when its block exits)."""
        stack = self._stack()
        stack.writes += 1
        stack.version = next(_VERSIONS)
        top = stack.layers[-1]
        for arg in args:
            top.update(arg)
            _note(arg)
        top.update(kwargs)
        _note(kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """Return `key`'s value, setting it to `default` first when missing.

        Args:
            - key (Any): the key
            - default (Any): the value to set when missing

        Returns:
            - Any: the value
        """
        value = self.get(key, _MISSING)
        if value is _MISSING:
            self[key] = value = default
        return value

    def clear(self) -> None:
        """Hide every key until the innermost block exits (outside any block: drop them)."""
        stack = self._stack()
        stack.writes += 1
        stack.version = next(_VERSIONS)
        layers = stack.layers
        if len(layers) == 1:
            layers[0].clear()
        else:
            visible = self.to_dict()
            layers[-1].clear()
            layers[-1].update(dict.fromkeys(visible, _DELETED))

    def reset(self) -> None:
        """Return this thread's context to how it was created, with no block open."""
        self._new_stack()

    def depth(self) -> int:
        """How many layers are stacked in this thread (for tests and debugging)."""
        return len(self._stack().layers)

    def __repr__(self) -> str:
        return f"<Context: {', '.join(sorted(repr(k) for k in self.to_dict()))}>"

    def __getstate__(self) -> dict:
        # the context changes during runs: code must read it where it runs, never a frozen copy
        raise TypeError(
            "Pickling context objects is explicitly not supported. You should always access "
            "context as an attribute of the `prefect` module, as in `prefect.context`"
        )

    def __reduce_ex__(self, protocol: Any) -> Any:
        self.__getstate__()


_GLOBAL: Optional["Context"] = None
_GLOBAL_VAR: Any = None
context = Context(logger=logging.getLogger("prefect"))
_GLOBAL, _GLOBAL_VAR = context, context._var


def read(key: Any, default: Any = None) -> Any:
    """`context.get(key, default)` of the global context, for the engine's per-task reads.

    Reading a method of the context is slow (its class has `__getattr__`, for `context.key`);
    this function is the same read without that lookup.

    Args:
        - key (Any): the key
        - default (Any): returned when the key is not set

    Returns:
        - Any: the value
    """
    stack = _GLOBAL_VAR.get(None)
    if stack is None or stack.ident != get_ident():
        stack = context._new_stack()
    layers = stack.layers
    value = layers[-1].get(key, _MISSING)
    if value is _MISSING:
        for layer in reversed(layers):
            value = layer.get(key, _MISSING)
            if value is not _MISSING:
                break
        else:
            return default
    return default if value is _DELETED else value


def current_layers() -> List[dict]:
    """A copy of the global context's list of layers in this thread, base first (what
    `TaskRunner.context` flattens when asked).

    Returns:
        - List[dict]: the layers
    """
    stack = _GLOBAL_VAR.get(None)
    if stack is None or stack.ident != get_ident():
        stack = context._new_stack()
    return stack.layers[:]


def memo(key: Any, compute: Callable[["Context"], Any]) -> Any:
    """`context.memo(key, compute)` of the global context, without the method lookup (the log
    record factory calls it for every record).

    Args:
        - key (Any): anything else the value depends on (compared with `==`)
        - compute (Callable[[Context], Any]): derives the value from the context

    Returns:
        - Any: the (possibly cached) value
    """
    stack = _GLOBAL_VAR.get(None)
    if stack is None or stack.ident != get_ident():
        stack = context._new_stack()
    return _memo_in(stack, context, key, compute)


def truthy_values(keys: frozenset) -> dict:
    """The values of those of `keys` that are set to a truthy value in the global context (a new
    dict). The answer for the layers under the top one is kept (`_below`): the log record factory
    calls this once per task run.

    Args:
        - keys (frozenset): the keys

    Returns:
        - dict: the keys with truthy values, and their values
    """
    stack = _GLOBAL_VAR.get(None)
    if stack is None or stack.ident != get_ident():
        stack = context._new_stack()
    values = _below(stack, "truthy_below", keys, True)
    top = stack.layers[-1]
    for key in keys.intersection(top):
        value = top[key]
        if value:
            values[key] = value
        else:  # a falsy value (or a deletion) hides the one below
            values.pop(key, None)
    return values


def find(keys: frozenset) -> dict:
    """`context._find(keys)` of the global context, without the method lookup.

    Args:
        - keys (frozenset): the keys

    Returns:
        - dict: those of `keys` that are set, with their values (deleted ones map to a falsy
            marker)
    """
    stack = _GLOBAL_VAR.get(None)
    if stack is None or stack.ident != get_ident():
        stack = context._new_stack()
    return _find_in(stack, keys)


def snapshot(ctx: Optional[Context] = None) -> dict:
    """A flat copy of the current context, minus keys that should not travel to workers.

    Args:
        - ctx (Context, optional): the context (default: the global one)

    Returns:
        - dict: the keys and values
    """
    flat = (ctx or context).to_dict()
    flat.pop("config", None)
    flat.pop("logger", None)
    return flat
