"""Logging: loggers under `prefect`, Prefect 1's format, level from config, context.logger."""

import io
import json
import logging
import re

import pytest

import prefect_classic
from prefect_classic import Flow, context, task
from prefect_classic.utilities import logging as plogging
from prefect_classic.utilities.configuration import set_temporary_config

PREFECT1_FORMAT = "[%(asctime)s] %(levelname)s - %(name)s | %(message)s"


def prefect_handlers(logger):
    """The stream handlers prefect_classic added (the CloudHandler aside)."""
    return [
        h
        for h in logger.handlers
        if getattr(h, "_prefect_classic", False) and not isinstance(h, plogging.CloudHandler)
    ]


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
    record = logging.LogRecord(
        "prefect.Task", logging.INFO, __file__, 1, "hello %s", ("world",), None
    )
    line = handler.format(record)
    assert re.fullmatch(
        r"\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{4}\] INFO - prefect\.Task \| hello world",
        line,
    )


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


def test_temporary_logger_config_changes_and_restores_format_and_level():
    logger = plogging.get_logger()
    before = (logger.level, prefect_handlers(logger)[0].formatter._fmt)
    with plogging.temporary_logger_config(level=logging.ERROR, stream_fmt="%(message)s") as inside:
        assert inside is logger and logger.level == logging.ERROR
        assert [h.formatter._fmt for h in prefect_handlers(logger)] == ["%(message)s"]
    assert (logger.level, prefect_handlers(logger)[0].formatter._fmt) == before
    assert len(prefect_handlers(logger)) == 1


def test_redirect_to_log_logs_each_non_blank_write(caplog):
    stream = plogging.RedirectToLog(plogging.get_logger("stdout-test"))
    with caplog.at_level(logging.INFO, logger="prefect"):
        stream.write("first")
        stream.write("\n")
        stream.write("")
        stream.write("second line\n")
        stream.flush()
    assert [r.getMessage() for r in caplog.records if r.name == "prefect.stdout-test"] == [
        "first",
        "second line\n",
    ]
    with pytest.raises(TypeError):
        stream.write(b"bytes")


def test_print_in_a_redirected_block_logs_each_printed_piece(caplog):
    import contextlib

    with caplog.at_level(logging.INFO, logger="prefect"):
        with contextlib.redirect_stdout(plogging.RedirectToLog(plogging.get_logger("printed"))):
            print("hello")
            print("several", "words")  # print writes each word apart: Prefect 1 logs each
    assert [r.getMessage() for r in caplog.records if r.name == "prefect.printed"] == [
        "hello",
        "several",
        "words",
    ]


def test_diagnostic_logger_is_configured_but_never_shipped():
    logger = plogging.create_diagnostic_logger("pc-diag")
    assert prefect_handlers(logger)
    assert not any(isinstance(h, plogging.CloudHandler) for h in logger.handlers)
    assert logger.level == logging.INFO


def test_root_logger_has_a_cloud_handler():
    assert any(isinstance(h, plogging.CloudHandler) for h in plogging.get_logger().handlers)


def test_getlogsize_adds_the_record_overhead():
    log = {
        "flow_run_id": "a" * 32,
        "task_run_id": "b" * 32,
        "timestamp": "2024-01-01T00:00:00+00:00",
        "name": "prefect.Task",
        "level": "INFO",
        "message": "m" * 500,
    }
    assert plogging.getlogsize(log) == 500 + plogging.LOG_OVERHEAD
    assert len(json.dumps(log)) <= plogging.getlogsize(log)


class RecordingClient:
    """Stands in for a backend client: keeps what it is asked to upload."""

    def __init__(self):
        self.uploads = []

    def write_run_logs(self, logs):
        self.uploads.append(list(logs))


@pytest.fixture
def log_manager(monkeypatch):
    manager = plogging.LogManager()
    monkeypatch.setattr(prefect_classic, "Client", RecordingClient, raising=False)
    monkeypatch.setattr(plogging, "LOG_MANAGER", manager)
    yield manager
    manager.stop()


def test_cloud_handler_ships_nothing_outside_a_backend_run(log_manager):
    logger = plogging.configure_logging(testing=True)
    logger.warning("local run")
    assert log_manager.queue.empty() and log_manager.thread is None


def test_cloud_handler_queues_records_of_a_backend_run(log_manager):
    logger = plogging.configure_logging(testing=True)
    with context(running_with_backend=True, flow_run_id="fr", task_run_id="tr"):
        logger.debug("below the configured level")
        logger.info("hello %s", "there")
        with set_temporary_config({"cloud.send_flow_run_logs": False}):
            logger.info("not sent when disabled")
    log = log_manager.queue.get_nowait()
    assert log_manager.queue.empty()
    assert isinstance(log.pop("timestamp"), str)
    assert log == {
        "flow_run_id": "fr",
        "task_run_id": "tr",
        "name": "prefect-test-logger",
        "level": "INFO",
        "message": "hello there",
    }


def test_cloud_handler_truncates_oversized_messages(log_manager, monkeypatch):
    monkeypatch.setattr(plogging, "MAX_LOG_SIZE", plogging.LOG_OVERHEAD + 100)
    logger = plogging.configure_logging(testing=True)
    with context(running_with_backend=True):
        with pytest.warns(UserWarning, match="exceeding the limit"):
            logger.info("x" * 500)
    assert log_manager.queue.get_nowait()["message"] == "x" * 100


def test_log_manager_uploads_in_batches_and_stops_cleanly(log_manager, monkeypatch):
    monkeypatch.setattr(plogging, "MAX_BATCH_LOG_SIZE", 2 * (plogging.LOG_OVERHEAD + 10))
    monkeypatch.setattr(plogging, "MAX_LOG_SIZE", plogging.LOG_OVERHEAD + 10)
    with set_temporary_config({"cloud.logging_heartbeat": 3600}):
        for i in range(5):
            log_manager.enqueue({"message": str(i) * 10})
    client = log_manager.client
    assert isinstance(client, RecordingClient) and log_manager.thread is not None
    log_manager.stop()  # uploads what is queued without waiting for the heartbeat
    assert [[log["message"][0] for log in batch] for batch in client.uploads] == [
        ["0"],
        ["1"],
        ["2"],
        ["3"],
        ["4"],
    ]
    assert log_manager.thread is None and log_manager.client is None
    log_manager.stop()


def test_log_manager_keeps_logs_when_an_upload_fails(log_manager):
    class FlakyClient(RecordingClient):
        fail = True

        def write_run_logs(self, logs):
            if self.fail:
                self.fail = False
                raise ValueError("backend down")
            super().write_run_logs(logs)

    log_manager.client = FlakyClient()
    log_manager.queue.put({"message": "kept"})
    with pytest.warns(UserWarning, match="Failed to write logs with error"):
        log_manager._write_logs()
    assert log_manager.pending_logs == [{"message": "kept"}]
    log_manager._write_logs()
    assert log_manager.client.uploads == [[{"message": "kept"}]] and log_manager.pending_logs == []


def test_records_carry_context_values_and_configured_attributes():
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    logger = logging.getLogger("pc-any-logger")
    handler = Keep()
    logger.addHandler(handler)
    try:
        with context(flow_name="f", task_name="t", trace_id="abc"):
            logger.warning("one")
            with set_temporary_config({"logging.log_attributes": ["trace_id", "unset_key"]}):
                logger.warning("two")
            logger.warning("three")
    finally:
        logger.removeHandler(handler)
    one, two, three = seen
    assert (one.flow_name, one.task_name) == ("f", "t")
    assert not hasattr(one, "flow_run_id") and not hasattr(one, "trace_id")  # unset: not added
    assert (two.trace_id, two.unset_key) == ("abc", None)  # configured: always added
    assert not hasattr(three, "trace_id")  # the cached attribute list follows the configuration


def test_extra_loggers_are_configured_like_prefect():
    name = "pc-extra-logger-2"
    with set_temporary_config({"logging.extra_loggers": [name], "logging.level": "ERROR"}):
        plogging.configure_extra_loggers()
    extra = logging.getLogger(name)
    assert prefect_handlers(extra) and extra.level == logging.ERROR


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
