"""The README's demo (`scripts/demo` runs `examples/demo.py`): two runs, the second served from
the LocalResult targets of the first."""


def test_demo_second_run_is_served_from_targets(run_example):
    proc = run_example("demo.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "demo OK - total = 55" in proc.stdout
    second = proc.stdout.split("second run")[1]
    assert "Mapped (5 x Cached)" in second and "load         Cached" in second
    # the first run retried transform[0] with its cached input
    assert "Retrying" in proc.stderr


def test_demo_runs_through_the_cli(run_example):
    proc = run_example("demo.py", cli=["run", "-q"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(line.split()[:2] == ["load", "Success"] for line in proc.stdout.splitlines()), (
        proc.stdout
    )
