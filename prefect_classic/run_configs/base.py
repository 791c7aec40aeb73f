"""`RunConfig` and `UniversalRun`: how a Prefect agent would start a flow run (Prefect 1's API).

prefect_classic starts flow runs itself (`flow.run()`, `prefect-classic run FILE.py`), so a
run config is kept on the flow, serialized with Prefect 1's schema, and otherwise unused.
"""

from typing import Any, Iterable, Optional

__all__ = ["RunConfig", "UniversalRun", "load_yaml_document", "read_local_yaml"]


class RunConfig:
    """The base class of run configs.

    Args:
        - env (dict, optional): environment variables for the flow run
        - labels (Iterable[str], optional): labels an agent needs to pick up the run; kept as a
            set
    """

    def __init__(self, env: Optional[dict] = None, labels: Optional[Iterable[str]] = None) -> None:
        self.env = env
        self.labels = set(labels) if labels else set()

    def serialize(self) -> dict:
        """This run config in Prefect 1's JSON shape (`RunConfigSchema`).

        Returns:
            - dict: the serialized run config
        """
        from prefect_classic.serialization.run_config import RunConfigSchema

        return RunConfigSchema().dump(self)

    def __eq__(self, other: Any) -> Any:
        if not isinstance(other, RunConfig):
            return NotImplemented
        return self.serialize() == other.serialize()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(labels={sorted(self.labels)!r})"


class UniversalRun(RunConfig):
    """A run config any agent accepts: only environment variables and labels.

    Args:
        - env (dict, optional): environment variables for the flow run
        - labels (Iterable[str], optional): labels an agent needs to pick up the run
    """


def load_yaml_document(text_or_file: Any) -> Any:
    """Parse a YAML document (text or an open file) with PyYAML's safe loader.

    Args:
        - text_or_file (str or file): the document

    Returns:
        - Any: the parsed document
    """
    import yaml

    return yaml.safe_load(text_or_file)


def read_local_yaml(path: str) -> Optional[Any]:
    """The parsed YAML file at `path` when it is local (no scheme, `file://` or `local://`),
    else None (a remote path is kept as a path).

    Args:
        - path (str): the path

    Returns:
        - Any: the parsed document, or None for a remote path
    """
    from prefect_classic.utilities.filesystems import parse_path

    parsed = parse_path(path)
    if parsed.scheme != "file":
        return None
    with open(parsed.path) as f:
        return load_yaml_document(f)
