"""Configuration: package defaults < user TOML file < PREFECT__SECTION__KEY env vars."""
import pytest

import prefect_classic
from prefect_classic.configuration import (
    DEFAULT_CONFIG,
    Config,
    config,
    load_configuration,
    string_to_type,
)
from prefect_classic.utilities.configuration import set_temporary_config


def load(tmp_path, user_toml=None, env=None):
    """Load with an explicit user file (written to tmp_path) and an explicit environment."""
    user = tmp_path / "user.toml"
    if user_toml is not None:
        user.write_text(user_toml)
    return load_configuration(DEFAULT_CONFIG, user_config_path=str(user), env=dict(env or {}))


def test_defaults_hold_the_documented_keys(tmp_path):
    cfg = load(tmp_path)
    assert cfg.home_dir == "~/.prefect"
    assert cfg.debug is False
    assert cfg.flows.checkpointing is False
    assert cfg.flows.defaults.max_retries == 0
    assert cfg.tasks.defaults.max_retries == 0
    assert cfg.tasks.defaults.retry_delay is False
    assert cfg.tasks.defaults.timeout is False
    assert cfg.logging.level == "INFO"
    assert cfg.logging.format == "[%(asctime)s] %(levelname)s - %(name)s | %(message)s"
    assert cfg.logging.datefmt
    assert cfg.engine.executor.default_class.endswith("LocalExecutor")
    assert cfg.engine.flow_runner.default_class.endswith("FlowRunner")
    assert cfg.engine.task_runner.default_class.endswith("TaskRunner")
    assert "context" in cfg


def test_package_config_is_the_loaded_configuration():
    assert isinstance(prefect_classic.config, Config)
    assert prefect_classic.config is config


def test_user_file_overrides_defaults_and_keeps_the_rest(tmp_path):
    cfg = load(tmp_path, '[flows]\ncheckpointing = true\n[logging]\nlevel = "DEBUG"\n[custom]\nx = 1\n')
    assert cfg.flows.checkpointing is True
    assert cfg.logging.level == "DEBUG"
    assert cfg.custom.x == 1
    # untouched siblings of overridden keys survive the merge
    assert cfg.flows.defaults.max_retries == 0
    assert cfg.logging.format.startswith("[%(asctime)s]")


def test_missing_user_file_is_fine(tmp_path):
    cfg = load_configuration(DEFAULT_CONFIG, user_config_path=str(tmp_path / "nope.toml"), env={})
    assert cfg.flows.checkpointing is False


def test_user_config_path_comes_from_the_environment(tmp_path):
    user = tmp_path / "elsewhere.toml"
    user.write_text("debug = true\n")
    cfg = load_configuration(DEFAULT_CONFIG, env={"PREFECT__USER_CONFIG_PATH": str(user)})
    assert cfg.debug is True
    # the path variable itself does not become a config key
    assert "user_config_path" not in cfg


def test_env_vars_override_the_user_file(tmp_path):
    cfg = load(tmp_path, "[flows]\ncheckpointing = false\n", env={"PREFECT__FLOWS__CHECKPOINTING": "true"})
    assert cfg.flows.checkpointing is True


def test_env_var_names_are_case_insensitive_and_nest(tmp_path):
    cfg = load(tmp_path, env={"PREFECT__TASKS__DEFAULTS__MAX_RETRIES": "3", "PREFECT__NEW__Deep__KEY": "v"})
    assert cfg.tasks.defaults.max_retries == 3
    assert cfg.new.deep.key == "v"


def test_non_prefect_env_vars_are_ignored(tmp_path):
    cfg = load(tmp_path, env={"PREFECTX__DEBUG": "true", "OTHER__DEBUG": "true"})
    assert cfg.debug is False


@pytest.mark.parametrize(
    "raw, parsed",
    [
        ("true", True), ("TRUE", True), ("False", False), ("false", False),
        ("none", None), ("None", None), ("null", None),
        ("1", 1), ("-7", -7), ("1.5", 1.5), ("1e3", 1000.0),
        ("[1, 2]", [1, 2]), ('{"a": 1}', {"a": 1}),
        ("hello", "hello"), ("", ""), ("'quoted'", "'quoted'"),
    ],
)
def test_string_to_type_parses_env_values(raw, parsed):
    assert string_to_type(raw) == parsed
    assert type(string_to_type(raw)) is type(parsed)


def test_env_values_are_parsed(tmp_path):
    env = {"PREFECT__A__T": "true", "PREFECT__A__I": "10", "PREFECT__A__F": "0.25", "PREFECT__A__N": "none"}
    cfg = load(tmp_path, env=env)
    assert (cfg.a.t, cfg.a.i, cfg.a.f, cfg.a.n) == (True, 10, 0.25, None)


def test_string_values_interpolate_other_keys_and_env_vars(tmp_path, monkeypatch):
    monkeypatch.setenv("PC_TEST_HOME", "/srv/home")
    cfg = load(tmp_path, '[paths]\nroot = "$PC_TEST_HOME"\nflows = "${paths.root}/flows"\n')
    assert cfg.paths.root == "/srv/home"
    assert cfg.paths.flows == "/srv/home/flows"


def test_attribute_item_and_dotted_access_agree(tmp_path):
    cfg = load(tmp_path)
    assert cfg.flows.checkpointing is cfg["flows"]["checkpointing"] is cfg["flows.checkpointing"]
    assert cfg.get_nested("tasks.defaults.max_retries") == 0
    assert cfg.get_nested("no.such.key", "fallback") == "fallback"
    with pytest.raises(KeyError):
        cfg["no.such.key"]
    with pytest.raises(AttributeError, match="Config has no key 'nope'"):
        _ = cfg.nope


def test_set_nested_creates_sections(tmp_path):
    cfg = load(tmp_path)
    cfg.set_nested("brand.new.key", 5)
    assert cfg.brand.new.key == 5
    assert isinstance(cfg.brand, Config)


def test_config_copy_is_independent_per_section(tmp_path):
    cfg = load(tmp_path)
    other = cfg.copy()
    other.flows.checkpointing = True
    assert cfg.flows.checkpointing is False


def test_set_temporary_config_sets_and_restores():
    assert config.flows.checkpointing is False
    with set_temporary_config({"flows.checkpointing": True, "tasks.defaults.max_retries": 2}) as cfg:
        assert cfg is config
        assert config.flows.checkpointing is True
        assert config.tasks.defaults.max_retries == 2
    assert config.flows.checkpointing is False
    assert config.tasks.defaults.max_retries == 0


def test_set_temporary_config_removes_keys_it_created():
    with set_temporary_config({"brand_new_section.key": 1, "flows.brand_new": "x"}):
        assert config.brand_new_section.key == 1
        assert config.flows.brand_new == "x"
    assert "brand_new" not in config.flows
    assert "key" not in config.get("brand_new_section", {})


def test_set_temporary_config_restores_after_an_error():
    with pytest.raises(RuntimeError):
        with set_temporary_config({"debug": True}):
            raise RuntimeError("boom")
    assert config.debug is False


def test_context_section_is_seeded_into_the_context():
    from prefect_classic.utilities.context import Context

    with set_temporary_config({"context.my_seed": 42}):
        fresh = Context()
        assert fresh.my_seed == 42
