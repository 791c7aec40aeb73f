"""A writer killed at any point of a write never leaves a partial value at its target; the
temporary file it leaves behind is swept by later writes into the folder once it is old and its
writer is gone, and a live writer's temporary file is never swept.

The kills are deterministic: the child process replaces `os.write` / `os.replace` with a function
that kills the process itself at the chosen call (error injection), instead of racing a signal
against a running write.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from prefect_classic.engine.result.base import ResultCorruptError
from prefect_classic.engine.results import LocalResult, _files
from prefect_classic.engine.serializers import DateTimeSerializer

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

SIZE = 2_000_000

KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from prefect_classic.engine.results import LocalResult
    from prefect_classic.engine.serializers import DateTimeSerializer, PickleSerializer

    folder, point, nth, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    calls = {"write": 0, "replace": 0}
    real_write, real_replace = os.write, os.replace

    def write(fd, data):
        calls["write"] += 1
        if point == "mid-write" and calls["write"] == nth:
            real_write(fd, bytes(data[: max(1, len(data) // 2)]))
            os.kill(os.getpid(), signal.SIGKILL)
        return real_write(fd, data)

    def replace(src, dst):
        calls["replace"] += 1
        if point == "before-rename" and calls["replace"] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst)

    os.write, os.replace = write, replace
    if kind == "pickle":
        LocalResult(dir=folder, location="out").write(("new", b"n" * SIZE))
    else:
        import pendulum
        LocalResult(dir=folder, location="out", serializer=DateTimeSerializer()).write(
            pendulum.datetime(2030, 1, 1))
    """
).replace("SIZE", str(SIZE))


def temp_files(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def kill_a_writer(folder: Path, child_env, point: str, nth: int = 1, kind: str = "pickle") -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(folder), point, str(nth), kind],
        env=child_env(),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


@pytest.fixture
def fresh_sweeper(monkeypatch):
    """This process's sweep bookkeeping, empty (as in a new process)."""
    sweeper = _files._Sweeper()
    monkeypatch.setattr(_files, "_sweeper", sweeper)
    return sweeper


class TestKilledWriters:
    @pytest.mark.parametrize("point", ["mid-write", "before-rename"])
    def test_a_first_write_killed_leaves_no_target(self, tmp_path, child_env, point):
        kill_a_writer(tmp_path, child_env, point)
        assert not (tmp_path / "out").exists()
        assert len(temp_files(tmp_path)) == 1

    @pytest.mark.parametrize("point", ["mid-write", "before-rename"])
    def test_a_rewrite_killed_keeps_the_previous_value(self, tmp_path, child_env, point):
        LocalResult(dir=str(tmp_path), location="out").write(("old", b"o" * SIZE))
        kill_a_writer(tmp_path, child_env, point)
        assert LocalResult(dir=str(tmp_path)).read("out").value == ("old", b"o" * SIZE)
        assert len(temp_files(tmp_path)) == 1

    @pytest.mark.parametrize(
        "point, nth",
        [("mid-write", 1), ("before-rename", 1), ("mid-write", 2), ("before-rename", 2)],
    )
    def test_with_a_checksum_file_the_old_value_reads_or_is_damage(
        self, tmp_path, child_env, point, nth
    ):
        """Values with a separate checksum file are written in two steps (checksum, then value):
        a kill between them leaves the old value with the new checksum, which reads as damage
        (and is recomputed), never as a wrong value."""
        import pendulum

        result = LocalResult(dir=str(tmp_path), location="out", serializer=DateTimeSerializer())
        result.write(pendulum.datetime(2020, 1, 1))
        kill_a_writer(tmp_path, child_env, point, nth, kind="datetime")
        try:
            assert result.read("out").value == pendulum.datetime(2020, 1, 1)
        except ResultCorruptError:
            assert nth == 2  # the checksum file was replaced, the value was not


class TestSweeping:
    def test_a_killed_writers_old_temp_file_is_swept_by_the_next_writer(
        self, tmp_path, child_env, run_python
    ):
        kill_a_writer(tmp_path, child_env, "mid-write")
        (leftover,) = temp_files(tmp_path)
        age(tmp_path / leftover, _files.TEMP_FILE_MAX_AGE + 60)
        run_python(
            "import sys\nfrom prefect_classic.engine.results import LocalResult\n"
            "LocalResult(dir=sys.argv[1], location='other').write(1)\n",
            str(tmp_path),
        )
        assert temp_files(tmp_path) == []
        assert LocalResult(dir=str(tmp_path)).read("other").value == 1

    def test_young_temp_files_are_kept(self, tmp_path, child_env, fresh_sweeper):
        """A temporary file modified recently may belong to a writer on another machine."""
        kill_a_writer(tmp_path, child_env, "before-rename")
        (leftover,) = temp_files(tmp_path)
        age(tmp_path / leftover, _files.TEMP_FILE_MAX_AGE - 60)
        LocalResult(dir=str(tmp_path), location="other").write(1)
        assert temp_files(tmp_path) == [leftover]

    def test_a_live_writers_temp_file_is_never_swept(self, tmp_path, child_env, fresh_sweeper):
        """The writer holds a lock on its temporary file: however old the file looks, a sweep
        leaves it, and the write completes."""
        blocked_writer = textwrap.dedent(
            """
            import os, sys
            from prefect_classic.engine.results import LocalResult

            real_write = os.write
            state = {"paused": False}

            def write(fd, data):
                if not state["paused"]:
                    state["paused"] = True
                    written = real_write(fd, bytes(data[: len(data) // 2]))
                    print("paused", flush=True)
                    sys.stdin.readline()
                    return written
                return real_write(fd, data)

            os.write = write
            LocalResult(dir=sys.argv[1], location="out").write(("live", b"l" * 1_000_000))
            print("done", flush=True)
            """
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", blocked_writer, str(tmp_path)],
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout.readline().strip() == "paused"
            (live,) = temp_files(tmp_path)
            age(tmp_path / live, _files.TEMP_FILE_MAX_AGE * 10)
            assert _files.sweep_folder(str(tmp_path)) == 0
            LocalResult(dir=str(tmp_path), location="other").write(1)  # sweeps the folder too
            assert temp_files(tmp_path) == [live]
            proc.stdin.write("go\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "done"
        finally:
            proc.stdin.close()
            assert proc.wait(timeout=60) == 0
        assert LocalResult(dir=str(tmp_path)).read("out").value == ("live", b"l" * 1_000_000)
        assert temp_files(tmp_path) == []

    def test_each_write_looks_at_a_bounded_number_of_entries(
        self, tmp_path, fresh_sweeper, monkeypatch
    ):
        """A sweep of a large folder is spread over the writes into it, `SWEEP_BATCH` entries
        per write, until every entry has been seen."""
        monkeypatch.setattr(_files, "SWEEP_BATCH", 10)
        for i in range(95):
            leftover = tmp_path / f".value{i}.{i:016x}.tmp"
            leftover.write_bytes(b"partial")
            age(leftover, _files.TEMP_FILE_MAX_AGE + 60)
        result = LocalResult(dir=str(tmp_path), location="{i}")
        result.write(0, i=0)
        assert len(temp_files(tmp_path)) >= 95 - 10
        for i in range(1, 10):
            result.write(i, i=i)
        assert temp_files(tmp_path) == []

    def test_a_folder_is_swept_again_after_the_interval(self, tmp_path, fresh_sweeper, monkeypatch):
        result = LocalResult(dir=str(tmp_path), location="{i}")
        result.write(0, i=0)  # the first sweep of this folder
        leftover = tmp_path / ".late.0123456789abcdef.tmp"
        leftover.write_bytes(b"partial")
        age(leftover, _files.TEMP_FILE_MAX_AGE + 60)
        result.write(1, i=1)
        assert leftover.exists()  # swept recently: not looked at again yet
        monkeypatch.setattr(_files, "SWEEP_INTERVAL", 0.0)
        fresh_sweeper._due[str(tmp_path)] = time.monotonic() - 1  # the interval has passed
        result.write(2, i=2)
        assert not leftover.exists()

    def test_only_temporary_files_are_swept(self, tmp_path, fresh_sweeper):
        keep = [
            ".hidden",
            "data.tmp",
            ".x.checksum",
            ".short.abc.tmp",
            ".upper.0123456789ABCDEF.tmp",
        ]
        for name in keep:
            (tmp_path / name).write_bytes(b"x")
            age(tmp_path / name, _files.TEMP_FILE_MAX_AGE * 10)
        assert _files.sweep_folder(str(tmp_path)) == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)

    def test_cache_records_written_atomically_are_swept_too(self, tmp_path, fresh_sweeper):
        leftover = tmp_path / ".record-key.fedcba9876543210.tmp"
        leftover.write_bytes(b"partial")
        age(leftover, _files.TEMP_FILE_MAX_AGE + 60)
        _files.atomic_write(str(tmp_path / "record-key"), b"record")
        assert not leftover.exists()
