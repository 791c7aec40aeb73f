"""ShellTask against real subprocesses (bash)."""

import logging
import shutil
from typing import Iterator, List

import pytest

from prefect_classic import Flow
from prefect_classic.engine import signals
from prefect_classic.tasks.shell import STDERR_TAIL_LINES, ShellTask

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash on PATH")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int = logging.DEBUG) -> List[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


@pytest.fixture
def logs() -> Iterator[_Collect]:
    """Collect every record of the `prefect` logger tree (it does not propagate to root)."""
    handler = _Collect()
    root = logging.getLogger("prefect")
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_returns_last_line_of_stdout():
    assert ShellTask().run(command="echo one; echo two") == "two"


def test_return_all_returns_every_stdout_line():
    assert ShellTask(return_all=True).run(command="printf 'a\\nb\\nc\\n'") == ["a", "b", "c"]


def test_no_output_returns_none_or_empty_list():
    assert ShellTask().run(command="true") is None
    assert ShellTask(return_all=True).run(command="true") == []


def test_stderr_is_not_part_of_the_result():
    assert ShellTask().run(command="echo out; echo err >&2") == "out"


def test_missing_command_raises_type_error():
    with pytest.raises(TypeError, match="command"):
        ShellTask().run()


def test_command_given_at_init_is_the_default():
    assert ShellTask(command="echo from-init").run() == "from-init"
    assert ShellTask(command="echo from-init").run(command="echo from-run") == "from-run"


def test_env_is_added_to_the_current_environment(monkeypatch):
    monkeypatch.setenv("SHELL_TASK_INHERITED", "inherited")
    task = ShellTask(env={"SHELL_TASK_VAR": "init"})
    assert task.run(command='echo "$SHELL_TASK_VAR $SHELL_TASK_INHERITED"') == "init inherited"
    assert task.run(command='echo "$SHELL_TASK_VAR"', env={"SHELL_TASK_VAR": "run"}) == "run"


def test_helper_script_runs_first_in_the_same_shell(tmp_path):
    task = ShellTask(helper_script=f'cd {tmp_path}\ngreet() {{ echo "hi $1"; }}')
    assert task.run(command="greet there") == "hi there"
    assert task.run(command="pwd") == str(tmp_path)
    assert task.run(command="pwd", helper_script="cd /") == "/"


def test_other_shell_is_used(tmp_path):
    if shutil.which("sh") is None:
        pytest.skip("needs sh on PATH")
    assert ShellTask(shell="sh").run(command="echo $0").endswith("command.sh")


def test_non_zero_exit_raises_fail_with_exit_code_and_stderr_tail():
    lines = "; ".join(f"echo err{i} >&2" for i in range(STDERR_TAIL_LINES + 5))
    with pytest.raises(signals.FAIL) as info:
        ShellTask().run(command=f"echo partial; {lines}; exit 3")
    message = str(info.value)
    assert message.startswith("Command failed with exit code 3")
    assert f"err{STDERR_TAIL_LINES + 4}" in message
    assert "err4\n" not in message and "err0" not in message  # only the tail is quoted
    assert info.value.state.is_failed()
    assert info.value.state.result == "partial"


def test_failure_without_stderr_has_plain_message():
    with pytest.raises(signals.FAIL) as info:
        ShellTask().run(command="false")
    assert str(info.value) == "Command failed with exit code 1"


def test_log_stderr_logs_stderr_on_failure(logs):
    with pytest.raises(signals.FAIL):
        ShellTask(log_stderr=True).run(
            command="echo first-problem >&2; echo second-problem >&2; exit 2"
        )
    errors = logs.messages(logging.ERROR)
    assert "Command failed with exit code 2" in errors
    assert "first-problem\nsecond-problem" in errors


def test_stderr_not_logged_without_log_stderr(logs):
    with pytest.raises(signals.FAIL):
        ShellTask().run(command="echo hidden-problem >&2; exit 2")
    assert not any("hidden-problem" in m for m in logs.messages())


def test_stream_output_logs_each_line_at_the_level(logs):
    ShellTask(stream_output="WARNING").run(command="echo line-1; echo line-2 >&2")
    warned = [r.getMessage() for r in logs.records if r.levelno == logging.WARNING]
    assert set(warned) == {"line-1", "line-2"}
    logs.records.clear()
    ShellTask(stream_output=True).run(command="echo streamed")
    assert [(r.levelno, r.getMessage()) for r in logs.records] == [(logging.INFO, "streamed")]


def test_stream_output_rejects_unknown_level():
    with pytest.raises(TypeError, match="not a valid log level"):
        ShellTask(stream_output="LOUD")


def test_in_a_flow_failure_names_exit_code_and_downstream_gets_output():
    shell = ShellTask()
    with Flow("shell") as flow:
        ok = shell(command="echo echo 41")
        bad = shell(command="echo nope >&2; exit 5")
        echo = ShellTask(name="echo")(command=ok)
    state = flow.run()
    assert state.is_failed()
    assert state.result[ok].result == "echo 41"
    assert state.result[echo].result == "41"  # the upstream output used as a command
    assert state.result[bad].is_failed()
    assert "exit code 5" in state.result[bad].message and "nope" in state.result[bad].message
