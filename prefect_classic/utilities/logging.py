"""Logging under the `prefect` root logger with Prefect 1's format."""
import io
import logging
import sys
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional

__all__ = [
    "CloudHandler",
    "LOG_MANAGER",
    "LogManager",
    "RedirectToLog",
    "configure_extra_loggers",
    "configure_logging",
    "create_diagnostic_logger",
    "get_logger",
    "getlogsize",
    "temporary_logger_config",
]

_ROOT_NAME = "prefect"


class CloudHandler(logging.Handler):
    """Kept so that Prefect 1 imports resolve. prefect_classic has no Cloud backend:
    records handed to this handler are kept in memory (`records`) and never sent anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        self.records.append(record)


class LogManager:
    """Holds process-wide logging state (Prefect 1 used it to batch Cloud logs).

    Here it only tracks whether logging has been configured."""

    def __init__(self) -> None:
        self.configured = False
        self.enqueued: list = []

    def ensure_started(self) -> None:
        """No-op: there is no background log shipping in prefect_classic."""

    def stop(self) -> None:
        """No-op counterpart of `ensure_started`."""

    def enqueue(self, message: Any) -> None:
        """Keep a message (nothing consumes it; kept for compatibility)."""
        self.enqueued.append(message)


LOG_MANAGER = LogManager()


def getlogsize(record: logging.LogRecord) -> int:
    """Approximate size in bytes of a log record's message.

    Args:
        - record (logging.LogRecord): the record

    Returns:
        - int: the size
    """
    return len(str(record.getMessage()).encode())


class _PrefectFormatter(logging.Formatter):
    """A Formatter that formats each second's timestamp once (task runs log several lines per
    millisecond; `time.strftime` was a third of the cost of a log line). Output is identical as
    long as the date format has no sub-second field, which `strftime` cannot print anyway."""

    def __init__(self, fmt: Optional[str] = None, datefmt: Optional[str] = None) -> None:
        super().__init__(fmt, datefmt)
        self._last: tuple = (None, "")

    def formatTime(self, record: logging.LogRecord, datefmt: Optional[str] = None) -> str:  # noqa: N802
        if not datefmt:  # the default format adds milliseconds: nothing to cache
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if self._last[0] != (second, datefmt):
            self._last = ((second, datefmt), super().formatTime(record, datefmt))
        return self._last[1]


def _handler(fmt: str, datefmt: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrefectFormatter(fmt, datefmt))
    handler._prefect_classic = True  # type: ignore[attr-defined]
    return handler


def configure_logging(testing: bool = False) -> logging.Logger:
    """Set up the `prefect` root logger from the configuration (once per call).

    Args:
        - testing (bool): configure a separate `prefect-test-logger` instead of `prefect`

    Returns:
        - logging.Logger: the configured root logger
    """
    from prefect_classic.configuration import config

    name = "prefect-test-logger" if testing else _ROOT_NAME
    logger = logging.getLogger(name)
    for old in [h for h in logger.handlers if getattr(h, "_prefect_classic", False)]:
        logger.removeHandler(old)
    logger.addHandler(_handler(config.logging.format, config.logging.datefmt))
    logger.setLevel(str(config.logging.level).upper())
    configure_extra_loggers()
    LOG_MANAGER.configured = True
    return logger


def configure_extra_loggers() -> None:
    """Give the loggers named in `config.logging.extra_loggers` the prefect format and level."""
    from prefect_classic.configuration import config

    for name in config.logging.get("extra_loggers", []) or []:
        logger = logging.getLogger(name)
        if not any(getattr(h, "_prefect_classic", False) for h in logger.handlers):
            logger.addHandler(_handler(config.logging.format, config.logging.datefmt))
        logger.setLevel(str(config.logging.level).upper())


def create_diagnostic_logger(name: str) -> logging.Logger:
    """A DEBUG-level logger outside the `prefect` tree, with its own handler.

    Args:
        - name (str): the logger's name

    Returns:
        - logging.Logger: the logger
    """
    from prefect_classic.configuration import config

    logger = logging.getLogger(name)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(_handler(config.logging.format, config.logging.datefmt))
    logger.setLevel("DEBUG")
    return logger


def get_logger(name: Optional[str] = None) -> logging.Logger:
    """Return the `prefect` root logger or one of its children.

    Args:
        - name (str, optional): the child's name (`prefect.<name>`)

    Returns:
        - logging.Logger: the logger
    """
    root = logging.getLogger(_ROOT_NAME)
    return root if name is None else root.getChild(name)


@contextmanager
def temporary_logger_config(
    level: Optional[int] = None, stream_fmt: Optional[str] = None, stream_datefmt: Optional[str] = None
) -> Iterator[None]:
    """Change the root logger's level and handler format for a block.

    Args:
        - level (int, optional): the temporary level
        - stream_fmt (str, optional): the temporary format
        - stream_datefmt (str, optional): the temporary date format
    """
    logger = get_logger()
    old_level = logger.level
    handlers = [h for h in logger.handlers if getattr(h, "_prefect_classic", False)]
    old_formatters = [h.formatter for h in handlers]
    try:
        if level is not None:
            logger.setLevel(level)
        for h in handlers:
            fmt = h.formatter
            h.setFormatter(logging.Formatter(stream_fmt or (fmt._fmt if fmt else None),
                                             stream_datefmt or (fmt.datefmt if fmt else None)))
        yield
    finally:
        logger.setLevel(old_level)
        for h, f in zip(handlers, old_formatters):
            h.setFormatter(f)  # type: ignore[arg-type]


class RedirectToLog(io.TextIOBase):
    """A text stream that writes each line to a logger (used for `log_stdout=True`).

    Args:
        - logger (logging.Logger, optional): the target (default: the `prefect` root logger)
    """

    def __init__(self, logger: Optional[logging.Logger] = None) -> None:
        self.stdout_logger = logger or get_logger("stdout")
        self._buffer = ""

    def write(self, s: str) -> int:  # noqa: D102
        self._buffer += s
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            if line.strip():
                self.stdout_logger.info(line)
        return len(s)

    def flush(self) -> None:  # noqa: D102
        if self._buffer.strip():
            self.stdout_logger.info(self._buffer)
        self._buffer = ""

    def writable(self) -> bool:  # noqa: D102
        return True


configure_logging()
