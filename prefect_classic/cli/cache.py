"""`prefect-classic cache ls|clear`: the durable cache records and result folders on this machine.

    prefect-classic cache ls    [--expired] [--task NAME] [--dir DIR …] [--results]
    prefect-classic cache clear [--expired] [--task NAME] [--dir DIR …] [--results] [--yes]

Records are looked for in `<home_dir>/storage` (the default record storage) and
`<home_dir>/results` (the default `LocalResult` folder, where durable `cache_for` records of
checkpointed tasks live), or in the folders given with `--dir`. `--results` also lists (or
removes) the other files of those folders: checkpointed results and targets, which have no task
name or expiry of their own, so `--expired` and `--task` leave them out.
"""

import datetime
import os
from typing import List, Optional, Sequence, Tuple

import click

from prefect_classic.engine.caching.housekeeping import (
    RecordInfo,
    iter_records,
    read_header,
    remove_record,
)
from prefect_classic.engine.caching.records import default_storage_dir

__all__ = ["cache"]


def _default_folders() -> List[str]:
    from prefect_classic.engine.results.local_result import _results_dir

    return [default_storage_dir(), os.path.expanduser(_results_dir(None))]


def _when(timestamp: Optional[float]) -> str:
    if timestamp is None:
        return "never"
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"  # pragma: no cover


def _selected(folders: Sequence[str], expired: bool, task: Optional[str]) -> List[RecordInfo]:
    return [
        info
        for folder in folders
        for info in iter_records(folder)
        if (not expired or info.expired) and (task is None or info.task == task)
    ]


def _result_files(folders: Sequence[str]) -> List[Tuple[str, int, float]]:
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = os.path.join(root, name)
                if name.startswith(".") or read_header(path) is not None:
                    continue
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                found.append((path, stat.st_size, stat.st_mtime))
    return found


_FOLDERS = click.option(
    "--dir",
    "dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="A record or result folder (repeatable; default: <home_dir>/storage and "
    "<home_dir>/results).",
)
_EXPIRED = click.option("--expired", is_flag=True, help="Only records whose expiry has passed.")
_TASK = click.option(
    "--task", "task", default=None, metavar="NAME", help="Only records written by this task."
)
_RESULTS = click.option(
    "--results", is_flag=True, help="Also the result files (checkpoints, targets) in those folders."
)


@click.group()
def cache() -> None:
    """List or remove durable cache records and stored results."""


@cache.command("ls")
@_EXPIRED
@_TASK
@_FOLDERS
@_RESULTS
def cache_ls(expired: bool, task: Optional[str], dirs: Sequence[str], results: bool) -> None:
    """List cache records (and with --results, result files)."""
    folders = list(dirs) or _default_folders()
    records = _selected(folders, expired, task)
    for info in records:
        header = info.header
        status = "expired" if info.expired else "valid"
        click.echo(
            f"{status:8} {info.task or '?':24} {header.get('mode', '?'):8} "
            f"created {_when(header.get('created_at')):19}  expires {_when(header.get('expires_at')):19}  "
            f"{_size(info.size):>9}  {info.path}"
        )
    files = _result_files(folders) if results and not expired and task is None else []
    for path, size, mtime in files:
        click.echo(
            f"{'result':8} {'':24} {'':8} written {_when(mtime):19}  {'':28}{_size(size):>9}  {path}"
        )
    summary = f"{len(records)} record(s)" + (f", {len(files)} result file(s)" if results else "")
    click.echo(f"{summary} in {', '.join(folders)}", err=True)


@cache.command("clear")
@_EXPIRED
@_TASK
@_FOLDERS
@_RESULTS
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def cache_clear(
    expired: bool, task: Optional[str], dirs: Sequence[str], results: bool, yes: bool
) -> None:
    """Remove cache records (and with --results, result files); `--expired` keeps valid ones."""
    folders = list(dirs) or _default_folders()
    records = _selected(folders, expired, task)
    files = _result_files(folders) if results and not expired and task is None else []
    if not records and not files:
        click.echo("nothing to remove")
        return
    what = f"{len(records)} record(s)" + (f" and {len(files)} result file(s)" if files else "")
    if not yes and not (expired and not files):
        click.confirm(f"Remove {what} from {', '.join(folders)}?", abort=True)
    removed = sum(remove_record(info) for info in records)
    for path, _, _ in files:
        try:
            os.unlink(path)
            removed += 1
        except OSError as exc:
            click.echo(f"could not remove {path}: {exc}", err=True)
    click.echo(f"removed {removed} of {len(records) + len(files)} ({what})")
