"""Configuration: package defaults < user TOML file < `PREFECT__SECTION__KEY` env vars.

The configuration is loaded once, at import. Read it as `prefect_classic.config.flows.checkpointing`
or `config.get_nested("flows.checkpointing")`; change it for a block with
`prefect_classic.utilities.configuration.set_temporary_config`.
"""
import ast
import os
import re
import sys
from pathlib import Path
from typing import Any, MutableMapping, Optional

from prefect_classic.utilities.collections import (
    DotDict,
    dict_to_flatdict,
    flatdict_to_dict,
    merge_dicts,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

__all__ = ["Config", "config", "load_configuration", "string_to_type"]

DEFAULT_CONFIG = str(Path(__file__).with_name("config.toml"))
ENV_VAR_PREFIX = "PREFECT"
_INTERPOLATION = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")


class Config(DotDict):
    """The configuration tree: a `DotDict` that also takes dotted keys (`"flows.checkpointing"`)."""

    def __getattr__(self, attr: str) -> Any:
        try:
            return self.__dict__[attr]
        except KeyError:
            raise AttributeError(
                f"Config has no key '{attr}'. Available keys: {sorted(self.__dict__)}"
            ) from None

    def __getitem__(self, key: str) -> Any:
        if key in self.__dict__ or "." not in key:
            return self.__dict__[key]
        return self.get_nested(key, _MISSING_KEY, raise_missing=True)

    def get_nested(self, key: str, default: Any = None, raise_missing: bool = False) -> Any:
        """Look up a dotted key such as `"tasks.defaults.max_retries"`.

        Args:
            - key (str): the dotted key
            - default (Any): returned when the key is missing
            - raise_missing (bool): raise KeyError instead of returning `default`

        Returns:
            - Any: the value
        """
        node: Any = self
        for part in key.split("."):
            if isinstance(node, MutableMapping) and part in node:
                node = node[part]
            elif raise_missing:
                raise KeyError(key)
            else:
                return default
        return node

    def set_nested(self, key: str, value: Any) -> None:
        """Set a dotted key, creating intermediate sections as needed.

        Args:
            - key (str): the dotted key
            - value (Any): the value
        """
        *path, last = key.split(".")
        node: Any = self
        for part in path:
            if part not in node or not isinstance(node[part], MutableMapping):
                node[part] = Config()
            node = node[part]
        node[last] = value

    def copy(self) -> "Config":
        """Return a deep copy of the section tree (values are shared)."""
        return Config({k: (v.copy() if isinstance(v, Config) else v) for k, v in self.items()})


_MISSING_KEY = object()


def string_to_type(val: str) -> Any:
    """Parse an environment-variable string: true/false, none, numbers, lists and dicts.

    Args:
        - val (str): the raw string

    Returns:
        - Any: the parsed value, or the string itself
    """
    lowered = val.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered in ("none", "null"):
        return None
    try:
        parsed = ast.literal_eval(val)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return val
    return parsed if isinstance(parsed, (int, float, list, dict, tuple, set)) else val


def _interpolate(flat: dict) -> dict:
    """Replace `${dotted.key}` references and `$ENV` variables inside string values."""
    by_name = {".".join(k): v for k, v in flat.items()}
    for _ in range(10):  # references may be chained
        changed = False
        for key, value in flat.items():
            if not isinstance(value, str):
                continue
            new = os.path.expandvars(value)
            new = _INTERPOLATION.sub(lambda m: str(by_name.get(m.group(1), m.group(0))), new)
            if new != value:
                flat[key] = by_name[".".join(key)] = new
                changed = True
        if not changed:
            break
    return flat


def _env_overrides(env: MutableMapping) -> dict:
    overrides: dict = {}
    prefix = ENV_VAR_PREFIX + "__"
    for name, value in env.items():
        if name.startswith(prefix) and name != "PREFECT__USER_CONFIG_PATH":
            path = name[len(prefix):].split("__")
            # keys are case-insensitive, except secret names (PREFECT__CONTEXT__SECRETS__MyKey)
            keep_case = len(path) == 3 and [p.lower() for p in path[:2]] == ["context", "secrets"]
            path = [p if keep_case and i == 2 else p.lower() for i, p in enumerate(path)]
            node = overrides
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = string_to_type(value)
    return overrides


def load_configuration(
    path: str = DEFAULT_CONFIG, user_config_path: Optional[str] = None, env: Optional[MutableMapping] = None
) -> Config:
    """Load defaults, merge the user file and the environment, and interpolate references.

    Args:
        - path (str): the defaults file
        - user_config_path (str, optional): the user's TOML file (missing is fine)
        - env (MutableMapping, optional): the environment (default `os.environ`)

    Returns:
        - Config: the configuration
    """
    env = os.environ if env is None else env
    with open(path, "rb") as f:
        tree: dict = tomllib.load(f)
    if user_config_path is None:
        user_config_path = env.get("PREFECT__USER_CONFIG_PATH", "~/.prefect/config.toml")
    user_path = Path(os.path.expanduser(str(user_config_path)))
    if user_path.is_file():
        with open(user_path, "rb") as f:
            tree = merge_dicts(tree, tomllib.load(f))  # type: ignore
    tree = merge_dicts(tree, _env_overrides(env))  # type: ignore
    flat = _interpolate(dict_to_flatdict(tree))
    nested = flatdict_to_dict(flat, dict)
    return _to_config(nested)


def _to_config(tree: Any) -> Any:
    if isinstance(tree, dict):
        return Config({k: _to_config(v) for k, v in tree.items()})
    return tree


config: Config = load_configuration()
