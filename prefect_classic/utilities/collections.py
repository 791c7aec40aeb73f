"""Small collection helpers: DotDict, flat/nested dict conversion, merging and flattening.

These follow Prefect 1's `prefect.utilities.collections` semantics: `dict_to_flatdict` descends
into `dict` values only (an empty section has no leaves, so it disappears), `as_nested_dict` turns
a python-box `Box` into a plain dict, and `flatten_seq` flattens any non-string iterable.
"""

from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any, Generator, Optional, Type, TypeVar, Union, cast

from box import Box

__all__ = [
    "CompoundKey",
    "D",
    "DictLike",
    "DotDict",
    "as_nested_dict",
    "dict_to_flatdict",
    "flatdict_to_dict",
    "flatten_seq",
    "merge_dicts",
]

DictLike = Union[dict, "DotDict"]
D = TypeVar("D", bound=Union[dict, MutableMapping])


def flatten_seq(seq: Iterable) -> Generator:
    """Yield the leaves of arbitrarily nested iterables, in order; strings and bytes are leaves.

    Args:
        - seq (Iterable): the nested sequence

    Returns:
        - Generator: the flat items

    Raises:
        - TypeError: (on iteration) when `seq` is not iterable
    """
    for item in seq:
        if isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
            yield from flatten_seq(item)
        else:
            yield item


class DotDict(MutableMapping):
    """A dict whose keys are also attributes: `d.a` is `d["a"]`.

    Any hashable key can be stored; only keys that are valid identifiers can be read as
    attributes. A key may shadow a method name (`update`, `items`): the instance's own value wins
    on attribute access, while the mapping protocol keeps working.

    Args:
        - init_dict (dict, optional): initial keys and values
        - **kwargs: more keys and values
    """

    def __init__(self, init_dict: Optional[Any] = None, **kwargs: Any):
        # MutableMapping.update, not self.update: a key named "update" may already shadow it
        if init_dict:
            MutableMapping.update(self, init_dict)
        MutableMapping.update(self, kwargs)

    def get(self, key: Any, default: Any = None) -> Any:
        """Return the value for `key`, or `default` if it is missing.

        Args:
            - key (Any): the key
            - default (Any): returned when the key is missing

        Returns:
            - Any: the value
        """
        return self.__dict__.get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self.__dict__[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.__dict__[key] = value

    def __setattr__(self, attr: str, value: Any) -> None:
        self[attr] = value

    def __delitem__(self, key: Any) -> None:
        del self.__dict__[key]

    def __iter__(self) -> Iterator:
        return iter(self.__dict__.keys())

    def __len__(self) -> int:
        return len(self.__dict__)

    def __repr__(self) -> str:
        if len(self) > 0:
            return f"<{type(self).__name__}: {', '.join(sorted(repr(k) for k in self.keys()))}>"
        return f"<{type(self).__name__}>"

    def __getstate__(self) -> dict:
        return dict(self.__dict__)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def copy(self) -> "DotDict":
        """Return a shallow copy (same class)."""
        return type(self)(self.__dict__.copy())

    def to_dict(self) -> dict:
        """Return a plain, nested dict copy (inner DotDicts become dicts too)."""
        return cast(dict, as_nested_dict(self, dict))


def merge_dicts(d1: DictLike, d2: DictLike) -> DictLike:
    """Recursively merge `d2` into a copy of `d1`; where both hold a mapping the two are merged,
    otherwise `d2`'s value wins.

    Args:
        - d1 (MutableMapping): the base mapping (not modified)
        - d2 (MutableMapping): the overriding mapping

    Returns:
        - MutableMapping: a new mapping of `d1`'s type
    """
    merged = d1.copy()
    for key, value in d2.items():
        current = merged.get(key)
        if isinstance(current, MutableMapping) and isinstance(value, MutableMapping):
            merged[key] = merge_dicts(current, value)  # type: ignore[arg-type]
        else:
            merged[key] = value
    return merged


def as_nested_dict(obj: Any, dct_class: type = DotDict) -> Any:
    """Convert a dict (and the dicts nested in it, in lists, tuples and sets too) to `dct_class`.

    A python-box `Box` is returned as a plain `dict` of its items (its nested values are left as
    they are).

    Args:
        - obj (Any): the object to convert
        - dct_class (type): the mapping class to build (default `DotDict`)

    Returns:
        - Any: the converted object; anything that is not a dict or a sequence is returned as is
    """
    if isinstance(obj, (list, tuple, set)):
        return type(obj)([as_nested_dict(item, dct_class) for item in obj])
    if isinstance(obj, Box):
        return dict(obj)
    if isinstance(obj, (dict, DotDict)):
        # read a DotDict through __dict__: its keys may shadow `items`
        items = obj.__dict__.items() if isinstance(obj, DotDict) else obj.items()
        return dct_class({key: as_nested_dict(value, dct_class) for key, value in items})
    return obj


class CompoundKey(tuple):
    """The path of a value in a nested dict, as a key of a flattened dict (`("a", "b")`)."""


def dict_to_flatdict(dct: Any, parent: Optional[CompoundKey] = None) -> dict:
    """Flatten nested dicts into one level keyed by `CompoundKey` paths.

    Only `dict` values (including Box) are descended into; an empty dict has no leaves and leaves
    no key behind.

    Args:
        - dct (dict): the nested dict
        - parent (CompoundKey, optional): a path prefix for every key

    Returns:
        - dict: `{CompoundKey(path): value}`
    """
    prefix = parent or CompoundKey()
    flat: dict = {}
    for key, value in dct.items():
        path = CompoundKey(prefix + (key,))
        if isinstance(value, dict):
            flat.update(dict_to_flatdict(value, parent=path))
        else:
            flat[path] = value
    return flat


def flatdict_to_dict(dct: dict, dct_class: Optional[Type[D]] = None) -> D:
    """Rebuild nested dicts from a dict made by `dict_to_flatdict`; keys that are not
    `CompoundKey`s are copied as they are.

    Args:
        - dct (dict): the flat dict
        - dct_class (type, optional): the class of the result and of every nested level
            (default `dict`)

    Returns:
        - the nested mapping
    """
    make = dct_class or dict
    result: Any = make()
    for key, value in dct.items():
        if isinstance(key, CompoundKey):
            node = result
            for part in key[:-1]:
                node = node.setdefault(part, make())
            node[key[-1]] = value
        else:
            result[key] = value
    return cast(D, result)


def keep_bounded(cache: dict, key: Any, value: Any, limit: int) -> Any:
    """Store `value` under `key` in a memo dict that holds at most `limit` entries (a full one is
    emptied first: the memos it serves are rebuilt on their next miss).

    Args:
        - cache (dict): the memo
        - key (Any): the key
        - value (Any): the value
        - limit (int): the most entries the memo may hold

    Returns:
        - Any: `value`
    """
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value
