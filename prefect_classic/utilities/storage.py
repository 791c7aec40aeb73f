"""Load flows from Python files and modules, and write flows to bytes and back.

These are the helpers that flow storage (`prefect_classic.storage`) uses, with Prefect 1's
names: `extract_flow_from_file`, `extract_flow_from_module`, `flow_to_bytes_pickle` and
`flow_from_bytes_pickle`. A pickled flow is a small JSON document holding the cloudpickle
bytes (base64) and the versions it was written with, so a mismatch can be explained.
"""

import base64
import importlib
import json
import re
import sys
import unicodedata
import warnings
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Type, Union

import cloudpickle

from prefect_classic.exceptions import FlowStorageError

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = [
    "extract_flow_from_file",
    "extract_flow_from_module",
    "flow_from_bytes_pickle",
    "flow_to_bytes_pickle",
    "get_flow_image",
    "slugify",
]


def slugify(text: str) -> str:
    """A lower-case, ASCII, dash-separated form of `text`, safe in file names and keys.

    Args:
        - text (str): any text (a flow name, a timestamp)

    Returns:
        - str: e.g. `"My flow?!"` -> `"my-flow"`
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _flow_class() -> Type["Flow"]:
    from prefect_classic.core.flow import Flow

    return Flow


def extract_flow_from_file(
    file_path: Optional[str] = None,
    file_contents: Optional[Union[str, bytes]] = None,
    flow_name: Optional[str] = None,
) -> "Flow":
    """Execute a Python file (or its text) and return a Flow it defines at top level.

    Args:
        - file_path (str, optional): the file to execute
        - file_contents (str or bytes, optional): the file's text, instead of `file_path`
        - flow_name (str, optional): which flow to return (default: the first one defined)

    Returns:
        - Flow: the flow

    Raises:
        - ValueError: when neither or both sources are given, or no (matching) flow is found
        - TypeError: when `file_contents` is not str or bytes
    """
    if file_path is not None:
        if file_contents is not None:
            raise ValueError("Provide either `file_path` or `file_contents` but not both.")
        with open(file_path, "rb") as f:
            contents: Union[str, bytes] = f.read()
    elif file_contents is not None:
        if not isinstance(file_contents, (str, bytes)):
            raise TypeError("`file_contents` must be string or bytes.")
        contents = file_contents
    else:
        raise ValueError("Provide either `file_path` or `file_contents`.")

    namespace: Dict[str, Any] = {"__file__": file_path} if file_path else {}
    exec(compile(contents, file_path or "<flow file>", "exec"), namespace)
    flow_class = _flow_class()
    flows: Dict[str, Flow] = {}
    for value in namespace.values():
        if isinstance(value, flow_class):
            flows.setdefault(value.name, value)
    if not flows:
        raise ValueError("No flows found in file.")
    if flow_name is None:
        return next(iter(flows.values()))
    if flow_name not in flows:
        found = "\n".join(f"- {name!r}" for name in sorted(flows))
        raise ValueError(f"Flow {flow_name!r} not found in file. Found flows:\n{found}")
    return flows[flow_name]


def extract_flow_from_module(module_str: str, flow_name: Optional[str] = None) -> "Flow":
    """Import a module and return a Flow from it.

    Args:
        - module_str (str): `"package.module"`, or `"package.module:attribute"` (the attribute
            may be dotted, and may be a function returning the flow)
        - flow_name (str, optional): the flow's name; needed when the module holds several
            flows and no attribute is named

    Returns:
        - Flow: the flow

    Raises:
        - ValueError: when the flow cannot be found (or several match)
        - TypeError: when the named attribute is not a Flow
    """
    module_name, has_attribute, attribute = module_str.partition(":")
    module = importlib.import_module(module_name)
    flow_class = _flow_class()
    if has_attribute:
        try:
            found = attrgetter(attribute)(module)
        except AttributeError:
            raise ValueError(f"Failed to find flow at {module_str!r}") from None
        if callable(found) and not isinstance(found, flow_class):
            found = found()
        if not isinstance(found, flow_class):
            raise TypeError(f"Object at {module_str!r} is a {type(found)} not a `prefect.Flow`")
        if flow_name is not None and found.name != flow_name:
            raise ValueError(
                f"Flow at {module_str!r} is named {found.name!r}, expected {flow_name!r}"
            )
        return found
    flows = {}
    for name in dir(module):
        value = getattr(module, name, None)
        if isinstance(value, flow_class):
            flows[value.name] = value
    if flow_name is not None:
        if flow_name in flows:
            return flows[flow_name]
        raise ValueError(f"Failed to find flow {flow_name!r} in {module_str!r}")
    if len(flows) == 1:
        return next(iter(flows.values()))
    if flows:
        raise ValueError(
            f"Multiple flows found in {module_str!r}, please provide `flow_name` to select one."
        )
    raise ValueError(f"No flows found in {module_str!r}")


def _versions() -> Dict[str, str]:
    package = sys.modules[__name__.split(".")[0]]
    return {
        "cloudpickle": cloudpickle.__version__,
        "prefect": str(getattr(package, "__version__", "0")),
        "python": "{}.{}.{}".format(*sys.version_info[:3]),
    }


def flow_to_bytes_pickle(flow: "Flow") -> bytes:
    """Serialize a flow with cloudpickle, wrapped in JSON with the versions used.

    Args:
        - flow (Flow): the flow

    Returns:
        - bytes: `{"flow": <base64 cloudpickle>, "versions": {...}}` as UTF-8 JSON
    """
    payload = base64.b64encode(cloudpickle.dumps(flow, protocol=4)).decode("ascii")
    return json.dumps({"flow": payload, "versions": _versions()}).encode("utf-8")


def _version_key(version: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def flow_from_bytes_pickle(data: bytes) -> "Flow":
    """Load a flow written by `flow_to_bytes_pickle` (or plain cloudpickle bytes).

    Args:
        - data (bytes): the serialized flow

    Returns:
        - Flow: the flow

    Raises:
        - FlowStorageError: when unpickling fails; the message lists version mismatches
            between the writing and the reading environment
    """
    written: Dict[str, str] = {}
    flow_bytes = data
    try:
        info = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        pass
    else:
        if isinstance(info, dict) and "flow" in info:
            flow_bytes = base64.b64decode(info["flow"])
            written = dict(info.get("versions") or {})
    current = _versions()
    try:
        flow = cloudpickle.loads(flow_bytes)
    except Exception as exc:
        lines = ["An error occurred while unpickling the flow:", f"  {exc!r}"]
        mismatches = [
            f"  - {name}: (flow built with {theirs!r}, currently running with {current[name]!r})"
            for name, theirs in sorted(written.items())
            if name in current and _version_key(theirs) != _version_key(current[name])
        ]
        if mismatches:
            lines.append(
                "This may be due to one of the following version mismatches between "
                "the flow build and execution environments:"
            )
            lines.extend(mismatches)
        if isinstance(exc, ImportError):
            lines.append(
                ("This also may" if mismatches else "This may") + " be due to a missing "
                "Python module in your current environment. Please ensure you have all "
                "required flow dependencies installed."
            )
        raise FlowStorageError("\n".join(lines)) from exc
    theirs = written.get("prefect")
    if theirs and _version_key(theirs) != _version_key(current["prefect"]):
        warnings.warn(
            f"This flow was built using Prefect {theirs!r}, but you currently have "
            f"{current['prefect']!r} installed; loading a flow with another version "
            "may fail later.",
            stacklevel=2,
        )
    return flow


def get_flow_image(flow: "Flow") -> str:
    """The Docker image a flow would run in: its run config's `image`, else its Docker storage's
    image name.

    Args:
        - flow (Flow): the flow

    Returns:
        - str: the image

    Raises:
        - ValueError: when neither names an image
    """
    from prefect_classic.storage import Docker

    run_config = getattr(flow, "run_config", None)
    if run_config is not None and hasattr(run_config, "image"):
        return run_config.image
    storage = getattr(flow, "storage", None)
    if not isinstance(storage, Docker):
        raise ValueError(
            f"Storage for flow run {flow.name} is not of type Docker and run_config "
            "has no `image` attribute in the metadata field."
        )
    return storage.name
