"""Records built in one step (`quick_record`) equal the standard `logging.LogRecord`, attribute for
attribute and in order; `log_line` reports each call site's own line; the `prefect` stream handler
writes what a standard `StreamHandler` writes and defers to the standard path when customised."""

import io
import logging
import sys
import time

import pytest

from prefect_classic import context
from prefect_classic.utilities import log_records
from prefect_classic.utilities import logging as plogging
from prefect_classic.utilities.log_records import quick_record, quick_records_apply
from prefect_classic.utilities.logging import log_line

ARGUMENTS = [
    ("prefect.Test", 20, "/src/pkg/module.py", 12, "hello", (), None, "run", None),
    ("other", 30, "/src/other.py", 3, "x=%s y=%s", (1, 2), None, "f", "Stack (most recent)"),
    ("other", 10, "relative.py", 1, "%(a)s", ({"a": 1},), None, None, None),
    ("other", 25, "/src/noext", 7, "custom level", (), None, "g", None),
    ("other", 40, "/src/e.py", 9, "boom", (), (ValueError, ValueError("x"), None), "h", None),
]


@pytest.fixture
def fixed_clock(monkeypatch):
    """Both builders read the clock through the `time` module: pin it so time fields compare."""
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.123456)
    monkeypatch.setattr(time, "time_ns", lambda: 1_700_000_000_123_456_789)


@pytest.mark.parametrize("arguments", ARGUMENTS, ids=lambda a: a[4])
def test_a_quick_record_equals_the_standard_record_attribute_for_attribute(fixed_clock, arguments):
    standard = logging.LogRecord(*arguments)
    quick = quick_record(*arguments)
    assert type(quick) is logging.LogRecord
    assert list(quick.__dict__) == list(standard.__dict__)
    assert quick.__dict__ == standard.__dict__
    assert quick.getMessage() == standard.getMessage()


def test_a_quick_record_uses_a_level_name_added_at_run_time(fixed_clock):
    logging.addLevelName(27, "NOTICE27")
    try:
        record = quick_record("n", 27, "/a.py", 1, "m", (), None)
        assert record.levelname == "NOTICE27"
    finally:
        del logging._levelToName[27]
        del logging._nameToLevel["NOTICE27"]


def test_a_quick_record_takes_extra_attributes_after_the_standard_ones(fixed_clock):
    record = quick_record("n", 20, "/a.py", 1, "m", (), None, extra={"flow_name": "f"})
    assert list(record.__dict__)[-1] == "flow_name" and record.flow_name == "f"


def test_time_fields_follow_this_python_s_rule_without_a_pinned_clock():
    before = time.time()
    record = quick_record("n", 20, "/a.py", 1, "m", (), None)
    assert before <= record.created <= time.time()
    assert 0 <= record.msecs < 1000
    assert record.relativeCreated == pytest.approx(
        (record.created - logging._startTime / (1e9 if sys.version_info >= (3, 13) else 1)) * 1000,
        abs=1,
    )


def test_quick_records_are_not_used_when_logging_switches_are_off(monkeypatch, caplog):
    assert quick_records_apply("/a.py")
    assert not quick_records_apply(None)
    monkeypatch.setattr(logging, "logThreads", False)
    assert not quick_records_apply("/a.py")
    logger = logging.getLogger("prefect.QuickSwitches")
    with caplog.at_level(logging.INFO, logger="prefect.QuickSwitches"):
        logger.info("no threads")
    (record,) = [r for r in caplog.records if r.name == "prefect.QuickSwitches"]
    assert record.thread is None and record.threadName is None


def test_the_record_factory_gives_context_values_on_quick_records(caplog):
    logger = logging.getLogger("prefect.QuickContext")
    with context(flow_name="nightly", task_run_id="tr-1"):
        with caplog.at_level(logging.INFO, logger="prefect.QuickContext"):
            logger.info("inside %s", "block")
    (record,) = [r for r in caplog.records if r.name == "prefect.QuickContext"]
    assert record.getMessage() == "inside block"
    assert record.flow_name == "nightly" and record.task_run_id == "tr-1"
    assert record.filename == "test_log_records.py" and record.module == "test_log_records"


def test_the_path_parts_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(log_records, "_MAX_PATHS", 3)
    monkeypatch.setattr(log_records, "_PATH_PARTS", {})
    for i in range(10):
        record = quick_record("n", 20, f"/src/m{i}.py", 1, "m", (), None)
        assert record.module == f"m{i}"
    assert len(log_records._PATH_PARTS) <= 3


def _two_sites(logger):
    log_line(logger, 20, "first")
    for _ in range(2):
        log_line(logger, 20, "second")


def test_log_line_reports_each_call_site_s_own_line(caplog):
    logger = logging.getLogger("prefect.QuickLines")
    with caplog.at_level(logging.INFO, logger="prefect.QuickLines"):
        _two_sites(logger)
        _two_sites(logger)
    lines = [(r.getMessage(), r.lineno) for r in caplog.records if r.name == "prefect.QuickLines"]
    first_line = _two_sites.__code__.co_firstlineno + 1
    assert (
        lines == [("first", first_line), ("second", first_line + 2), ("second", first_line + 2)] * 2
    )


# --- the prefect stream handler -------------------------------------------------------------------
def _handler_pair(fmt="%(levelname)s %(name)s | %(message)s"):
    ours = plogging._stream_handler(fmt, "%Y")
    ours.setStream(io.StringIO())
    standard = logging.StreamHandler(io.StringIO())
    standard.setFormatter(logging.Formatter(fmt, "%Y"))
    return ours, standard


def test_the_stream_handler_writes_and_returns_what_a_standard_one_does():
    ours, standard = _handler_pair()
    record = logging.LogRecord("prefect.X", 20, "/a.py", 1, "hi %s", ("there",), None)
    assert ours.handle(record) == standard.handle(record)
    assert ours.stream.getvalue() == standard.stream.getvalue() == "INFO prefect.X | hi there\n"


def test_the_stream_handler_applies_its_filters():
    ours, _ = _handler_pair()
    ours.addFilter(lambda record: "keep" in record.msg)
    ours.handle(logging.LogRecord("p", 20, "/a.py", 1, "drop me", (), None))
    ours.handle(logging.LogRecord("p", 20, "/a.py", 1, "keep me", (), None))
    assert ours.stream.getvalue() == "INFO p | keep me\n"


def test_the_stream_handler_calls_an_emit_replaced_on_the_instance():
    ours, _ = _handler_pair()
    seen = []
    ours.emit = seen.append
    record = logging.LogRecord("p", 20, "/a.py", 1, "m", (), None)
    ours.handle(record)
    assert seen == [record] and ours.stream.getvalue() == ""


def test_a_failing_stream_goes_to_handle_error_and_the_next_line_is_written(monkeypatch):
    ours, _ = _handler_pair()
    errors = []
    monkeypatch.setattr(ours, "handleError", errors.append)

    class Broken(io.StringIO):
        def write(self, text):
            raise OSError("disk full")

    good = ours.stream
    ours.setStream(Broken())
    record = logging.LogRecord("p", 20, "/a.py", 1, "lost", (), None)
    ours.handle(record)
    assert errors == [record]
    ours.setStream(good)
    ours.handle(logging.LogRecord("p", 20, "/a.py", 1, "written", (), None))
    assert good.getvalue() == "INFO p | written\n"


def test_the_prefect_logger_uses_the_one_call_stream_handler():
    handlers = logging.getLogger("prefect").handlers
    assert any(type(h) is plogging._PrefectStreamHandler for h in handlers)
    assert all(
        isinstance(h, logging.StreamHandler)
        for h in handlers
        if getattr(h, "_prefect_classic", False) and not isinstance(h, plogging.CloudHandler)
    )
