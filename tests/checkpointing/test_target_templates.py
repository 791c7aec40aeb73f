"""Target templates in real flow runs: context keys, parameters, task inputs, callables, and the
errors for templates that ask for something that is not there."""

import pendulum
import pytest

from prefect_classic import Flow, Parameter, task
from prefect_classic.engine.results import LocalResult
from prefect_classic.utilities.templates import TemplateError, format_template, template_fields


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_context_parameter_and_input_keys_render_into_the_target_path(tmp_path):
    """{today}, {flow_name}, {task_name}, {task_full_name}, {parameters[x]}, {task_run_count} and
    the task's inputs by name all fill the target."""
    template = "{today}/{flow_name}/{task_name}/{task_full_name}/p{parameters[x]}/run{task_run_count}/{y}.bin"

    @task(target=template, checkpoint=True, result=LocalResult(dir=tmp_path))
    def double(y):
        return 2 * y

    with Flow("tmpl-flow") as flow:
        x = Parameter("x")
        doubled = double(y=x)
    today = pendulum.now("utc").strftime("%Y-%m-%d")
    state = flow.run(parameters={"x": 7})
    assert state.is_successful()
    assert _files(tmp_path) == [f"{today}/tmpl-flow/double/double/p7/run1/7.bin"]
    assert state.result[doubled]._result.location == str(tmp_path / _files(tmp_path)[0])
    assert flow.run(parameters={"x": 7}).result[doubled].is_cached()
    assert flow.run(parameters={"x": 8}).result[doubled].result == 16  # another target: runs
    assert len(_files(tmp_path)) == 2


def test_unknown_key_fails_the_task_naming_the_key_and_the_available_ones(tmp_path):
    """A target asking for an unknown key -> Failed; the body does not run, nothing is written."""
    calls = []

    @task(target="{not_a_key}/{task_name}.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def work(a):
        calls.append(a)
        return a

    with Flow("unknown-key") as flow:
        worked = work(a=1)
    state = flow.run()
    task_state = state.result[worked]
    assert state.is_failed() and task_state.is_failed()
    assert "'not_a_key'" in task_state.message
    available = task_state.message.split("Available keys: ", 1)[1].split(", ")
    assert {"a", "task_name", "flow_name", "today", "date", "parameters", "map_index"} <= set(
        available
    )
    assert isinstance(task_state.result, TemplateError)
    assert calls == [] and _files(tmp_path) == []


def test_missing_parameter_in_template_names_the_parameter_and_lists_the_given_ones(tmp_path):
    @task(target="{parameters[missing]}.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def work():
        return 1

    with Flow("missing-param") as flow:
        flow.add_task(Parameter("present"))
        flow.add_task(work)
    task_state = flow.run(parameters={"present": 1}).result[work]
    assert task_state.is_failed()
    assert "'missing' is not in parameters" in task_state.message
    assert "Available in parameters: present" in task_state.message


def test_callable_target_receives_the_same_values_as_a_template(tmp_path):
    """A callable target is called with context keys, parameters (also flattened) and inputs."""
    seen = []

    def target(**kwargs):
        seen.append(kwargs)
        return f"{kwargs['flow_name']}/{kwargs['task_name']}-{kwargs['n']}-{kwargs['parameters']['p']}.bin"

    @task(target=target, checkpoint=True, result=LocalResult(dir=tmp_path))
    def square(n):
        return n * n

    with Flow("callable") as flow:
        p = Parameter("p")
        squared = square(n=p)
    state = flow.run(parameters={"p": 3})
    assert state.result[squared].result == 9
    assert _files(tmp_path) == ["callable/square-3-3.bin"]
    kwargs = seen[0]
    assert kwargs["p"] == 3 and kwargs["n"] == 3  # parameters by name, then inputs by name
    assert {"today", "date", "task_full_name", "task_run_count", "map_index", "flow_run_id"} <= set(
        kwargs
    )
    again = flow.run(parameters={"p": 3}).result[squared]
    assert again.is_cached() and again.result == 9


def test_result_location_template_without_target_is_formatted_on_checkpoint(tmp_path):
    """A Result's own location template is rendered with the same values when checkpointing."""

    @task(
        checkpoint=True,
        result=LocalResult(dir=tmp_path, location="{flow_name}/{task_name}-{v}.bin"),
    )
    def ident(v):
        return v

    with Flow("located") as flow:
        out = ident(v=5)
    state = flow.run(context={"checkpointing": True})
    assert state.result[out]._result.location == str(tmp_path / "located/ident-5.bin")


class TestFormatTemplate:
    def test_renders_keys_items_attributes_and_format_specs(self):
        date = pendulum.datetime(2024, 1, 1)
        text = format_template(
            "{date:%A}/{parameters[x]}/{date.year}/{{x}}", date=date, parameters={"x": 1}
        )
        assert text == "Monday/1/2024/{x}"

    def test_calls_a_callable_with_the_values(self):
        assert format_template(lambda **kw: f"{kw['a']}-{kw['b']}", a=1, b=2) == "1-2"

    @pytest.mark.parametrize(
        "template, expected",
        [
            (
                "{nope}",
                "uses the key 'nope', which is not available. Available keys: a, parameters",
            ),
            ("{parameters[z]}", "'z' is not in parameters. Available in parameters: x"),
            ("{a.real.nope}", "a.real has no attribute 'nope'"),
            ("{}", "uses a positional field {}"),
            ("{0}", "uses a positional field {0}"),
            ("{a[1]}", "1 is not in a."),
            ("{a:%A}", "could not be formatted: ValueError"),
        ],
    )
    def test_errors_say_what_is_missing(self, template, expected):
        with pytest.raises(TemplateError) as info:
            format_template(template, a=1, parameters={"x": 1})
        assert expected in str(info.value)
        assert isinstance(info.value, KeyError)  # callers catching KeyError keep working

    def test_template_fields_are_the_top_level_names(self):
        assert template_fields("{date:%A}/{parameters[x]}/{task.name}/{{literal}}/plain") == {
            "date",
            "parameters",
            "task",
        }


def test_input_values_containing_braces_are_not_formatted_twice(tmp_path):
    """The rendered target is used as it is: an input value like "a{b}" stays literal."""

    @task(target="{name}.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def echo(name):
        return name

    with Flow("braces") as flow:
        out = echo(name="a{b}")
    assert flow.run().result[out].result == "a{b}"
    assert _files(tmp_path) == ["a{b}.bin"]
    assert flow.run().result[out].is_cached()


def test_target_without_a_storing_result_fails_clearly():
    """A target needs a Result that stores values (task result= or Flow(result=))."""
    calls = []

    @task(target="x.bin", checkpoint=True)
    def work():
        calls.append(1)
        return 1

    task_state = Flow("no-result", tasks=[work]).run().result[work]
    assert task_state.is_failed() and calls == []
    assert task_state.message == (
        "Could not check the target of task 'work': Result does not store values: choose a "
        "Result subclass that does, such as LocalResult, S3Result or GCSResult"
    )
