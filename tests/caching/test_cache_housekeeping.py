"""`prefect-classic cache ls|clear`, and expired records removed while records are written."""

import datetime
import os
import time
from pathlib import Path
from typing import Any, List

import pytest
from click.testing import CliRunner

from prefect_classic import Flow, task
from prefect_classic.cache_policies import INPUTS
from prefect_classic.cli import cli
from prefect_classic.engine.caching import housekeeping
from prefect_classic.engine.caching.housekeeping import iter_records, remove_expired, remove_record
from prefect_classic.engine.caching.records import encode_record
from prefect_classic.engine.results import LocalResult


def _run_cached_flow(expiration: Any = None) -> None:
    @task(cache_policy=INPUTS, cache_expiration=expiration)
    def short_lived(x: int) -> int:
        return x

    @task(cache_policy=INPUTS)
    def kept(x: int) -> int:
        return x * 2

    with Flow("housekeeping") as flow:
        short_lived(1)
        kept(2)
    assert flow.run().is_successful()


def _write_record(folder: Path, key: str, task_name: str, expires_at: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = {
        "mode": "policy",
        "task": task_name,
        "key": key,
        "created_at": time.time(),
        "expires_at": expires_at,
    }
    path = folder / key
    path.write_bytes(encode_record(header, b"value"))
    return path


def _ls(*args: str) -> List[str]:
    out = CliRunner().invoke(cli, ["cache", "ls", *args])
    assert out.exit_code == 0, out.output
    return [
        line for line in out.output.splitlines() if line.startswith(("valid", "expired", "result"))
    ]


def test_ls_shows_the_records_of_a_run_with_task_status_and_expiry(storage_dir: Path) -> None:
    _run_cached_flow(datetime.timedelta(hours=1))
    lines = _ls()
    assert len(lines) == 2
    assert {line.split()[1] for line in lines} == {"short_lived", "kept"}
    assert all(line.startswith("valid") for line in lines)
    kept_line = next(line for line in lines if " kept " in line)
    assert "expires never" in kept_line and str(storage_dir) in kept_line


def test_ls_filters_by_task_and_by_expiry(storage_dir: Path) -> None:
    _write_record(storage_dir, "a" * 64, "old", time.time() - 10)
    _write_record(storage_dir, "b" * 64, "fresh", time.time() + 3600)
    _write_record(storage_dir, "c" * 64, "fresh", None)
    assert [line.split()[1] for line in _ls("--expired")] == ["old"]
    assert sorted(line.split()[0] for line in _ls("--task", "fresh")) == ["valid", "valid"]


def test_clear_expired_removes_only_expired_records_without_asking(storage_dir: Path) -> None:
    old = _write_record(storage_dir, "a" * 64, "old", time.time() - 10)
    fresh = _write_record(storage_dir, "b" * 64, "fresh", time.time() + 3600)
    out = CliRunner().invoke(cli, ["cache", "clear", "--expired"])
    assert out.exit_code == 0, out.output
    assert not old.exists() and fresh.exists()
    assert "removed 1 of 1" in out.output


def test_clear_asks_first_and_a_no_keeps_everything(storage_dir: Path) -> None:
    record = _write_record(storage_dir, "a" * 64, "t", None)
    out = CliRunner().invoke(cli, ["cache", "clear"], input="n\n")
    assert out.exit_code == 1 and record.exists()
    out = CliRunner().invoke(cli, ["cache", "clear"], input="y\n")
    assert out.exit_code == 0 and not record.exists()


def test_clear_of_one_task_then_the_next_run_recomputes_only_it(storage_dir: Path) -> None:
    calls: List[str] = []

    @task(cache_policy=INPUTS)
    def first(x: int) -> int:
        calls.append("first")
        return x

    @task(cache_policy=INPUTS)
    def second(x: int) -> int:
        calls.append("second")
        return x

    with Flow("two") as flow:
        first(1)
        second(2)
    flow.run()
    out = CliRunner().invoke(cli, ["cache", "clear", "--task", "first", "--yes"])
    assert out.exit_code == 0, out.output
    calls.clear()
    flow.run()
    assert calls == ["first"]


def test_results_flag_lists_and_removes_result_files_but_not_with_filters(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    LocalResult(dir=str(folder), location="checkpoint.bin").write(42)
    record = _write_record(folder, "d" * 64, "t", None)
    lines = _ls("--dir", str(folder), "--results")
    assert sorted(line.split()[0] for line in lines) == ["result", "valid"]
    assert not [
        line
        for line in _ls("--dir", str(folder), "--results", "--task", "t")
        if line.startswith("result")
    ]
    out = CliRunner().invoke(cli, ["cache", "clear", "--dir", str(folder), "--results", "--yes"])
    assert out.exit_code == 0, out.output
    assert not (folder / "checkpoint.bin").exists() and not record.exists()


def test_a_record_replaced_after_it_was_listed_is_not_removed(tmp_path: Path) -> None:
    path = _write_record(tmp_path, "e" * 64, "t", time.time() - 10)
    [info] = list(iter_records(str(tmp_path)))
    replacement = tmp_path / "replacement"
    replacement.write_bytes(path.read_bytes())
    os.replace(replacement, path)  # a writer renamed a fresh record over it
    assert not remove_record(info) and path.exists()


def test_files_that_are_not_records_are_never_removed_as_expired(tmp_path: Path) -> None:
    (tmp_path / "plain").write_bytes(b"not a record")
    _write_record(tmp_path, "f" * 64, "t", time.time() - 10)
    removed = remove_expired(str(tmp_path))
    assert [info.task for info in removed] == ["t"]
    assert (tmp_path / "plain").exists()


def test_writing_records_removes_expired_ones_a_few_entries_per_write(
    storage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = [_write_record(storage_dir, f"{i:064x}", "old", time.time() - 10) for i in range(40)]
    monkeypatch.setattr(housekeeping, "_SWEEPER", housekeeping._ExpirySweeper())
    looked_at: List[str] = []
    real_info = housekeeping._info

    def counting_info(entry: Any, now: float) -> Any:
        looked_at.append(entry.name)
        return real_info(entry, now)

    monkeypatch.setattr(housekeeping, "_info", counting_info)

    @task(cache_policy=INPUTS)
    def fresh(x: int) -> int:
        return x

    with Flow("writes") as flow:
        fresh.map(list(range(3)))
    flow.run()
    # three record writes, each looking at no more than EXPIRED_PER_WRITE entries
    assert 0 < len(looked_at) <= 3 * housekeeping.EXPIRED_PER_WRITE
    remaining_stale = [p for p in stale if p.exists()]
    assert len(remaining_stale) == len(stale) - sum(
        1 for name in looked_at if name in {p.name for p in stale}
    )
    # later writes finish the pass: every expired record is gone, the fresh ones stay
    with Flow("more") as more:
        fresh.map(list(range(3, 20)))
    more.run()
    assert not [p for p in stale if p.exists()]
    assert len([info for info in iter_records(str(storage_dir)) if info.task == "fresh"]) == 20
