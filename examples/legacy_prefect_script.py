"""A Prefect 1 script, unchanged: it imports `prefect`, not `prefect_classic`.

It runs through the import shim, which makes `prefect.*` resolve to `prefect_classic.*`:

    PREFECT_CLASSIC_SHIM=1 python examples/legacy_prefect_script.py
    prefect-classic shim run examples/legacy_prefect_script.py
    prefect-classic run examples/legacy_prefect_script.py     # turns the shim on by itself

`prefect-classic migrate examples/legacy_prefect_script.py` shows the diff that would make it
import `prefect_classic` directly. It uses a Task subclass, an imperatively built Flow,
`cache_for`, a `LocalResult` target and retries. Results go to $PREFECT_CLASSIC_EXAMPLE_RESULTS,
or a temporary folder.
"""

import atexit
import datetime
import os
import shutil
import sys
import tempfile

import prefect
from prefect import Flow, Parameter, Task
from prefect.engine.cache_validators import all_inputs
from prefect.engine.results import LocalResult

RESULTS_DIR = os.environ.get("PREFECT_CLASSIC_EXAMPLE_RESULTS", "")
if not RESULTS_DIR:
    RESULTS_DIR = tempfile.mkdtemp(prefix="legacy-prefect-")
    atexit.register(shutil.rmtree, RESULTS_DIR, ignore_errors=True)
ATTEMPTS = {"Download": 0}


class Download(Task):
    """Fails once, then succeeds: the retry shows up as a second attempt."""

    def run(self, url):
        ATTEMPTS["Download"] += 1
        if ATTEMPTS["Download"] == 1:
            raise OSError("connection reset (first attempt fails on purpose)")
        return f"<contents of {url}>"


class Parse(Task):
    def run(self, page):
        return len(page)


class Report(Task):
    def run(self, size):
        prefect.context.get("logger").info("page is %s characters long", size)
        return f"{prefect.context.get('flow_name')}: {size}"


flow = Flow("legacy-script")
url = Parameter("url", default="https://example.com/data")
download = Download(max_retries=1, retry_delay=datetime.timedelta(seconds=0))
parse = Parse(cache_for=datetime.timedelta(minutes=10), cache_validator=all_inputs)
report = Report(
    checkpoint=True, result=LocalResult(dir=RESULTS_DIR), target="{flow_name}/report-{size}.txt"
)
download.set_upstream(url, key="url", flow=flow)
parse.set_upstream(download, key="page", flow=flow)
report.set_upstream(parse, key="size", flow=flow)


if __name__ == "__main__":
    print("prefect is prefect_classic:", prefect.__name__, prefect.Task.__module__)
    state = flow.run()
    for t in flow.sorted_tasks():
        print(f"{t.name:<10} {type(state.result[t]).__name__}")
    print("report:", state.result[report].result, "| Download attempts:", ATTEMPTS["Download"])
    sys.exit(0 if state.is_successful() else 1)
