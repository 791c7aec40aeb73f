import errno
import json
import os
import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import cloudpickle
import pendulum
import pytest

import prefect_classic
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.results import LocalResult
from prefect_classic.engine.results.local_result import local_result_at
from prefect_classic.engine.serializers import DateTimeSerializer, JSONSerializer, PickleSerializer
from prefect_classic.utilities.configuration import set_temporary_config


def subprocess_env() -> dict:
    """The environment for child processes that import prefect_classic from this checkout."""
    root = os.path.dirname(os.path.abspath(list(prefect_classic.__path__)[0]))
    return dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))


def leftovers(folder: Path) -> list:
    """Temporary files left behind by writes into `folder`."""
    return sorted(p.name for p in folder.rglob("*.tmp"))


class TestInit:
    def test_is_a_result(self, tmp_path):
        r = LocalResult(dir=str(tmp_path))
        assert isinstance(r, Result)
        assert r.value is None and r.location is None
        assert r.serializer == PickleSerializer()

    def test_default_dir_is_home_dir_results(self, tmp_path):
        with set_temporary_config({"home_dir": str(tmp_path / "home")}):
            r = LocalResult()
        assert r.dir == str(tmp_path / "home" / "results")
        assert (tmp_path / "home" / "results").is_dir()

    def test_default_dir_expands_user(self, tmp_path, monkeypatch):
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("USERPROFILE", str(tmp_path))
        with set_temporary_config({"home_dir": "~/.prefect"}):
            r = LocalResult()
        assert r.dir == os.path.join(str(tmp_path), ".prefect", "results")
        assert os.path.isdir(r.dir)

    def test_a_dir_inside_the_home_dir_means_the_results_folder(self, tmp_path):
        """As in Prefect 1: the home folder itself, or any folder inside it (such as Local
        storage's `~/.prefect/flows`), is replaced by `<home_dir>/results`; folders elsewhere are
        kept, and `local_result_at` keeps any folder."""
        home = tmp_path / "home"
        with set_temporary_config({"home_dir": str(home)}):
            assert LocalResult(dir=str(home)).dir == str(home / "results")
            assert LocalResult(dir=str(home / "flows")).dir == str(home / "results")
            assert LocalResult(dir=str(tmp_path / "elsewhere")).dir == str(tmp_path / "elsewhere")
            assert LocalResult(dir=str(tmp_path / "home-sibling")).dir == str(
                tmp_path / "home-sibling"
            )
            kept = local_result_at(str(home / "storage"), location="x.bin")
            assert (kept.dir, kept.location) == (str(home / "storage"), "x.bin")
            assert (home / "storage").is_dir()

    def test_a_dir_written_with_a_tilde_is_kept(self, tmp_path, monkeypatch):
        """Prefect 1 compares the folder as written, so `~/.prefect` (unexpanded) stays
        `~/.prefect`, expanded."""
        monkeypatch.setenv("HOME", str(tmp_path))
        with set_temporary_config({"home_dir": str(tmp_path / ".prefect")}):
            assert LocalResult(dir="~/.prefect").dir == str(tmp_path / ".prefect")

    def test_dir_user_is_expanded_and_created(self, tmp_path, monkeypatch):
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("USERPROFILE", str(tmp_path))
        r = LocalResult(dir="~/a/b")
        assert r.dir == str(tmp_path / "a" / "b")
        assert (tmp_path / "a" / "b").is_dir()

    def test_relative_dir_is_made_absolute(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        r = LocalResult(dir="rel")
        assert r.dir == str(tmp_path / "rel")
        assert (tmp_path / "rel").is_dir()

    def test_no_validation_keeps_dir_as_given(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        r = LocalResult(dir="not/created", validate_dir=False)
        assert r.dir == "not/created"
        assert not (tmp_path / "not").exists()

    def test_uncreatable_dir_is_a_clear_error(self, tmp_path):
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        with pytest.raises(OSError, match="LocalResult directory.*a-file"):
            LocalResult(dir=str(blocker / "sub"))

    def test_options(self, tmp_path):
        r = LocalResult(
            dir=str(tmp_path), location="{x}.json", serializer=JSONSerializer(), value=3
        )
        assert (r.location, r.serializer, r.value) == ("{x}.json", JSONSerializer(), 3)

    def test_equality_and_pickling(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="{x}")
        assert r == LocalResult(dir=str(tmp_path), location="{x}")
        assert r != LocalResult(dir=str(tmp_path / "other"), location="{x}")
        assert r != LocalResult(dir=str(tmp_path), location="{y}")
        assert pickle.loads(pickle.dumps(r)) == r
        assert cloudpickle.loads(cloudpickle.dumps(r)) == r


class TestWriteReadExists:
    def test_write_returns_new_result_with_full_path(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="{task_name}/{x}.bin")
        new = r.write({"a": 1}, task_name="t", x=2)
        assert new is not r
        assert new.value == {"a": 1}
        assert new.location == str(tmp_path / "t" / "2.bin")
        assert (r.value, r.location) == (None, "{task_name}/{x}.bin")
        assert PickleSerializer().deserialize((tmp_path / "t" / "2.bin").read_bytes()) == {"a": 1}

    def test_absolute_location_is_kept(self, tmp_path):
        target = tmp_path / "elsewhere" / "out.bin"
        r = LocalResult(dir=str(tmp_path / "dir"), location=str(target))
        assert r.write(5).location == str(target)
        assert target.exists()
        assert not any((tmp_path / "dir").iterdir())

    def test_callable_location(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location=lambda **kw: f"{kw['x']}-made.bin")
        assert r.write(1, x="a").location == str(tmp_path / "a-made.bin")

    def test_default_location_is_under_dir(self, tmp_path):
        first = LocalResult(dir=str(tmp_path)).write(1)
        second = LocalResult(dir=str(tmp_path)).write(2)
        assert first.location != second.location
        for loc, val in [(first.location, 1), (second.location, 2)]:
            assert loc.startswith(str(tmp_path) + os.sep)
            assert LocalResult(dir=str(tmp_path)).read(loc).value == val

    def test_template_key_named_value_is_allowed(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="{value}.bin")
        assert r.write(99, value="input").location == str(tmp_path / "input.bin")

    def test_missing_template_key_is_an_error(self, tmp_path):
        with pytest.raises(KeyError, match="'x'"):
            LocalResult(dir=str(tmp_path), location="{x}.bin").write(1)

    def test_serializer_is_used(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="out.json", serializer=JSONSerializer())
        r.write({"k": [1, 2]})
        stored = (tmp_path / "out.json").read_bytes()
        assert stored.endswith(b'{"k": [1, 2]}')
        assert json.loads(stored) == {"k": [1, 2]}  # the checksum line is whitespace
        assert r.read("out.json").value == {"k": [1, 2]}

    def test_unserializable_value_writes_nothing(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="out.json", serializer=JSONSerializer())
        with pytest.raises(TypeError, match="object"):
            r.write(object())
        assert list(tmp_path.iterdir()) == []

    def test_overwrite(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="out.bin")
        r.write("first")
        r.write("second")
        assert r.read("out.bin").value == "second"
        assert leftovers(tmp_path) == []

    def test_read_relative_and_absolute(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="sub/out.bin")
        written = r.write([1, 2, 3])
        rel = r.read("sub/out.bin")
        absolute = r.read(written.location)
        assert rel.value == absolute.value == [1, 2, 3]
        assert rel.location == "sub/out.bin"
        assert rel is not r and r.value is None

    def test_read_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="nope.bin"):
            LocalResult(dir=str(tmp_path)).read("nope.bin")

    def test_exists(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="{x}/out.bin")
        assert not r.exists("{x}/out.bin", x="a")
        written = r.write(1, x="a")
        assert r.exists("{x}/out.bin", x="a")
        assert r.exists("a/out.bin")
        assert r.exists(written.location)
        assert not r.exists("{x}/out.bin", x="b")

    def test_file_permissions_follow_umask(self, tmp_path):
        if os.name != "posix":
            pytest.skip("POSIX permissions")
        old = os.umask(0o022)
        try:
            LocalResult(dir=str(tmp_path), location="out.bin").write(1)
        finally:
            os.umask(old)
        assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o644


class TestFailedWrites:
    """A failed write raises with the path in the message, keeps any previous value intact and
    leaves no temporary file behind."""

    @pytest.fixture
    def result(self, tmp_path):
        r = LocalResult(dir=str(tmp_path), location="out.bin")
        r.write("previous")
        return r

    def check_untouched(self, result, tmp_path):
        assert result.read("out.bin").value == "previous"
        assert leftovers(tmp_path) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]

    def test_disk_full_mid_write(self, result, tmp_path, monkeypatch):
        real_write = os.write

        def write_half_then_fail(fd, data):
            if len(data) > 1:
                return real_write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", write_half_then_fail)
        with pytest.raises(OSError, match="No space left on device") as exc_info:
            result.write("x" * 100_000)
        monkeypatch.undo()
        assert exc_info.value.errno == errno.ENOSPC
        assert str(tmp_path / "out.bin") in str(exc_info.value)
        self.check_untouched(result, tmp_path)

    def test_fsync_failure_of_a_durable_write(self, tmp_path, monkeypatch):
        """Values without a checksum of their own (here: DateTimeSerializer) are flushed to disk
        before the rename; a failing flush fails the write and keeps the previous value."""
        r = LocalResult(dir=str(tmp_path), location="out.txt", serializer=DateTimeSerializer())
        r.write(pendulum.datetime(2020, 1, 1))

        def fail(fd):
            raise OSError(errno.EIO, "I/O error")

        monkeypatch.setattr(os, "fsync", fail)
        with pytest.raises(OSError, match="I/O error"):
            r.write(pendulum.datetime(2021, 1, 1))
        monkeypatch.undo()
        assert r.read("out.txt").value == pendulum.datetime(2020, 1, 1)
        assert leftovers(tmp_path) == []

    def test_rename_failure(self, result, tmp_path, monkeypatch):
        def fail(src, dst):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(os, "replace", fail)
        with pytest.raises(PermissionError, match="out.bin.*Permission denied"):
            result.write("new")
        monkeypatch.undo()
        self.check_untouched(result, tmp_path)

    def test_interrupt_mid_write(self, result, tmp_path, monkeypatch):
        def interrupt(fd, data):
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "write", interrupt)
        with pytest.raises(KeyboardInterrupt):
            result.write("new")
        monkeypatch.undo()
        self.check_untouched(result, tmp_path)

    def test_unwritable_folder(self, tmp_path):
        if os.name != "posix" or os.geteuid() == 0:
            pytest.skip("needs POSIX permissions and a non-root user")
        locked = tmp_path / "locked"
        locked.mkdir()
        r = LocalResult(dir=str(locked), location="out.bin")
        locked.chmod(0o500)
        try:
            with pytest.raises(PermissionError, match="out.bin"):
                r.write(1)
        finally:
            locked.chmod(0o700)


def test_racing_writers_both_succeed_and_leave_one_whole_value(tmp_path):
    r = LocalResult(dir=str(tmp_path), location="shared.bin")
    size = 2 * 1024 * 1024
    values = {name: (name, bytes([ord(name)]) * size) for name in "xy"}
    for _ in range(10):
        barrier = threading.Barrier(2)
        outcomes: dict = {}

        def write(name, barrier, outcomes):
            barrier.wait()
            try:
                outcomes[name] = r.write(values[name])
            except BaseException as exc:  # pragma: no cover - reported below
                outcomes[name] = exc

        threads = [
            threading.Thread(target=write, args=(name, barrier, outcomes)) for name in values
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(isinstance(o, Result) for o in outcomes.values()), outcomes
        assert {o.location for o in outcomes.values()} == {str(tmp_path / "shared.bin")}
        assert r.read("shared.bin").value in values.values()
        assert leftovers(tmp_path) == []


def test_racing_processes(tmp_path):
    """Two processes writing one location: both exit cleanly and the file holds one whole value."""
    env = subprocess_env()
    script = textwrap.dedent(
        """
        import sys
        from prefect_classic.engine.results.local_result import LocalResult

        r = LocalResult(dir=sys.argv[1], location="shared.bin")
        for _ in range(20):
            r.write((sys.argv[2], sys.argv[2].encode() * 500_000))
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), tag], env=env)
        for tag in ("p", "q")
    ]
    assert [p.wait() for p in procs] == [0, 0]
    tag, payload = LocalResult(dir=str(tmp_path)).read("shared.bin").value
    assert tag in ("p", "q") and payload == tag.encode() * 500_000
    assert leftovers(tmp_path) == []
