"""Log records built in one step: the record `logging.LogRecord(...)` would build, attribute for
attribute and in the same order, without the calls its `__init__` makes for every record
(`os.path.basename` and `os.path.splitext` of the same few source files, `getLevelName`, one
attribute store at a time), and with the context's attributes added in the same step.

`quick_record` is used by the context's record factory only while the standard factory is
`logging.LogRecord` itself and `logging.logThreads`, `logProcesses` and `logMultiprocessing` are
on (their defaults); otherwise records are built the standard way. The time fields follow the
running Python's own rule (whole milliseconds since gh-89047; nanoseconds since Python 3.13),
which is read off a standard record at import.
"""

import collections.abc
import logging
import os
import sys
import threading
import time
from typing import Any, Dict, Optional, Tuple

from prefect_classic.utilities.collections import keep_bounded

__all__ = ["quick_record", "quick_records_apply"]

_LogRecord = logging.LogRecord
_Mapping = collections.abc.Mapping
_new = object.__new__
_level_names: Dict[int, str] = logging._levelToName  # type: ignore[attr-defined]

#: Python 3.13 and later take a record's time in nanoseconds (`time.time_ns`)
_NANOSECONDS = isinstance(logging._startTime, int)  # type: ignore[attr-defined]
#: Pythons with the fix of gh-89047 keep whole milliseconds in `msecs`; a record made with the
#: older rule has a fraction there (two records: one could fall on a whole millisecond)
_WHOLE_MILLISECONDS = all(
    float(_LogRecord("probe", 20, "probe.py", 1, "", (), None).msecs).is_integer() for _ in range(2)
)
#: Python 3.12 and later add the asyncio task's name (`taskName`)
_TASK_NAMES = hasattr(logging, "logAsyncioTasks")

#: source path -> (filename, module), as `LogRecord` derives them
_PATH_PARTS: Dict[str, Tuple[str, str]] = {}
_MAX_PATHS = 4096


def quick_records_apply(pathname: Any) -> bool:
    """Whether `quick_record` builds what `logging.LogRecord` would, under `logging`'s current
    switches, for a record from `pathname`.

    Args:
        - pathname (Any): the record's source path

    Returns:
        - bool: True for a str path with the default switches on
    """
    return (
        type(pathname) is str
        and logging.logThreads
        and logging.logProcesses
        and logging.logMultiprocessing
    )


def _path_parts(pathname: str) -> Tuple[str, str]:
    try:
        filename = os.path.basename(pathname)
        parts = (filename, os.path.splitext(filename)[0])
    except (TypeError, ValueError, AttributeError):
        parts = (pathname, "Unknown module")
    return keep_bounded(_PATH_PARTS, pathname, parts, _MAX_PATHS)


def _task_name() -> Optional[str]:
    if not logging.logAsyncioTasks:  # type: ignore[attr-defined]
        return None
    asyncio = sys.modules.get("asyncio")
    if asyncio:
        try:
            return asyncio.current_task().get_name()  # type: ignore[union-attr]
        except Exception:
            pass
    return None


def quick_record(
    name: str,
    level: int,
    pathname: str,
    lineno: int,
    msg: Any,
    args: Any,
    exc_info: Any,
    func: Optional[str] = None,
    sinfo: Optional[str] = None,
    extra: Optional[Dict[str, Any]] = None,
) -> logging.LogRecord:
    """The record `logging.LogRecord(name, level, pathname, lineno, msg, args, exc_info, func,
    sinfo)` would make (call only when `quick_records_apply(pathname)`), plus the attributes in
    `extra`.

    Args:
        - name (str): the logger's name
        - level (int): the level number
        - pathname (str): the source file
        - lineno (int): the source line
        - msg (Any): the message
        - args (Any): the message's arguments
        - exc_info (Any): the exception information
        - func (str, optional): the function's name
        - sinfo (str, optional): the stack information
        - extra (dict, optional): more attributes, set after the standard ones

    Returns:
        - logging.LogRecord: the record
    """
    if args and len(args) == 1 and isinstance(args[0], _Mapping) and args[0]:
        args = args[0]
    parts = _PATH_PARTS.get(pathname) or _path_parts(pathname)
    if _NANOSECONDS:
        now = time.time_ns()
        created = now / 1e9
        msecs = (now % 1_000_000_000) // 1_000_000 + 0.0
        if msecs == 999.0 and int(created) != now // 1_000_000_000:
            msecs = 0.0
        relative = (now - logging._startTime) / 1e6  # type: ignore[attr-defined]
    else:
        created = time.time()
        if _WHOLE_MILLISECONDS:
            msecs = int((created - int(created)) * 1000) + 0.0
        else:
            msecs = (created - int(created)) * 1000
        relative = (created - logging._startTime) * 1000  # type: ignore[attr-defined]
    process_name = "MainProcess"
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:
        try:
            process_name = multiprocessing.current_process().name
        except Exception:
            pass
    attributes = {
        "name": name,
        "msg": msg,
        "args": args,
        "levelname": _level_names.get(level) or logging.getLevelName(level),
        "levelno": level,
        "pathname": pathname,
        "filename": parts[0],
        "module": parts[1],
        "exc_info": exc_info,
        "exc_text": None,
        "stack_info": sinfo,
        "lineno": lineno,
        "funcName": func,
        "created": created,
        "msecs": msecs,
        "relativeCreated": relative,
        "thread": threading.get_ident(),
        "threadName": threading.current_thread().name,
        "processName": process_name,
        "process": os.getpid(),
    }
    if _TASK_NAMES:
        attributes["taskName"] = _task_name()
    if extra:
        attributes.update(extra)
    record = _new(_LogRecord)
    record.__dict__ = attributes
    return record
