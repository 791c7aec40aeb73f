"""Edge (keys, repr, equality) and Parameter / DateTimeParameter."""

import datetime

import pendulum
import pytest

from prefect_classic import Flow, Parameter, Task, context
from prefect_classic.core.edge import Edge, is_valid_identifier
from prefect_classic.core.parameter import DateTimeParameter, no_default
from prefect_classic.engine import signals
from prefect_classic.tasks.core.constants import Constant


class TestEdge:
    def test_fields_and_defaults(self):
        a, b = Task(name="a"), Task(name="b")
        e = Edge(a, b)
        assert (e.upstream_task, e.downstream_task, e.key, e.mapped, e.flattened) == (
            a,
            b,
            None,
            False,
            False,
        )
        assert e.tasks == {a, b}

    @pytest.mark.parametrize("key", ["x", "_private", "x1"])
    def test_valid_keys(self, key):
        assert Edge(Task(), Task(), key=key).key == key

    @pytest.mark.parametrize("key", ["1x", "has space", "class", "a-b", ""])
    def test_invalid_keys(self, key):
        with pytest.raises(ValueError, match="Key must be a valid identifier"):
            Edge(Task(), Task(), key=key)

    def test_is_valid_identifier(self):
        assert (
            is_valid_identifier("ok")
            and not is_valid_identifier("for")
            and not is_valid_identifier(3)
        )

    def test_repr(self):
        a, b = Task(name="a"), Task(name="b")
        assert repr(Edge(a, b)) == "<Edge(key=None, mapped=False, flattened=False): a to b>"
        assert (
            repr(Edge(a, b, key="x", mapped=True))
            == "<Edge(key=x, mapped=True, flattened=False): a to b>"
        )

    def test_a_task_cannot_depend_on_itself(self):
        t = Task()
        with pytest.raises(ValueError, match="Edges can not connect a task to itself."):
            Edge(t, t)

    def test_annotations_set_mapped_and_flattened_over_the_arguments(self):
        from prefect_classic.utilities.edges import flatten, mapped, unmapped

        assert Edge(mapped(Task()), Task(), mapped=False).mapped is True
        assert Edge(unmapped(Task()), Task(), mapped=True).mapped is False
        nested = Edge(flatten(mapped(Task())), Task())
        assert nested.mapped is True and nested.flattened is True

    def test_plain_values_become_constant_tasks(self):

        e = Edge(1, Task())
        assert isinstance(e.upstream_task, Constant) and e.upstream_task.value == 1

    def test_equality_and_hash_use_every_field(self):
        a, b = Task(), Task()
        assert Edge(a, b, key="x") == Edge(a, b, key="x")
        assert hash(Edge(a, b, key="x")) == hash(Edge(a, b, key="x"))
        assert Edge(a, b) != Edge(b, a)
        assert Edge(a, b, key="x") != Edge(a, b, key="y")
        assert Edge(a, b, mapped=True) != Edge(a, b)
        assert Edge(a, b, flattened=True) != Edge(a, b)
        assert Edge(a, b) != "edge"

    def test_plain_values_become_constants(self):
        e = Edge(5, Task())
        assert isinstance(e.upstream_task, Constant) and e.upstream_task.value == 5

    def test_pickles(self):
        import cloudpickle

        e = Edge(Task(name="a"), Task(name="b"), key="k", mapped=True)
        back = cloudpickle.loads(cloudpickle.dumps(e))
        assert (back.key, back.mapped, back.upstream_task.name) == ("k", True, "a")


class TestParameter:
    def test_required_without_default(self):
        p = Parameter("x")
        assert p.required is True and p.default is None
        assert p.name == "x" and p.slug == "x" and repr(p) == "<Parameter: x>"

    def test_default_makes_it_optional(self):
        p = Parameter("x", default=3)
        assert p.required is False and p.default == 3

    def test_explicit_required_with_default(self):
        assert Parameter("x", default=1, required=True).required is True

    def test_none_default_is_a_real_default(self):
        assert Parameter("x", default=None).required is False

    def test_tags_and_checkpointing(self):
        p = Parameter("x", tags=["t"])
        assert p.tags == {"t"} and p.checkpoint is True

    @pytest.mark.parametrize("name", ["", None, 3])
    def test_name_must_be_a_non_empty_string(self, name):
        with pytest.raises(ValueError, match="A Parameter needs a non-empty string name."):
            Parameter(name)

    def test_run_reads_context_parameters(self):
        with context(parameters={"x": 5}):
            assert Parameter("x").run() == 5
        assert Parameter("x", default=2).run() == 2

    def test_required_missing_value(self):
        with pytest.raises(signals.FAIL, match='Parameter "x" was required but not provided.'):
            Parameter("x").run()

    def test_calling_adds_it_to_the_flow(self):
        p = Parameter("x")
        with Flow("f") as flow:
            assert p() is p
        assert p in flow

    def test_duplicate_names_in_a_flow(self):
        with (
            pytest.warns(
                UserWarning, match=r"Tasks were created but not added to the flow: {<Parameter: x>}"
            ),
            Flow("f"),
        ):
            Parameter("x")()
            with pytest.raises(
                ValueError, match='A task with the slug "x" already exists in this flow.'
            ):
                Parameter("x")()

    def test_copy_needs_a_new_name(self):
        p = Parameter("x", default=1)
        c = p.copy("y")
        assert (c.name, c.slug, c.default) == ("y", "y", 1)

    def test_no_default_sentinel(self):
        assert Parameter("x", default=no_default).required is True

    def test_flow_run_uses_parameters(self):
        flow = Flow("f")
        p = flow.add_task(Parameter("p", default=1))
        assert flow.run(parameters={"p": 7}).result[p].result == 7
        assert flow.run().result[p].result == 1

    def test_serialize_describes_the_parameter_not_a_plain_task(self):
        from prefect_classic.serialization.task import ParameterSchema

        data = Parameter("p", default=[1, 2], tags=["t"]).serialize()
        assert (data["name"], data["default"], data["required"], data["tags"]) == (
            "p",
            [1, 2],
            False,
            ["t"],
        )
        assert Parameter("q").serialize()["required"] is True
        back = ParameterSchema().load(data)
        assert (back.name, back.default, back.required) == ("p", [1, 2], False)


class TestDateTimeParameter:
    def test_iso_strings_are_parsed(self):
        with context(parameters={"when": "2024-03-01T12:30:00+02:00"}):
            value = DateTimeParameter("when").run()
        assert isinstance(value, pendulum.DateTime)
        assert value == pendulum.datetime(2024, 3, 1, 10, 30, tz="UTC")

    def test_datetimes_become_pendulum(self):
        dt = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        with context(parameters={"when": dt}):
            value = DateTimeParameter("when").run()
        assert isinstance(value, pendulum.DateTime) and value == dt

    def test_default_and_none(self):
        assert DateTimeParameter("when", default="2020-01-01").run() == pendulum.datetime(
            2020, 1, 1
        )
        assert DateTimeParameter("when", required=False).run() is None

    def test_required(self):
        with pytest.raises(signals.FAIL, match='Parameter "when" was required but not provided.'):
            DateTimeParameter("when").run()

    def test_invalid_string(self):
        with context(parameters={"when": "not a date"}):
            with pytest.raises(ValueError):
                DateTimeParameter("when").run()
