"""Bad arguments to Task, Flow, Parameter and flow.run fail when the object is built, with an error
that names the argument and shows the value that was given (not later, obscurely, in a run)."""

import datetime
import re

import pytest

from prefect_classic import Flow, Parameter, Task, task, unmapped
from prefect_classic.cache_policies import INPUTS
from prefect_classic.core.parameter import DateTimeParameter
from prefect_classic.engine.results import LocalResult, PrefectResult
from prefect_classic.executors import LocalExecutor
from prefect_classic.schedules import IntervalSchedule

DELAY = datetime.timedelta(seconds=1)


def raises_naming(exc_type, arg, shown):
    """`pytest.raises` for `exc_type` whose message contains both the argument and the value."""
    return pytest.raises(exc_type, match=f"(?s)(?=.*{re.escape(arg)})(?=.*{re.escape(shown)})")


# (keyword, bad value, how the value shows in the message, exception type)
TASK_CASES = [
    ("name", 1, "1", TypeError),
    ("slug", 2, "2", TypeError),
    ("trigger", "all_successful", "'all_successful'", TypeError),
    ("cache_validator", 3, "3", TypeError),
    ("cache_key_fn", "inputs", "'inputs'", TypeError),
    ("on_failure", "log", "'log'", TypeError),
    ("state_handlers", [print, "nope"], "'nope'", TypeError),
    ("state_handlers", "handler", "'handler'", TypeError),
    ("state_handlers", {print}, "{<built-in function print>}", TypeError),
    ("result", "/tmp/out", "'/tmp/out'", TypeError),
    ("result", LocalResult, "LocalResult", TypeError),
    ("result_storage", "/tmp/store", "'/tmp/store'", TypeError),
    ("target", 5, "5", TypeError),
    ("task_run_name", 6, "6", TypeError),
    ("cache_key", 7, "7", TypeError),
    ("cache_policy", "inputs", "'inputs'", TypeError),
    ("cache_expiration", datetime.timedelta(seconds=-5), "timedelta(days=-1", ValueError),
    ("cache_expiration", datetime.timedelta(0), "timedelta(0)", ValueError),
    ("cache_expiration", 60, "60", ValueError),
    ("refresh_cache", "no", "'no'", TypeError),
    ("persist_result", "no", "'no'", TypeError),
    ("checkpoint", "no", "'no'", TypeError),
    ("log_stdout", 1, "1", TypeError),
    ("skip_on_upstream_skip", "no", "'no'", TypeError),
    ("timeout", "10", "'10'", TypeError),
    ("max_retries", "2", "'2'", ValueError),
]


@pytest.mark.parametrize("arg, value, shown, exc_type", TASK_CASES, ids=lambda v: str(v)[:20])
def test_task_constructor_rejects_a_bad_argument(arg, value, shown, exc_type):
    with raises_naming(exc_type, arg, shown):
        Task(**{arg: value})


@pytest.mark.parametrize(
    "arg, value, shown, exc_type",
    [c for c in TASK_CASES if c[0] not in ("timeout", "max_retries")],
    ids=lambda v: str(v)[:20],
)
def test_task_copy_rejects_the_same_bad_attribute(arg, value, shown, exc_type):
    # the functional API copies tasks: `task_args` change attributes without the constructor
    with raises_naming(exc_type, arg, shown):
        Task().copy(**{arg: value})


def test_tags_must_be_a_collection():
    with raises_naming(TypeError, "tags", "5"):
        Task(tags=5)


def test_the_task_decorator_checks_its_arguments_too():
    with raises_naming(TypeError, "refresh_cache", "'no'"):

        @task(refresh_cache="no")
        def f():
            return 1


def test_retry_on_string_is_refused_whole_not_read_as_characters():
    with raises_naming(TypeError, "retry_on", "'ValueError'"):
        Task(max_retries=1, retry_delay=DELAY, retry_on="ValueError")


@pytest.mark.parametrize(
    "value, shown",
    [([ValueError, "KeyError"], "'KeyError'"), ({ValueError(1)}, "ValueError(1)"), (int, "int")],
)
def test_retry_on_must_hold_exception_classes(value, shown):
    with raises_naming(TypeError, "retry_on", shown):
        Task(max_retries=1, retry_delay=DELAY, retry_on=value)


def test_cache_policy_and_cache_key_fn_together_are_refused():
    def key_fn(context, inputs):
        return "k"

    with raises_naming(ValueError, "cache_key_fn", "key_fn"):
        Task(cache_policy=INPUTS, cache_key_fn=key_fn)


def test_good_arguments_are_accepted_and_kept(tmp_path):
    def handler(task, old, new):
        return new

    res = LocalResult(dir=str(tmp_path))
    t = Task(
        name="n",
        trigger=all,
        cache_key="k",
        checkpoint=False,
        log_stdout=True,
        skip_on_upstream_skip=False,
        state_handlers=(handler,),
        on_failure=print,
        result=res,
        target=lambda **kw: "x",
        task_run_name="run-{x}",
        cache_policy=INPUTS,
        cache_expiration=datetime.timedelta(minutes=1),
        refresh_cache=False,
        persist_result=True,
        result_storage=res,
    )
    assert (t.trigger, t.cache_key, t.checkpoint, t.log_stdout) == (all, "k", False, True)
    assert t.cache_policy is INPUTS and t.result_storage is res and t.refresh_cache is False
    assert t.state_handlers[0] is handler


def test_an_object_that_reads_and_writes_like_a_result_is_accepted():
    # Prefect 1 stores any object here; users pass adapters and test doubles
    class ResultLike:
        def read(self, location):
            return self

        def write(self, value, **kwargs):
            return self

    stand_in = ResultLike()
    assert Task(result=stand_in).result is stand_in
    assert Flow("f", result=stand_in).result is stand_in


class TestFlow:
    def test_schedule_string_is_refused(self):
        with raises_naming(TypeError, "schedule", "'daily'"):
            Flow("f", schedule="daily")

    def test_schedule_class_instead_of_instance_is_refused(self):
        with raises_naming(TypeError, "schedule", "IntervalSchedule"):
            Flow("f", schedule=IntervalSchedule)

    def test_executor_string_is_refused(self):
        with raises_naming(TypeError, "executor", "'local'"):
            Flow("f", executor="local")

    def test_executor_class_instead_of_instance_is_refused(self):
        with raises_naming(TypeError, "executor", "LocalExecutor"):
            Flow("f", executor=LocalExecutor)

    @pytest.mark.parametrize(
        "arg, value, shown",
        [
            ("result", "out/", "'out/'"),
            ("on_failure", 1, "1"),
            ("terminal_state_handler", "x", "'x'"),
            ("state_handlers", [None], "None"),
            ("name", 5, "5"),
        ],
    )
    def test_other_bad_arguments(self, arg, value, shown):
        with raises_naming(TypeError, arg, shown):
            Flow(**{"name": "f", arg: value})

    @pytest.mark.parametrize(
        "arg, value, shown",
        [
            ("tasks", 5, "5"),
            ("reference_tasks", 5, "5"),
            ("edges", "ab", "'ab'"),
            ("edges", [1], "1"),
            ("validate", "yes", "'yes'"),
        ],
    )
    def test_collections_and_validate(self, arg, value, shown):
        with raises_naming(TypeError, arg, shown):
            Flow(**{"name": "f", arg: value})

    @pytest.mark.parametrize(
        "arg, value, shown",
        [
            ("executor", "local", "'local'"),
            ("run_on_schedule", "no", "'no'"),
            ("task_states", 5, "5"),
            ("context", [1], "[1]"),
            ("task_contexts", "x", "'x'"),
        ],
    )
    def test_run_arguments_are_checked_before_the_run(self, arg, value, shown):
        flow = Flow("f", tasks=[Task()])
        with raises_naming(TypeError, arg, shown):
            flow.run(**{arg: value})

    def test_a_parameter_named_like_a_run_argument_takes_any_value(self):
        flow = Flow("f", tasks=[Parameter("context", default=None)])
        state = flow.run(context="a plain string")
        assert state.is_successful()
        assert state.result[flow.get_tasks(name="context")[0]].result == "a plain string"

    @pytest.mark.parametrize(
        "arg, value, shown",
        [("upstream_tasks", 5, "5"), ("upstream_tasks", "ab", "'ab'"), ("task_args", 5, "5")],
    )
    def test_calling_a_task_checks_its_keywords(self, arg, value, shown):
        t = Task()
        with Flow("f"):
            with raises_naming(TypeError, arg, shown):
                t(**{arg: value})

    def test_set_dependencies_checks_downstream_tasks(self):
        with raises_naming(TypeError, "downstream_tasks", "7"):
            Flow("f").set_dependencies(Task(), downstream_tasks=7)

    def test_good_schedule_and_executor_are_kept(self):
        schedule, executor = IntervalSchedule(interval=datetime.timedelta(hours=1)), LocalExecutor()
        flow = Flow("f", schedule=schedule, executor=executor, result=PrefectResult())
        assert flow.schedule is schedule and flow.executor is executor

    def test_run_with_parameters_that_are_not_a_mapping(self):
        flow = Flow("f", tasks=[Parameter("x", default=1)])
        with raises_naming(ValueError, "parameters", "'x'"):
            flow.run(parameters="x")

    def test_an_edge_from_a_task_to_itself_is_refused_at_construction(self):
        t = Task(name="loop")
        flow = Flow("f")
        with raises_naming(ValueError, "to itself", "<Task: loop>"):
            flow.add_edge(t, t)
        assert flow.edges == set()

    def test_an_annotated_edge_from_a_task_to_itself_is_refused_too(self):
        t = Task(name="loop")
        flow = Flow("f")
        with raises_naming(ValueError, "to itself", "<Task: loop>"):
            flow.add_edge(unmapped(t), t)
        assert flow.edges == set()

    def test_mapping_over_a_non_sequence_is_refused_at_construction(self):
        @task
        def inc(x):
            return x + 1

        with Flow("f") as flow:
            with raises_naming(TypeError, "`x`", "5"):
                inc.map(5)
        assert flow.tasks == set()

    def test_a_keyword_value_is_only_judged_when_the_flow_runs(self):
        # Prefect 1 builds such a flow (it can be drawn or serialized); the mapped task fails at run
        @task
        def add(x, y):
            return x + y

        with Flow("f") as flow:
            total = add.map([1, 2], y=8)
        state = flow.run()
        assert state.result[total].is_failed()
        assert "unmappable" in state.result[total].message


class TestParameterDefault:
    @pytest.mark.parametrize(
        "value, shown",
        [
            ({1, 2}, "{1, 2}"),
            (object, "<class 'object'>"),
            (datetime.date(2020, 1, 2), "datetime.date(2020, 1, 2)"),
        ],
    )
    def test_a_non_json_default_is_refused_at_construction(self, value, shown):
        with raises_naming(TypeError, "default", shown):
            Parameter("p", default=value)

    def test_required_must_be_a_boolean(self):
        with raises_naming(TypeError, "required", "'yes'"):
            Parameter("p", required="yes")

    def test_the_error_names_the_parameter(self):
        with pytest.raises(TypeError, match="Parameter 'when'"):
            Parameter("when", default={1})

    @pytest.mark.parametrize(
        "value", [None, 1, 1.5, "s", True, [1, "a"], {"a": [1, {"b": None}]}, (1, 2)]
    )
    def test_json_defaults_are_accepted(self, value):
        assert Parameter("p", default=value).default == value

    def test_a_datetime_parameter_accepts_a_datetime_default(self):
        when = datetime.datetime(2020, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)
        p = DateTimeParameter("when", default=when)
        assert p.run() == when

    def test_a_datetime_parameter_still_refuses_other_objects(self):
        with raises_naming(TypeError, "default", "{1}"):
            DateTimeParameter("when", default={1})
