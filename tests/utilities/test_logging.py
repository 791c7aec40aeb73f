"""Logging: loggers under `prefect`, Prefect 1's format, level from config, context.logger."""
import io
import logging
import re

import pytest

from prefect_classic import Flow, context, task
from prefect_classic.utilities import logging as plogging
from prefect_classic.utilities.configuration import set_temporary_config

PREFECT1_FORMAT = "[%(asctime)s] %(levelname)s - %(name)s | %(message)s"


def prefect_handlers(logger):
    return [h for h in logger.handlers if getattr(h, "_prefect_classic", False)]


@pytest.fixture
def restore_root_logger():
    yield
    plogging.configure_logging()


def test_get_logger_returns_the_prefect_root_and_its_children():
    assert plogging.get_logger() is logging.getLogger("prefect")
    child = plogging.get_logger("my-task")
    assert child.name == "prefect.my-task"
    assert child.parent is logging.getLogger("prefect")


def test_root_logger_has_one_handler_with_the_prefect1_format():
    handlers = prefect_handlers(plogging.get_logger())
    assert len(handlers) == 1
    assert handlers[0].formatter._fmt == PREFECT1_FORMAT


def test_formatted_record_looks_like_prefect1():
    handler = prefect_handlers(plogging.get_logger())[0]
    record = logging.LogRecord("prefect.Task", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    line = handler.format(record)
    assert re.fullmatch(r"\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{4}\] INFO - prefect\.Task \| hello world", line)


def test_level_comes_from_config(restore_root_logger):
    with set_temporary_config({"logging.level": "DEBUG"}):
        logger = plogging.configure_logging()
        assert logger.level == logging.DEBUG
    with set_temporary_config({"logging.level": "warning"}):
        assert plogging.configure_logging().level == logging.WARNING


def test_configure_logging_twice_does_not_stack_handlers(restore_root_logger):
    plogging.configure_logging()
    plogging.configure_logging()
    assert len(prefect_handlers(plogging.get_logger())) == 1


def test_configure_logging_testing_uses_a_separate_logger():
    logger = plogging.configure_logging(testing=True)
    assert logger.name == "prefect-test-logger"


def test_users_logging_config_still_receives_prefect_records(caplog):
    with caplog.at_level(logging.INFO, logger="prefect"):
        plogging.get_logger("user").info("visible to the root logger")
    assert ("prefect.user", logging.INFO, "visible to the root logger") in caplog.record_tuples


def test_extra_loggers_get_the_prefect_handler(restore_root_logger):
    name = "pc-test-extra-logger"
    with set_temporary_config({"logging.extra_loggers": [name]}):
        plogging.configure_logging()
    extra = logging.getLogger(name)
    assert prefect_handlers(extra) and extra.level == logging.INFO


def test_temporary_logger_config_changes_and_restores_format_and_level():
    logger = plogging.get_logger()
    handler = prefect_handlers(logger)[0]
    before = (logger.level, handler.formatter)
    with plogging.temporary_logger_config(level=logging.ERROR, stream_fmt="%(message)s"):
        assert logger.level == logging.ERROR
        assert handler.formatter._fmt == "%(message)s"
    assert (logger.level, handler.formatter) == before


def test_redirect_to_log_writes_lines_to_the_logger(caplog):
    stream = plogging.RedirectToLog(plogging.get_logger("stdout-test"))
    with caplog.at_level(logging.INFO, logger="prefect"):
        stream.write("first line\nsecond ")
        stream.write("part\n\n")
        stream.write("tail")
        stream.flush()
    assert [r.getMessage() for r in caplog.records if r.name == "prefect.stdout-test"] == [
        "first line", "second part", "tail"]


def test_create_diagnostic_logger_is_debug_and_outside_prefect():
    logger = plogging.create_diagnostic_logger("pc-diag")
    assert logger.level == logging.DEBUG and logger.propagate is False and logger.handlers


def test_getlogsize_counts_bytes():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "héllo", None, None)
    assert plogging.getlogsize(record) == len("héllo".encode())


def test_cloud_handler_keeps_records_locally():
    handler = plogging.CloudHandler()
    handler.emit(logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None))
    assert len(handler.records) == 1


def test_task_logger_is_a_prefect_child_named_after_the_task():
    @task
    def my_task():
        pass

    assert my_task.logger.name == "prefect.my_task"


def test_context_logger_is_the_task_logger_during_a_run(caplog):
    seen = {}

    @task
    def log_something():
        seen["logger"] = context.logger
        context.logger.info("from inside the task")

    with Flow("logging") as flow:
        log_something()
    with caplog.at_level(logging.INFO, logger="prefect"):
        state = flow.run()
    assert state.is_successful()
    assert seen["logger"].name == "prefect.log_something"
    assert ("prefect.log_something", logging.INFO, "from inside the task") in caplog.record_tuples


def test_handler_writes_to_its_stream():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(prefect_handlers(plogging.get_logger())[0].formatter)
    logger = plogging.get_logger("stream-test")
    logger.addHandler(handler)
    try:
        logger.warning("careful")
    finally:
        logger.removeHandler(handler)
    assert " WARNING - prefect.stream-test | careful" in stream.getvalue()


def test_prefect_handler_timestamps_match_the_standard_formatter_to_the_second():
    """The handler's formatter caches each second's timestamp; its output equals logging.Formatter's."""
    import logging as std_logging

    from prefect_classic.utilities.logging import _PrefectFormatter

    fmt = "[%(asctime)s] %(levelname)s - %(name)s | %(message)s"
    datefmt = "%Y-%m-%d %H:%M:%S%z"
    ours, standard = _PrefectFormatter(fmt, datefmt), std_logging.Formatter(fmt, datefmt)
    for created in (1_700_000_000.1, 1_700_000_000.9, 1_700_000_001.0, 1_700_003_600.5):
        record = std_logging.LogRecord("prefect.x", std_logging.INFO, "f", 1, "hello", None, None)
        record.created, record.msecs = created, (created % 1) * 1000
        assert ours.format(record) == standard.format(record)
    no_datefmt = _PrefectFormatter(fmt)
    record = std_logging.LogRecord("prefect.x", std_logging.INFO, "f", 1, "hello", None, None)
    assert no_datefmt.format(record) == std_logging.Formatter(fmt).format(record)
