"""The run context: a thread-local stack of dict overlays.

`with prefect_classic.context(a=1):` pushes one overlay and pops it on exit; a lookup walks the
stack from the top. Entering a block costs O(keys added) — the configuration is never copied.
Every thread starts from the same base layer: the `[context]` section of the configuration, the
configuration itself under `config`, and the process-wide output caches under `caches`.
"""
import threading
from typing import Any, Iterator, List, MutableMapping, Optional

__all__ = ["Context", "context"]

_DELETED = object()
_MISSING = object()

#: output caches shared by every thread and flow run of this process (Prefect 1's context.caches)
CACHES: dict = {}


def _base_layer() -> dict:
    from prefect_classic.configuration import config

    layer = {key: (value.copy() if isinstance(value, MutableMapping) else value)  # type: ignore[attr-defined]
             for key, value in config.get("context", {}).items()}
    layer["config"] = config
    layer["caches"] = CACHES
    return layer


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


class Context(threading.local):
    """A thread-local, dict-like run context with attribute access.

    Args:
        - *args: mappings whose items seed the context
        - **kwargs: keys and values that seed the context
    """

    _layers: List[dict]

    def __init__(self, *args: Any, **kwargs: Any):
        layer = _base_layer()
        for arg in args:
            layer.update(arg)
        layer.update(kwargs)
        threading.local.__setattr__(self, "_layers", [layer])

    def __call__(self, *args: Any, **kwargs: Any) -> _Overlay:
        """Return a block that adds keys for its duration: `with context(a=1): ...`.

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
        return _Overlay(self, layer)

    # --- mapping protocol -------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        for layer in reversed(self._layers):
            value = layer.get(key, _MISSING)
            if value is not _MISSING:
                if value is _DELETED:
                    break
                return value
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value for `key`, or `default` when it is not set."""
        for layer in reversed(self._layers):
            value = layer.get(key, _MISSING)
            if value is not _MISSING:
                return default if value is _DELETED else value
        return default

    def __setitem__(self, key: str, value: Any) -> None:
        self._layers[-1][key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._layers[-1][key] = _DELETED

    def __contains__(self, key: object) -> bool:
        return self.get(key, _MISSING) is not _MISSING  # type: ignore

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = self.get(attr, _MISSING)
        if value is _MISSING:
            raise AttributeError(f"context has no key '{attr}'")
        return value

    def __setattr__(self, attr: str, value: Any) -> None:
        self[attr] = value

    def __delattr__(self, attr: str) -> None:
        del self[attr]

    def __iter__(self) -> Iterator[str]:
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

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set keys on the innermost layer (they vanish when its block exits)."""
        top = self._layers[-1]
        for arg in args:
            top.update(arg)
        top.update(kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return `key`'s value, setting it to `default` first when missing."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            self[key] = value = default
        return value

    def clear(self) -> None:
        """Drop every key, leaving one empty layer (the base keys come back with `reset()`)."""
        threading.local.__setattr__(self, "_layers", [{}])

    def reset(self) -> None:
        """Return this thread's context to the base layer only."""
        threading.local.__setattr__(self, "_layers", [_base_layer()])

    def to_dict(self) -> dict:
        """Return a flat dict snapshot of every visible key (what executors ship to workers)."""
        flat: dict = {}
        for layer in self._layers:
            flat.update(layer)
        return {k: v for k, v in flat.items() if v is not _DELETED}

    def copy(self) -> dict:
        """Same as `to_dict()`."""
        return self.to_dict()

    def __repr__(self) -> str:
        return f"<Context: {', '.join(sorted(repr(k) for k in self.to_dict()))}>"

    def __getstate__(self) -> dict:
        return self.to_dict()

    def __setstate__(self, state: dict) -> None:
        threading.local.__setattr__(self, "_layers", [state])

    def depth(self) -> int:
        """How many layers are stacked in this thread (for tests and debugging)."""
        return len(self._layers)


context = Context()


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
