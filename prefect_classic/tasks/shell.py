"""`ShellTask`: run a shell command in a subprocess and return its output."""

import collections
import logging
import os
import subprocess
import sys
import tempfile
import threading
from typing import IO, Any, Callable, Deque, List, Optional, Union

from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.utilities.tasks import defaults_from_attrs

__all__ = ["ShellTask"]

#: how many trailing stderr lines a failure message quotes
STDERR_TAIL_LINES = 10
#: how many trailing stderr lines are kept for `log_stderr`
STDERR_KEPT_LINES = 1000


def _log_level(stream_output: Union[bool, int, str]) -> Optional[int]:
    """Turn `stream_output` into a logging level, or None when streaming is off."""
    if stream_output is False or stream_output is None:
        return None
    if stream_output is True:
        return logging.INFO
    if isinstance(stream_output, str):
        level = logging.getLevelName(stream_output.upper())
        if not isinstance(level, int):
            raise TypeError(f"'stream_output': {stream_output} is not a valid log level")
        return level
    if isinstance(stream_output, int):
        return stream_output or None
    raise TypeError(f"'stream_output': {stream_output!r} is not a valid log level")


def _read_lines(pipe: IO[bytes], on_line: Callable[[str], None]) -> None:
    """Call `on_line` with each decoded, right-stripped line of `pipe` until it closes."""
    for raw in iter(pipe.readline, b""):
        on_line(raw.decode("utf-8", errors="replace").rstrip())


class ShellTask(Task):
    """Runs a shell command in a subprocess.

    The command is written to a temporary script (after `helper_script`, if any) and run with
    `shell`. Standard output becomes the result: its last line, or every line with `return_all`.
    Standard error is read separately: it is streamed to the log with `stream_output`, logged
    on failure with `log_stderr`, and its last lines are quoted in the failure message.

    Args:
        - command (str, optional): the command; can also be given to `run()`
        - env (dict, optional): environment variables added to the current environment for the
            subprocess; can also be given to `run()`
        - helper_script (str, optional): shell code run before `command` in the same process
            (change directories, define functions, ...); can also be given to `run()`
        - shell (str, optional): the shell that runs the script (default `"bash"`)
        - return_all (bool, optional): return every line of stdout as a list instead of the
            last line (default False)
        - log_stderr (bool, optional): on a non-zero exit, log the command's stderr at ERROR
            (default False; ignored when `stream_output` already logged it)
        - stream_output (Union[bool, int, str], optional): log each line of output as it
            arrives; `True` logs at INFO, an int or level name (`"DEBUG"`) picks the level
            (default False)
        - **kwargs (Any): other `Task` arguments

    Raises:
        - TypeError: if `stream_output` is not a bool, int or known level name

    Example:
        ```python
        from prefect_classic import Flow
        from prefect_classic.tasks.shell import ShellTask

        shell = ShellTask(helper_script="cd /tmp", return_all=True)
        with Flow("listing") as flow:
            files = shell(command="ls")
        ```
    """

    #: the file name the script is written to (the shell runs this file)
    script_name = "command.sh"

    def __init__(
        self,
        command: Optional[str] = None,
        env: Optional[dict] = None,
        helper_script: Optional[str] = None,
        shell: str = "bash",
        return_all: bool = False,
        log_stderr: bool = False,
        stream_output: Union[bool, int, str] = False,
        **kwargs: Any,
    ):
        self.command = command
        self.env = env
        self.helper_script = helper_script
        self.shell = shell
        self.return_all = return_all
        self.log_stderr = log_stderr
        self.stream_output = _log_level(stream_output)
        super().__init__(**kwargs)

    @defaults_from_attrs("command", "env", "helper_script")
    def run(  # type: ignore[override]
        self,
        command: Optional[str] = None,
        env: Optional[dict] = None,
        helper_script: Optional[str] = None,
    ) -> Union[str, List[str], None]:
        """Run the command and return its output.

        Args:
            - command (str, optional): the command (default: the one given at init)
            - env (dict, optional): extra environment variables (default: those given at init)
            - helper_script (str, optional): shell code run first (default: the one given at init)

        Returns:
            - Union[str, List[str], None]: the last line of stdout (None when there was no
                output), or every line when `return_all` is set

        Raises:
            - TypeError: when no command is given
            - FAIL: when the command exits non-zero; the message has the exit code and the
                last lines of stderr, and the signal's result is the output so far
        """
        if command is None:
            raise TypeError("run() missing required argument: 'command'")
        child_env = {**os.environ, **{k: str(v) for k, v in (env or {}).items()}}
        script = f"{helper_script}\n{command}" if helper_script else command

        stdout_lines: List[str] = []
        last_line: List[Optional[str]] = [None]
        stderr_lines: Deque[str] = collections.deque(maxlen=STDERR_KEPT_LINES)

        def on_stdout(line: str) -> None:
            last_line[0] = line
            if self.return_all:
                stdout_lines.append(line)
            if self.stream_output:
                self.logger.log(self.stream_output, line)

        def on_stderr(line: str) -> None:
            stderr_lines.append(line)
            if self.stream_output:
                self.logger.log(self.stream_output, line)

        with tempfile.TemporaryDirectory(prefix="prefect-classic-shell-") as folder:
            script_path = os.path.join(folder, self.script_name)
            with open(script_path, "w", encoding="utf-8") as f:
                f.write(script)
            with subprocess.Popen(
                [self.shell, script_path],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=child_env,
                shell=sys.platform == "win32",
            ) as process:
                err_reader = threading.Thread(
                    target=_read_lines, args=(process.stderr, on_stderr), daemon=True
                )
                err_reader.start()
                _read_lines(process.stdout, on_stdout)  # type: ignore[arg-type]
                err_reader.join()
                returncode = process.wait()

        output = stdout_lines if self.return_all else last_line[0]
        if returncode:
            msg = f"Command failed with exit code {returncode}"
            self.logger.error(msg)
            if self.log_stderr and not self.stream_output and stderr_lines:
                self.logger.error("\n".join(stderr_lines))
            tail = list(stderr_lines)[-STDERR_TAIL_LINES:]
            if tail:
                msg += ":\n" + "\n".join(tail)
            raise signals.FAIL(msg, result=output)
        return output
