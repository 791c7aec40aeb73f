"""Failure handling: a task fails, a trigger-guarded task reacts, and the flow run fails.

`read_source` reads the file named by the `source` parameter. With the default (a file that does
not exist) it fails; `report_failure` (trigger `any_failed`) then runs, `summarise` is
TriggerFailed, and the flow run ends Failed — `prefect-classic run` exits 1 and names the failed
task. Pass an existing file to see the whole flow succeed:

    prefect-classic run examples/failure_handling.py                     # exit 1
    prefect-classic run examples/failure_handling.py --param source=README.md   # exit 0
"""

from prefect_classic import Flow, Parameter, task
from prefect_classic.triggers import any_failed


@task
def read_source(source):
    with open(source) as f:
        return f.read()


@task
def summarise(text):
    return f"{len(text.splitlines())} lines"


@task(trigger=any_failed)
def report_failure():
    print("read_source failed: a report would be sent here")
    return "reported"


with Flow("failure-handling") as flow:
    source = Parameter("source", default="no-such-input.txt")
    text = read_source(source)
    summary = summarise(text)
    report = report_failure(upstream_tasks=[text])

flow.set_reference_tasks([summary])


if __name__ == "__main__":
    import sys

    state = flow.run(parameters={"source": sys.argv[1]} if len(sys.argv) > 1 else {})
    for t in (text, summary, report):
        print(f"{t.name:<15} {type(state.result[t]).__name__}")
    raise SystemExit(0 if state.is_successful() else 1)
