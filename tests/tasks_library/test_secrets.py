"""Secret tasks: local secrets from context/config/env, env-var secrets, never persisted."""

import datetime
import os
import subprocess
import sys

import pytest

import prefect_classic
from prefect_classic import Flow, task
from prefect_classic.engine.results import LocalResult, SecretResult
from prefect_classic.tasks.secrets import EnvVarSecret, PrefectSecret, SecretBase
from prefect_classic.utilities.configuration import set_temporary_config

SECRET_VALUE = "s3cr3t-value-never-on-disk"


def test_secret_tasks_use_secret_result_and_never_checkpoint():
    for secret in (PrefectSecret("A"), EnvVarSecret("B"), SecretBase(name="C")):
        assert isinstance(secret.result, SecretResult)
        assert secret.result.secret_task is secret
        assert secret.checkpoint is False
    assert PrefectSecret("A", checkpoint=True).checkpoint is False


def test_result_is_not_configurable():
    with pytest.raises(ValueError, match="not configurable"):
        PrefectSecret("A", result=LocalResult())


def test_prefect_secret_reads_context_secrets():
    with prefect_classic.context(secrets={"API_TOKEN": "abc", "JSON": '{"user": "u", "n": 2}'}):
        assert PrefectSecret("API_TOKEN").run() == "abc"
        assert PrefectSecret("JSON").run() == {"user": "u", "n": 2}  # JSON strings are decoded
        assert PrefectSecret("API_TOKEN").run(name="JSON")["n"] == 2


def test_missing_prefect_secret_raises_value_error_naming_it():
    with prefect_classic.context(secrets={}):
        with pytest.raises(ValueError, match='Local Secret "NOT_THERE" was not found') as info:
            PrefectSecret("NOT_THERE").run()
    assert "PREFECT__CONTEXT__SECRETS__NOT_THERE" in str(info.value)


def test_prefect_secret_from_environment_keeps_the_name_case(tmp_path):
    """PREFECT__CONTEXT__SECRETS__My_Key seeds context.secrets["My_Key"] at import."""
    code = (
        "from prefect_classic.tasks.secrets import PrefectSecret\n"
        "print(PrefectSecret('My_Key').run(), PrefectSecret('OBJ').run()['a'])\n"
    )
    env = {
        **os.environ,
        "PREFECT__CONTEXT__SECRETS__My_Key": "from-env",
        "PREFECT__CONTEXT__SECRETS__OBJ": '{"a": [1, 2]}',
        "PREFECT__USER_CONFIG_PATH": str(tmp_path / "none.toml"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["from-env", "[1,", "2]"]


def test_prefect_secret_from_user_config_file(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text('[context.secrets]\nDB_PASSWORD = "from-file"\n')
    code = "from prefect_classic.tasks.secrets import PrefectSecret; print(PrefectSecret('DB_PASSWORD').run())"
    env = {**os.environ, "PREFECT__USER_CONFIG_PATH": str(config_file)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "from-file"


def test_env_var_secret(monkeypatch):
    monkeypatch.setenv("ENV_SECRET_PORT", "5432")
    assert EnvVarSecret("ENV_SECRET_PORT").run() == "5432"
    assert EnvVarSecret("ENV_SECRET_PORT", cast=int).run() == 5432
    assert EnvVarSecret("ENV_SECRET_PORT").name == "ENV_SECRET_PORT"


def test_env_var_secret_missing(monkeypatch):
    monkeypatch.delenv("ENV_SECRET_MISSING", raising=False)
    assert EnvVarSecret("ENV_SECRET_MISSING", cast=int).run() is None
    with pytest.raises(ValueError, match="Environment variable not set: ENV_SECRET_MISSING"):
        EnvVarSecret("ENV_SECRET_MISSING", raise_if_missing=True).run()


def test_secret_result_read_fetches_again_and_write_refuses():
    with prefect_classic.context(secrets={"TOKEN": "t1"}):
        result = PrefectSecret("TOKEN").result
        assert result.read("TOKEN").value == "t1"
        with pytest.raises(ValueError):
            result.write("t1")


def _all_bytes_under(folder) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_checkpointing_flow_never_writes_secret_values(tmp_path, monkeypatch):
    """With checkpointing on and a LocalResult flow default, every other task is written to disk
    but neither secret's value is, and downstream tasks still receive the values."""
    monkeypatch.setenv("ENV_SECRET_FOR_FLOW", SECRET_VALUE + "-env")
    seen = {}

    @task
    def use(token, other):
        seen["args"] = (token, other)
        return len(token) + len(other)

    results = tmp_path / "results"
    with Flow("secrets", result=LocalResult(dir=str(results))) as flow:
        token = PrefectSecret("TOKEN")
        other = EnvVarSecret("ENV_SECRET_FOR_FLOW")
        total = use(token, other)

    with set_temporary_config({"flows.checkpointing": True}):
        with prefect_classic.context(secrets={"TOKEN": SECRET_VALUE}):
            state = flow.run()

    assert state.is_successful()
    assert seen["args"] == (SECRET_VALUE, SECRET_VALUE + "-env")
    assert state.result[total].result == len(SECRET_VALUE) * 2 + 4
    assert state.result[total]._result.location  # the downstream task was checkpointed
    written = _all_bytes_under(results)
    assert written  # something was written...
    assert SECRET_VALUE.encode() not in written  # ...but never a secret
    assert state.result[token]._result.location in (None, "TOKEN")


def test_secret_with_retrying_downstream_is_not_written(tmp_path):
    """A downstream retry keeps the secret as a cached input in memory only."""
    attempts = []

    @task(max_retries=1, retry_delay=datetime.timedelta(0))
    def flaky(token):
        attempts.append(token)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        return "done"

    with Flow("secret-retry", result=LocalResult(dir=str(tmp_path))) as flow:
        flaky(PrefectSecret("TOKEN"))

    with set_temporary_config({"flows.checkpointing": True}):
        with prefect_classic.context(secrets={"TOKEN": SECRET_VALUE}):
            state = flow.run()
    assert state.is_successful()
    assert attempts == [SECRET_VALUE, SECRET_VALUE]
    assert SECRET_VALUE.encode() not in _all_bytes_under(tmp_path)
