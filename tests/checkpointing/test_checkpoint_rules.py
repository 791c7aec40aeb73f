"""When a task's value is written (checkpointing), where it goes, and what happens when a target
is corrupt, a write fails, runs race, or a task retries."""

import datetime
import threading

import cloudpickle
import pytest

from prefect_classic import Flow, Parameter, Task, task
from prefect_classic.engine.results import LocalResult, PrefectResult
from prefect_classic.engine.serializers import JSONSerializer
from prefect_classic.utilities.configuration import set_temporary_config


class CountingLocalResult(LocalResult):
    """A LocalResult that records the locations it writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.writes = []

    def write(self, value_, **kwargs):
        written = super().write(value_, **kwargs)
        self.writes.append(written.location)
        return written


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _value_at(path):
    with open(path, "rb") as f:
        return cloudpickle.loads(f.read())


CHECKPOINTING_ON = {"flows.checkpointing": True}


def test_flow_result_is_the_default_for_tasks_without_a_result(tmp_path):
    """Flow(result=LocalResult(...)) stores tasks that have no result; a task's own result wins."""
    own_dir = tmp_path / "own"

    @task
    def plain():
        return "plain"

    @task(result=LocalResult(dir=own_dir))
    def own():
        return "own"

    flow = Flow("flow-result", tasks=[plain, own], result=LocalResult(dir=tmp_path / "flow"))
    with set_temporary_config(CHECKPOINTING_ON):
        state = flow.run()
    plain_loc = state.result[plain]._result.location
    own_loc = state.result[own]._result.location
    assert plain_loc.startswith(str(tmp_path / "flow") + "/") and _value_at(plain_loc) == "plain"
    assert own_loc.startswith(str(own_dir) + "/") and _value_at(own_loc) == "own"
    assert isinstance(state.result[plain]._result, LocalResult)


def test_parameters_use_prefect_result_whose_location_is_the_json_value(tmp_path):
    p = Parameter("p")
    flow = Flow("params", tasks=[p], result=LocalResult(dir=tmp_path))
    with set_temporary_config(CHECKPOINTING_ON):
        state = flow.run(parameters={"p": {"a": [1, 2]}})
    p_state = state.result[p]
    assert isinstance(p_state._result, PrefectResult)
    assert p_state._result.location == '{"a": [1, 2]}'
    assert _files(tmp_path) == []  # the flow's Result is not used for Parameters


def test_checkpoint_false_opts_out_even_with_checkpointing_and_a_flow_result(tmp_path):
    @task(checkpoint=False)
    def skipped():
        return 1

    @task
    def stored():
        return 2

    flow = Flow("opt-out", tasks=[skipped, stored], result=LocalResult(dir=tmp_path))
    with set_temporary_config(CHECKPOINTING_ON):
        state = flow.run()
    assert state.result[skipped]._result.location is None
    assert state.result[skipped].result == 1
    assert len(_files(tmp_path)) == 1 and _value_at(state.result[stored]._result.location) == 2


def test_none_values_are_not_written(tmp_path):
    @task(checkpoint=True, result=LocalResult(dir=tmp_path))
    def nothing():
        return None

    flow = Flow("none", tasks=[nothing])
    with set_temporary_config(CHECKPOINTING_ON):
        state = flow.run()
    assert state.result[nothing].is_successful() and state.result[nothing]._result.location is None
    assert _files(tmp_path) == []


def test_checkpointing_off_writes_nothing_without_a_target(tmp_path):
    @task(checkpoint=True, result=LocalResult(dir=tmp_path))
    def value():
        return 1

    state = Flow("off", tasks=[value]).run()
    assert state.result[value].result == 1 and state.result[value]._result.location is None
    assert _files(tmp_path) == []


def test_target_with_checkpoint_true_is_written_even_with_checkpointing_off(tmp_path):
    """A target plus checkpoint=True fills the target even when global checkpointing is off, so
    the seed's target example works with Prefect Core's defaults."""

    @task(target="t.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def value():
        return 1

    flow = Flow("target-on", tasks=[value])
    assert flow.run(context={"checkpointing": False}).result[value].is_successful()
    assert _files(tmp_path) == ["t.bin"]
    assert flow.run(context={"checkpointing": False}).result[value].is_cached()


def test_target_without_checkpoint_flag_is_read_but_only_written_with_checkpointing_on(tmp_path):
    @task(target="t.bin", result=LocalResult(dir=tmp_path))
    def value():
        return 1

    flow = Flow("target-unset", tasks=[value])
    assert flow.run().result[value].is_successful()
    assert _files(tmp_path) == []
    with set_temporary_config(CHECKPOINTING_ON):
        assert flow.run().result[value].is_successful()
    assert _files(tmp_path) == ["t.bin"]
    assert flow.run().result[value].is_cached()


def test_target_with_checkpoint_false_is_never_written(tmp_path):
    @task(target="t.bin", checkpoint=False, result=LocalResult(dir=tmp_path))
    def value():
        return 1

    with set_temporary_config(CHECKPOINTING_ON):
        assert Flow("target-off", tasks=[value]).run().result[value].is_successful()
    assert _files(tmp_path) == []


def test_cached_target_value_flows_downstream(tmp_path):
    (tmp_path / "up.bin").write_bytes(cloudpickle.dumps(20))
    calls = []

    @task(target="up.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def up():
        calls.append("up")
        return 1

    @task
    def down(x):
        return x + 1

    with Flow("downstream") as flow:
        d = down(up)
    state = flow.run()
    assert state.result[d].result == 21 and calls == []


@pytest.mark.parametrize(
    "stored",
    [b"\x00\x01 not a pickle \xff", JSONSerializer().serialize({"written": "as json"})],
    ids=["garbage-bytes", "other-serializer"],
)
def test_corrupt_target_warns_naming_the_location_and_reruns_replacing_the_value(
    tmp_path, prefect_logs, stored
):
    (tmp_path / "corrupt.bin").write_bytes(stored)
    calls = []

    @task(target="corrupt.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def fresh():
        calls.append(1)
        return {"fresh": True}

    state = Flow("corrupt", tasks=[fresh]).run()
    assert state.result[fresh].is_successful() and not state.result[fresh].is_cached()
    assert calls == [1]
    warnings = [r.getMessage() for r in prefect_logs.records if r.levelname == "WARNING"]
    assert any("corrupt.bin" in w and "could not be read" in w for w in warnings), warnings
    assert _value_at(tmp_path / "corrupt.bin") == {"fresh": True}
    assert Flow("corrupt", tasks=[fresh]).run().result[fresh].is_cached()
    assert calls == [1]


def test_failed_checkpoint_write_fails_the_task_naming_the_cause(tmp_path):
    """A write that cannot happen (a file where the target's folder should be) -> Failed whose
    message names the task, the path and the cause."""
    (tmp_path / "blocker").write_text("a file, not a folder")

    @task(target="blocker/value.bin", checkpoint=True, result=LocalResult(dir=tmp_path))
    def value():
        return 1

    state = Flow("write-fails", tasks=[value]).run()
    task_state = state.result[value]
    assert state.is_failed() and task_state.is_failed()
    assert "Error checkpointing the result of task 'value'" in task_state.message
    assert str(tmp_path / "blocker" / "value.bin") in task_state.message
    assert "Not a directory" in task_state.message or "exists" in task_state.message
    assert isinstance(task_state.result, OSError)


def test_retrying_task_is_checkpointed_once_after_it_succeeds(tmp_path):
    """Failed -> Retrying -> Success: the value is written once, by the successful run."""
    result = CountingLocalResult(dir=tmp_path)
    runs = []

    @task(
        max_retries=2,
        retry_delay=datetime.timedelta(seconds=0),
        checkpoint=True,
        result=result,
        target="{task_name}.bin",
    )
    def flaky():
        runs.append(len(runs))
        if len(runs) < 3:
            raise RuntimeError("not yet")
        return "third time lucky"

    state = Flow("retry", tasks=[flaky]).run()
    task_state = state.result[flaky]
    assert task_state.is_successful() and task_state.result == "third time lucky"
    assert runs == [0, 1, 2]
    assert result.writes == [str(tmp_path / "flaky.bin")]
    assert _value_at(tmp_path / "flaky.bin") == "third time lucky"


def test_two_flow_runs_racing_for_one_target_both_succeed_leaving_one_whole_value(tmp_path):
    """With target locks off, two threads run the same flow at once; both bodies run (neither
    finds the target), both write it, and the file holds one of the two values, whole."""
    size = 2 * 1024 * 1024
    both_running = threading.Barrier(2, timeout=30)

    class Big(Task):
        def run(self, tag):
            both_running.wait()  # both runs are past the target check before either writes
            return tag, tag.encode() * size

    with Flow("race") as flow:
        tag = Parameter("tag")
        big = Big(target="shared.bin", checkpoint=True, result=LocalResult(dir=tmp_path))(tag=tag)
    states = {}

    def run(name):
        states[name] = flow.run(parameters={"tag": name})

    threads = [threading.Thread(target=run, args=(name,)) for name in "xy"]
    with set_temporary_config({"tasks.lock_targets": False}):
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert set(states) == {"x", "y"}
    for name, state in states.items():
        assert state.is_successful() and not state.result[big].is_cached()
        assert state.result[big].result[0] == name
    tag_value, payload = _value_at(tmp_path / "shared.bin")
    assert tag_value in ("x", "y") and payload == tag_value.encode() * size
    assert _files(tmp_path) == ["shared.bin"]  # no temporary files left
