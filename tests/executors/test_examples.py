"""The Dask examples run as scripts, as a user would run them."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(
    name: str, *args: str, env: Optional[Dict[str, str]] = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_mapped_example_runs_on_a_temporary_cluster_and_exits_0() -> None:
    done = run_example("dask_mapped_flow.py", "--n", "4")
    assert done.returncode == 0, done.stderr
    assert "sum of squares 1..4 = 30" in done.stdout
    # worker log lines reach the script's own output
    assert "squaring 3 in process" in done.stderr
    assert "Creating a new Dask cluster with `distributed.deploy.local.LocalCluster`" in done.stderr


def test_address_example_connects_to_the_given_scheduler(process_cluster: Any) -> None:
    done = run_example(
        "dask_address_flow.py", "--address", process_cluster.scheduler_address, "--text", "a b"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("A (from ")
    assert (
        f"Connecting to an existing Dask cluster at {process_cluster.scheduler_address}"
        in done.stderr
    )


def test_address_example_reads_the_address_from_the_environment(process_cluster: Any) -> None:
    done = run_example(
        "dask_address_flow.py", env={"DASK_SCHEDULER_ADDRESS": process_cluster.scheduler_address}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("(from ") == 5


def test_address_example_without_an_address_exits_1() -> None:
    done = run_example("dask_address_flow.py", env={"DASK_SCHEDULER_ADDRESS": ""})
    assert done.returncode == 1
    assert "No scheduler address" in done.stderr
