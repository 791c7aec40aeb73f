"""The examples of seed 003 ("Persisting Output", "Output Caching based on a file target"), run
as written except that they import `prefect_classic`. `~` is the test's own home folder."""

import json
import textwrap

import cloudpickle
import pendulum

from prefect_classic import Flow
from prefect_classic.engine.results import LocalResult
from prefect_classic.utilities.configuration import set_temporary_config

PERSISTING_OUTPUT = textwrap.dedent(
    """
    from prefect_classic.engine.results import LocalResult
    from prefect_classic import task, Task


    class MyTask(Task):
        def run(self):
            return 42


    # create a task via initializing our custom Task class
    class_task = MyTask(
        checkpoint=True, result=LocalResult(dir="~/.prefect")
    )


    # create a task via the task decorator
    @task(checkpoint=True, result=LocalResult(dir="~/.prefect"))
    def func_task():
        return 99
    """
)

FILE_TARGET = textwrap.dedent(
    """
    from prefect_classic.engine.results import LocalResult
    from prefect_classic import task, Task


    # create a task via the task decorator
    @task(target="func_task_target.txt", checkpoint=True, result=LocalResult(dir="~/.prefect"))
    def func_task():
        return 99
    """
)

WEEKDAY_TARGET = textwrap.dedent(
    """
    from prefect_classic.engine.results import LocalResult
    from prefect_classic import task, Task


    # create a task via the task decorator
    @task(target="{date:%A}/{task_name}.txt", checkpoint=True, result=LocalResult(dir="~/.prefect"))
    def func_task():
        return 99
    """
)

# appended to a seed example: count body executions (a line per call in body_calls.txt), run the
# example's tasks in a flow and print each task's final state as JSON
RUN_AND_REPORT = textwrap.dedent(
    """
    import json, os
    from prefect_classic import Flow

    def _spy(task):
        original = task.run
        def run(*args, **kwargs):
            with open(os.path.expanduser("~/body_calls.txt"), "a") as f:
                f.write(task.name + "\\n")
            return original(*args, **kwargs)
        task.run = run

    _tasks = [t for t in (globals().get("class_task"), globals().get("func_task")) if t is not None]
    for _t in _tasks:
        _spy(_t)
    with Flow("seed-003") as flow:
        for _t in _tasks:
            flow.add_task(_t)
    _state = flow.run()
    print(json.dumps({
        "flow": type(_state).__name__,
        "tasks": {
            t.name: {"state": type(s).__name__, "message": s.message, "result": s.result,
                     "location": s._result.location}
            for t, s in _state.result.items()
        },
    }))
    """
)


def _seed_namespace(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "<seed 003>", "exec"), namespace)
    return namespace


def _report(proc) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _body_calls(home) -> list:
    calls = home / "body_calls.txt"
    return calls.read_text().split() if calls.exists() else []


def test_persisting_output_writes_each_value_to_a_file_under_the_result_dir(home):
    """With checkpointing on (set_temporary_config), MyTask(...) and @task(...) write their
    return values through LocalResult(dir="~/.prefect"); the Success state's result points at
    the file, which holds the value."""
    ns = _seed_namespace(PERSISTING_OUTPUT)
    with Flow("seed-003") as flow:
        flow.add_task(ns["class_task"])
        flow.add_task(ns["func_task"])
    with set_temporary_config({"flows.checkpointing": True}):
        state = flow.run()
    assert state.is_successful()
    for task, expected in ((ns["class_task"], 42), (ns["func_task"], 99)):
        task_state = state.result[task]
        assert task_state.is_successful() and task_state.result == expected
        location = task_state._result.location
        assert location.startswith(str(home / ".prefect") + "/")
        with open(location, "rb") as f:
            assert cloudpickle.loads(f.read()) == expected
        assert LocalResult(dir="~/.prefect").read(location).value == expected


def test_persisting_output_with_checkpointing_from_the_environment(home, run_python):
    """PREFECT__FLOWS__CHECKPOINTING=true in a new process turns checkpointing on."""
    proc = run_python(
        PERSISTING_OUTPUT + RUN_AND_REPORT, env={"PREFECT__FLOWS__CHECKPOINTING": "true"}
    )
    tasks = _report(proc)["tasks"]
    assert {name: t["result"] for name, t in tasks.items()} == {"MyTask": 42, "func_task": 99}
    for name, expected in (("MyTask", 42), ("func_task", 99)):
        location = tasks[name]["location"]
        assert tasks[name]["state"] == "Success"
        assert location.startswith(str(home / ".prefect") + "/")
        assert LocalResult(dir="~/.prefect").read(location).value == expected


def test_persisting_output_is_off_by_default(home, run_python):
    """Without checkpointing turned on, checkpoint=True tasks write nothing (Prefect Core's
    default)."""
    proc = run_python(PERSISTING_OUTPUT + RUN_AND_REPORT)
    tasks = _report(proc)["tasks"]
    assert {name: (t["state"], t["location"]) for name, t in tasks.items()} == {
        "MyTask": ("Success", None),
        "func_task": ("Success", None),
    }
    assert not any(p.is_file() for p in (home / ".prefect").rglob("*"))


def test_file_target_is_written_then_reused_by_a_new_process_without_running_the_body(
    home, run_python
):
    """First process: the body runs and the value lands at ~/.prefect/func_task_target.txt.
    Second process: the task enters Cached with the value from the file; the body does not run."""
    first = _report(run_python(FILE_TARGET + RUN_AND_REPORT))["tasks"]["func_task"]
    target = home / ".prefect" / "func_task_target.txt"
    assert (first["state"], first["result"], first["location"]) == ("Success", 99, str(target))
    assert cloudpickle.loads(target.read_bytes()) == 99
    assert _body_calls(home) == ["func_task"]

    second = _report(run_python(FILE_TARGET + RUN_AND_REPORT))["tasks"]["func_task"]
    assert (second["state"], second["result"]) == ("Cached", 99)
    assert second["message"] == "Result found at task target func_task_target.txt"
    assert _body_calls(home) == ["func_task"], "the body ran again although the target existed"


def test_weekday_target_writes_under_the_weekday_folder_and_is_reused(home):
    """target="{date:%A}/{task_name}.txt" writes ~/.prefect/<Weekday>/func_task.txt; the next run
    is Cached from it."""
    ns = _seed_namespace(WEEKDAY_TARGET)
    with Flow("seed-003") as flow:
        flow.add_task(ns["func_task"])
    days = {pendulum.now("utc").format("dddd")}
    first = flow.run().result[ns["func_task"]]
    days.add(pendulum.now("utc").format("dddd"))  # a run across midnight may use either day
    written = [p for p in (home / ".prefect").rglob("*") if p.is_file()]
    assert len(written) == 1 and written[0].name == "func_task.txt"
    assert written[0].parent.name in days and written[0].parent.parent == home / ".prefect"
    assert first.is_successful() and first._result.location == str(written[0])
    assert cloudpickle.loads(written[0].read_bytes()) == 99

    second = flow.run().result[ns["func_task"]]
    assert second.is_cached() and second.result == 99
    assert second.message == f"Result found at task target {written[0].parent.name}/func_task.txt"
