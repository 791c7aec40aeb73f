"""Collection helpers with Prefect 1's semantics: DotDict, merging, flat/nested conversion."""

import json
import types

import pytest
from box import Box

from prefect_classic.utilities.collections import (
    CompoundKey,
    DotDict,
    as_nested_dict,
    dict_to_flatdict,
    flatdict_to_dict,
    flatten_seq,
    merge_dicts,
)


def test_flatten_seq_yields_leaves_of_any_non_string_iterable():
    assert isinstance(flatten_seq([1]), types.GeneratorType)
    assert list(flatten_seq([1, (2, [3, {4}]), "ab", b"cd", range(5, 7)])) == [
        1,
        2,
        3,
        4,
        "ab",
        b"cd",
        5,
        6,
    ]
    with pytest.raises(TypeError):
        list(flatten_seq(1))


class TestDotDict:
    def test_keys_are_attributes_and_items(self):
        d = DotDict({"a": 1}, b=2)
        d.c = 3
        d["d"] = 4
        d.a += 10
        assert (d["a"], d.b, d["c"], d.d) == (11, 2, 3, 4)
        del d.b
        del d["c"]
        assert dict(d) == {"a": 11, "d": 4} and len(d) == 2
        with pytest.raises(AttributeError):
            _ = d.missing
        with pytest.raises(KeyError):
            d["missing"]

    def test_any_hashable_key_and_a_sorted_repr(self):
        d = DotDict()
        assert repr(d) == "<DotDict>"
        d[1] = "one"
        d["b"] = 2
        d["a"] = 3
        assert d[1] == "one" and repr(d) == "<DotDict: 'a', 'b', 1>"

    def test_keys_may_shadow_methods(self):
        d = DotDict({"update": 1, "items": 2})
        assert d.update == 1 and d["items"] == 2
        nested = as_nested_dict({"update": {"items": [{"x": 1}]}}, DotDict)
        assert nested.update["items"][0].x == 1

    def test_mapping_behaviour(self):
        d = DotDict(a=1)
        assert d == {"a": 1} and DotDict() == {} and d.copy() == d and type(d.copy()) is DotDict
        assert d.setdefault("b", 2) == 2 and d.get("zzz", "fallback") == "fallback"
        assert (lambda **kw: kw)(**d) == {"a": 1, "b": 2}
        d.clear()
        assert len(d) == 0 and "a" not in d
        with pytest.raises(TypeError):
            json.dumps(DotDict(x=1))

    def test_to_dict_converts_nested_dotdicts_in_lists_too(self):
        d = DotDict(x=1, y=DotDict(z=[DotDict(q=DotDict())]))
        plain = d.to_dict()
        assert plain == {"x": 1, "y": {"z": [{"q": {}}]}}
        assert type(plain["y"]) is dict and type(plain["y"]["z"][0]["q"]) is dict


def test_as_nested_dict_defaults_to_dotdict_and_reads_a_box_as_a_plain_dict():
    converted = as_nested_dict({"a": [1, {"b": 2}], "c": ({"d": 3},)})
    assert isinstance(converted, DotDict) and converted.a[1].b == 2 and converted.c[0].d == 3
    assert type(as_nested_dict(Box(a=1), DotDict)) is dict


@pytest.mark.parametrize("kind", [dict, DotDict])
def test_merge_dicts_merges_nested_mappings_and_keeps_the_inputs(kind):
    a = kind(x=kind(one=1, two=2), y=kind(three=3), z=0)
    b = kind(x=kind(two=20), y=kind(), w=5)
    merged = merge_dicts(a, b)
    assert merged == kind(x=kind(one=1, two=20), y=kind(three=3), z=0, w=5)
    assert type(merged) is kind
    assert a == kind(x=kind(one=1, two=2), y=kind(three=3), z=0)  # untouched


def test_flat_and_nested_conversions():
    nested = {1: 2, 2: {1: 2, 3: 4}, 3: {3: {6: {7: 8}}}, "empty": {}}
    flat = dict_to_flatdict(nested)
    assert flat == {
        CompoundKey([1]): 2,
        CompoundKey([2, 1]): 2,
        CompoundKey([2, 3]): 4,
        CompoundKey([3, 3, 6, 7]): 8,
    }  # an empty section has no leaves
    rebuilt = flatdict_to_dict(flat)
    assert rebuilt == {1: 2, 2: {1: 2, 3: 4}, 3: {3: {6: {7: 8}}}}
    as_box = flatdict_to_dict(flat, dct_class=Box)
    assert isinstance(as_box, Box) and isinstance(as_box[3][3], Box)
    assert flatdict_to_dict({"plain": 1}) == {"plain": 1}


def test_dict_to_flatdict_keeps_non_dict_mappings_as_values():
    inner = DotDict(x=1)
    assert dict_to_flatdict({"a": inner}) == {CompoundKey(["a"]): inner}
