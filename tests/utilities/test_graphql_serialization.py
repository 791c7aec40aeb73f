"""Prefect 1's pure helpers for backend-era code: GraphQL query building and qualified names."""

import uuid
from textwrap import dedent

import pytest

import prefect_classic
from prefect_classic.triggers import all_successful
from prefect_classic.utilities.graphql import (
    EnumValue,
    GQLObject,
    GraphQLResult,
    LiteralSetValue,
    compress,
    decompress,
    parse_graphql,
    parse_graphql_arguments,
    with_args,
)
from prefect_classic.utilities.serialization import from_qualified_name, to_qualified_name


class Flow_(GQLObject):
    pass


def test_graphql_result_reads_nested_keys_as_attributes():
    result = GraphQLResult({"data": {"flow_run": [{"id": "abc", "update": 1}]}})
    assert result.data.flow_run[0].id == "abc"
    assert '"id": "abc"' in repr(result)


def test_parse_graphql_nests_dicts_lists_and_flags():
    query = {
        "query": {
            with_args("flow_run", {"where": {"id": {"_eq": "x"}}, "limit": 2}): {
                "id": True,
                "name": ...,
                "tasks": ["slug", {"state": {"message"}}],
            }
        }
    }
    expected = """
        query {
            flow_run(where: { id: { _eq: "x" } }, limit: 2) {
                id
                name
                tasks {
                    slug
                    state {
                        message
                    }
                }
            }
        }
    """
    assert parse_graphql(query) == dedent(expected).strip()


def test_graphql_arguments_format_literals():
    args = {"a": True, "b": False, "c": None, "d": [1, "x"], "e": EnumValue("asc"), "f": {}}
    assert parse_graphql_arguments(args) == 'a: true, b: false, c: null, d: [1, "x"], e: asc, f: {}'
    assert parse_graphql_arguments("raw: text") == "raw: text"
    run_id = uuid.UUID(int=1)
    assert parse_graphql_arguments({"id": run_id}) == f'id: "{run_id}"'
    assert LiteralSetValue(["a", "b"]) == "{a, b}"


def test_gql_objects_render_their_names_and_arguments():
    assert str(Flow_()) == "flow_"
    assert str(Flow_("flows")({"limit": 1})) == "flows(limit: 1)"
    with pytest.raises(TypeError, match="GQLObject"):
        parse_graphql({"query": Flow_})


def test_enum_values_compare_and_hash_apart_from_strings():
    assert EnumValue("a") == EnumValue("a") and EnumValue("a") != "a"
    assert len({EnumValue("a"), "a"}) == 2


def test_compress_round_trips():
    value = {"a": [1, 2, {"b": None}]}
    assert decompress(compress(value)) == value


def test_qualified_names_round_trip_for_imported_objects():
    name = to_qualified_name(all_successful)
    assert name == "prefect_classic.triggers.all_successful"
    assert from_qualified_name(name) is all_successful
    assert from_qualified_name("prefect_classic.core.task.Task") is prefect_classic.core.task.Task


def test_from_qualified_name_does_not_import():
    with pytest.raises(ValueError, match="maybe it hasn't been imported yet"):
        from_qualified_name("a_module_nobody_imported.thing")
    with pytest.raises(ValueError):
        from_qualified_name("prefect_classic.triggers.no_such_trigger")
