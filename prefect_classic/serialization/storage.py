"""
Schemas for flow storage (`prefect_classic.storage`), in Prefect 1's JSON shape: each storage's
own arguments plus `flows` (flow name -> location) and `secrets`. Labels are not written.
`StorageSchema` picks the schema by the `"type"` key (the class name).
"""

from typing import Any, Callable, ClassVar, Dict, Optional

from marshmallow import fields

from prefect_classic.serialization.fields import JSONCompatible
from prefect_classic.serialization.schema import ObjectSchema, OneOfSchema
from prefect_classic.storage import (
    GCS,
    S3,
    Azure,
    Bitbucket,
    CodeCommit,
    Docker,
    Git,
    GitHub,
    GitLab,
    Local,
    Module,
    Storage,
    Webhook,
)

__all__ = [
    "AzureSchema",
    "BaseStorageSchema",
    "BitbucketSchema",
    "CodeCommitSchema",
    "DockerSchema",
    "GCSSchema",
    "GitHubSchema",
    "GitLabSchema",
    "GitSchema",
    "LocalSchema",
    "ModuleSchema",
    "S3Schema",
    "StorageSchema",
    "WebhookSchema",
]


class BaseStorageSchema(ObjectSchema):
    """The fields every storage writes: `flows` and `secrets`."""

    object_class: ClassVar[Optional[Callable[..., Any]]] = Storage

    flows = fields.Dict(keys=fields.Str(), values=fields.Str())
    secrets = fields.List(fields.Str(), allow_none=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        """
        Build the storage from its arguments, then restore its `flows`.

        Args:
            - data (dict): the loaded fields

        Returns:
            - Storage: the storage
        """
        data = dict(data)
        flows = data.pop("flows", None) or {}
        storage = super().create_object(data)
        storage.flows = dict(flows)
        return storage


class AzureSchema(BaseStorageSchema):
    """Schema for `Azure` storage (the connection string itself is never written)."""

    object_class = Azure

    container = fields.String(allow_none=False)
    connection_string_secret = fields.String(allow_none=True)
    blob_name = fields.String(allow_none=True)
    stored_as_script = fields.Bool(allow_none=True)


class DockerSchema(BaseStorageSchema):
    """Schema for `Docker` storage."""

    object_class = Docker

    registry_url = fields.String(allow_none=True)
    image_name = fields.String(allow_none=True)
    image_tag = fields.String(allow_none=True)
    path = fields.Str(allow_none=True)
    stored_as_script = fields.Bool(allow_none=True)
    prefect_version = fields.String(allow_none=False)


class GCSSchema(BaseStorageSchema):
    """Schema for `GCS` storage."""

    object_class = GCS

    bucket = fields.Str(allow_none=False)
    key = fields.Str(allow_none=True)
    project = fields.Str(allow_none=True)
    stored_as_script = fields.Bool(allow_none=True)


class LocalSchema(BaseStorageSchema):
    """Schema for `Local` storage; loading never creates or rewrites the directory (it may be
    another machine's)."""

    object_class = Local

    directory = fields.Str(allow_none=False)
    path = fields.Str(allow_none=True)
    stored_as_script = fields.Bool(allow_none=True)

    def create_object(self, data: Dict[str, Any]) -> Any:
        """
        Build the `Local` storage without validating its directory.

        Args:
            - data (dict): the loaded fields

        Returns:
            - Local: the storage
        """
        return super().create_object({"validate": False, **data})


class S3Schema(BaseStorageSchema):
    """Schema for `S3` storage."""

    object_class = S3

    bucket = fields.String(allow_none=False)
    key = fields.String(allow_none=True)
    stored_as_script = fields.Bool(allow_none=True)
    client_options = fields.Dict(keys=fields.Str(), values=JSONCompatible(), allow_none=True)


class GitHubSchema(BaseStorageSchema):
    """Schema for `GitHub` storage."""

    object_class = GitHub

    repo = fields.String(allow_none=False)
    ref = fields.String(allow_none=True)
    path = fields.String(allow_none=False)
    access_token_secret = fields.String(allow_none=True)
    base_url = fields.String(allow_none=True)


class GitLabSchema(BaseStorageSchema):
    """Schema for `GitLab` storage."""

    object_class = GitLab

    repo = fields.String(allow_none=False)
    path = fields.String(allow_none=True)
    host = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    access_token_secret = fields.String(allow_none=True)


class BitbucketSchema(BaseStorageSchema):
    """Schema for `Bitbucket` storage."""

    object_class = Bitbucket

    project = fields.String(allow_none=False)
    repo = fields.String(allow_none=False)
    workspace = fields.String(allow_none=True)
    host = fields.String(allow_none=True)
    path = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    access_token_secret = fields.String(allow_none=True)
    cloud_username_secret = fields.String(allow_none=True)
    cloud_app_password_secret = fields.String(allow_none=True)


class CodeCommitSchema(BaseStorageSchema):
    """Schema for `CodeCommit` storage."""

    object_class = CodeCommit

    repo = fields.String(allow_none=False)
    path = fields.String(allow_none=True)
    commit = fields.String(allow_none=True)
    client_options = fields.Dict(keys=fields.Str(), values=JSONCompatible(), allow_none=True)


class WebhookSchema(BaseStorageSchema):
    """Schema for `Webhook` storage."""

    object_class = Webhook

    build_request_kwargs = fields.Dict(keys=fields.Str(), allow_none=False)
    build_request_http_method = fields.String(allow_none=False)
    get_flow_request_kwargs = fields.Dict(keys=fields.Str(), allow_none=False)
    get_flow_request_http_method = fields.String(allow_none=False)
    stored_as_script = fields.Bool(allow_none=True)


class GitSchema(BaseStorageSchema):
    """Schema for `Git` storage."""

    object_class = Git

    flow_path = fields.String(allow_none=False)
    repo = fields.String(allow_none=True)
    repo_host = fields.String(allow_none=False)
    flow_name = fields.String(allow_none=True)
    git_token_secret_name = fields.String(allow_none=True)
    git_token_username = fields.String(allow_none=True)
    git_clone_url_secret_name = fields.String(allow_none=True)
    branch_name = fields.String(allow_none=True)
    tag = fields.String(allow_none=True)
    commit = fields.String(allow_none=True)
    clone_depth = fields.Integer(allow_none=True)
    use_ssh = fields.Boolean(allow_none=False)
    format_access_token = fields.Boolean(allow_none=False)


class ModuleSchema(BaseStorageSchema):
    """Schema for `Module` storage."""

    object_class = Module

    module = fields.String(allow_none=False)


class StorageSchema(OneOfSchema):
    """Dumps and loads any storage, by its class name under `"type"`."""

    type_schemas = {
        "Azure": AzureSchema,
        "Bitbucket": BitbucketSchema,
        "CodeCommit": CodeCommitSchema,
        "Docker": DockerSchema,
        "GCS": GCSSchema,
        "Git": GitSchema,
        "GitHub": GitHubSchema,
        "GitLab": GitLabSchema,
        "Local": LocalSchema,
        "Module": ModuleSchema,
        "S3": S3Schema,
        "Storage": BaseStorageSchema,
        "Webhook": WebhookSchema,
    }
