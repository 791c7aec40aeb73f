"""Diagnostic information for bug reports: the system, which configuration keys the user changed,
which `PREFECT__` environment variables are set, and what a flow is made of.

Only names and types are reported, never configuration values, environment values or secrets.
"""

import json
import os
import platform
from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = [
    "config_overrides",
    "diagnostic_info",
    "environment_variables",
    "flow_information",
    "system_information",
]


def system_information() -> dict:
    """The platform, the Python and prefect_classic versions and the configured backend.

    Returns:
        - dict: `{"system_information": {...}}`
    """
    import prefect_classic

    return {
        "system_information": {
            "platform": platform.platform(),
            "python_version": platform.python_version(),
            "prefect_version": prefect_classic.__version__,
            "prefect_backend": prefect_classic.config.get("backend"),
        }
    }


def _presence(data: Any, hide_secrets: bool) -> Any:
    """Replace every leaf of a nested dict with True (a `secrets` section with False when hidden)."""
    if not isinstance(data, dict):
        return True
    return {
        key: False if key == "secrets" and hide_secrets else _presence(value, hide_secrets)
        for key, value in data.items()
    }


def config_overrides(include_secret_names: bool = False) -> dict:
    """The keys of the user configuration file whose values differ from the defaults (as True;
    values are never shown).

    Args:
        - include_secret_names (bool, optional): list the names of configured secrets instead of
            reporting the `secrets` section as False (their values are never shown)

    Returns:
        - dict: `{"config_overrides": {section: {key: True, ...}, ...}}`
    """
    from prefect_classic import configuration
    from prefect_classic.utilities.collections import dict_to_flatdict, flatdict_to_dict

    def read(path: Optional[str]) -> dict:
        expanded = configuration.interpolate_env_vars(path) if path else None
        if expanded and os.path.isfile(str(expanded)):
            return configuration.load_toml(str(expanded))
        return {}

    defaults = dict_to_flatdict(read(configuration.DEFAULT_CONFIG))
    user = dict_to_flatdict(read(configuration.USER_CONFIG))
    changed = {
        key: value for key, value in user.items() if key not in defaults or defaults[key] != value
    }
    return {
        "config_overrides": _presence(
            flatdict_to_dict(changed, dict), hide_secrets=not include_secret_names
        )
    }


def environment_variables() -> dict:
    """The names of the `PREFECT__...` environment variables that are set (not their values).

    Returns:
        - dict: `{"env_vars": [name, ...]}`
    """
    from prefect_classic.configuration import ENV_VAR_PREFIX

    prefix = ENV_VAR_PREFIX + "__"
    return {"env_vars": [name for name in os.environ if name.startswith(prefix)]}


def _described(obj: Any) -> Any:
    """`{"type": class name, attribute: whether it is set, ...}`, or False for a missing object."""
    if not obj:
        return False

    def set_or_not(value: Any) -> Any:
        if isinstance(value, dict) and value:
            return {k: set_or_not(v) for k, v in value.items()}
        return bool(value)

    attributes = getattr(obj, "__dict__", {})
    return {"type": type(obj).__name__, **{k: set_or_not(v) for k, v in attributes.items()}}


def flow_information(flow: "Flow") -> dict:
    """What a flow is made of: the types of its run config, storage, result and schedule (with
    which of their attributes are set) and its number of tasks.

    Args:
        - flow (Flow): the flow

    Returns:
        - dict: `{"flow_information": {...}}`
    """
    return {
        "flow_information": {
            "environment": False,
            "run_config": _described(flow.run_config),
            "storage": _described(flow.storage),
            "result": {"type": type(flow.result).__name__} if flow.result else False,
            "schedule": _described(flow.schedule),
            "task_count": len(flow.tasks),
        }
    }


def diagnostic_info(flow: Optional["Flow"] = None, include_secret_names: bool = False) -> str:
    """Everything above as indented JSON, ready to paste into a bug report.

    Args:
        - flow (Flow, optional): also describe this flow
        - include_secret_names (bool, optional): list the names (never the values) of
            configured secrets

    Returns:
        - str: the JSON text, keys sorted
    """
    info: Dict[str, Any] = {}
    info.update(system_information())
    info.update(config_overrides(include_secret_names))
    info.update(environment_variables())
    if flow is not None:
        info.update(flow_information(flow))
    return json.dumps(info, sort_keys=True, indent=2)
