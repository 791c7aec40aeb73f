"""Task: constructor arguments and their validation, signature checks, the functional API."""

import datetime
import inspect
from typing import Any, Tuple

import pytest

from prefect_classic import (
    Flow,
    Parameter,
    Task,
    context,
    flatten,
    mapped,
    tags,
    task,
    triggers,
    unmapped,
)
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import NoDefault, instance_property
from prefect_classic.engine import cache_validators
from prefect_classic.engine.results import LocalResult
from prefect_classic.tasks.core import operators
from prefect_classic.tasks.core.constants import Constant
from prefect_classic.tasks.core.function import FunctionTask
from prefect_classic.utilities.configuration import set_temporary_config
from prefect_classic.utilities.tasks import defaults_from_attrs


class Add(Task):
    def run(self, x, y=1):
        return x + y


class Kw(Task):
    def run(self, x, **kwargs):
        return kwargs


DELAY = datetime.timedelta(seconds=1)


class TestConstructor:
    def test_defaults(self):
        t = Task()
        assert t.name == "Task" and t.slug is None and t.tags == set()
        assert t.max_retries == 0 and t.retry_delay is None and t.timeout is None
        assert t.trigger is triggers.all_successful and t.skip_on_upstream_skip is True
        assert t.cache_for is None and t.cache_validator is cache_validators.never_use
        assert (
            t.cache_key is None and t.checkpoint is None and t.result is None and t.target is None
        )
        assert t.state_handlers == [] and t.on_failure is None and t.log_stdout is False
        assert t.task_run_name is None and t.nout is None and t.auto_generated is False

    def test_name_defaults_to_class_name(self):
        assert Add().name == "Add"
        assert Add(name="custom").name == "custom"

    def test_every_kwarg_is_stored(self):
        res = LocalResult(dir="/tmp")

        def handler(t, old, new):
            return new

        t = Task(
            name="n",
            slug="s",
            tags=["a", "b"],
            max_retries=2,
            retry_delay=DELAY,
            timeout=5,
            trigger=triggers.all_finished,
            skip_on_upstream_skip=False,
            cache_for=datetime.timedelta(hours=1),
            cache_validator=cache_validators.all_inputs,
            cache_key="ck",
            checkpoint=True,
            state_handlers=[handler],
            log_stdout=True,
            result=res,
            target="{task_name}.txt",
            task_run_name="run-{x}",
            nout=2,
        )
        assert (t.name, t.slug, t.tags) == ("n", "s", {"a", "b"})
        assert (t.max_retries, t.retry_delay, t.timeout) == (2, DELAY, 5)
        assert t.trigger is triggers.all_finished and t.skip_on_upstream_skip is False
        assert (
            t.cache_for == datetime.timedelta(hours=1)
            and t.cache_validator is cache_validators.all_inputs
        )
        assert (t.cache_key, t.checkpoint, t.log_stdout) == ("ck", True, True)
        assert t.state_handlers == [handler]
        # with a target, the task keeps a copy of the result located at the target
        assert (
            t.result is not res and t.result.location == "{task_name}.txt" and res.location is None
        )
        assert (t.target, t.task_run_name, t.nout) == ("{task_name}.txt", "run-{x}", 2)

    def test_cache_for_defaults_validator_to_duration_only(self):
        assert (
            Task(cache_for=datetime.timedelta(1)).cache_validator is cache_validators.duration_only
        )

    def test_callable_target_and_run_name_are_kept(self):
        def fmt(**kw):
            return "x"

        t = Task(target=fmt, task_run_name=fmt)
        assert t.target is fmt and t.task_run_name is fmt

    def test_tags_from_context_are_added(self):
        with tags("outer"):
            with tags("inner"):
                t = Task(tags=["own"])
        assert t.tags == {"outer", "inner", "own"}

    def test_on_failure_becomes_a_state_handler(self):
        from prefect_classic.engine.state import Failed, Running, Success

        calls = []
        t = Task(on_failure=lambda task, state: calls.append((task, state)))
        assert t.on_failure is not None and len(t.state_handlers) == 1
        handler = t.state_handlers[0]
        failed = Failed("x")
        assert handler(t, Running(), Success()) == Success()
        assert handler(t, Running(), failed) is failed
        assert calls == [(t, failed)]

    def test_defaults_come_from_config(self):
        with set_temporary_config(
            {
                "tasks.defaults.max_retries": 3,
                "tasks.defaults.retry_delay": datetime.timedelta(seconds=2),
                "tasks.defaults.timeout": 9,
            }
        ):
            t = Task()
        assert (t.max_retries, t.retry_delay, t.timeout) == (3, datetime.timedelta(seconds=2), 9)

    def test_timedelta_timeout_becomes_seconds(self):
        assert Task(timeout=datetime.timedelta(minutes=2)).timeout == 120

    def test_subsecond_timeout_warns(self):
        with pytest.warns(UserWarning, match="sub-second resolution"):
            assert Task(timeout=datetime.timedelta(seconds=1, milliseconds=500)).timeout == 1

    def test_repr(self):
        assert repr(Task(name="hello")) == "<Task: hello>"

    def test_logger_is_named_after_the_task(self):
        assert Task(name="xyz").logger.name == "prefect.xyz"


class TestValidationErrors:
    def test_max_retries_without_retry_delay(self):
        with pytest.raises(
            ValueError,
            match=r"A datetime.timedelta `retry_delay` must be provided if max_retries > 0",
        ):
            Task(max_retries=1)

    def test_retry_delay_without_max_retries(self):
        with pytest.raises(
            ValueError,
            match=r"A `max_retries` argument greater than 0 must be provided if specifying a retry delay.",
        ):
            Task(retry_delay=DELAY)

    @pytest.mark.parametrize("value", [-1, 1.5, "2"])
    def test_max_retries_must_be_a_non_negative_int(self, value):
        with pytest.raises(ValueError, match=r"`max_retries` must be a non-negative integer"):
            Task(max_retries=value, retry_delay=DELAY)

    def test_negative_retry_delay(self):
        with pytest.raises(
            ValueError, match=r"`retry_delay` must be a non-negative datetime.timedelta"
        ):
            Task(max_retries=1, retry_delay=datetime.timedelta(seconds=-1))

    def test_retry_delay_must_be_a_timedelta(self):
        with pytest.raises(
            ValueError, match=r"`retry_delay` must be a non-negative datetime.timedelta"
        ):
            Task(max_retries=1, retry_delay=5)

    def test_retry_on_needs_max_retries(self):
        with pytest.raises(
            ValueError, match=r"A number of `max_retries` must be provided if `retry_on` is set."
        ):
            Task(retry_on=ValueError)

    def test_retry_on_must_hold_exception_classes(self):
        with pytest.raises(
            TypeError, match="Expected an exception type but got an instance of str"
        ):
            Task(max_retries=1, retry_delay=DELAY, retry_on={"oops"})
        with pytest.raises(TypeError, match="Expected an exception subclass"):
            Task(max_retries=1, retry_delay=DELAY, retry_on=[int])

    @pytest.mark.parametrize("max_retries", [None, 0, False])
    def test_retry_delay_needs_positive_max_retries(self, max_retries):
        with pytest.raises(
            ValueError, match="A `max_retries` argument greater than 0 must be provided"
        ):
            Task(retry_delay=DELAY, max_retries=max_retries)

    def test_retry_delay_comes_from_config_only_when_retrying(self):
        with set_temporary_config({"tasks.defaults.retry_delay": datetime.timedelta(seconds=3)}):
            assert Task(max_retries=1).retry_delay == datetime.timedelta(seconds=3)
            assert Task(max_retries=0).retry_delay is None

    def test_sub_second_timeout_is_truncated_with_a_warning(self):
        with pytest.warns(UserWarning, match="sub-second resolution"):
            t = Task(timeout=datetime.timedelta(seconds=2, milliseconds=5))
        assert t.timeout == 2

    def test_retry_on_is_a_set_of_types(self):
        assert Task(max_retries=1, retry_delay=DELAY, retry_on=ValueError).retry_on == {ValueError}
        assert Task(max_retries=1, retry_delay=DELAY, retry_on=[KeyError, OSError]).retry_on == {
            KeyError,
            OSError,
        }

    @pytest.mark.parametrize("value", [1.5, "10", True])
    def test_timeout_must_be_int_or_timedelta(self, value):
        with pytest.raises(
            TypeError,
            match="Only integer timeouts \\(representing seconds\\) or timedelta timeouts are supported.",
        ):
            Task(timeout=value)

    @pytest.mark.parametrize("value", [0, -5, datetime.timedelta(seconds=-3)])
    def test_timeout_must_be_positive(self, value):
        with pytest.raises(ValueError, match="`timeout` must be a positive number of seconds"):
            Task(timeout=value)

    @pytest.mark.parametrize("value", [datetime.timedelta(0), datetime.timedelta(seconds=-1), 10])
    def test_cache_for_must_be_a_positive_timedelta(self, value):
        with pytest.raises(ValueError, match="`cache_for` must be a positive datetime.timedelta"):
            Task(cache_for=value)

    def test_cache_validator_without_cache_for_warns(self):
        with pytest.warns(
            UserWarning,
            match=r"cache_validator provided without specifying cache expiration \(cache_for\); this Task will not be cached.",
        ):
            Task(cache_validator=cache_validators.all_inputs)

    def test_never_use_validator_does_not_warn(self, recwarn):
        Task(cache_validator=cache_validators.never_use)
        assert not [w for w in recwarn if "cache_validator" in str(w.message)]

    def test_tags_as_a_string(self):
        with pytest.raises(TypeError, match="Tags should be a set of tags, not a string."):
            Task(tags="abc")

    def test_state_handlers_must_be_a_list(self):
        with pytest.raises(TypeError, match="state_handlers should be iterable."):
            Task(state_handlers=lambda *a: None)

    @pytest.mark.parametrize("value", [-1, 1.5])
    def test_nout_must_be_a_non_negative_int(self, value):
        with pytest.raises(ValueError, match="`nout` must be a non-negative integer"):
            Task(nout=value)

    def test_target_and_result_location_warns(self, tmp_path):
        with pytest.warns(
            UserWarning,
            match="Both `result.location` and `target` were provided. The `target` value will be used.",
        ):
            t = Task(result=LocalResult(dir=str(tmp_path), location="x"), target="y")
        assert t.result.location == "y"

    def test_var_args_run_is_rejected_at_class_creation(self):
        with pytest.raises(
            ValueError,
            match=r"Tasks with variable positional arguments \(\*args\) are not supported",
        ):

            class Bad(Task):
                def run(self, *args):
                    pass

    def test_var_args_function_is_rejected_by_the_decorator(self):
        with pytest.raises(ValueError, match=r"variable positional arguments \(\*args\)"):

            @task
            def bad(*args):
                pass

    @pytest.mark.parametrize("name", ["upstream_tasks", "mapped", "task_args", "flow"])
    def test_reserved_argument_names(self, name):
        ns: dict = {}
        exec(f"def run(self, {name}): pass", ns)
        with pytest.raises(
            ValueError,
            match=f"Tasks cannot have the following argument names: {name}. These are reserved keyword arguments.",
        ):
            type("Bad", (Task,), {"run": ns["run"]})

    def test_several_reserved_names_are_all_listed(self):
        with pytest.raises(ValueError, match="argument names: mapped, flow"):

            @task
            def bad(mapped, flow):
                pass

    def test_var_keyword_run_is_allowed(self):
        class Ok(Task):
            def run(self, x, **kwargs):
                return x

        assert Ok().run(1, extra=2) == 1

    def test_uninspectable_callable_is_rejected(self):
        with pytest.raises(ValueError, match="can not be inspected"):
            FunctionTask(fn=type)

    def test_non_callable_function_task(self):
        with pytest.raises(TypeError, match="`fn` must be callable"):
            FunctionTask(fn=3)

    def test_positional_only_run_arguments_are_rejected(self):
        ns: dict = {}
        exec("def f(a, b, /):\n    pass", ns)
        with pytest.raises(
            TypeError,
            match=r"Found positional-only parameters in the function signature for task f: \['a', 'b'\]",
        ):
            task(ns["f"])

    def test_subclass_setting_a_reserved_attribute_warns(self):
        class Sloppy(Task):
            def __init__(self, **kwargs):
                self.tags = {"lost"}
                super().__init__(**kwargs)

        with pytest.warns(
            UserWarning, match="`Sloppy` sets a `tags` attribute, which will be overwritten"
        ):
            t = Sloppy()
        assert t.tags == set()

    def test_subclass_with_a_reserved_class_attribute_warns_every_time(self):
        class Labelled(Task):
            tags = {"class-level"}

        for _ in range(2):  # the class is looked at once, the warning is given for every task
            with pytest.warns(UserWarning, match="`Labelled` sets a `tags` attribute"):
                Labelled()

    def test_a_plain_subclass_does_not_warn(self, recwarn):
        class Plain(Task):
            def __init__(self, value=None, **kwargs):
                self.value = value
                super().__init__(**kwargs)

        Plain(1)
        Plain(2)
        assert not [w for w in recwarn if "overwritten" in str(w.message)]

    def test_nout_is_read_from_each_functions_own_annotation(self):
        from typing import Tuple

        def pair() -> Tuple[int, int]:
            return 1, 2

        def triple() -> Tuple[int, int, int]:
            return 1, 2, 3

        def plain() -> int:
            return 1

        assert [task(f).nout for f in (pair, triple, plain, pair)] == [2, 3, None, 2]

    def test_passing_a_task_to_a_constructor_warns(self):
        class Configurable(Task):
            def __init__(self, value=None, **kwargs):
                self.value = value
                super().__init__(**kwargs)

        with pytest.warns(UserWarning, match="A Task was passed as an argument to Configurable"):
            Configurable(Task())


class TestSignature:
    def test_inputs_and_outputs(self):
        @task
        def f(x: int, y: str = "a") -> float:
            return 1.0

        assert f.inputs() == {
            "x": {"type": int, "default": None, "required": True},
            "y": {"type": str, "default": "a", "required": False},
        }
        assert f.outputs() is float
        assert Kw().inputs()["x"] == {"type": Any, "default": None, "required": True}

    def test_instance_signature_adds_graph_keywords(self):
        sig = inspect.signature(Add())
        assert list(sig.parameters) == ["x", "y", "mapped", "task_args", "upstream_tasks", "flow"]
        assert sig.return_annotation == "Task"
        # keyword-only graph arguments come before a **kwargs of run()
        assert list(inspect.signature(Kw()).parameters)[-1] == "kwargs"

    def test_instance_property_is_absent_on_the_class(self):
        class Holder:
            @instance_property
            def value(self):
                return 5

        assert Holder().value == 5
        with pytest.raises(AttributeError):
            _ = Holder.value

    def test_no_default_repr(self):
        assert repr(NoDefault.value) == "<no default>"


class TestCopy:
    def test_copy_is_a_new_task_with_overrides(self):
        t = Add(name="a", tags=["x"])
        c = t.copy(name="b", max_retries=0)
        assert c is not t and isinstance(c, Add)
        assert c.name == "b" and t.name == "a" and c.tags == {"x"}
        assert c.logger.name == "prefect.b"

    def test_copy_of_a_slugged_task_gets_a_copy_slug(self):
        assert Task(slug="s").copy().slug == "s-copy"
        assert Task(slug="s").copy(slug="t").slug == "t"
        assert Task().copy().slug is None

    def test_copy_unknown_attribute(self):
        with pytest.raises(
            AttributeError, match="<Task: Task> does not have nonexistent as an attribute"
        ):
            Task().copy(nonexistent=1)

    def test_copy_adds_context_tags_and_does_not_share_handlers(self):
        t = Task(state_handlers=[print])
        with tags("ctx"):
            c = t.copy()
        assert c.tags == {"ctx"}
        c.state_handlers.append(len)
        assert t.state_handlers == [print]

    def test_copy_of_a_connected_task_warns(self):
        with pytest.warns(
            UserWarning, match="Tasks were created but not added"
        ):  # the unused copies
            with Flow("f"):
                a = Add()(1)
                a.copy()  # only constants bound: nothing to lose, no warning
                Add()(a)
                with pytest.warns(UserWarning, match="will not retain those dependencies"):
                    a.copy()


class TestCallAndBind:
    def test_call_copies_and_binds(self):
        t = Add()
        with Flow("f") as flow:
            r = t(1, y=2)
        assert r is not t and r in flow.tasks and t not in flow.tasks
        assert flow.constants[r] == {"x": 1, "y": 2}

    def test_call_with_tasks_creates_keyed_edges(self):
        with Flow("f") as flow:
            a = Add()(1)
            b = Add()(a, y=a)
        assert {(e.upstream_task, e.key) for e in flow.edges_to(b)} == {(a, "x"), (a, "y")}

    def test_call_with_task_args_overrides_attributes(self):
        with Flow("f"):
            r = Add()(1, task_args={"name": "renamed", "tags": ["t"]})
        assert r.name == "renamed" and r.tags == {"t"}

    def test_call_with_upstream_tasks(self):
        with Flow("f") as flow:
            a = Task()()
            b = Task()(upstream_tasks=[a])
        (edge,) = flow.edges_to(b)
        assert edge.upstream_task is a and edge.key is None

    def test_call_with_explicit_flow_outside_a_with_block(self):
        flow = Flow("f")
        r = Add()(1, flow=flow)
        assert r in flow.tasks

    def test_call_outside_a_flow_raises(self):
        with pytest.raises(ValueError, match="Could not infer an active Flow context"):
            Add()(1)

    def test_bind_does_not_copy(self):
        t = Add()
        with Flow("f") as flow:
            assert t.bind(x=1) is t
        assert t in flow.tasks and flow.constants[t] == {"x": 1}

    def test_binding_the_same_argument_twice_is_caught_when_validating(self):
        t = Add()
        with Flow("f") as flow:
            t.bind(x=Add()(1))
            with pytest.raises(
                ValueError, match='Argument "x" for task <Task: Add> has already been assigned'
            ):
                t.set_dependencies(keyword_tasks={"x": Add()(2)}, validate=True)
        assert len(flow.edges_to(t)) == 1

    def test_binding_adds_context_tags(self):
        t = Add(tags=["own"])
        with Flow("f"):
            with tags("ctx"):
                t.bind(x=1)
        assert t.tags == {"own", "ctx"}

    def test_bad_arguments_raise_type_error(self):
        with pytest.warns(UserWarning, match="Tasks were created but not added"):
            with Flow("f"):
                with pytest.raises(TypeError):
                    Add()(1, 2, 3)
                with pytest.raises(TypeError):
                    Add()(z=1)

    def test_var_keyword_arguments_become_keys(self):
        with Flow("f") as flow:
            src = Task()()
            k = Kw()(1, a=src, b=2)
        assert flow.constants[k] == {"x": 1, "b": 2}
        assert {e.key for e in flow.edges_to(k)} == {"a"}

    def test_collections_of_tasks_are_wrapped(self):
        with Flow("f") as flow:
            a = Add()(1)
            k = Kw()(1, items=[a, 2])
        (edge,) = flow.edges_to(k)
        assert type(edge.upstream_task).__name__ == "List" and edge.key == "items"


class TestMap:
    def test_map_creates_mapped_edges(self):
        with Flow("f") as flow:
            xs = Parameter("xs")
            m = Add().map(xs)
        (edge,) = flow.edges_to(m)
        assert edge.mapped and edge.key == "x"

    def test_map_plain_values_become_mapped_constants(self):
        with Flow("f") as flow:
            m = Add().map([1, 2, 3])
        (edge,) = flow.edges_to(m)
        assert edge.mapped and edge.upstream_task.value == [1, 2, 3]

    def test_unmapped_arguments_are_passed_whole(self):
        with Flow("f") as flow:
            xs, y = Parameter("xs"), Parameter("y")
            m = Add().map(xs, y=unmapped(y))
        by_key = {e.key: e for e in flow.edges_to(m)}
        assert by_key["x"].mapped and not by_key["y"].mapped

    def test_unmapped_plain_value_is_a_constant(self):
        with Flow("f") as flow:
            m = Add().map(Parameter("xs"), y=unmapped(10))
        assert flow.constants[m] == {"y": 10}

    def test_mapped_annotation_in_a_plain_call(self):
        with Flow("f") as flow:
            xs, y = Parameter("xs"), Parameter("y")
            m = Add()(mapped(xs), y=y)
        by_key = {e.key: e for e in flow.edges_to(m)}
        assert by_key["x"].mapped and not by_key["y"].mapped

    def test_flatten_marks_the_edge(self):
        with Flow("f") as flow:
            m = Add().map(flatten(Parameter("xss")))
        (edge,) = flow.edges_to(m)
        assert edge.flattened and edge.mapped

    def test_map_upstream_tasks_are_mapped_unless_unmapped(self):
        with Flow("f") as flow:
            a, b = Task()(), Task()()
            m = Add().map(Parameter("xs"), upstream_tasks=[a, unmapped(b)])
        by_up = {e.upstream_task: e for e in flow.edges_to(m) if e.key is None}
        assert by_up[a].mapped and not by_up[b].mapped

    def test_map_with_task_args(self):
        with Flow("f"):
            m = Add().map(Parameter("xs"), task_args={"name": "mapped-add"})
        assert m.name == "mapped-add"

    def test_edge_annotations_repr(self):
        assert repr(unmapped(1)) == "unmapped(1)"
        nested = unmapped(flatten(2))
        assert nested.value == 2 and nested.annotations == {"flattened": True, "mapped": False}

    def test_the_innermost_annotation_wins(self):
        assert unmapped(mapped(1)).annotations == {"mapped": True}
        assert mapped(unmapped(1)).annotations == {"mapped": False}

    def test_map_refuses_unsubscriptable_positional_arguments(self):
        with pytest.raises(
            TypeError, match="Cannot map over unsubscriptable object of type <class 'int'>"
        ):
            Add().map(5)

    def test_mapped_copy_forgets_nout(self):
        """A mapped task returns one list, so it is not unpacked like its `run` result."""

        @task(nout=2)
        def pair(x):
            return x, x

        with Flow("f"):
            mapped_pair = pair.map([1, 2])
        assert pair.nout == 2 and mapped_pair.nout is None
        with pytest.raises(TypeError, match="Task is not iterable"):
            iter(mapped_pair)


class TestDependencies:
    def test_set_upstream_and_downstream(self):
        a, b, c = Task(name="a"), Task(name="b"), Task(name="c")
        with Flow("f") as flow:
            b.set_upstream(a)
            b.set_downstream(c)
        assert flow.upstream_tasks(b) == {a} and flow.downstream_tasks(b) == {c}

    def test_set_upstream_with_key_and_mapped(self):
        a, b = Task(), Add()
        flow = Flow("f")
        b.set_upstream(a, flow=flow, key="x", mapped=True)
        (edge,) = flow.edges_to(b)
        assert (edge.key, edge.mapped) == ("x", True)

    def test_set_downstream_with_key(self):
        a, b = Task(), Add()
        flow = Flow("f")
        a.set_downstream(b, flow=flow, key="y")
        assert {e.key for e in flow.edges_to(b)} == {"y"}

    def test_set_dependencies(self):
        a, b, c = Task(), Add(), Task()
        flow = Flow("f")
        b.set_dependencies(
            flow=flow, upstream_tasks=[a], downstream_tasks=[c], keyword_tasks={"x": a}
        )
        assert flow.upstream_tasks(b) == {a} and len(flow.edges_to(b)) == 2
        assert flow.downstream_tasks(b) == {c}

    def test_set_dependencies_without_a_flow(self):
        with pytest.raises(ValueError, match="could not infer an active Flow context"):
            Task().set_dependencies(upstream_tasks=[Task()])


class TestOperators:
    BINARY = [
        (lambda a, b: a + b, operators.Add),
        (lambda a, b: a - b, operators.Sub),
        (lambda a, b: a * b, operators.Mul),
        (lambda a, b: a / b, operators.Div),
        (lambda a, b: a // b, operators.FloorDiv),
        (lambda a, b: a % b, operators.Mod),
        (lambda a, b: a**b, operators.Pow),
        (lambda a, b: a & b, operators.And),
        (lambda a, b: a ^ b, operators.Xor),
        (lambda a, b: a > b, operators.GreaterThan),
        (lambda a, b: a >= b, operators.GreaterThanOrEqual),
        (lambda a, b: a < b, operators.LessThan),
        (lambda a, b: a <= b, operators.LessThanOrEqual),
        (lambda a, b: a.is_equal(b), operators.Equal),
        (lambda a, b: a.is_not_equal(b), operators.NotEqual),
        (lambda a, b: a.and_(b), operators.And),
        (lambda a, b: a.or_(b), operators.Or),
    ]

    @pytest.mark.parametrize("op, cls", BINARY)
    def test_binary_operator_builds_the_operator_task(self, op, cls):
        with Flow("f") as flow:
            a = Add()(1)
            r = op(a, 2)
        assert type(r) is cls and not r.auto_generated
        assert {e.key: e.upstream_task for e in flow.edges_to(r)} == {"x": a}
        assert flow.constants[r] == {"y": 2}

    REFLECTED = [
        (lambda a: 2 + a, operators.Add),
        (lambda a: 2 - a, operators.Sub),
        (lambda a: 2 * a, operators.Mul),
        (lambda a: 2 / a, operators.Div),
        (lambda a: 2 // a, operators.FloorDiv),
        (lambda a: 2 % a, operators.Mod),
        (lambda a: 2**a, operators.Pow),
        (lambda a: 2 & a, operators.And),
        (lambda a: 2 ^ a, operators.Xor),
    ]

    @pytest.mark.parametrize("op, cls", REFLECTED)
    def test_reflected_operators_put_the_task_second(self, op, cls):
        with Flow("f") as flow:
            a = Add()(1)
            r = op(a)
        assert type(r) is cls
        assert {e.key: e.upstream_task for e in flow.edges_to(r)} == {"y": a}
        assert flow.constants[r] == {"x": 2}

    def test_pipe_operator_makes_a_state_dependency(self):
        with Flow("f") as flow:
            a, b, c = Add()(1), Add()(2), Add()(3)
            assert (a | b) is b
            assert (7 | c) is c
        assert Edge(a, b) in flow.edges and flow.upstream_tasks(b) == {a}
        (const,) = flow.upstream_tasks(c)
        assert isinstance(const, Constant) and const.value == 7

    def test_pipe_method_passes_the_result_on(self):
        with Flow("f") as flow:
            a = Add()(1)
            b = a.pipe(Add(), y=5)
            wrapped = a.pipe(unmapped)
        assert {e.key: e.upstream_task for e in flow.edges_to(b)} == {"x": a}
        assert flow.constants[b] == {"y": 5} and wrapped is a
        with pytest.raises(
            ValueError, match='You cannot use the keyword argument "self" in .pipe.'
        ):
            a.pipe(Add(), self=1)

    def test_invert_and_not(self):
        with Flow("f") as flow:
            a = Add()(1)
            r1, r2 = ~a, a.not_()
        for r in (r1, r2):
            assert type(r) is operators.Not
            assert [e.upstream_task for e in flow.edges_to(r)] == [a]

    def test_getitem(self):
        with Flow("f") as flow:
            a = Add()(1)
            item = a["key"]
            by_task = a[Add()(0)]
        assert type(item) is operators.GetItem and flow.constants[item] == {"key": "key"}
        assert len(flow.edges_to(by_task)) == 2

    def test_operators_between_two_tasks(self):
        with Flow("f") as flow:
            a, b = Add()(1), Add()(2)
            r = a + b
        assert {e.key: e.upstream_task for e in flow.edges_to(r)} == {"x": a, "y": b}

    def test_operator_run_methods(self):
        assert operators.Add().run(1, 2) == 3 and operators.Sub().run(1, 2) == -1
        assert operators.Mul().run(2, 3) == 6 and operators.Div().run(1, 2) == 0.5
        assert operators.FloorDiv().run(7, 2) == 3 and operators.Mod().run(7, 2) == 1
        assert operators.Pow().run(2, 3) == 8 and operators.And().run(1, 0) == 0
        assert operators.Or().run(0, 2) == 2 and operators.Xor().run(3, 1) == 2
        assert operators.Equal().run(1, 1) is True and operators.NotEqual().run(1, 1) is False
        assert operators.GreaterThan().run(2, 1) and operators.GreaterThanOrEqual().run(1, 1)
        assert operators.LessThan().run(1, 2) and operators.LessThanOrEqual().run(2, 2)
        assert operators.Not().run(0) is True and operators.GetItem().run({"a": 1}, "a") == 1
        assert operators.GetAttr().run(datetime.date(2020, 1, 2), "year.real") == 2020

    def test_tasks_are_hashable_despite_comparison_operators(self):
        a, b = Task(), Task()
        assert len({a, b, a}) == 2
        assert a == a and a != b


class TestNout:
    def test_nout_allows_tuple_unpacking(self):
        @task(nout=2)
        def pair():
            return 1, 2

        with Flow("f") as flow:
            x, y = pair()
        assert type(x) is operators.GetItem and type(y) is operators.GetItem
        assert [flow.constants[t]["key"] for t in (x, y)] == [0, 1]

    def test_nout_is_inferred_from_a_tuple_annotation(self):
        @task
        def pair() -> Tuple[int, int]:
            return 1, 2

        @task
        def triple() -> tuple[int, str, float]:
            return 1, "a", 1.0

        @task
        def open_ended() -> Tuple[int, ...]:
            return (1,)

        assert pair.nout == 2 and triple.nout == 3 and open_ended.nout is None

    def test_nout_is_inferred_for_task_subclasses_too(self):
        class Pair(Task):
            def run(self) -> Tuple[int, int]:
                return 1, 2

        class Nothing(Task):
            def run(self) -> Tuple[()]:
                return ()

        assert Pair().nout == 2 and Nothing().nout == 0 and Task().nout is None

    def test_explicit_nout_wins_over_the_annotation(self):
        @task(nout=3)
        def f() -> Tuple[int, int]:
            return 1, 2

        assert f.nout == 3

    def test_task_without_nout_is_not_iterable(self):
        with Flow("f"):
            t = Add()(1)
            with pytest.raises(TypeError, match="Task is not iterable"):
                a, b = t


class TestDecoratorAndFunctionTask:
    def test_decorator_without_arguments(self):
        @task
        def my_fn(x):
            """Docs."""
            return x * 2

        assert isinstance(my_fn, FunctionTask) and my_fn.name == "my_fn"
        assert my_fn.run(3) == 6 and my_fn.fn(4) == 8 and my_fn.__doc__ == "Docs."

    def test_decorator_with_arguments(self):
        @task(name="named", tags=["t"], max_retries=1, retry_delay=DELAY)
        def f():
            return 1

        assert (f.name, f.tags, f.max_retries) == ("named", {"t"}, 1)

    def test_function_task_pickles(self):
        import cloudpickle

        @task
        def f(x):
            return x + 1

        restored = cloudpickle.loads(cloudpickle.dumps(f))
        assert restored.run(1) == 2 and restored.logger.name == "prefect.f"

    def test_defaults_from_attrs_fills_missing_arguments(self):
        class Greeter(Task):
            def __init__(self, greeting="hi", name=None, **kwargs):
                self.greeting = greeting
                self.who = name
                super().__init__(**kwargs)

            @defaults_from_attrs("greeting")
            def run(self, greeting=None, suffix="!"):
                return greeting + suffix

        g = Greeter(greeting="hello")
        assert g.run() == "hello!"
        assert g.run(greeting="yo") == "yo!"
        assert g.run(suffix="?") == "hello?"
        # an argument passed explicitly is kept, even None
        with pytest.raises(TypeError):
            g.run(greeting=None)

    def test_context_flow_is_used_by_functional_calls(self):
        with Flow("f") as flow:
            assert context.flow is flow
        assert "flow" not in context
