"""Where S3Result and GCSResult get credentials, as in Prefect 1: the `AWS_CREDENTIALS` /
`GCP_CREDENTIALS` secrets in `prefect.context.secrets` first, then the SDK's own defaults; plus
S3's `upload_options` and the shared boto3 clients of `utilities.aws`."""

import gc
import json
import sys

import pytest

import prefect_classic
from prefect_classic.engine.results import GCSResult, S3Result
from prefect_classic.utilities import aws, gcp


def _access_key(client):
    return client._request_signer._credentials.get_frozen_credentials().access_key


class TestAWS:
    def test_the_aws_credentials_secret_authenticates_the_client(self, s3_bucket, s3_kwargs):
        secret = {"ACCESS_KEY": "from-secret", "SECRET_ACCESS_KEY": "s", "SESSION_TOKEN": "t"}
        with prefect_classic.context(secrets={"AWS_CREDENTIALS": secret}):
            r = S3Result(s3_bucket, boto3_kwargs=s3_kwargs, location="k")
            frozen = r.client._request_signer._credentials.get_frozen_credentials()
            assert (frozen.access_key, frozen.secret_key, frozen.token) == ("from-secret", "s", "t")
            r.write("v")
        assert r.read("k").value == "v"

    def test_the_secret_may_be_json_text(self, s3_kwargs):
        text = json.dumps({"ACCESS_KEY": "json-key", "SECRET_ACCESS_KEY": "s"})
        with prefect_classic.context(secrets={"AWS_CREDENTIALS": text}):
            assert _access_key(aws.get_boto_client("s3", **s3_kwargs)) == "json-key"

    def test_without_a_secret_boto3_finds_credentials_itself(self, s3_kwargs):
        assert _access_key(S3Result("b", boto3_kwargs=s3_kwargs).client) == "testing"  # aws_env

    def test_explicit_credentials_come_first(self, s3_kwargs):
        with prefect_classic.context(
            secrets={"AWS_CREDENTIALS": {"ACCESS_KEY": "secret", "SECRET_ACCESS_KEY": "s"}}
        ):
            client = aws.get_boto_client(
                "s3", credentials={"ACCESS_KEY": "explicit", "SECRET_ACCESS_KEY": "s"}, **s3_kwargs
            )
        assert _access_key(client) == "explicit"

    def test_keyword_credentials_are_used_when_no_secret_is_set(self, s3_kwargs):
        client = aws.get_boto_client(
            "s3", aws_access_key_id="kw", aws_secret_access_key="s", **s3_kwargs
        )
        assert _access_key(client) == "kw"
        # as in Prefect 1, the secret wins over keyword arguments
        with prefect_classic.context(
            secrets={"AWS_CREDENTIALS": {"ACCESS_KEY": "secret", "SECRET_ACCESS_KEY": "s"}}
        ):
            client = aws.get_boto_client(
                "s3", aws_access_key_id="kw", aws_secret_access_key="s", **s3_kwargs
            )
        assert _access_key(client) == "secret"

    def test_clients_without_extra_options_are_shared_while_in_use(self, aws_env):
        aws._CLIENT_CACHE.clear()
        first = aws.get_boto_client("s3", region_name="us-east-1")
        assert aws.get_boto_client("s3", region_name="us-east-1") is first
        assert aws.get_boto_client("s3", region_name="eu-west-1") is not first
        assert (
            aws.get_boto_client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:1")
            is not first
        )
        key = next(k for k, v in aws._CLIENT_CACHE.items() if v is first)
        del first
        gc.collect()
        assert key not in aws._CLIENT_CACHE

    def test_upload_options_reach_s3(self, s3_bucket, s3_kwargs, s3_client):
        r = S3Result(
            s3_bucket,
            boto3_kwargs=s3_kwargs,
            location="k",
            upload_options={
                "Metadata": {"owner": "etl"},
                "ContentType": "application/octet-stream",
            },
        )
        r.write(1)
        head = s3_client.head_object(Bucket=s3_bucket, Key="k")
        assert head["Metadata"] == {"owner": "etl"}
        assert head["ContentType"] == "application/octet-stream"
        assert S3Result("b", upload_options={"ACL": "private"}) != S3Result("b")

    def test_pickles_of_older_versions_get_the_new_options(self):
        r = S3Result("b")
        state = r.__getstate__()
        del state["boto3_kwargs"], state["upload_options"]
        old = S3Result.__new__(S3Result)
        old.__setstate__(state)
        assert (old.boto3_kwargs, old.upload_options) == ({}, {})


def _service_account_key(project: str) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "1",
        "private_key": pem,
        "client_email": f"runner@{project}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


class TestGCP:
    def test_the_gcp_credentials_secret_authenticates_the_client(self, gcs_env):
        from google.oauth2.service_account import Credentials

        key = _service_account_key("from-secret")
        with prefect_classic.context(secrets={"GCP_CREDENTIALS": key}):
            client = GCSResult("b").gcs_bucket.client
        assert isinstance(client._credentials, Credentials)
        assert client._credentials.service_account_email == key["client_email"]
        assert client.project == "from-secret"  # the key's project, unless one is given

        with prefect_classic.context(secrets={"GCP_CREDENTIALS": json.dumps(key)}):
            assert GCSResult("b", project="chosen").gcs_bucket.client.project == "chosen"

    def test_without_a_secret_the_library_defaults_apply(self, gcs_env):
        client = gcp.get_storage_client()
        assert client.project == "test-project"  # from GOOGLE_CLOUD_PROJECT, on the emulator

    def test_missing_bigquery_is_a_clear_import_error(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "google.cloud.bigquery", None)
        with pytest.raises(ImportError, match="pip install google-cloud-bigquery"):
            gcp.get_bigquery_client()
