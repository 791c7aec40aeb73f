"""The run context: a thread-local stack of dict overlays, read like Prefect 1's `prefect.context`.

`with prefect_classic.context(a=1):` pushes one overlay and pops it on exit; a lookup walks the
stack from the top. Entering a block costs O(keys added): the configuration is never copied,
except when a block itself overrides configuration keys (`context(config={...})`), which merges
them over the current configuration as Prefect 1 does.

Every thread starts from its own base layer: the `[context]` section of the configuration, the
configuration itself under `config`, and the process-wide output caches under `caches`. The
global `context` also holds the `prefect` logger under `logger`, so module-level code can call
`prefect.context.get("logger")` before any run, as in Prefect 1.

Keys the engine sets during runs (Prefect 1's names): `flow_name`, `flow_run_id`,
`flow_run_name`, `parameters`, `scheduled_start_time`, `date`, `today`, `yesterday`, `tomorrow`
(and `*_nodash`), `task_name`, `task_full_name`, `task_slug`, `task_tags`, `task_run_count`,
`task_loop_count`, `task_loop_result`, `task_run_name`, `map_index`, `logger`, `checkpointing`,
`caches`, `resume`.
"""
import logging
import threading
from typing import Any, Iterator, List, Optional

from prefect_classic.configuration import config
from prefect_classic.utilities.collections import DotDict, merge_dicts

__all__ = ["Context", "context"]

_DELETED = object()
_MISSING = object()

#: output caches shared by every thread and flow run of this process (Prefect 1's context.caches)
CACHES: dict = {}


class _Overlay:
    """The `with context(...)` block: pushes a layer on enter and pops it on exit."""

    __slots__ = ("_ctx", "_layer")

    def __init__(self, ctx: "Context", layer: dict):
        self._ctx = ctx
        self._layer = layer

    def __enter__(self) -> "Context":
        self._ctx._layers.append(self._layer)
        return self._ctx

    def __exit__(self, *exc: Any) -> None:
        layers = self._ctx._layers
        # pop our layer (and any a misbehaving block left above it)
        while len(layers) > 1:
            if layers.pop() is self._layer:
                break


class Context(DotDict, threading.local):
    """A thread-local, dict-like run context with attribute access (`context.a`, `context["a"]`).

    Each thread sees its own keys. Values from the configuration's `[context]` section seed it,
    then the arguments; `config` is the configuration, with any `config` mapping passed here
    merged over it.

    Args:
        - *args: mappings whose items seed the context
        - **kwargs: keys and values that seed the context
    """

    _layers: List[dict]
    _init_args: tuple

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        base = config.get("context", {})
        layer: dict = {
            key: (value.copy() if isinstance(value, dict) else value) for key, value in base.items()
        }
        layer["caches"] = CACHES
        layer.update(dict(*args, **kwargs))
        given = layer.get("config")
        layer["config"] = config if given is None or given is config else merge_dicts(config, given)
        threading.local.__setattr__(self, "_layers", [layer])
        threading.local.__setattr__(self, "_init_args", (args, kwargs))

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
        if "config" in layer:
            current = self.get("config", {})
            if layer["config"] is not current:
                layer["config"] = merge_dicts(current, layer["config"])
        return _Overlay(self, layer)

    # --- mapping protocol -------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        for layer in reversed(self._layers):
            value = layer.get(key, _MISSING)
            if value is not _MISSING:
                if value is _DELETED:
                    break
                return value
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        """Return the value for `key`, or `default` when it is not set.

        Args:
            - key (Any): the key
            - default (Any): returned when the key is not set

        Returns:
            - Any: the value
        """
        for layer in reversed(self._layers):
            value = layer.get(key, _MISSING)
            if value is not _MISSING:
                return default if value is _DELETED else value
        return default

    def _get_many(self, keys: tuple) -> list:
        """The values of several keys (None when unset), walking the stack once per key
        without a method call each (used for every log record)."""
        layers = self._layers[::-1]
        values = []
        for key in keys:
            for layer in layers:
                value = layer.get(key, _MISSING)
                if value is not _MISSING:
                    values.append(None if value is _DELETED else value)
                    break
            else:
                values.append(None)
        return values

    def __setitem__(self, key: Any, value: Any) -> None:
        self._layers[-1][key] = value

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        layers = self._layers
        if len(layers) == 1:
            del layers[0][key]
        else:
            layers[-1][key] = _DELETED

    def __contains__(self, key: object) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = self.get(attr, _MISSING)
        if value is _MISSING:
            raise AttributeError(f"'Context' object has no attribute '{attr}'")
        return value

    def __setattr__(self, attr: str, value: Any) -> None:
        self[attr] = value

    def __delattr__(self, attr: str) -> None:
        try:
            del self[attr]
        except KeyError:
            raise AttributeError(attr) from None

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

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Set keys on the innermost layer (they vanish when its block exits)."""
        top = self._layers[-1]
        for arg in args:
            top.update(arg)
        top.update(kwargs)

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
        layers = self._layers
        if len(layers) == 1:
            layers[0].clear()
        else:
            visible = self.to_dict()
            layers[-1].clear()
            layers[-1].update(dict.fromkeys(visible, _DELETED))

    def reset(self) -> None:
        """Return this thread's context to a fresh base layer (as it was created)."""
        args, kwargs = self._init_args
        type(self).__init__(self, *args, **kwargs)

    def to_dict(self) -> dict:
        """Return a flat dict of every visible key (what executors hand to workers).

        Returns:
            - dict: the keys and values
        """
        flat: dict = {}
        for layer in self._layers:
            flat.update(layer)
        return {k: v for k, v in flat.items() if v is not _DELETED}

    def copy(self) -> dict:  # type: ignore[override]
        """Same as `to_dict()`."""
        return self.to_dict()

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

    def depth(self) -> int:
        """How many layers are stacked in this thread (for tests and debugging)."""
        return len(self._layers)


context = Context(logger=logging.getLogger("prefect"))


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
