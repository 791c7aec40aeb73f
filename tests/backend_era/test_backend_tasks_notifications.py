"""`prefect.backend`, `prefect.artifacts`, `prefect.tasks.prefect` and
`prefect.utilities.notifications` without a backend: artifacts are no-ops, lookups and
flow-run tasks fail with BackendOnlyError, and notifications work with local secrets."""

import datetime
import http.server
import json
import threading

import pytest

import prefect_classic
from prefect_classic import Flow, Task, task
from prefect_classic import artifacts as old_artifacts
from prefect_classic.backend import (
    FlowRunView,
    FlowView,
    TaskRunView,
    TenantView,
    create_link_artifact,
    create_markdown_artifact,
    delete_artifact,
    get_key_value,
    list_keys,
    set_key_value,
    update_markdown_artifact,
)
from prefect_classic.engine.state import Failed, Running, Success
from prefect_classic.exceptions import BackendOnlyError, ClientError
from prefect_classic.tasks.prefect import (
    CancelFlowRun,
    RenameFlowRun,
    StartFlowRun,
    create_flow_run,
    get_task_run_result,
    wait_for_flow_run,
)
from prefect_classic.utilities.notifications import (
    callback_factory,
    gmail_notifier,
    slack_message_formatter,
    slack_notifier,
    snowflake_logger,
)

# --- artifacts and backend views ---------------------------------------------------------------


def test_artifact_functions_do_nothing_without_a_backend():
    assert create_link_artifact("https://example.com") is None
    assert create_markdown_artifact("# title") is None
    assert update_markdown_artifact("id", "# new") is None
    assert delete_artifact("id") is None


def test_artifact_functions_inside_a_backend_run_would_need_the_backend():
    with prefect_classic.context(running_with_backend=True):
        with pytest.raises(BackendOnlyError, match="create_link_artifact"):
            create_link_artifact("https://example.com")


def test_old_artifact_names_warn_that_they_moved_and_do_nothing():
    with pytest.warns(UserWarning, match="moved to `prefect.backend.create_link_artifact`"):
        assert old_artifacts.create_link("https://example.com") is None
    with pytest.warns(UserWarning, match="moved"):
        assert old_artifacts.create_markdown("text") is None


@pytest.mark.parametrize(
    "lookup",
    [
        lambda: FlowRunView.from_flow_run_id("id"),
        lambda: FlowView.from_flow_name("etl", project_name="p"),
        lambda: TaskRunView.from_task_slug("t-1", "id"),
        lambda: TenantView.from_current_tenant(),
        lambda: set_key_value("k", 1),
        lambda: get_key_value("k"),
        lambda: list_keys(),
    ],
)
def test_backend_lookups_raise_backend_only_errors(lookup):
    with pytest.raises(BackendOnlyError, match="needs a Prefect Cloud/Server backend") as info:
        lookup()
    assert isinstance(info.value, ClientError)


def test_views_hold_what_they_are_given():
    view = TaskRunView(
        task_run_id="tr",
        task_id="t",
        task_slug="t-1",
        name="t",
        state=Success(result=3),
        map_index=-1,
        flow_run_id="fr",
    )
    assert view.get_result() == 3
    assert TenantView(tenant_id="x", name="n", slug="s").slug == "s"


# --- tasks.prefect ---------------------------------------------------------------------------------


def test_flow_run_tasks_join_flows_and_fail_with_a_clear_message_when_they_run():
    with Flow("parent") as flow:
        child_id = create_flow_run(flow_name="child", project_name="p", parameters={"n": 1})
        wait_for_flow_run(child_id, raise_final_state=True)
    state = flow.run()
    assert state.is_failed()
    created = state.result[flow.get_tasks(name="create_flow_run")[0]]
    assert created.is_failed() and isinstance(created.result, BackendOnlyError)
    assert "flow 'child'" in str(created.result) and "child_flow.run(parameters=...)" in str(
        created.result
    )


def test_flow_run_task_classes_construct_and_validate_like_prefect_1():
    start = StartFlowRun(flow_name="child", project_name="p", wait=True)
    assert start.name == "Flow child" and start.poll_interval == datetime.timedelta(seconds=10)
    with pytest.raises(ValueError, match="at least 3 seconds"):
        StartFlowRun(poll_interval=datetime.timedelta(seconds=1))
    with pytest.raises(TypeError, match="can't be passed as parameters"):
        StartFlowRun(parameters={"x": Task()})
    with pytest.raises(BackendOnlyError, match="StartFlowRun"):
        start.run()
    with pytest.raises(ValueError, match="Must provide a flow name"):
        RenameFlowRun(flow_run_id="id").run()
    with pytest.raises(BackendOnlyError):
        RenameFlowRun(flow_run_id="id", flow_run_name="new").run()
    with pytest.raises(ValueError, match="without flow run ID"):
        CancelFlowRun().run()
    with pytest.raises(BackendOnlyError):
        get_task_run_result.run("id", "t-1")


# --- notifications ----------------------------------------------------------------------------------


class _Webhook(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Webhook.received = []
    _Webhook.status = 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Webhook
    server.shutdown()
    server.server_close()


def test_slack_notifier_posts_state_changes_to_the_webhook_secret(webhook):
    url, handler = webhook

    @task(state_handlers=[slack_notifier(only_states=[Failed])])
    def breaks():
        raise ValueError("boom")

    with prefect_classic.context(secrets={"SLACK_WEBHOOK_URL": url}):
        state = Flow("notify", tasks=[breaks]).run()
    assert state.is_failed()
    (message,) = handler.received  # only the Failed state was posted
    (attachment,) = message["attachments"]
    assert (
        attachment["title"] == "Failed" and attachment["text"] == "breaks is now in a Failed state"
    )
    assert "ValueError('boom')" in attachment["fields"][0]["value"]


def test_slack_notifier_uses_the_named_secret_and_reports_refusals(webhook):
    url, handler = webhook
    handler.status = 500
    notifier = slack_notifier(webhook_secret="TEAM_HOOK")
    with prefect_classic.context(secrets={"TEAM_HOOK": url}):
        with pytest.raises(ValueError, match="Slack notification for .* failed"):
            notifier(Task(name="t"), Running(), Success(message="ok"))
        assert notifier(Task(name="t"), Running(), Running(), ignore_states=[Running]).is_running()
    assert len(handler.received) == 1


def test_notifiers_need_their_secrets():
    with prefect_classic.context(secrets={}):
        with pytest.raises(ValueError, match='Local Secret "SLACK_WEBHOOK_URL" was not found'):
            slack_notifier(Task(name="t"), Running(), Success())
        with pytest.raises(ValueError, match='Local Secret "EMAIL_USERNAME" was not found'):
            gmail_notifier(Task(name="t"), Running(), Success())


def test_slack_message_formatter_shows_the_message_and_state_color():
    data = slack_message_formatter(Task(name="load"), Success(message="all good"))
    (attachment,) = data["attachments"]
    assert attachment["color"] == Success.color and attachment["fields"][0]["value"] == "all good"


def test_callback_factory_calls_back_when_the_check_passes():
    seen = []
    handler = callback_factory(
        lambda obj, state: seen.append((obj, type(state).__name__)), lambda s: s.is_failed()
    )
    failed = Failed()
    assert handler("task", Running(), failed) is failed
    handler("task", Running(), Success())
    assert seen == [("task", "Failed")]


def test_snowflake_logger_builds_its_sql_in_test_mode(capsys):
    with prefect_classic.context(secrets={"LOG_TABLE_NAME_FULL": "DB.S.LOGS"}, flow_name="etl"):
        snowflake_logger(Task(name="load"), Running(), Failed(message="it's broken"), test_env=True)
    sql = capsys.readouterr().out
    assert sql.startswith("INSERT INTO DB.S.LOGS") and "'etl','load','Failed','it''s broken'" in sql
