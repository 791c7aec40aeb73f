"""Small collection helpers: DotDict, flat/nested dict conversion, merging and flattening."""
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Union

__all__ = [
    "CompoundKey",
    "D",
    "DotDict",
    "as_nested_dict",
    "dict_to_flatdict",
    "flatdict_to_dict",
    "flatten_seq",
    "merge_dicts",
]

D = Union[dict, MutableMapping]


class CompoundKey(tuple):
    """A tuple marking a flattened, nested dictionary key."""


class DotDict(MutableMapping):
    """A dict whose keys are also attributes: `d.a` is `d["a"]`.

    Args:
        - init_dict (dict, optional): initial keys and values
        - **kwargs: more keys and values
    """

    def __init__(self, init_dict: Any = None, **kwargs: Any):
        if init_dict:
            self.update(init_dict)
        self.update(kwargs)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__[key] = value

    def __setattr__(self, attr: str, value: Any) -> None:
        self[attr] = value

    def __delitem__(self, key: str) -> None:
        del self.__dict__[key]

    def __iter__(self) -> Iterator[str]:
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

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value for `key`, or `default` if it is missing."""
        return self.__dict__.get(key, default)

    def copy(self) -> "DotDict":
        """Return a shallow copy."""
        return type(self)(self.__dict__.copy())

    def to_dict(self) -> dict:
        """Return a plain (nested) dict copy of this DotDict."""
        return as_nested_dict(self, dict)  # type: ignore


def merge_dicts(d1: MutableMapping, d2: MutableMapping) -> MutableMapping:
    """Recursively merge `d2` into a copy of `d1`; values of `d2` win.

    Args:
        - d1 (MutableMapping): the base mapping
        - d2 (MutableMapping): the overriding mapping

    Returns:
        - MutableMapping: a new mapping of `d1`'s type
    """
    new = d1.copy()  # type: ignore[attr-defined]
    for key, value in d2.items():
        if isinstance(value, MutableMapping) and isinstance(new.get(key), MutableMapping):
            new[key] = merge_dicts(new[key], value)
        else:
            new[key] = value
    return new


def as_nested_dict(obj: Any, dct_class: type = DotDict) -> Any:
    """Convert nested mappings (and lists/tuples/sets of them) to `dct_class`.

    Args:
        - obj (Any): the object to convert
        - dct_class (type): the mapping class to build

    Returns:
        - Any: the converted object
    """
    if isinstance(obj, (list, tuple, set)):
        return type(obj)(as_nested_dict(d, dct_class) for d in obj)
    if isinstance(obj, Mapping):
        return dct_class({k: as_nested_dict(v, dct_class) for k, v in obj.items()})
    return obj


def dict_to_flatdict(dct: Mapping, parent: Any = None) -> dict:
    """Flatten a nested mapping into one level with `CompoundKey` keys.

    Args:
        - dct (Mapping): the nested mapping
        - parent (CompoundKey, optional): key prefix

    Returns:
        - dict: `{CompoundKey(path): value}`
    """
    items: list = []
    parent = parent or CompoundKey()
    for k, v in dct.items():
        key = CompoundKey(parent + (k,))
        if isinstance(v, Mapping) and v:
            items.extend(dict_to_flatdict(v, parent=key).items())
        else:
            items.append((key, v))
    return dict(items)


def flatdict_to_dict(dct: Mapping, dct_class: type = None) -> MutableMapping:  # type: ignore
    """Rebuild a nested mapping from one made by `dict_to_flatdict`.

    Args:
        - dct (Mapping): the flat mapping
        - dct_class (type, optional): the mapping class (default: type of `dct`)

    Returns:
        - MutableMapping: the nested mapping
    """
    dct_class = dct_class or type(dct)
    result = dct_class()
    for key, value in dct.items():
        if isinstance(key, CompoundKey):
            node = result
            for part in key[:-1]:
                if part not in node:
                    node[part] = dct_class()
                node = node[part]
            node[key[-1]] = value
        else:
            result[key] = value
    return result


def flatten_seq(seq: Iterable) -> Iterator:
    """Yield the items of arbitrarily nested lists/tuples/sets in order.

    Args:
        - seq (Iterable): the nested sequence

    Returns:
        - Iterator: the flat items
    """
    for item in seq:
        if isinstance(item, (list, tuple, set)):
            yield from flatten_seq(item)
        else:
            yield item
