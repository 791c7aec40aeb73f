"""Configuration: package defaults < user file < backend file < PREFIX__SECTION__KEY env vars,
then casting and ${key} references; `Config` is a python-box Box, as in Prefect 1."""

import datetime
import os
import subprocess
import sys
import textwrap

import pytest
from box import Box

import prefect_classic
from prefect_classic import configuration
from prefect_classic.configuration import (
    DEFAULT_CONFIG,
    Config,
    config,
    load_configuration,
    process_task_defaults,
    string_to_type,
    to_environment_variables,
)
from prefect_classic.core.task import Task
from prefect_classic.utilities.collections import dict_to_flatdict
from prefect_classic.utilities.configuration import set_temporary_config


@pytest.fixture
def write_toml(tmp_path):
    """Write a TOML file (dedented) under tmp_path and return its path."""

    def write(text, name="config.toml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return str(path)

    return write


# --- the package configuration ----------------------------------------------------------------
def test_package_config_is_a_box_holding_prefect1_sections():
    assert isinstance(prefect_classic.config, Config) and isinstance(config, Box)
    assert prefect_classic.config is config
    for section in ("server", "cloud", "logging", "flows", "tasks", "engine"):
        assert section in config
    assert config.cloud.api == config.cloud.endpoint == "https://api.prefect.io"
    assert config.cloud.send_flow_run_logs is True
    assert config.logging.log_attributes == [] and config.logging.extra_loggers == []
    assert config.engine.executor.default_class.endswith("LocalExecutor")


def test_package_task_defaults_are_processed():
    # the file says `false`; the loaded configuration holds what Task uses
    assert config.tasks.defaults.max_retries == 0
    assert config.tasks.defaults.retry_delay is None
    assert config.tasks.defaults.timeout is None


def test_home_dir_is_expanded():
    assert config.home_dir == os.path.expanduser("~/.prefect")


def test_missing_key_raises_attribute_and_key_error():
    with pytest.raises(AttributeError, match="object has no attribute"):
        _ = config.no_such_section
    with pytest.raises(KeyError):
        config["no_such_section"]


def test_import_reads_user_file_backend_file_and_env_vars(tmp_path):
    """Each layer overrides the one before: defaults < user file < backend file < environment."""
    user = tmp_path / "user.toml"
    user.write_text(
        '[logging]\nlevel = "DEBUG"\nformat = "user %(message)s"\n[custom]\nx = 1\ny = 1\nz = 1\n'
    )
    backend = tmp_path / "backend.toml"
    backend.write_text("[custom]\ny = 2\nz = 2\n")
    env = {
        **os.environ,
        "PREFECT__USER_CONFIG_PATH": str(user),
        "PREFECT__BACKEND_CONFIG_PATH": str(backend),
        "PREFECT__CUSTOM__Z": "3",
        "PREFECT__CONTEXT__SECRETS__My_Token": "abc",
    }
    code = (
        "import prefect_classic as p; c = p.config; "
        "print(c.logging.level, c.logging.format.split()[0], c.custom.x, c.custom.y, c.custom.z, "
        "c.context.secrets.My_Token, p.context.secrets.My_Token)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["DEBUG", "user", "1", "2", "3", "abc", "abc"]


# --- load_configuration ------------------------------------------------------------------------
BASE = """
    debug = false
    [general]
    x = 1
    y = "hi"
    port = "4200"
    empty = ""
        [general.nested]
        x = "${general.x}"
        sum = "${general.x} + 1"
        greeting = "${general.y} there"
    [refs]
    which = "x"
    chosen = "${general.nested.${refs.which}}"
    missing = "${general.nope}"
    [paths]
    home = "~/data"
    from_env = "$PC_TEST_DIR/flows"
    not_a_var = "a$PC_TEST_DIRb"
    """


def test_string_values_are_cast_and_references_resolved(write_toml, monkeypatch):
    monkeypatch.setenv("PC_TEST_DIR", "/srv")
    cfg = load_configuration(write_toml(BASE))
    assert cfg.general.port == 4200  # TOML strings holding literals are cast
    assert cfg.general.empty == ""
    assert cfg.general.nested.x == 1  # a whole-value reference keeps the referenced type
    assert cfg.general.nested.sum == "1 + 1"  # a reference inside text is replaced by its text
    assert cfg.general.nested.greeting == "hi there"
    assert cfg.refs.chosen == 1  # references may nest
    assert cfg.refs.missing == ""
    assert cfg.paths.home == os.path.expanduser("~/data")
    assert cfg.paths.from_env == "/srv/flows"
    assert cfg.paths.not_a_var == "a$PC_TEST_DIRb"


def test_env_vars_apply_only_with_a_prefix(write_toml, monkeypatch):
    path = write_toml(BASE)
    monkeypatch.setenv("PC_CFG__GENERAL__X", "5")
    monkeypatch.setenv("PC_CFG__NEW__DEEP__KEY", "v")
    assert load_configuration(path).general.x == 1
    cfg = load_configuration(path, env_var_prefix="PC_CFG")
    assert cfg.general.x == 5
    assert cfg.general.nested.x == 5  # references resolve after the environment is applied
    assert cfg.new.deep.key == "v"


@pytest.mark.parametrize(
    "raw, value",
    [
        ("true", True),
        ("FaLsE", False),
        ("10", 10),
        ("-7.5", -7.5),
        ("None", None),
        ("[1, 'a']", [1, "a"]),
        ('{"k": 1}', {"k": 1}),
        ("'quoted'", "quoted"),
        ("plain text", "plain text"),
        ("none", "none"),
        ("line\nbreak", "line\nbreak"),
    ],
)
def test_env_var_values_are_cast(write_toml, monkeypatch, raw, value):
    monkeypatch.setenv("PC_CFG__SECTION__VALUE", raw)
    cfg = load_configuration(write_toml(BASE), env_var_prefix="PC_CFG")
    assert cfg.section.value == value
    assert string_to_type(raw) == value


def test_env_var_keys_are_lower_cased_except_secret_names(write_toml, monkeypatch):
    path = write_toml('[SeCtIoN]\nKeY = 1\n[context.secrets]\nFromFile = "f"\n')
    monkeypatch.setenv("PC_CFG__SECTION__KEY", "2")
    monkeypatch.setenv("PC_CFG__CONTEXT__SECRETS__MiXeD", "m")
    monkeypatch.setenv("PC_CFG__CONTEXT__Other_Key", "o")
    cfg = load_configuration(path, env_var_prefix="PC_CFG")
    assert cfg.SeCtIoN.KeY == 1 and cfg.section.key == 2
    assert cfg.context.secrets.MiXeD == "m" and cfg.context.secrets.FromFile == "f"
    assert cfg.context.other_key == "o"


def test_user_and_backend_files_merge_before_references(write_toml):
    base = write_toml(BASE)
    user = write_toml("[general]\nx = 2\n[user]\nfoo = 'bar'\n", "user.toml")
    backend = write_toml("[general]\ny = 'backend'\n", "backend.toml")
    cfg = load_configuration(base, user_config_path=user, backend_config_path=backend)
    assert (cfg.general.x, cfg.general.nested.x, cfg.user.foo) == (2, 2, "bar")
    assert cfg.general.nested.greeting == "backend there"
    # missing files are skipped
    assert load_configuration(base, user_config_path="/no/such.toml").general.x == 1


def test_keys_that_shadow_config_attributes_are_refused(write_toml, monkeypatch):
    with pytest.raises(ValueError, match='Invalid config key: "keys"'):
        load_configuration(write_toml("[outer]\n[outer.keys]\na = 1\n"))
    monkeypatch.setenv("PC_CFG__X__COPY", "1")
    with pytest.raises(ValueError):
        load_configuration(write_toml(""), env_var_prefix="PC_CFG")


def test_config_accepts_box_options_and_copies_sections():
    cfg = Config(default_box=True)
    cfg.a.b.c = [1]  # default_box creates the sections
    copied = cfg.copy()
    copied.a.b.new = 1
    assert "new" not in cfg.a.b  # sections are copied...
    copied.a.b.c.append(2)
    assert cfg.a.b.c == [1, 2]  # ...values are shared


# --- helpers -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, (0, None, None)),
        ({"max_retries": False, "retry_delay": False, "timeout": False}, (0, None, None)),
        ({"max_retries": None, "retry_delay": None, "timeout": None}, (0, None, None)),
        ({"max_retries": 3, "retry_delay": 5}, (3, datetime.timedelta(seconds=5), None)),
        (
            {"retry_delay": datetime.timedelta(1), "timeout": datetime.timedelta(2)},
            (0, datetime.timedelta(1), datetime.timedelta(2)),
        ),
    ],
)
def test_process_task_defaults(given, expected):
    cfg = process_task_defaults(Config({"tasks": {"defaults": given}} if given else {}))
    d = cfg.tasks.defaults
    assert (d.max_retries, d.retry_delay, d.timeout) == expected


def test_to_environment_variables_and_back(write_toml, monkeypatch):
    cfg = load_configuration(write_toml(BASE))
    env = to_environment_variables(cfg, include={"general.x", "general.nested.sum", "debug"})
    assert env == {
        "PREFECT__GENERAL__X": "1",
        "PREFECT__GENERAL__NESTED__SUM": "1 + 1",
        "PREFECT__DEBUG": "False",
    }
    assert to_environment_variables(Config(k="v"), prefix="PC") == {"PC__K": "v"}
    everything = to_environment_variables(cfg, prefix="PC_ROUND")
    assert len(everything) == len(dict_to_flatdict(cfg))
    for name, value in everything.items():
        monkeypatch.setenv(name, value)
    assert load_configuration(write_toml(BASE), env_var_prefix="PC_ROUND") == cfg


# --- set_temporary_config ----------------------------------------------------------------------
def test_set_temporary_config_sets_and_restores():
    before = config.to_dict()
    with set_temporary_config({"flows.checkpointing": True, "brand.new.key": 1}) as cfg:
        assert cfg is config
        assert config.flows.checkpointing is True and config.brand.new.key == 1
        assert prefect_classic.context.config.brand.new.key == 1
        config.debug = True  # changes made inside the block are undone too
    assert config.to_dict() == before


def test_set_temporary_config_restores_after_an_error():
    with pytest.raises(RuntimeError):
        with set_temporary_config({"debug": True}):
            raise RuntimeError("boom")
    assert config.debug is False


def test_config_changes_bump_the_generation():
    start = configuration.generation()
    with set_temporary_config({"debug": True}):
        assert configuration.generation() != start
        inside = configuration.generation()
        config.logging.level = "DEBUG"
        assert configuration.generation() != inside


def test_new_tasks_take_the_configured_defaults():
    delay = datetime.timedelta(seconds=3)
    with set_temporary_config(
        {"tasks.defaults.max_retries": 2, "tasks.defaults.retry_delay": delay}
    ):
        task = Task()
    assert (task.max_retries, task.retry_delay) == (2, delay)
    assert Task().max_retries == 0


def test_context_section_is_seeded_into_a_fresh_context():
    from prefect_classic.utilities.context import Context

    with set_temporary_config({"context.my_seed": 42}):
        assert Context().my_seed == 42
    assert DEFAULT_CONFIG.endswith("config.toml")
