"""`LocalResult`: results stored as files on the local file system, written atomically, with a
checksum verified on read."""

import hashlib
import os
from typing import Any, Callable, Optional, Union

from prefect_classic.engine.result.base import Result
from prefect_classic.engine.results._files import atomic_write
from prefect_classic.engine.serializers import Serializer
from prefect_classic.utilities.templates import format_template

__all__ = ["LocalResult", "atomic_write", "checksum_path", "local_result_at"]


def _storage_error(exc: OSError, action: str, path: str) -> OSError:
    """An OSError of the same kind (same errno) whose message names the action and the path."""
    if exc.errno is None:
        return OSError(f"Could not {action} {path!r}: {exc}")
    return OSError(exc.errno, f"Could not {action} {path!r}: {exc.strerror or exc}")


def _results_dir(dir: Optional[Union[str, "os.PathLike[str]"]]) -> str:
    """The folder a LocalResult uses for `dir`: as in Prefect 1, `<home_dir>/results` when `dir`
    is not given or lies inside Prefect's home folder (e.g. Local storage's `~/.prefect/flows`),
    otherwise `dir`."""
    from prefect_classic.configuration import config

    home = str(config.home_dir)
    if dir is not None:
        dir = os.fspath(dir)
        # as Prefect 1: `~` is not expanded in `dir` here, so `dir="~/.prefect"` is kept
        full_home, full_dir = os.path.abspath(os.path.expanduser(home)), os.path.abspath(dir)
        try:
            inside_home = os.path.commonpath([full_home, full_dir]) == full_home
        except ValueError:  # different drives on Windows
            inside_home = False
        if not inside_home:
            return dir
    return os.path.join(home, "results")


class LocalResult(Result):
    """A Result stored as a file on the local file system.

    "Local" means local to wherever the task runs (e.g. a Dask worker), not necessarily where the
    flow was started. Writes are atomic: a crash mid-write never leaves a partial file at the
    location.

    Args:
        - dir (str, optional): the folder for results; relative locations are joined to it,
            absolute locations are used as they are. Defaults to `<config.home_dir>/results`,
            which is also used, as in Prefect 1, for any folder inside `config.home_dir`
            (`local_result_at` keeps such a folder)
        - validate_dir (bool, optional): when `True` (the default) `~` is expanded, the folder is
            made absolute and created if missing; when `False` it is stored unchanged (useful when
            the result is built on one machine and used on another)
        - location (Union[str, Callable], optional): the location template, see `Result`
        - serializer (Serializer, optional): defaults to `PickleSerializer`
        - **kwargs (Any, optional): other `Result` options, such as `value`

    Raises:
        - OSError: when `validate_dir` is `True` and the folder cannot be created
    """

    def __init__(
        self,
        dir: Optional[Union[str, "os.PathLike[str]"]] = None,
        validate_dir: bool = True,
        location: Optional[Union[str, Callable[..., str]]] = None,
        serializer: Optional[Serializer] = None,
        **kwargs: Any,
    ) -> None:
        dir = _results_dir(dir)
        if validate_dir:
            dir = os.path.abspath(os.path.expanduser(dir))
            try:
                os.makedirs(dir, exist_ok=True)
            except OSError as exc:
                raise _storage_error(exc, "create the LocalResult directory", dir) from exc
            if not os.path.isdir(dir):  # pragma: no cover - makedirs raises first on POSIX
                raise NotADirectoryError(f"LocalResult directory {dir!r} is not a directory")
        self.dir = dir
        super().__init__(location=location, serializer=serializer, **kwargs)

    def _path(self, location: str) -> str:
        return os.path.join(os.path.expanduser(self.dir), location)

    def read(self, location: str) -> Result:
        """Read the file at `location`, check it against its checksum and deserialize it.

        Files without a checksum (written by Prefect 1) are deserialized as they are.

        Args:
            - location (str): a path, relative to `dir` or absolute

        Returns:
            - Result: a new LocalResult with `value` and `location` set

        Raises:
            - FileNotFoundError: when there is no file at `location`
            - ResultCorruptError: when the file does not match its checksum (damaged on disk,
                or cut short by a power loss)
        """
        path = self._path(location)
        self.logger.debug("Reading result from %s", path)
        with open(path, "rb") as f:
            data = f.read()
        new = self.copy()
        new.location = location
        new.value = self._decode(data, lambda: _read_checksum(path), path)
        return new

    def write(self, value_: Any, **kwargs: Any) -> Result:
        """Serialize `value_` and write it atomically, with its checksum, to the formatted
        location.

        Pickle and JSON files carry their checksum in a header their readers skip (Prefect 1
        reads them as before); for other serializers it goes to a hidden file next to the value
        (`checksum_path`). Files that carry their checksum are not flushed to disk before the
        rename: after a power loss such a file is either whole or fails its check and is
        recomputed. Others are flushed (`fsync`), so that they are never left partly written.

        Args:
            - value_ (Any): the value
            - **kwargs (Any): values for the location template (context keys and task inputs)

        Returns:
            - Result: a new LocalResult with `value` set and `location` the full path written

        Raises:
            - OSError: when the file cannot be written (the message names the path); no partial
                or temporary file is left behind
        """
        new = self.format(**kwargs)
        assert new.location is not None
        path = self._path(new.location)
        data, checksum = self._encode(value_)
        self.logger.debug("Writing result to %s", path)
        try:
            if checksum is None:
                atomic_write(path, data, durable=False)
            else:
                _write_with_checksum_file(path, data, checksum)
        except OSError as exc:
            raise _storage_error(exc, "write the result to", path) from exc
        new.value = value_
        new.location = path
        return new

    def exists(self, location: str, **kwargs: Any) -> bool:
        """Whether a file exists at `location` (formatted with `kwargs` when given).

        Only presence is checked, not whether the file can be deserialized.

        Args:
            - location (str): a path or path template, relative to `dir` or absolute
            - **kwargs (Any): values for the template

        Returns:
            - bool: whether the file exists
        """
        if kwargs:
            location = format_template(location, **kwargs)
        return os.path.exists(self._path(location))


def checksum_path(path: str) -> str:
    """The hidden file holding the checksum of the value at `path`, for serializers whose
    files carry none themselves: `.<name>.checksum` in the same folder.

    Args:
        - path (str): the value's path

    Returns:
        - str: the checksum file's path
    """
    folder, name = os.path.split(path)
    if len(name) > 200:  # keep within the file system's name length
        name = (
            f"{name[:160]}~{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:24]}"
        )
    return os.path.join(folder, f".{name}.checksum")


def _write_with_checksum_file(path: str, data: bytes, checksum: str) -> None:
    """Write the checksum file, then the value; if the value cannot be written, put the previous
    checksum back, so that the previous value still reads."""
    sidecar = checksum_path(path)
    previous = _read_checksum(path)
    atomic_write(sidecar, checksum.encode("ascii"), durable=False)
    try:
        atomic_write(path, data, durable=True)
    except BaseException:
        try:
            if previous is None:
                os.unlink(sidecar)
            else:
                atomic_write(sidecar, previous.encode("ascii"), durable=False)
        except OSError:  # pragma: no cover - the value then reads as damaged and is recomputed
            pass
        raise


def _read_checksum(path: str) -> Optional[str]:
    """The checksum stored next to `path`, or None when there is none."""
    try:
        with open(checksum_path(path), "rb") as f:
            return f.read(256).decode("ascii", "replace")
    except FileNotFoundError:
        return None


def local_result_at(folder: str, **kwargs: Any) -> LocalResult:
    """A LocalResult storing in exactly `folder`: unlike `LocalResult(dir=folder)`, a folder
    inside Prefect's home folder is kept (not replaced by `<home_dir>/results`).

    Args:
        - folder (str): the folder; `~` is expanded, and the folder is created if missing
        - **kwargs (Any): other `LocalResult` options, e.g. `serializer` or `location`

    Returns:
        - LocalResult: the result
    """
    result = LocalResult(dir=folder, validate_dir=False, **kwargs)
    result.dir = os.path.abspath(os.path.expanduser(folder))
    try:
        os.makedirs(result.dir, exist_ok=True)
    except OSError as exc:
        raise _storage_error(exc, "create the LocalResult directory", result.dir) from exc
    return result
