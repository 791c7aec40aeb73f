"""Logging as in Prefect 1: the `prefect` logger, its format and level from the configuration,
context values on every log record, and the backend log shipping (`CloudHandler`,
`LogManager`).

- Every log record (of any logger) carries the context's `flow_name`, `flow_run_id`,
  `task_name`, `task_slug` and `task_run_id` when they are set, plus the keys listed in
  `config.logging.log_attributes` (None when unset).
- `CloudHandler` queues records for a backend only while the context has `running_with_backend`
  set and `config.cloud.send_flow_run_logs` is true. A local run never sets it, so nothing is
  shipped; `LogManager` uploads queued records in batches through `prefect_classic.Client`.
- Stream handlers write to stderr (Prefect 1 used stdout), so a flow's own output stays apart.

Tasks log through `self.logger` (a child of `prefect`), or `prefect.context.get("logger")`.
"""

import atexit
import io
import json
import logging
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from queue import Empty, Queue
from typing import Any, Dict, Iterator, List, Optional, Union
from uuid import uuid4

import pendulum

import prefect_classic
from prefect_classic import configuration
from prefect_classic.utilities.collections import keep_bounded
from prefect_classic.utilities.context import _DELETED, SEEN_TRUTHY, context, truthy_values
from prefect_classic.utilities.context import find as find_in_context
from prefect_classic.utilities.context import memo as context_memo
from prefect_classic.utilities.context import read as read_context
from prefect_classic.utilities.log_records import quick_record, quick_records_apply

__all__ = [
    "CloudHandler",
    "LOG_MANAGER",
    "LOG_OVERHEAD",
    "LogManager",
    "MAX_BATCH_LOG_SIZE",
    "MAX_LOG_SIZE",
    "PREFECT_LOG_RECORD_ATTRIBUTES",
    "RedirectToLog",
    "configure_extra_loggers",
    "configure_logging",
    "create_diagnostic_logger",
    "get_logger",
    "getlogsize",
    "temporary_logger_config",
]

_original_log_record_factory = logging.getLogRecordFactory()

#: context keys copied onto every log record when they are set
PREFECT_LOG_RECORD_ATTRIBUTES = (
    "flow_name",
    "flow_run_id",
    "task_name",
    "task_slug",
    "task_run_id",
)

MAX_LOG_SIZE = 1_000_000  # bytes in one shipped record
MAX_BATCH_LOG_SIZE = 4_000_000  # bytes in one upload

#: the size of a shipped record's JSON apart from its message (ids, timestamp, a long logger name)
LOG_OVERHEAD = len(
    json.dumps(
        {
            "flow_run_id": uuid4().hex,
            "task_run_id": uuid4().hex,
            "timestamp": pendulum.from_timestamp(time.time()).isoformat(),
            "name": "X" * 100,
            "level": "WARNING",
            "message": "",
        }
    )
)


def getlogsize(log: dict) -> int:
    """Estimate the JSON size of a record queued for shipping (an upper bound for usual names).

    Args:
        - log (dict): the record (`message`, `name`, ids...)

    Returns:
        - int: the estimated size in bytes
    """
    return len(log.get("message", "")) + LOG_OVERHEAD


def _level_of(value: Union[int, str]) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper())
    return level if isinstance(level, int) else logging.INFO


class LogManager:
    """Queues records for a backend and uploads them in batches from a background thread.

    The thread and the client start with the first queued record; `stop()` (also run at exit)
    uploads what is left.
    """

    def __init__(self) -> None:
        self.queue: Queue[dict] = Queue()
        self.pending_logs: List[dict] = []
        self.pending_length = 0
        self.thread: Optional[threading.Thread] = None
        self.client: Any = None
        self.logging_period: float = 5
        self._stopped = threading.Event()

    def ensure_started(self) -> None:
        """Create the client and start the upload thread, once."""
        if self.thread is not None:
            return
        self.client = prefect_classic.Client()  # type: ignore[attr-defined]
        self.logging_period = context.config.cloud.logging_heartbeat
        self.thread = threading.Thread(
            target=self._write_logs_loop, name="prefect-log-manager", daemon=True
        )
        self.thread.start()
        atexit.register(self._on_shutdown)

    def _on_shutdown(self) -> None:
        """At exit: upload what is queued (a signal arriving during shutdown gets three tries)."""
        for _ in range(3):
            try:
                self.stop()
                return
            except SystemExit:
                pass

    def stop(self) -> None:
        """Stop the upload thread and upload what is queued; calling it again does nothing."""
        if self.thread is None:
            return
        self._stopped.set()
        self.thread.join()
        self._write_logs()
        self.thread = None
        self.client = None

    def _write_logs_loop(self) -> None:
        while not self._stopped.wait(self.logging_period):
            self._write_logs()

    def _write_logs(self) -> None:
        """Upload queued records in batches of at most `MAX_BATCH_LOG_SIZE` bytes until the queue
        is empty. A failed upload is warned about and kept for the next round."""
        batch_limit = max(MAX_BATCH_LOG_SIZE - MAX_LOG_SIZE, MAX_LOG_SIZE)
        more = True
        while more:
            try:
                while self.pending_length < batch_limit:
                    log = self.queue.get_nowait()
                    self.pending_length += getlogsize(log)
                    self.pending_logs.append(log)
            except Empty:
                more = False
            if not self.pending_logs:
                continue
            try:
                self.client.write_run_logs(self.pending_logs)
            except Exception as exc:
                warnings.warn(
                    f"Failed to write logs with error: {exc!r}, "
                    f"Pending log length: {self.pending_length:,}, "
                    f"Max batch log length: {MAX_BATCH_LOG_SIZE:,}, "
                    f"Queue size: {self.queue.qsize():,}",
                    stacklevel=2,
                )
                return
            self.pending_logs = []
            self.pending_length = 0

    def enqueue(self, message: dict) -> None:
        """Queue a record for upload (starting the manager if needed).

        Args:
            - message (dict): the record
        """
        self.ensure_started()
        self.queue.put(message)


class CloudHandler(logging.Handler):
    """Queues records on `LOG_MANAGER` for a backend: only during a backend run
    (`running_with_backend` in the context), when `config.cloud.send_flow_run_logs` is true,
    and at or above `config.logging.level`. Messages over `MAX_LOG_SIZE` are truncated."""

    _prefect_classic = True

    def handle(self, record: logging.LogRecord) -> Any:  # noqa: D102
        # the common case (a local run) leaves before filters and the handler's lock
        if "running_with_backend" not in SEEN_TRUTHY or not read_context("running_with_backend"):
            return False
        return super().handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Queue one record (see the class docstring for when)."""
        cfg = context.config
        if not cfg.cloud.send_flow_run_logs or not context.get("running_with_backend"):
            return
        if record.levelno < _level_of(cfg.logging.level):
            return
        message = self.format(record)
        log = {
            "flow_run_id": context.get("flow_run_id"),
            "task_run_id": context.get("task_run_id"),
            "timestamp": pendulum.from_timestamp(
                getattr(record, "created", None) or time.time()
            ).isoformat(),
            "name": getattr(record, "name", None),
            "level": getattr(record, "levelname", None),
            "message": message,
        }
        size = getlogsize(log)
        if size > MAX_LOG_SIZE:
            warnings.warn(
                f"Received a log of size {size} bytes, exceeding the limit of {MAX_LOG_SIZE}. "
                "The message will be truncated.",
                stacklevel=2,
            )
            log["message"] = message[: MAX_LOG_SIZE - LOG_OVERHEAD]
        LOG_MANAGER.enqueue(log)


# --- context values on log records ---------------------------------------------------------------
_KEYS_AND_CONFIG = frozenset(PREFECT_LOG_RECORD_ATTRIBUTES + ("config",))
_generation = configuration._generation
# the configured `log_attributes`, re-read when the context's configuration object or the
# configuration generation changes: [config, generation, keys, the keys with the Prefect ones]
_extra_keys: List[Any] = [None, -1, (), _KEYS_AND_CONFIG]


def _record_attributes(ctx: Any) -> Dict[str, Any]:
    """The attributes the context gives a log record: the Prefect keys that are set (and truthy)
    and every configured `log_attributes` key (None when unset)."""
    cache = _extra_keys
    if ctx is context and not cache[2] and cache[1] == _generation[0]:
        # the common case: no `log_attributes`, so only the truthy values are wanted
        values = truthy_values(_KEYS_AND_CONFIG)
        if values.pop("config", None) is cache[0]:
            return values
    found = find_in_context(cache[3]) if ctx is context else ctx._find(cache[3])
    cfg = found.get("config") or None
    if cache[0] is not cfg or cache[1] != _generation[0]:
        section = cfg.get("logging") if cfg is not None else None
        extra = tuple(section.get("log_attributes", None) or ()) if section else ()
        cache[:] = [cfg, _generation[0], extra, _KEYS_AND_CONFIG.union(extra)]
        found = find_in_context(cache[3]) if ctx is context else ctx._find(cache[3])
    attributes = {}
    for key, value in found.items():
        if value and key != "config":  # (the configuration is truthy, and not an attribute)
            attributes[key] = value
    for key in cache[2]:
        value = found.get(key)
        attributes[key] = None if value is _DELETED else value
    return attributes


def _log_record_context_injector(
    name: Any,
    level: Any,
    pathname: Any,
    lineno: Any,
    msg: Any,
    args: Any,
    exc_info: Any,
    func: Any = None,
    sinfo: Any = None,
    **kwargs: Any,
) -> logging.LogRecord:
    """The log record factory: the standard record, plus the context values named in
    `PREFECT_LOG_RECORD_ATTRIBUTES` (when set) and `config.logging.log_attributes` (always).

    It runs for every log record of the process, so the attributes are computed once per context
    state and configuration generation (`Context.memo`): a task run's records after the first
    cost a dict update. (Its arguments are `LogRecord`'s, spelled out: packing them costs more
    than the rest of a cached lookup.)"""
    if kwargs:
        record = _original_log_record_factory(
            name, level, pathname, lineno, msg, args, exc_info, func, sinfo, **kwargs
        )
    elif _original_log_record_factory is logging.LogRecord and quick_records_apply(pathname):
        return quick_record(
            name,
            level,
            pathname,
            lineno,
            msg,
            args,
            exc_info,
            func,
            sinfo,
            context_memo(_generation[0], _record_attributes),
        )
    else:
        record = _original_log_record_factory(
            name, level, pathname, lineno, msg, args, exc_info, func, sinfo
        )
    record.__dict__.update(context_memo(_generation[0], _record_attributes))
    return record


# --- handlers and loggers ------------------------------------------------------------------------
class _PrefectFormatter(logging.Formatter):
    """A Formatter that formats each second's timestamp once (task runs log several lines per
    millisecond; `time.strftime` was a third of the cost of a log line). Output is identical as
    long as the date format has no sub-second field, which `strftime` cannot print anyway.

    A plain record (no exception or stack to add) with a %-style format is formatted in one
    step, the `usesTime` answer kept per format string; anything else goes the standard way."""

    def __init__(self, fmt: Optional[str] = None, datefmt: Optional[str] = None) -> None:
        super().__init__(fmt, datefmt)
        self._last: tuple = (None, "")
        self._uses_time: tuple = (None, False)  # (the format string, whether it has asctime)

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        style = self._style
        if (
            record.exc_info
            or record.exc_text
            or record.stack_info
            or type(style) is not logging.PercentStyle
            or getattr(style, "_defaults", None)
        ):
            return super().format(record)
        record.message = record.getMessage()
        fmt = style._fmt
        uses_time = self._uses_time
        if uses_time[0] is not fmt:
            uses_time = self._uses_time = (fmt, style.usesTime())
        if uses_time[1]:
            record.asctime = self.formatTime(record, self.datefmt)
        return fmt % record.__dict__  # type: ignore[operator]

    def formatTime(self, record: logging.LogRecord, datefmt: Optional[str] = None) -> str:  # noqa: N802
        if not datefmt:  # the default format adds milliseconds: nothing to cache
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if self._last[0] != (second, datefmt):
            self._last = ((second, datefmt), super().formatTime(record, datefmt))
        return self._last[1]


#: what `Handler.handle` returns for a record no filter stops: True, or (Python 3.12 and later,
#: where `Filterer.filter` returns it) the record itself
_PASSED_RECORD = logging.Filterer().filter(logging.makeLogRecord({})) is not True


class _PrefectStreamHandler(logging.StreamHandler):
    """The stream handler of the `prefect` logger: a `logging.StreamHandler` whose `handle` does
    in one call what `Handler.handle`, `emit`, `format` and `flush` do together (they were eight
    calls for each line a task run logs). A handler with filters, a subclass, or an instance
    whose `emit`, `format` or `flush` is replaced is handled the standard way."""

    _prefect_classic = True

    def handle(self, record: logging.LogRecord) -> Any:  # noqa: D102
        own = self.__dict__
        lock = self.lock
        if (
            self.filters
            or lock is None
            or type(self) is not _PrefectStreamHandler
            or "emit" in own
            or "format" in own
            or "flush" in own
        ):
            return super().handle(record)
        with lock:
            try:
                formatter = self.formatter or logging._defaultFormatter  # type: ignore[attr-defined]
                stream = self.stream
                stream.write(formatter.format(record) + self.terminator)
                if stream and hasattr(stream, "flush"):
                    stream.flush()
            except RecursionError:
                raise
            except Exception:
                self.handleError(record)
        return record if _PASSED_RECORD else True


def _stream_handler(fmt: str, datefmt: str) -> logging.Handler:
    handler = _PrefectStreamHandler(sys.stderr)
    handler.setFormatter(_PrefectFormatter(fmt, datefmt))
    return handler


def _create_logger(name: str, ship_to_backend: bool = True) -> logging.Logger:
    """Give logger `name` the configured level, a stream handler with the configured format and
    (unless told otherwise) a `CloudHandler`, replacing those this module added before."""
    logging.setLogRecordFactory(_log_record_context_injector)
    cfg = context.config.logging
    logger = logging.getLogger(name)
    for old in [h for h in logger.handlers if getattr(h, "_prefect_classic", False)]:
        logger.removeHandler(old)
    logger.addHandler(_stream_handler(cfg.format, cfg.datefmt))
    if ship_to_backend:
        logger.addHandler(CloudHandler())
    logger.setLevel(_level_of(cfg.level))
    return logger


def configure_logging(testing: bool = False) -> logging.Logger:
    """Set up the `prefect` logger from the configuration (level, format, handlers).

    Args:
        - testing (bool, optional): set up a separate `prefect-test-logger` instead, so tests do
            not change the real one

    Returns:
        - logging.Logger: the configured logger
    """
    return _create_logger("prefect-test-logger" if testing else "prefect")


def configure_extra_loggers() -> None:
    """Set up the loggers named in `config.logging.extra_loggers` like the `prefect` logger."""
    for name in context.config.logging.get("extra_loggers", None) or []:
        _create_logger(name)


def create_diagnostic_logger(name: str) -> logging.Logger:
    """A logger configured like `prefect` but without a `CloudHandler` (never shipped).

    Args:
        - name (str): the logger's name

    Returns:
        - logging.Logger: the logger
    """
    return _create_logger(name, ship_to_backend=False)


_PLAIN_LOGGER_METHODS = {10: "debug", 20: "info", 30: "warning", 40: "error"}
#: (code object, instruction offset) of a `log_line` call -> its source line
_SITE_LINES: Dict[Any, int] = {}
_MAX_SITES = 4096
_MAKE_RECORD = logging.Logger.makeRecord
_HANDLE = logging.Logger.handle


def log_line(logger: Any, level: int, message: str, checked: bool = False) -> None:
    """`logger.<level>(message)` for the engine's hot log lines (a task run's start and end).

    The record is the one `logger.info(message)` would make, with the caller of this function
    as its origin (`pathname`, `lineno`, `funcName`), and it goes to the same handlers; but the
    stack walk `Logger.findCaller` does for every record is left out, and so are the calls
    `Logger.makeRecord` and `Logger.handle` make when they have nothing to add. Any logger that
    is not a plain `logging.Logger` (a subclass, an adapter, a mock, a patched method) gets the
    ordinary call.

    Args:
        - logger (Any): the logger
        - level (int): 10, 20, 30 or 40
        - message (str): the message (not %-formatted: no arguments)
        - checked (bool, optional): the caller knows that `logger.isEnabledFor(level)`
    """
    if (
        type(logger) is not logging.Logger
        or _PLAIN_LOGGER_METHODS[level] in logger.__dict__
        or logging.Logger.makeRecord is not _MAKE_RECORD
        or logging.Logger.handle is not _HANDLE
    ):
        getattr(logger, _PLAIN_LOGGER_METHODS[level])(message)
        return
    if not checked and not logger.isEnabledFor(level):
        return
    if logging._srcfile:  # type: ignore[attr-defined]  # the default: record where the call is
        frame = sys._getframe(1)
        code = frame.f_code
        # (`frame.f_lineno` walks the code's line table from its start: in a long function, that
        # was a third of a log line's cost; a call site's line is kept by its instruction offset)
        site = (code, frame.f_lasti)
        lineno = _SITE_LINES.get(site)
        if lineno is None:
            lineno = keep_bounded(_SITE_LINES, site, frame.f_lineno, _MAX_SITES)
        # (what `Logger.makeRecord` does without `extra`)
        record = logging._logRecordFactory(  # type: ignore[attr-defined]
            logger.name, level, code.co_filename, lineno, message, (), None, code.co_name
        )
    else:  # the application turned caller lookup off, as `logging` itself would honour
        record = logger.makeRecord(
            logger.name, level, "(unknown file)", 0, message, (), None, "(unknown function)"
        )
    if logger.filters:
        logger.handle(record)
    elif not logger.disabled:  # (what `Logger.handle` does without filters)
        logger.callHandlers(record)


def get_logger(name: Optional[str] = None) -> logging.Logger:
    """Return the `prefect` logger, or its child `prefect.<name>` (which inherits its settings).

    Args:
        - name (str, optional): the child's name

    Returns:
        - logging.Logger: the logger
    """
    return prefect_logger if name is None else prefect_logger.getChild(name)


@contextmanager
def temporary_logger_config(
    level: Optional[Union[int, str]] = None,
    stream_fmt: Optional[str] = None,
    stream_datefmt: Optional[str] = None,
) -> Iterator[logging.Logger]:
    """Set the `prefect` logger's level and its stream handlers' format for a block.

    Args:
        - level (int or str, optional): the level
        - stream_fmt (str, optional): the log line format
        - stream_datefmt (str, optional): the date format

    Yields:
        - logging.Logger: the `prefect` logger
    """
    from prefect_classic.utilities.configuration import set_temporary_config

    overrides: Dict[str, Any] = {
        key: value
        for key, value in (
            ("logging.level", level),
            ("logging.format", stream_fmt),
            ("logging.datefmt", stream_datefmt),
        )
        if value
    }
    logger = prefect_logger
    previous_level = logger.level
    # the handlers themselves are kept (with their streams); only their formatters change
    streams = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
    previous_formatters = [h.formatter for h in streams]
    try:
        with set_temporary_config(overrides) as cfg:
            for handler in streams:
                handler.setFormatter(_PrefectFormatter(cfg.logging.format, cfg.logging.datefmt))
            if level:
                logger.setLevel(_level_of(level))
            yield logger
    finally:
        for handler, formatter in zip(streams, previous_formatters):
            handler.setFormatter(formatter)  # type: ignore[arg-type]
        logger.setLevel(previous_level)


class RedirectToLog(io.TextIOBase):
    """A text stream that logs what is written to it at INFO (for `log_stdout=True` tasks);
    blank writes are skipped.

    Args:
        - logger (logging.Logger, optional): the target (default: the `prefect.stdout` logger)
    """

    def __init__(self, logger: Optional[logging.Logger] = None) -> None:
        self.stdout_logger = logger or get_logger("stdout")

    def write(self, s: str) -> int:
        """Log `s` at INFO unless it is blank.

        Args:
            - s (str): the text

        Returns:
            - int: the number of characters written
        """
        if not isinstance(s, str):
            raise TypeError(f"string argument expected, got {type(s)}")
        if s.strip():
            self.stdout_logger.info(s)
        return len(s)

    def flush(self) -> None:
        """Flush the target logger's handlers."""
        for handler in self.stdout_logger.handlers:
            handler.flush()

    def writable(self) -> bool:  # noqa: D102
        return True


prefect_logger = configure_logging()
configure_extra_loggers()
LOG_MANAGER = LogManager()
