"""`prefect-classic run … --report run.json --report run.html`: every task run with its state,
message, times, run count and cache/target hits; the HTML report opened in a real browser; and
secrets never shown — not in the table, the logs, or either report."""

import json
import re
from html.parser import HTMLParser

from prefect_classic import Flow, task
from prefect_classic.cli.live import Redactor
from prefect_classic.cli.report import build_report, render_html
from prefect_classic.cli.tracking import RunTracker

SECRET = "tok-3f9a2c41e7"
ENV_SECRET = "pw-88d1c0b5"

FLOW = """
    import datetime

    import prefect_classic
    from prefect_classic import Flow, Parameter, task
    from prefect_classic.tasks.secrets import EnvVarSecret, PrefectSecret

    @task
    def numbers(n):
        return list(range(n))

    @task(max_retries=1, retry_delay=datetime.timedelta(seconds=0))
    def square(x):
        if x == 3:
            raise ValueError("three is refused: this message is longer than sixty characters and is kept whole")
        return x * x

    @task
    def total(values):
        return sum(values)

    @task
    def call_api(token, password):
        prefect_classic.context.get("logger").info(f"calling the API with {token} and {password}")
        print(f"printed: {token}")
        return {"header": f"Bearer {token}"}

    with Flow("report-me") as flow:
        n = Parameter("n", default=5)
        total(square.map(numbers(n)))
        call_api(PrefectSecret("API_TOKEN"), EnvVarSecret("DB_PASSWORD"))
"""

SECRET_ENV = {"PREFECT__CONTEXT__SECRETS__API_TOKEN": SECRET, "DB_PASSWORD": ENV_SECRET}


def _run_with_reports(run_cli, flow_file, tmp_path):
    json_path, html_path = tmp_path / "out" / "run.json", tmp_path / "out" / "run.html"
    proc = run_cli(
        ["run", flow_file(FLOW), "--report", str(json_path), "-r", str(html_path)], env=SECRET_ENV
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # square[3] fails on purpose
    return proc, json.loads(json_path.read_text()), html_path


def test_json_report_has_every_task_run_with_state_message_times_and_run_count(
    run_cli, flow_file, tmp_path
):
    proc, report, _ = _run_with_reports(run_cli, flow_file, tmp_path)
    runs = {r["label"]: r for r in report["runs"]}
    # 6 tasks + 5 mapped children, each exactly once
    assert sorted(runs) == sorted(
        [
            "n",
            "numbers",
            "square",
            "total",
            "API_TOKEN",
            "DB_PASSWORD",
            "call_api",
            *(f"square[{i}]" for i in range(5)),
        ]
    )
    assert len(report["runs"]) == 12
    for r in report["runs"]:
        assert r["end"] is not None and r["duration"] >= 0
        assert set(r) >= {
            "state",
            "message",
            "start",
            "end",
            "duration",
            "run_count",
            "cached",
            "target_hit",
        }
    failed = runs["square[3]"]
    assert (
        failed["state"] == "Failed" and failed["failed"] and failed["run_count"] == 2
    )  # one retry
    assert failed["message"].endswith(
        "this message is longer than sixty characters and is kept whole')"
    )
    assert "ValueError: three is refused" in failed["traceback"]
    assert runs["square[2]"]["result"] == "4" and runs["square[2]"]["state"] == "Success"
    assert runs["square"]["state"] == "Mapped" and runs["square"]["n_children"] == 5
    assert runs["total"]["state"] == "TriggerFailed"
    assert report["flow"]["name"] == "report-me" and report["flow"]["state"] == "Failed"
    assert report["flow"]["parameters"] == {"n": 5} and report["flow"]["failed_runs"] == 2
    squares = next(t for t in report["tasks"] if t["name"] == "square")
    assert squares["mapped"] and squares["children"] == {"Failed": 1, "Success": 4}
    slugs = {t["name"]: t["slug"] for t in report["tasks"]}
    assert {"from": slugs["numbers"], "to": slugs["square"], "key": "x", "mapped": True} in report[
        "edges"
    ]
    assert {
        "from": slugs["square"],
        "to": slugs["total"],
        "key": "values",
        "mapped": False,
    } in report["edges"]


def test_secrets_are_masked_in_the_table_the_logs_and_both_reports(run_cli, flow_file, tmp_path):
    proc, report, html_path = _run_with_reports(run_cli, flow_file, tmp_path)
    table = {line.split()[0]: line for line in proc.stdout.splitlines()}
    assert table["API_TOKEN"].split()[1:] == ["Success", "****"]
    assert table["DB_PASSWORD"].split()[1:] == ["Success", "****"]
    assert "'Bearer ****'" in table["call_api"]
    assert "calling the API with **** and ****" in proc.stderr
    assert "printed: ****" in proc.stdout.splitlines()  # a task's print() stays on stdout, masked
    runs = {r["label"]: r for r in report["runs"]}
    assert runs["API_TOKEN"]["result"] == "****"
    for text in (proc.stdout, proc.stderr, json.dumps(report), html_path.read_text()):
        assert SECRET not in text and ENV_SECRET not in text


def test_quiet_runs_mask_secrets_too(run_cli, flow_file):
    proc = run_cli(["run", flow_file(FLOW), "-q"], env=SECRET_ENV)
    assert (
        "printed: ****" in proc.stdout.splitlines() and proc.stderr.count("\n") == 1
    )  # the verdict
    assert SECRET not in proc.stdout + proc.stderr and ENV_SECRET not in proc.stdout + proc.stderr


def test_target_and_cache_hits_are_marked(tmp_path):
    from prefect_classic.engine.results import LocalResult

    @task(target="value.txt", checkpoint=True, result=LocalResult(dir=str(tmp_path)))
    def stored():
        return 1

    @task(cache_for=__import__("datetime").timedelta(minutes=5))
    def cached():
        return 2

    with Flow("hits") as flow:
        stored()
        cached()

    def run_once():
        tracker = RunTracker(len(flow.tasks))
        state = flow.run(task_runner_state_handlers=[tracker])
        tracker.reconcile(flow, state)
        return {r["label"]: r for r in build_report(flow, state, tracker, Redactor().data)["runs"]}

    first, second = run_once(), run_once()
    assert not first["stored"]["cached"] and not first["cached"]["cached"]
    assert second["stored"]["cached"] and second["stored"]["target_hit"]
    assert second["cached"]["cached"] and not second["cached"]["target_hit"]


class _Dom(HTMLParser):
    """Counts the elements of a DOM by class, and keeps the visible table rows and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict = {}
        self.rows: list = []
        self.text: list = []
        self.body: dict = {}
        self.external: list = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in (attrs.get("class") or "").split():
            self.classes[name] = self.classes.get(name, 0) + 1
        if tag == "tr" and "run-row" in (attrs.get("class") or ""):
            self.rows.append(
                ("display: none" not in (attrs.get("style") or ""), attrs.get("data-state"))
            )
        if tag == "body":
            self.body = attrs
        if (
            tag in ("script", "img", "iframe")
            and attrs.get("src")
            or tag == "link"
            and attrs.get("href")
        ):
            self.external.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def _dom(browser, url):
    parser = _Dom()
    parser.feed(browser.dom(url))
    return parser


def test_html_report_in_a_browser_has_a_timeline_row_per_task_run_the_graph_and_no_secret(
    run_cli, flow_file, tmp_path, browser
):
    _, report, html_path = _run_with_reports(run_cli, flow_file, tmp_path)
    page = html_path.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # self-contained: loads nothing
    dom = _dom(browser, html_path.as_uri())
    assert dom.body.get("data-rendered") == "1"  # the script ran to the end
    assert dom.classes["gantt-row"] == len(report["runs"]) == 12
    assert dom.classes["graph-node"] == len(report["tasks"]) == 7
    assert dom.classes["mapped"] >= 2  # the mapped task's node and its dashed edge
    assert dom.classes["graph-edge"] == len(report["edges"])
    assert dom.classes["child-states"] == 2  # the mapped node's strip: Failed, Success
    assert len(dom.rows) == 12 and all(visible for visible, _ in dom.rows)
    assert dom.classes["failure"] == 2  # square[3] and the trigger failure of total
    text = "".join(dom.text)
    assert "ValueError: three is refused" in text and "square <map>" in text
    assert SECRET not in text and ENV_SECRET not in text and "****" in text
    assert not dom.external


def test_html_report_filters_follow_the_address(run_cli, flow_file, tmp_path, browser):
    _, _, html_path = _run_with_reports(run_cli, flow_file, tmp_path)
    failed_only = _dom(browser, html_path.as_uri() + "#failed=1")
    assert sorted(state for visible, state in failed_only.rows if visible) == [
        "Failed",
        "TriggerFailed",
    ]
    by_state = _dom(browser, html_path.as_uri() + "#state=Success")
    assert sum(visible for visible, _ in by_state.rows) == 9
    by_text = _dom(browser, html_path.as_uri() + "#q=square%5B")
    assert sum(visible for visible, _ in by_text.rows) == 5


def test_html_report_screenshot_renders(run_cli, flow_file, tmp_path, browser):
    _, _, html_path = _run_with_reports(run_cli, flow_file, tmp_path)
    png = browser.screenshot(html_path.as_uri(), tmp_path / "report.png")
    data = png.read_bytes()
    assert (
        data.startswith(b"\x89PNG") and len(data) > 20_000
    )  # a page with content, not a blank one


def test_html_page_embeds_the_data_safely():
    report = {
        "flow": {"name": "</script><b>x</b>"},
        "runs": [{"message": "</script><script>alert(1)</script>"}],
    }
    page = render_html(report)
    assert page.count("</script>") == 2  # the data's and the code's, none from the values
    assert "<b>x</b>" not in page
