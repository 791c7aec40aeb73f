"""`PowershellTask`: a `ShellTask` that runs its command with PowerShell."""

from typing import Any, Optional, Union

from prefect_classic.tasks.shell import ShellTask

__all__ = ["PowershellTask"]


class PowershellTask(ShellTask):
    """Runs a PowerShell command in a subprocess (see `ShellTask` for how output, errors and
    streaming work).

    Args:
        - command (str, optional): the command; can also be given to `run()`
        - env (dict, optional): environment variables added for the subprocess
        - helper_script (str, optional): PowerShell code run before `command` in the same process
        - shell (str, optional): `"pwsh"` (PowerShell 6+, the default) or `"powershell"` (Windows
            PowerShell 5.1 and earlier)
        - return_all (bool, optional): return every line of output instead of the last one
        - log_stderr (bool, optional): log the command's stderr when it fails
        - stream_output (Union[bool, int, str], optional): log output lines as they arrive (at
            INFO for `True`, or the given level)
        - **kwargs (Any): other `Task` arguments

    Example:
        ```python
        from prefect_classic.tasks.powershell import PowershellTask

        listing = PowershellTask(helper_script="cd ~")
        with Flow("f") as flow:
            contents = listing(command="dir")
        ```
    """

    script_name = "command.ps1"

    def __init__(
        self,
        command: Optional[str] = None,
        env: Optional[dict] = None,
        helper_script: Optional[str] = None,
        shell: str = "pwsh",
        return_all: bool = False,
        log_stderr: bool = False,
        stream_output: Union[bool, int, str] = False,
        **kwargs: Any,
    ):
        super().__init__(
            command=command,
            env=env,
            helper_script=helper_script,
            shell=shell,
            return_all=return_all,
            log_stderr=log_stderr,
            stream_output=stream_output,
            **kwargs,
        )
