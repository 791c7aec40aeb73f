"""Fixtures for the `prefect-classic` CLI tests, and `Terminal`: `prefect-classic` running in a real
pseudo-terminal (pexpect), its output read through a terminal emulator (pyte), so escape sequences,
carriage returns and cursor moves are applied as a terminal applies them — the test sees what a
person would see."""

import os
import sys
import textwrap
import time
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import pexpect
import pyte
import pytest
from click.testing import CliRunner

from prefect_classic import compat


@pytest.fixture(autouse=True)
def no_shim_leaks() -> Iterator[None]:
    """`prefect-classic run` installs the shim for legacy files; remove it after each test."""
    yield
    compat.uninstall()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def flow_file(tmp_path) -> Callable[[str], str]:
    """Write a flow module into tmp_path and return its path."""

    def write(source: str, name: str = "flow_file.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write


# --- a real terminal ------------------------------------------------------------------------------
COLUMNS, LINES = 160, 40


class Terminal:
    """`prefect-classic ARGS` running in a pseudo-terminal of COLUMNS x LINES.

    Args:
        - args (Sequence[str]): the command's arguments
        - env (dict, optional): extra environment variables
        - cwd (str, optional): the working directory
    """

    def __init__(
        self, args: Sequence[str], env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None
    ):
        base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT")}
        base.update(
            TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES), PYTHONUNBUFFERED="1"
        )
        base.pop("NO_COLOR", None)
        base.update(env or {})
        self.screen = pyte.HistoryScreen(COLUMNS, LINES, history=5000, ratio=0.5)
        self.screen.set_mode(pyte.modes.LNM)  # a newline also returns the carriage, as a tty does
        self.stream = pyte.Stream(self.screen)
        self.raw: List[str] = []
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "prefect_classic.cli", *args],
            env=base,
            cwd=cwd,
            dimensions=(LINES, COLUMNS),
            encoding="utf-8",
            codec_errors="replace",
            timeout=120,
        )

    def _feed(self, timeout: float) -> bool:
        """Read what is available (waiting up to `timeout`); False once the program has ended."""
        try:
            text = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw.append(text)
        self.stream.feed(text)
        return True

    def lines(self) -> List[str]:
        """Every line: those scrolled off the top, then the screen (trailing blanks removed)."""

        def text(line: Dict[int, pyte.screens.Char]) -> str:
            return "".join(line[x].data for x in range(COLUMNS)).rstrip()

        out = [text(line) for line in self.screen.history.top] + [
            line.rstrip() for line in self.screen.display
        ]
        while out and not out[-1]:
            out.pop()
        return out

    def screen_lines(self) -> List[str]:
        """The lines currently on the screen."""
        return [line.rstrip() for line in self.screen.display]

    def wait_for(self, seen: Callable[["Terminal"], bool], timeout: float = 60) -> None:
        """Read output until `seen(self)` is true.

        Raises:
            - AssertionError: when it is not seen within `timeout` seconds or the program ends first
        """
        deadline = time.monotonic() + timeout
        while not seen(self):
            if time.monotonic() > deadline:
                raise AssertionError(
                    "not seen on the terminal in time:\n" + "\n".join(self.lines())
                )
            if not self._feed(0.2) and not seen(self):
                raise AssertionError(
                    "the program ended before it was seen:\n" + "\n".join(self.lines())
                )

    def finish(self) -> int:
        """Read until the program ends; return its exit status."""
        while self._feed(1.0):
            pass
        self.child.close()
        return (
            self.child.exitstatus
            if self.child.exitstatus is not None
            else -(self.child.signalstatus or 0)
        )


@pytest.fixture
def terminal() -> Iterator[Callable[..., Terminal]]:
    """`terminal(args, env=None, cwd=None)` starts `prefect-classic ARGS` in a pseudo-terminal."""
    started: List[Terminal] = []

    def start(
        args: Sequence[str], env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None
    ) -> Terminal:
        term = Terminal(args, env=env, cwd=cwd)
        started.append(term)
        return term

    yield start
    for term in started:
        if term.child.isalive():
            term.child.terminate(force=True)
