"""What `prefect-classic run` shows while a flow runs: the logs, and a progress line.

On a terminal, log lines (and anything the tasks print) scroll above a sticky progress line drawn
with rich: done / running / failed / total task runs, elapsed time, rate, ETA and the most recently
started task run, plus the Dask dashboard link when the executor has one. Elsewhere (a pipe, a
file, CI) the logs are plain lines and a plain progress line is written every few seconds and at
the end.

Every line written to the terminal during the run goes through a `Redactor`, which replaces known
secret values with `****`.
"""

import io
import logging
import os
import re
import sys
import threading
from typing import Any, Callable, Iterable, List, Optional, Tuple

from prefect_classic.cli.tracking import MASK, RunTracker, is_secret_state

__all__ = ["Redactor", "RunDisplay", "collect_secrets", "format_duration"]

#: values shorter than this are not masked inside free text (they would mask common words)
MIN_SECRET_LENGTH = 3


class Redactor:
    """Replaces known secret values in text with `****`.

    Args:
        - values (Iterable[Any], optional): secret values to start with
    """

    def __init__(self, values: Iterable[Any] = ()):
        self._values: set = set()
        self._pattern: Optional[re.Pattern[str]] = None
        self._lock = threading.Lock()
        for value in values:
            self.add(value)

    def add(self, value: Any) -> None:
        """Mask `value` from now on (the leaves of dicts and lists are added one by one).

        Args:
            - value (Any): a secret value
        """
        leaves: List[str] = []
        _leaves(value, leaves)
        new = {v for v in leaves if len(v) >= MIN_SECRET_LENGTH} - self._values
        if not new:
            return
        with self._lock:
            self._values |= new
            ordered = sorted(self._values, key=len, reverse=True)  # longest first
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def __bool__(self) -> bool:
        return bool(self._values)

    def __call__(self, text: str) -> str:
        """Return `text` with every known secret value replaced by `****`."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)

    def data(self, obj: Any) -> Any:
        """Return a copy of a JSON-like structure with secrets masked in every string."""
        if isinstance(obj, str):
            return self(obj)
        if isinstance(obj, dict):
            return {k: self.data(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self.data(v) for v in obj]
        return obj


def _leaves(value: Any, out: List[str]) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, dict):
        for v in value.values():
            _leaves(v, out)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            _leaves(v, out)
    else:
        out.append(value.decode(errors="replace") if isinstance(value, bytes) else str(value))


def collect_secrets(flow: Any, flow_state: Any = None) -> List[Any]:
    """The secret values known in this process: local secrets (`context.secrets`, from the
    `[context.secrets]` config and `PREFECT__CONTEXT__SECRETS__*`), the variables that the flow's
    `EnvVarSecret` tasks read, and the results of secret tasks in `flow_state`.

    Args:
        - flow (Flow): the flow
        - flow_state (State, optional): a flow run's state

    Returns:
        - list: the values
    """
    import os

    from prefect_classic.tasks.secrets.env_var import EnvVarSecret
    from prefect_classic.utilities.context import context

    found: List[Any] = []
    local = context.get("secrets") or {}
    if isinstance(local, dict) or hasattr(local, "values"):
        found.extend(local.values())
    for task in flow.tasks:
        if isinstance(task, EnvVarSecret) and os.environ.get(task.name):
            found.append(os.environ[task.name])
    states = getattr(flow_state, "result", None)
    if isinstance(states, dict):
        for task, state in states.items():
            if (
                hasattr(state, "is_successful")
                and state.is_successful()
                and is_secret_state(task, state)
            ):
                for child in getattr(state, "map_states", None) or [state]:
                    found.append(getattr(child, "result", None))
    return found


def format_duration(seconds: Optional[float]) -> str:
    """`0:00:03`-style text for a number of seconds (`-:--:--` when unknown)."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "-:--:--"
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


# --- writing lines -------------------------------------------------------------------------------
class _LineStream(io.TextIOBase):
    """A text stream that hands each complete line, redacted, to `emit`."""

    def __init__(self, emit: Callable[[str], None], redact: Redactor):
        self._emit = emit
        self._redact = redact
        self._buffer = ""
        self._lock = threading.RLock()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        with self._lock:
            self._buffer += s
            while "\n" in self._buffer:
                line, self._buffer = self._buffer.split("\n", 1)
                self._emit(self._redact(line))
        return len(s)

    def flush(self) -> None:
        with self._lock:
            if self._buffer:
                line, self._buffer = self._buffer, ""
                self._emit(self._redact(line))


def _is_descriptor(stream: Any, fd: int) -> bool:
    try:
        return stream.fileno() == fd
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return False


def _same_terminal(fd: int, other: int) -> bool:
    """Whether two descriptors are the same terminal."""
    try:
        if not (os.isatty(fd) and os.isatty(other)):
            return False
        return os.ttyname(fd) == os.ttyname(other)
    except OSError:
        return False


def _line_writer(stream: Any) -> Callable[[str], None]:
    def write(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return write


class _DescriptorCapture:
    """Sends what other processes (Dask workers, process pools, shell commands) and C code write
    to the terminal's file descriptors through `emit`, line by line, while the live display owns
    the terminal: descriptors 2 (and 1 when it is the terminal too) point into a pipe, and the
    display writes to a duplicate of the terminal.

    Args:
        - emit (Callable[[str], None]): called with each line
        - stdout_too (bool): capture descriptor 1 as well
    """

    def __init__(self, emit: Callable[[str], None], stdout_too: bool):
        self._emit = emit
        self._fds = (1, 2) if stdout_too else (2,)
        self._saved: List[Tuple[int, int]] = []
        self._reader: Optional[threading.Thread] = None
        self.terminal: Any = None

    def start(self) -> Any:
        """Redirect the descriptors; return a text file writing to the terminal itself."""
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                getattr(stream, "flush", lambda: None)()
            except (ValueError, OSError):
                pass
        self.terminal = os.fdopen(
            os.dup(2),
            "w",
            buffering=1,
            encoding=getattr(sys.stderr, "encoding", None) or "utf-8",
            errors="replace",
            closefd=True,
        )
        read_end, write_end = os.pipe()
        for fd in self._fds:
            self._saved.append((fd, os.dup(fd)))
            os.dup2(write_end, fd)
        os.close(write_end)
        self._reader = threading.Thread(
            target=self._read, args=(read_end,), name="prefect-classic-capture", daemon=True
        )
        self._reader.start()
        return self.terminal

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as pipe:
            pending = b""
            while True:
                chunk = pipe.read1(65536)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._emit(line.decode("utf-8", "replace").rstrip("\r"))
            if pending:
                self._emit(pending.decode("utf-8", "replace"))

    def stop(self, timeout: float = 2.0) -> None:
        """Put the descriptors back and write out what is left in the pipe."""
        for fd, saved in self._saved:
            os.dup2(saved, fd)
            os.close(saved)
        self._saved = []
        if self._reader is not None:  # ends once no process holds the pipe open any more
            self._reader.join(timeout)


def _terminal_handlers(streams: Tuple[Any, ...]) -> List[logging.StreamHandler]:
    """Every logging handler that writes to one of `streams` (the terminal)."""
    loggers: List[logging.Logger] = [logging.getLogger()]
    loggers += [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    found: List[logging.StreamHandler] = []
    for logger in loggers:
        for handler in logger.handlers:
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and any(handler.stream is s for s in streams)
                and handler not in found
            ):
                found.append(handler)
    return found


# --- the display ----------------------------------------------------------------------------------
class RunDisplay:
    """Shows a flow run's logs and progress on stderr for the duration of a `with` block.

    Args:
        - tracker (RunTracker): the run's tracker
        - executor (Executor): the run's executor (for the Dask dashboard link and worker events)
        - redactor (Redactor): masks secrets in every line
        - live (bool, optional): draw a sticky progress line (default: when stderr is a terminal)
        - plain_interval (float, optional): seconds between plain progress lines
        - stream (file, optional): where to write (default: sys.stderr)
        - quiet (bool, optional): show nothing (the tracker still follows Dask workers)
    """

    def __init__(
        self,
        tracker: RunTracker,
        executor: Any,
        redactor: Redactor,
        live: Optional[bool] = None,
        plain_interval: float = 5.0,
        stream: Any = None,
        quiet: bool = False,
    ):
        self.tracker = tracker
        self.executor = executor
        self.redactor = redactor
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = False if quiet else (self._is_terminal() if live is None else live)
        self.plain_interval = plain_interval
        self._stop = threading.Event()
        self._ticker: Optional[threading.Thread] = None
        self._live: Any = None
        self._console: Any = None
        self._swapped: List[Tuple[logging.StreamHandler, Any]] = []
        self._capture: Optional[_DescriptorCapture] = None
        self._saved_std: Tuple[Any, Any] = (None, None)

    def _is_terminal(self) -> bool:
        from rich.console import Console

        console = Console(file=self.stream)
        return console.is_terminal and not console.is_dumb_terminal

    # lines --------------------------------------------------------------------------------------------
    def _print_live(self, line: str) -> None:
        from rich.text import Text

        self._console.print(Text.from_ansi(line), soft_wrap=True, highlight=False)

    def _print_plain(self, line: str) -> None:
        _line_writer(self.stream)(line)

    # progress ------------------------------------------------------------------------------------------
    def dashboard_link(self) -> Optional[str]:
        """The Dask dashboard of the running executor, when there is one."""
        client = getattr(self.executor, "client", None)
        if client is None:
            return None
        try:
            return client.dashboard_link
        except Exception:
            return None

    def summary(self) -> str:
        """One line: `12/30 task runs done · 2 running · 1 failed · 0:00:03 · 4.0/s · ETA 0:00:05`."""
        t = self.tracker
        done, total, elapsed = t.done, max(t.total, t.done), t.elapsed()
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (
            (total - done) / rate if rate > 0 and done < total else (0.0 if done >= total else None)
        )
        parts = [
            f"{done}/{total} task runs done",
            f"{t.running} running",
            f"{t.failed} failed",
            format_duration(elapsed),
            f"{rate:.1f}/s",
            f"ETA {format_duration(eta)}",
        ]
        return " · ".join(parts)

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        t = self.tracker
        row = Table.grid(padding=(0, 1))
        row.add_column(no_wrap=True)
        row.add_column(no_wrap=True, overflow="ellipsis")
        failed_style = "bold red" if t.failed else ""
        text = Text(self.summary())
        if t.failed:
            text.highlight_regex(r"\d+ failed", failed_style)
        current = t.current
        if current:
            text.append(" · running: ", style="dim")
            text.append(current, style="cyan")
        row.add_row(ProgressBar(total=max(t.total, t.done, 1), completed=t.done, width=24), text)
        link = self.dashboard_link()
        if link:
            return Group(row, Text(f"Dask dashboard: {link}", style="dim"))
        return row

    # the block -------------------------------------------------------------------------------------------
    def __enter__(self) -> "RunDisplay":
        self._ticker = threading.Thread(
            target=self._tick, name="prefect-classic-progress", daemon=True
        )
        self._saved_std = (sys.stdout, sys.stderr)
        if self.quiet:  # no logs and no progress; what tasks print stays where it goes, masked
            sys.stdout = _LineStream(_line_writer(sys.stdout), self.redactor)  # type: ignore[assignment]
            sys.stderr = _LineStream(_line_writer(sys.stderr), self.redactor)  # type: ignore[assignment]
            self._ticker.start()
            return self
        original = (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
        if self.live:
            from rich.console import Console
            from rich.live import Live

            terminal = self.stream
            if _is_descriptor(self.stream, 2):
                self._capture = _DescriptorCapture(
                    lambda line: self._print_live(self.redactor(line)),
                    stdout_too=_same_terminal(1, 2),
                )
                terminal = self._capture.start()
            self._console = Console(file=terminal)
            emit = self._print_live
        else:
            emit = self._print_plain
        line_stream = _LineStream(emit, self.redactor)
        for handler in _terminal_handlers(original):
            self._swapped.append((handler, handler.stream))
            handler.setStream(line_stream)
        sys.stderr = line_stream  # type: ignore[assignment]
        if (
            self.live and sys.stdout.isatty()
        ):  # both on the terminal: prints scroll above the bar too
            sys.stdout = line_stream  # type: ignore[assignment]
        else:  # stdout elsewhere (a pipe, a file): it stays there, secrets masked
            sys.stdout = _LineStream(_line_writer(sys.stdout), self.redactor)  # type: ignore[assignment]
        if self.live:
            self._live = Live(
                self,
                console=self._console,
                refresh_per_second=8,
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
        self._ticker.start()
        return self

    def _tick(self) -> None:
        interval = 0.1 if self.live else self.plain_interval
        waited = 0.0
        while not self._stop.wait(0.1):
            self.tracker.watch_dask(self.executor)
            waited += 0.1
            if not self.live and not self.quiet and waited >= interval:
                waited = 0.0
                self._print_plain(self.redactor("progress: " + self.summary()))

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, _LineStream):
                stream.flush()
        sys.stdout, sys.stderr = self._saved_std
        if self.quiet:
            return
        for handler, stream in self._swapped:
            handler.flush()
            handler.setStream(stream)
        if self._capture is not None:
            self._capture.stop()
        if self._live is not None:
            self._live.refresh()
            self._live.stop()
        if self._capture is not None:
            self._capture.terminal.close()
            self._capture = None
        if self._live is None:
            self._print_plain("progress: " + self.summary())
