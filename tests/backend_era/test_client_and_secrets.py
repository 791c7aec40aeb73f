"""`Client` constructs without contacting anything and its API calls raise BackendOnlyError;
`Secret` and `PrefectSecret` read local secrets exactly as Prefect 1 did with local secrets."""

import os
import subprocess
import sys
import uuid

import pytest

import prefect_classic
from prefect_classic import Client, Flow
from prefect_classic.client import Secret
from prefect_classic.exceptions import BackendOnlyError, ClientError, PrefectException
from prefect_classic.tasks.secrets import PrefectSecret
from prefect_classic.utilities.configuration import set_temporary_config


def test_client_constructs_with_prefect_1_arguments_and_contacts_nothing():
    tenant = str(uuid.uuid4())
    client = Client(api_server="https://api.example", api_key="key", tenant_id=tenant)
    assert (client.api_server, client.api_key, client.tenant_id) == (
        "https://api.example",
        "key",
        tenant,
    )
    client.attach_headers({"X-Test": "1"})
    default = Client()
    assert default.api_server == "https://api.prefect.io" and default.api_key is None


def test_client_validates_the_tenant_id_and_needs_a_backend_to_find_a_default():
    with pytest.raises(ValueError, match="must be a valid UUID"):
        Client(tenant_id="not-a-uuid")
    with pytest.raises(BackendOnlyError, match="default tenant"):
        _ = Client().tenant_id


@pytest.mark.parametrize(
    "call, named",
    [
        (lambda c: c.graphql("query { flow { id } }"), "`Client.graphql()`"),
        (lambda c: c.create_flow_run(flow_id="f"), "`Client.create_flow_run()`"),
        (lambda c: c.register(Flow("f")), "`Client.register()`"),
        (lambda c: c.set_secret("NAME", "v"), "`Client.set_secret()`"),
        (lambda c: c.create_project("p"), "`Client.create_project()`"),
        (lambda c: c.get_flow_run_info("id"), "`Client.get_flow_run_info()`"),
    ],
)
def test_client_api_calls_raise_one_clear_backend_only_error(call, named):
    with pytest.raises(BackendOnlyError) as info:
        call(Client())
    message = str(info.value)
    assert message.startswith(f"{named} needs a Prefect Cloud/Server backend")
    assert isinstance(info.value, ClientError) and isinstance(info.value, PrefectException)


def test_set_secret_error_says_how_to_set_a_local_secret():
    with pytest.raises(BackendOnlyError, match="PREFECT__CONTEXT__SECRETS__DB_URL"):
        Client().set_secret("DB_URL", "postgres://")


def test_client_is_the_top_level_name_of_prefect_1():
    assert prefect_classic.Client is Client
    assert prefect_classic.client.Client is Client


def test_secret_reads_context_secrets_and_decodes_json():
    with prefect_classic.context(
        secrets={"PLAIN": "abc", "NUMBER": "42", "OBJ": '{"a": [1]}', "RAW": 7}
    ):
        assert Secret("PLAIN").get() == "abc"
        assert Secret("NUMBER").get() == 42
        assert Secret("OBJ").get() == {"a": [1]}
        assert Secret("RAW").get() == 7
        assert Secret("PLAIN").exists() and not Secret("MISSING").exists()


def test_a_missing_local_secret_is_a_value_error_naming_how_to_set_it():
    with prefect_classic.context(secrets={}):
        with pytest.raises(ValueError, match='Local Secret "MISSING" was not found') as info:
            Secret("MISSING").get()
    assert "PREFECT__CONTEXT__SECRETS__MISSING" in str(info.value)


def test_secrets_are_not_read_while_a_flow_is_being_built():
    with prefect_classic.context(secrets={"PLAIN": "abc"}):
        with Flow("building"):
            with pytest.raises(ValueError, match="only be retrieved during a Flow run"):
                Secret("PLAIN").get()


def test_without_local_secrets_a_missing_secret_would_need_a_backend():
    with (
        set_temporary_config({"cloud.use_local_secrets": False}),
        prefect_classic.context(secrets={"SET": "1"}),
    ):
        assert Secret("SET").get() == 1  # a local value still wins
        with pytest.raises(BackendOnlyError, match="use_local_secrets"):
            Secret("ELSEWHERE").get()
        with pytest.raises(BackendOnlyError):
            Secret("ELSEWHERE").exists()


def test_secrets_come_from_the_environment_at_import_time(tmp_path):
    code = (
        "from prefect_classic.client import Secret\n"
        "print(Secret('Token').get(), Secret('CONF').get()['retries'])\n"
    )
    env = {
        **os.environ,
        "PREFECT__CONTEXT__SECRETS__Token": "t0k",
        "PREFECT__CONTEXT__SECRETS__CONF": '{"retries": 3}',
        "PREFECT__USER_CONFIG_PATH": str(tmp_path / "none.toml"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["t0k", "3"]


def test_prefect_secret_task_reads_through_secret_in_a_flow_run():
    token = PrefectSecret("API_TOKEN")
    flow = Flow("uses-secret", tasks=[token])
    with prefect_classic.context(secrets={"API_TOKEN": "s3cr3t"}):
        state = flow.run()
    assert state.is_successful() and state.result[token].result == "s3cr3t"
    assert token.secret_name == "API_TOKEN" and token.name == "API_TOKEN"


def test_prefect_secret_name_can_come_at_run_time_but_must_come():
    with prefect_classic.context(secrets={"LATE": "v"}):
        assert PrefectSecret().run(name="LATE") == "v"
    with pytest.raises(ValueError, match="A secret name must be provided"):
        PrefectSecret().run()
