"""Diagnostics for bug reports name what is set, never the values (secrets least of all)."""

import json
import platform

import pytest

import prefect_classic
from prefect_classic import Flow, task
from prefect_classic.engine.results import PrefectResult
from prefect_classic.run_configs import LocalRun
from prefect_classic.schedules import Schedule
from prefect_classic.storage import Local
from prefect_classic.utilities import diagnostics


@pytest.fixture
def user_config(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(
        '[secrets]\napi_token = "s3cr3t"\n[logging]\nlevel = "DEBUG"\nformat = "%(message)s"\n'
    )
    monkeypatch.setattr(prefect_classic.configuration, "USER_CONFIG", str(path))
    return path


def test_config_overrides_show_changed_keys_but_no_values(user_config):
    found = diagnostics.config_overrides()["config_overrides"]
    assert found["secrets"] is False and found["logging"]["level"] is True
    assert "s3cr3t" not in json.dumps(found) and "DEBUG" not in json.dumps(found)


def test_secret_names_only_when_asked(user_config):
    found = diagnostics.config_overrides(include_secret_names=True)["config_overrides"]
    assert found["secrets"] == {"api_token": True}


def test_a_key_set_to_its_default_is_not_an_override(user_config):
    configuration = prefect_classic.configuration
    default_level = configuration.load_toml(configuration.DEFAULT_CONFIG)["logging"]["level"]
    user_config.write_text(f'[logging]\nlevel = "{default_level}"\n')
    assert diagnostics.config_overrides()["config_overrides"] == {}


def test_only_prefect_environment_variable_names(monkeypatch):
    monkeypatch.setenv("PREFECT__SOME__KEY", "value")
    monkeypatch.setenv("NOT_PREFECT__KEY", "value")
    names = diagnostics.environment_variables()["env_vars"]
    assert "PREFECT__SOME__KEY" in names and "NOT_PREFECT__KEY" not in names


def test_flow_diagnostics_describe_the_flow_by_types_and_presence(user_config):
    @task
    def one():
        return 1

    flow = Flow(
        "diag",
        tasks=[one],
        storage=Local(),
        run_config=LocalRun(labels=["a"]),
        schedule=Schedule(clocks=[]),
        result=PrefectResult(),
    )
    info = json.loads(flow.diagnostics())
    about = info["flow_information"]
    assert about["task_count"] == 1 and about["result"] == {"type": "PrefectResult"}
    assert about["storage"]["type"] == "Local" and about["schedule"]["type"] == "Schedule"
    assert about["run_config"]["type"] == "LocalRun"
    assert about["run_config"]["labels"] is True and about["run_config"]["env"] is False
    system = info["system_information"]
    assert system["prefect_version"] == prefect_classic.__version__
    assert (system["platform"], system["python_version"]) == (
        platform.platform(),
        platform.python_version(),
    )
    assert info["config_overrides"]["secrets"] is False


def test_a_bare_flow_reports_missing_parts_as_false():
    about = json.loads(Flow("bare").diagnostics())["flow_information"]
    assert about["storage"] is False and about["run_config"] is False
    assert about["result"] is False and about["schedule"] is False and about["task_count"] == 0


def test_without_a_flow_there_is_no_flow_section():
    assert "flow_information" not in json.loads(diagnostics.diagnostic_info())
