"""The per-task fast paths keep Prefect 1's behaviour: steps left out only when they cannot change
the state, log lines as `logger.info` would make them, context reads skipped only for keys that
were never set."""

import logging

from prefect_classic import Flow, Task, context
from prefect_classic.engine.state import Running, Success
from prefect_classic.engine.task_runner import TaskRunner
from prefect_classic.utilities.logging import log_line


class Plain(Task):
    def run(self):
        return 1


def test_a_subclass_overriding_a_skippable_step_is_still_called():
    calls = []

    class Counting(TaskRunner):
        def check_upstream_finished(self, state, upstream_states):
            calls.append("finished")
            return state

        def check_for_retry(self, state, inputs):
            calls.append("retry")
            return state

    state = Counting(Plain()).run()
    assert state.is_successful()
    assert calls == ["finished", "retry"]


def test_a_step_patched_on_the_instance_is_still_called():
    runner = TaskRunner(Plain())
    seen = []
    runner.check_task_is_cached = lambda state, inputs: seen.append(state) or state
    assert runner.run().is_successful()
    assert len(seen) == 1


def test_a_plain_run_without_upstream_tasks_still_succeeds_and_retries():
    attempts = []

    class Flaky(Task):
        def run(self):
            attempts.append(1)
            raise ValueError("no")

    import datetime

    state = TaskRunner(Flaky(max_retries=1, retry_delay=datetime.timedelta(0))).run()
    assert state.is_retrying()


def test_log_line_makes_the_record_logger_info_would_make(caplog):
    logger = logging.getLogger("prefect.FastPathTest")
    with caplog.at_level(logging.INFO, logger="prefect.FastPathTest"):
        log_line(logger, 20, "hello")
    (record,) = [r for r in caplog.records if r.name == "prefect.FastPathTest"]
    assert record.getMessage() == "hello" and record.levelno == 20
    assert record.funcName == "test_log_line_makes_the_record_logger_info_would_make"
    assert record.pathname == __file__


def test_log_line_honours_a_disabled_caller_lookup(caplog, monkeypatch):
    monkeypatch.setattr(logging, "_srcfile", None)
    logger = logging.getLogger("prefect.FastPathTest")
    with caplog.at_level(logging.INFO, logger="prefect.FastPathTest"):
        log_line(logger, 20, "hello")
    record = [r for r in caplog.records if r.name == "prefect.FastPathTest"][-1]
    assert record.funcName == "(unknown function)" and record.lineno == 0


def test_log_line_calls_a_replaced_logger_method():
    class Recorder:
        def __init__(self):
            self.lines = []

        def info(self, message):
            self.lines.append(message)

    recorder = Recorder()
    log_line(recorder, 20, "hi")
    assert recorder.lines == ["hi"]


def test_log_line_respects_the_logger_level(caplog):
    logger = logging.getLogger("prefect.FastPathQuiet")
    logger.setLevel(logging.WARNING)
    with caplog.at_level(logging.INFO):
        log_line(logger, 20, "quiet")
    assert not [r for r in caplog.records if r.name == "prefect.FastPathQuiet"]


def test_states_record_task_tags_set_by_any_context_block():
    with context(task_tags={"nightly"}):
        assert Running().context["tags"] == ["nightly"]
    assert "tags" not in Success().context


def test_task_run_records_carry_the_flow_and_task_ids(caplog):
    flow = Flow("records")
    flow.add_task(Plain(name="p"))
    with caplog.at_level(logging.INFO, logger="prefect"):
        flow.run()
    started = [r for r in caplog.records if "Starting task run" in r.getMessage()]
    finished = [r for r in caplog.records if "Finished task run" in r.getMessage()]
    assert started and finished
    for record in started + finished:
        assert record.task_name == "p" and record.flow_name == "records"
        assert record.flow_run_id and record.task_run_id
    assert started[0].task_run_id == finished[0].task_run_id


def test_memo_is_recomputed_after_a_block_is_exited_and_another_entered():
    def read_a(ctx):
        return ctx.get("a")

    with context(a=1):
        assert context.memo("k", read_a) == 1
    with context(a=2):
        assert context.memo("k", read_a) == 2


def _record(msg="x=%s", args=(1,), exc_info=None):
    return logging.LogRecord("prefect.T", 20, __file__, 1, msg, args, exc_info, "f")


def test_the_prefect_formatter_writes_what_the_standard_formatter_writes():
    from prefect_classic.utilities.logging import _PrefectFormatter

    fmt, datefmt = "[%(asctime)s] %(levelname)s - %(name)s | %(message)s", "%Y-%m-%d %H:%M:%S%z"
    ours, standard = _PrefectFormatter(fmt, datefmt), logging.Formatter(fmt, datefmt)
    record = _record()
    assert ours.format(record) == standard.format(record)
    assert ours.format(record).endswith("| x=1")


def test_the_prefect_formatter_adds_the_traceback_of_an_error():
    import sys

    from prefect_classic.utilities.logging import _PrefectFormatter

    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    text = _PrefectFormatter("%(levelname)s %(message)s").format(_record("failed", (), exc_info))
    assert text.startswith("INFO failed\nTraceback") and "ValueError: boom" in text


def test_the_prefect_formatter_follows_a_changed_format_string():
    from prefect_classic.utilities.logging import _PrefectFormatter

    formatter = _PrefectFormatter("%(message)s")
    assert formatter.format(_record()) == "x=1"
    formatter._style._fmt = "%(asctime)s %(message)s"
    assert formatter.format(_record()).endswith(" x=1") and formatter.format(_record()) != "x=1"


def test_log_line_applies_the_logger_filters_and_its_disabled_flag(caplog):
    logger = logging.getLogger("prefect.FastPathFiltered")
    logger.setLevel(logging.INFO)
    dropped = logging.Filter("elsewhere")  # passes only records of the logger "elsewhere"
    logger.addFilter(dropped)
    try:
        with caplog.at_level(logging.INFO):
            log_line(logger, 20, "filtered out")
        assert not [r for r in caplog.records if r.name == "prefect.FastPathFiltered"]
    finally:
        logger.removeFilter(dropped)
    logger.disabled = True
    try:
        with caplog.at_level(logging.INFO):
            log_line(logger, 20, "disabled")
        assert not [r for r in caplog.records if r.name == "prefect.FastPathFiltered"]
    finally:
        logger.disabled = False
    with caplog.at_level(logging.INFO):
        log_line(logger, 20, "kept")
    assert [r.getMessage() for r in caplog.records if r.name == "prefect.FastPathFiltered"] == [
        "kept"
    ]


def test_record_attributes_keep_only_truthy_values_and_let_an_inner_block_hide_one():
    from prefect_classic.utilities.context import truthy_values

    keys = frozenset({"flow_name", "task_name"})
    with context(flow_name="outer", task_name="t"):
        assert truthy_values(keys) == {"flow_name": "outer", "task_name": "t"}
        with context(task_name=None):  # a falsy value hides the one below
            assert truthy_values(keys) == {"flow_name": "outer"}
        with context(flow_name="inner"):
            assert truthy_values(keys) == {"flow_name": "inner", "task_name": "t"}
            del context.task_name  # a deletion hides it too
            assert truthy_values(keys) == {"flow_name": "inner"}
        assert truthy_values(keys) == {"flow_name": "outer", "task_name": "t"}


def test_log_records_carry_context_values_and_configured_attributes(caplog):
    from prefect_classic.utilities.configuration import set_temporary_config

    logger = logging.getLogger("prefect.FastPathAttrs")
    with context(flow_name="f", task_name=""):
        with caplog.at_level(logging.INFO):
            logger.info("plain")
        record = caplog.records[-1]
        assert record.flow_name == "f" and not hasattr(record, "task_name")
        with set_temporary_config({"logging.log_attributes": ["custom"]}):
            with context(custom=0):
                with caplog.at_level(logging.INFO):
                    logger.info("with extras")
        record = caplog.records[-1]
        assert record.custom == 0 and record.flow_name == "f"
