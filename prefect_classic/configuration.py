"""Configuration, loaded once at import as Prefect 1 does it.

Layers, lowest first: the package's `config.toml`, the user file (`~/.prefect/config.toml` or
`PREFECT__USER_CONFIG_PATH`), the backend file (`~/.prefect/backend.toml` or
`PREFECT__BACKEND_CONFIG_PATH`), then environment variables `PREFECT__SECTION__KEY=value`.
String values are expanded (`$ENV_VAR`, `~`) and cast (`"true"`, `"10"`, `"[1, 2]"`...), then
`${section.key}` references to other keys are resolved. The result is a `Config`: a python-box
`Box`, so sections read as attributes (`config.flows.checkpointing`).

Reading a `Box` attribute costs microseconds: code on the task-run path must not read the
configuration per run. `generation()` changes whenever any `Config` is modified, so a value
derived from the configuration can be cached and recomputed only when it may have changed.
"""

import datetime
import os
import re
import sys
from ast import literal_eval
from typing import Any, Iterable, Optional, Union, cast

from box import Box

from prefect_classic.utilities import collections

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

__all__ = [
    "BACKEND_CONFIG",
    "Config",
    "DEFAULT_CONFIG",
    "ENV_VAR_PREFIX",
    "USER_CONFIG",
    "config",
    "create_user_config",
    "generation",
    "interpolate_config",
    "interpolate_env_vars",
    "load_configuration",
    "load_default_config",
    "load_toml",
    "process_task_defaults",
    "string_to_type",
    "to_environment_variables",
    "validate_config",
]

DEFAULT_CONFIG = os.path.join(os.path.dirname(__file__), "config.toml")
USER_CONFIG = os.getenv("PREFECT__USER_CONFIG_PATH", "~/.prefect/config.toml")
BACKEND_CONFIG = os.getenv("PREFECT__BACKEND_CONFIG_PATH", "~/.prefect/backend.toml")
ENV_VAR_PREFIX = "PREFECT"
INTERPOLATION_REGEX = re.compile(r"\$\{(.[^${}]*)\}")

# bumped on every change to any Config (see `generation()`)
_generation = [0]


def generation() -> int:
    """A number that changes whenever any `Config` is modified (cache key for derived values).

    Returns:
        - int: the current generation
    """
    return _generation[0]


def _touched(method: Any) -> Any:
    def wrapper(self: "Config", *args: Any, **kwargs: Any) -> Any:
        _generation[0] += 1
        return method(self, *args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


class Config(Box):
    """The configuration tree: a python-box `Box` (nested dicts read as attributes).

    Accepts Box's arguments, e.g. `Config(default_box=True)` creates missing sections on access.
    """

    __setitem__ = _touched(Box.__setitem__)
    __setattr__ = _touched(Box.__setattr__)
    __delitem__ = _touched(Box.__delitem__)
    __delattr__ = _touched(Box.__delattr__)
    clear = _touched(Box.clear)
    update = _touched(Box.update)
    pop = _touched(Box.pop)
    popitem = _touched(Box.popitem)
    setdefault = _touched(Box.setdefault)
    merge_update = _touched(Box.merge_update)

    def copy(self) -> "Config":
        """Copy every section, so that keys can be added or changed in the copy alone; values
        themselves (lists, objects) are shared.

        Returns:
            - Config: the copy
        """
        new = Config()
        for key, value in self.items():
            new[key] = value.copy() if isinstance(value, Config) else value
        return new


def string_to_type(val: str) -> Any:
    """Cast the text of an environment variable: `true`/`false` (any case) to bools, any Python
    literal (`10`, `-7.5`, `None`, `[1, 2]`, `{"a": 1}`, `'text'`) to its value, and anything
    else stays a string.

    Args:
        - val (str): the text

    Returns:
        - Any: the value
    """
    upper = val.upper()
    if upper == "TRUE":
        return True
    if upper == "FALSE":
        return False
    try:
        return literal_eval(val)
    except Exception:
        return val


def interpolate_env_vars(env_var: Any) -> Any:
    """Expand `$VARS` and a leading `~` in a string, repeatedly, until it stops changing.

    A value that took more than one round of expansion (a variable whose value names another
    variable) is also cast with `string_to_type`. Anything that is not a non-empty string is
    returned as is.

    Args:
        - env_var (Any): the value

    Returns:
        - Any: the expanded value, or None if expansion never settles
    """
    if not env_var or not isinstance(env_var, str):
        return env_var
    value: Any = env_var
    for rounds in range(10):
        expanded = os.path.expanduser(os.path.expandvars(str(value)))
        if expanded == value:
            return string_to_type(expanded) if rounds > 1 else expanded
        value = expanded
    return None


def create_user_config(dest_path: str, source_path: str = DEFAULT_CONFIG) -> None:
    """Write a copy of the default configuration to `dest_path` for the user to edit.

    Args:
        - dest_path (str): where to write (`~` and `$VARS` are expanded)
        - source_path (str): the file to copy (default: the package defaults)

    Raises:
        - ValueError: if `dest_path` already exists
    """
    dest = cast(str, interpolate_env_vars(dest_path))
    if os.path.isfile(dest):
        raise ValueError(f"File already exists: {dest}")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(source_path) as source, open(dest, "w") as target:
        target.write(source.read())


def process_task_defaults(config: Config) -> Config:
    """Turn `tasks.defaults` into the values `Task` uses: `max_retries` 0 unless set to a number,
    `retry_delay` None unless set (an int is read as seconds), `timeout` None unless set (TOML
    has no null, so `false` stands for unset).

    Args:
        - config (Config): the configuration, modified in place

    Returns:
        - Config: the same configuration
    """
    defaults = config.setdefault("tasks", {}).setdefault("defaults", {})
    defaults["max_retries"] = defaults.get("max_retries", 0) or 0
    retry_delay = defaults.get("retry_delay", False)
    if retry_delay is False or retry_delay is None:
        defaults["retry_delay"] = None
    elif isinstance(retry_delay, int):
        defaults["retry_delay"] = datetime.timedelta(seconds=retry_delay)
    if defaults.get("timeout", False) is False:
        defaults["timeout"] = None
    return config


def to_environment_variables(
    config: Config, include: Optional[Iterable[str]] = None, prefix: str = "PREFECT"
) -> dict:
    """Express configuration keys as `PREFIX__SECTION__KEY` environment variables (values as
    `str()`), e.g. to hand the configuration to a subprocess.

    Args:
        - config (Config): the configuration
        - include (Iterable[str], optional): dotted keys to include (`"section.key"`); default all
        - prefix (str): the variables' prefix (default `"PREFECT"`)

    Returns:
        - dict: variable names to values
    """
    wanted = set(include) if include else None
    return {
        "__".join((prefix, *key)).upper(): str(value)
        for key, value in collections.dict_to_flatdict(config).items()
        if wanted is None or ".".join(key) in wanted
    }


def validate_config(config: Config) -> None:
    """Check that no key, at any depth, shadows an attribute of `Config` (`keys`, `copy`...).

    Args:
        - config (Config): the configuration

    Raises:
        - ValueError: naming the first invalid key
    """
    reserved = set(dir(Config))
    pending = [config]
    while pending:
        section = pending.pop()
        for key, value in section.items():
            if key in reserved:
                raise ValueError(f'Invalid config key: "{key}"')
            if isinstance(value, Config):
                pending.append(value)


def load_toml(path: str) -> dict:
    """Read a TOML file (`~` and `$VARS` in the path are expanded).

    Args:
        - path (str): the file

    Returns:
        - dict: its contents
    """
    with open(cast(str, interpolate_env_vars(path)), "rb") as f:
        return tomllib.load(f)


def _env_var_key(option: str) -> collections.CompoundKey:
    """`SECTION__KEY` -> ("section", "key"); secret names keep their case:
    `CONTEXT__SECRETS__MyKey` -> ("context", "secrets", "MyKey")."""
    parts = option.split("__")
    if len(parts) >= 2 and parts[0].upper() == "CONTEXT" and parts[1].upper() == "SECRETS":
        return collections.CompoundKey(["context", "secrets", *parts[2:]])
    return collections.CompoundKey(part.lower() for part in option.split("__"))


def _resolve_references(flat: dict) -> None:
    """Replace `${dotted.key}` references with the keys' values, in place.

    A value that is exactly one reference takes the referenced value (of any type); a reference
    inside a longer string is replaced by its text. A missing key reads as "". References are
    resolved one per value per round, for at most 10 rounds (so nested and chained references
    work, and cycles stop).
    """
    pending = set(flat)
    for _ in range(10):
        for key in list(pending):
            value = flat[key]
            match = INTERPOLATION_REGEX.search(value) if isinstance(value, str) else None
            if match is None:
                pending.discard(key)
                continue
            reference, ref_name = match.group(0), match.group(1)
            ref_value = flat.get(collections.CompoundKey(ref_name.split(".")), "")
            if value == reference:
                flat[key] = ref_value
            else:
                flat[key] = value.replace(reference, str(ref_value), 1)


def interpolate_config(config: dict, env_var_prefix: Optional[str] = None) -> Config:
    """Apply environment variables, expand and cast string values, and resolve references.

    Args:
        - config (dict): the merged TOML contents
        - env_var_prefix (str, optional): read `PREFIX__SECTION__KEY` variables into the
            configuration (keys lower-cased, except secret names)

    Returns:
        - Config: the configuration
    """
    flat = collections.dict_to_flatdict(config)
    if env_var_prefix:
        start = env_var_prefix + "__"
        for name, raw in os.environ.items():
            if name.startswith(start):
                value = interpolate_env_vars(raw)
                flat[_env_var_key(name[len(start) :])] = (
                    string_to_type(value) if isinstance(value, str) else value
                )
    for key, value in flat.items():
        value = interpolate_env_vars(value)
        flat[key] = string_to_type(value) if isinstance(value, str) else value
    _resolve_references(flat)
    return collections.flatdict_to_dict(flat, dct_class=Config)


def load_configuration(
    path: str,
    user_config_path: Optional[str] = None,
    backend_config_path: Optional[str] = None,
    env_var_prefix: Optional[str] = None,
) -> Config:
    """Load a configuration file, merge the user and backend files over it, then interpolate.

    Args:
        - path (str): the base TOML file
        - user_config_path (str, optional): a TOML file merged over the base (skipped if missing)
        - backend_config_path (str, optional): a TOML file merged over both (skipped if missing)
        - env_var_prefix (str, optional): also read `PREFIX__SECTION__KEY` environment variables

    Returns:
        - Config: the configuration

    Raises:
        - ValueError: if a key shadows a `Config` attribute
    """
    tree: Union[dict, Any] = load_toml(path)
    for extra in (user_config_path, backend_config_path):
        if extra and os.path.isfile(str(interpolate_env_vars(extra))):
            tree = collections.merge_dicts(tree, load_toml(extra))
    loaded = interpolate_config(tree, env_var_prefix=env_var_prefix)
    validate_config(loaded)
    return loaded


def load_default_config() -> Config:
    """Load the package defaults, the user and backend files and `PREFECT__` variables, and
    process the task defaults.

    Returns:
        - Config: the configuration
    """
    loaded = load_configuration(
        path=DEFAULT_CONFIG,
        user_config_path=USER_CONFIG,
        backend_config_path=BACKEND_CONFIG,
        env_var_prefix=ENV_VAR_PREFIX,
    )
    return process_task_defaults(loaded)


config: Config = load_default_config()
