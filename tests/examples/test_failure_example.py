"""The failure-handling example: a failing flow makes `prefect-classic run` exit 1 and name the
failed task; the same flow with good input exits 0."""


def test_failing_example_exits_one_and_names_the_failed_task(run_example):
    proc = run_example("failure_handling.py", cli=["run"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "read_source" in output and "Failed" in output
    # the trigger-guarded task ran, the downstream of the failure did not
    assert any(
        line.split()[:2] == ["report_failure", "Success"] for line in proc.stdout.splitlines()
    ), proc.stdout
    assert any(
        line.split()[:2] == ["summarise", "TriggerFailed"] for line in proc.stdout.splitlines()
    ), proc.stdout


def test_failing_example_succeeds_with_a_readable_source(run_example):
    proc = run_example("failure_handling.py", cli=["run", "--param", "source=README.md"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(
        line.split()[:2] == ["report_failure", "TriggerFailed"] for line in proc.stdout.splitlines()
    )


def test_failing_example_as_a_script_exits_one(run_example):
    proc = run_example("failure_handling.py")
    assert proc.returncode == 1
    assert "read_source     Failed" in proc.stdout
