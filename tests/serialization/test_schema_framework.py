"""The schema building blocks (Prefect 1's `prefect.utilities.serialization` API), on
marshmallow 3 and 4: object schemas, `context=`, nested context sharing, type dispatch and
function references."""

import datetime

import marshmallow
import pytest
from marshmallow import ValidationError, fields

from prefect_classic.serialization.fields import (
    UUID,
    Bytes,
    FunctionReference,
    JSONCompatible,
    Nested,
    SortedList,
    StatefulFunctionReference,
)
from prefect_classic.serialization.schema import ObjectSchema, OneOfSchema, from_qualified_name
from prefect_classic.utilities import serialization as utilities_serialization


class Point:
    def __init__(self, x, y=0):
        self.x, self.y = x, y


class PointSchema(ObjectSchema):
    class Meta:
        object_class = Point

    x = fields.Integer()
    y = fields.Integer()


class TestObjectSchema:
    def test_loads_into_the_meta_object_class_and_versions_dumps(self):
        point = PointSchema().load({"x": "1", "y": 2, "__version__": "0.15.0"})
        assert isinstance(point, Point) and (point.x, point.y) == (1, 2)
        assert (
            PointSchema().dump(point)["__version__"]
            == utilities_serialization.ObjectSchema().dump({})["__version__"]
        )

    def test_create_object_false_returns_the_loaded_fields(self):
        schema = PointSchema()
        assert schema.load({"x": "3"}, create_object=False) == {"x": 3}
        assert isinstance(schema.load({"x": "3"}), Point)  # the choice does not stick

    def test_the_object_class_may_be_a_function_returning_it(self):
        class LazySchema(ObjectSchema):
            class Meta:
                object_class = lambda: Point  # noqa: E731

            x = fields.Integer()

        assert isinstance(LazySchema().load({"x": 1}), Point)

    def test_exclude_fields_are_loaded_but_not_passed_to_the_class(self):
        class PartialSchema(ObjectSchema):
            class Meta:
                object_class = Point
                exclude_fields = ["label"]

            x = fields.Integer()
            label = fields.String()

        point = PartialSchema().load({"x": 1, "label": "ignored"})
        assert (point.x, hasattr(point, "label")) == (1, False)

    def test_fields_the_class_does_not_take_are_a_type_error_and_unknown_keys_are_ignored(self):
        class WrongSchema(ObjectSchema):
            class Meta:
                object_class = Point

            x = fields.Integer()
            z = fields.Integer()

        with pytest.raises(TypeError):
            WrongSchema().load({"x": 1, "z": 2})
        assert PointSchema().load({"x": 1, "not-a-field": 5}).x == 1

    def test_create_object_may_be_overridden_with_or_without_post_load(self):
        class Decorated(PointSchema):
            @marshmallow.post_load
            def create_object(self, data, **kwargs):
                return ("decorated", super().create_object(data, **kwargs).x)

        class Plain(ObjectSchema):
            object_class = Point  # the class attribute form of Meta.object_class

            x = fields.Integer()

            def create_object(self, data):
                return ("plain", super().create_object(data).x)

        assert Decorated().load({"x": 1}) == ("decorated", 1)
        assert Plain().load({"x": 2}) == ("plain", 2)

    def test_values_the_class_rejects_are_validation_errors(self):
        class Picky:
            def __init__(self, x):
                raise ValueError("x must be positive")

        class PickySchema(ObjectSchema):
            class Meta:
                object_class = Picky

            x = fields.Integer()

        with pytest.raises(ValidationError, match="positive"):
            PickySchema().load({"x": -1})


class Child:
    def __init__(self, name):
        self.name = name


class ChildSchema(ObjectSchema):
    class Meta:
        object_class = Child

    name = fields.String()

    @marshmallow.post_load
    def create_object(self, data, **kwargs):
        """Children are loaded once per name and context."""
        seen = self.context.setdefault("children", {})
        if data["name"] not in seen:
            seen[data["name"]] = super().create_object(data, **kwargs)
        return seen[data["name"]]


class FamilySchema(ObjectSchema):
    first = Nested(ChildSchema)
    rest = Nested(ChildSchema, many=True)
    others = fields.List(Nested(ChildSchema))


class TestContext:
    def test_context_is_accepted_and_shared_as_the_same_dict_with_nested_schemas(self):
        context = {"note": 1}
        family = FamilySchema(context=context).load(
            {
                "first": {"name": "a"},
                "rest": [{"name": "a"}, {"name": "b"}],
                "others": [{"name": "b"}],
            }
        )
        assert family["first"] is family["rest"][0]
        assert family["others"][0] is family["rest"][1]
        assert set(context["children"]) == {"a", "b"}
        assert context["note"] == 1 and "create_object" not in context

    def test_without_a_context_each_schema_gets_its_own(self):
        schema = FamilySchema()
        assert schema.context == {}
        assert FamilySchema().context is not schema.context

    def test_nested_loads_follow_the_outer_create_object_choice(self):
        data = FamilySchema().load({"first": {"name": "a"}}, create_object=False)
        assert data == {"first": {"name": "a"}}


def pick_child(obj, context):
    return obj.get("child key", marshmallow.missing)


class TestNestedValueSelection:
    class Schema(marshmallow.Schema):
        child = Nested(ChildSchema, value_selection_fn=pick_child)

    def test_the_function_chooses_the_value(self):
        assert self.Schema().dump({"child key": Child("c")})["child"]["name"] == "c"

    def test_missing_leaves_the_key_out(self):
        assert self.Schema().dump({}) == {}

    def test_the_function_sees_the_attribute_name_and_value(self):
        seen = {}

        def record(obj, context):
            seen.update(context)
            return Child("x")

        class Recording(marshmallow.Schema):
            kid = Nested(ChildSchema, value_selection_fn=record)

        Recording().dump({"kid": "raw"})
        assert seen["attr"] == "kid"


class TestOneOfSchema:
    class Dispatch(OneOfSchema):
        type_schemas = {"Point": PointSchema, "Child": ChildSchema}

    def test_dumps_the_type_and_loads_by_it(self):
        data = self.Dispatch().dump(Point(1, 2))
        assert data["type"] == "Point"
        assert isinstance(self.Dispatch().load(data), Point)

    def test_unknown_keys_are_ignored_and_types_checked(self):
        assert self.Dispatch().load({"type": "Child", "name": "n", "extra": 1}).name == "n"
        with pytest.raises(ValidationError, match="type"):
            self.Dispatch().load({"name": "n"})
        with pytest.raises(ValidationError, match="Unsupported value"):
            self.Dispatch().load({"type": "Nope"})
        with pytest.raises(ValidationError, match="Unsupported object type"):
            self.Dispatch().dump(object())

    def test_the_chosen_schema_shares_the_context(self):
        context = {}
        self.Dispatch(context=context).load({"type": "Child", "name": "n"})
        assert "n" in context["children"]

    def test_plain_marshmallow_schemas_can_be_dispatched_to(self):
        class Plain(marshmallow.Schema):
            x = fields.Integer()

        class Dispatch(OneOfSchema):
            type_schemas = {"Plain": Plain}

        assert Dispatch().load({"type": "Plain", "x": "5", "y": 6}) == {"x": 5}


def outer(x, y):
    def inner(z):
        return x + y + z

    return inner


def plain():
    return 1


def helper_made(limit):
    return _shared_helper("helper_made", limit)


def _shared_helper(name, limit):
    def check(value):
        return value <= limit

    check.__name__ = name  # the closure is named after its factory
    return check


def stranger():
    return 2


class TestFunctionReferences:
    class Schema(marshmallow.Schema):
        strict = FunctionReference([plain])
        loose = FunctionReference([plain], reject_invalid=False, allow_none=True)
        stateful = StatefulFunctionReference([outer, plain, helper_made], allow_none=True)
        stateful_loose = StatefulFunctionReference([outer], reject_invalid=False)

    def test_plain_references_are_import_paths(self):
        data = self.Schema().dump({"strict": plain, "loose": stranger})
        assert data["strict"] == f"{__name__}.plain" and data["loose"].endswith(".stranger")
        loaded = self.Schema().load({"strict": data["strict"], "loose": data["loose"]})
        assert loaded["strict"] is plain and loaded["loose"] == data["loose"]
        with pytest.raises(ValidationError):
            self.Schema().dump({"strict": stranger})
        with pytest.raises(ValidationError):
            self.Schema().load({"strict": "os.system"})
        with pytest.raises(ValidationError, match="null"):
            self.Schema().dump({"strict": None})

    def test_closures_are_written_as_their_factory_and_its_arguments(self):
        data = self.Schema().dump({"stateful": outer(1, 2)})["stateful"]
        assert data == {"fn": f"{__name__}.outer", "kwargs": {"x": 1, "y": 2}}
        assert self.Schema().load({"stateful": data})["stateful"](3) == 6

    def test_a_closure_made_by_a_shared_helper_keeps_only_its_factorys_arguments(self):
        data = self.Schema().dump({"stateful": helper_made(3)})["stateful"]
        assert data == {"fn": f"{__name__}.helper_made", "kwargs": {"limit": 3}}
        assert self.Schema().load({"stateful": data})["stateful"](4) is False

    def test_functions_without_arguments_load_as_themselves(self):
        data = self.Schema().dump({"stateful": plain})["stateful"]
        assert data == {"fn": f"{__name__}.plain", "kwargs": {}}
        assert self.Schema().load({"stateful": data})["stateful"] is plain
        assert self.Schema().load({"stateful": f"{__name__}.plain"})["stateful"] is plain

    def test_times_and_durations_are_tagged_text_and_payloads_are_not_changed(self):
        data = self.Schema().dump(
            {"stateful": outer(datetime.time(4, 30), datetime.timedelta(minutes=1))}
        )
        kwargs = data["stateful"]["kwargs"]
        assert kwargs == {"x": "//time:04:30:00", "y": "//timedelta:60.0"}
        self.Schema().load(data)
        assert kwargs == {"x": "//time:04:30:00", "y": "//timedelta:60.0"}

    def test_unknown_functions(self):
        with pytest.raises(ValidationError, match="custom functions aren't supported"):
            self.Schema().dump({"stateful": stranger})
        assert (
            self.Schema()
            .dump({"stateful_loose": stranger})["stateful_loose"]["fn"]
            .endswith(".stranger")
        )
        assert self.Schema().load({"stateful_loose": {"fn": "x.y"}})["stateful_loose"] is None
        with pytest.raises(ValidationError):
            self.Schema().load({"stateful": {"fn": "x.y"}})


class TestSmallFields:
    class Schema(marshmallow.Schema):
        tags = SortedList(fields.String())
        data = Bytes()
        ident = UUID()
        anything = JSONCompatible()

    def test_round_trips(self):
        dumped = self.Schema().dump(
            {
                "tags": {"b", "a"},
                "data": b"\x00\x01",
                "ident": "12345678-1234-5678-1234-567812345678",
                "anything": {"a": [1, None]},
            }
        )
        assert dumped["tags"] == ["a", "b"] and dumped["data"] == "AAE="
        loaded = self.Schema().load(dumped)
        assert loaded["data"] == b"\x00\x01"
        assert loaded["ident"] == "12345678-1234-5678-1234-567812345678"
        with pytest.raises(ValidationError, match="JSON compatible"):
            self.Schema().dump({"anything": object()})
        with pytest.raises(ValidationError):
            self.Schema().load({"ident": "not-a-uuid"})


def test_utilities_serialization_has_prefect1_names():
    for name in (
        "ObjectSchema",
        "OneOfSchema",
        "JSONCompatible",
        "Nested",
        "StatefulFunctionReference",
        "FunctionReference",
        "DateTimeTZ",
        "Bytes",
        "UUID",
        "SortedList",
        "to_qualified_name",
        "from_qualified_name",
    ):
        assert hasattr(utilities_serialization, name), name
    assert utilities_serialization.to_qualified_name(Point) == f"{__name__}.Point"


def test_from_qualified_name_finds_imported_objects_only():
    assert from_qualified_name(f"{__name__}.Point") is Point
    assert from_qualified_name("prefect_classic.serialization.schema.ObjectSchema") is ObjectSchema
    with pytest.raises(ValueError, match="imported"):
        from_qualified_name("surely_not_a_module.Thing")
