"""AWS helpers: boto3 clients built from Prefect 1's `AWS_CREDENTIALS` secret.

boto3 is optional: this module imports without it, and `get_boto_client` raises an
`ImportError` saying how to install it.
"""

import threading
import weakref
from typing import TYPE_CHECKING, Any, Dict, MutableMapping, Optional, Tuple

from prefect_classic.utilities.context import context

#: the boto3 module, imported on first use (so that importing this module stays cheap)
boto3: Any = None

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

__all__ = ["get_boto_client", "transfer_config"]

#: live clients without extra options, by (profile, region, botocore session, service,
#: credentials); an entry goes away with the last user of its client
_CLIENT_CACHE: "MutableMapping[Tuple[Any, ...], BaseClient]" = weakref.WeakValueDictionary()
#: creating clients and sessions is not thread-safe in boto3
_LOCK = threading.Lock()

_CREDENTIAL_KEYS = (
    ("aws_access_key_id", "ACCESS_KEY"),
    ("aws_secret_access_key", "SECRET_ACCESS_KEY"),
    ("aws_session_token", "SESSION_TOKEN"),
)


def _secret_credentials() -> Dict[str, Any]:
    """The `AWS_CREDENTIALS` secret from `context.secrets` (a dict, or JSON text), or `{}`."""
    if "AWS_CREDENTIALS" not in (context.get("secrets") or {}):
        return {}
    from prefect_classic.tasks.secrets.base import get_local_secret

    value = get_local_secret("AWS_CREDENTIALS")
    return dict(value) if isinstance(value, dict) else {}


def _import_boto3() -> None:
    global boto3
    if boto3 is None:
        try:
            import boto3 as module
        except ImportError as exc:
            raise ImportError(
                "AWS clients need boto3; install it with `pip install boto3` "
                "(or `pip install prefect-classic[aws]`)."
            ) from exc
        boto3 = module


def get_boto_client(
    resource: str,
    credentials: Optional[Dict[str, Any]] = None,
    region_name: Optional[str] = None,
    profile_name: Optional[str] = None,
    **kwargs: Any,
) -> "BaseClient":
    """A boto3 client for `resource`, authenticated the Prefect 1 way.

    Each credential (`ACCESS_KEY`, `SECRET_ACCESS_KEY`, `SESSION_TOKEN`) is taken from
    `credentials` if given, else from the `AWS_CREDENTIALS` secret in `prefect.context.secrets`,
    else from the `aws_access_key_id`/`aws_secret_access_key`/`aws_session_token` keyword
    arguments; whatever is still unset is left to boto3's own chain (environment variables,
    config files, instance roles). Clients created without extra keyword arguments are shared
    between callers while they are in use. Thread-safe.

    Args:
        - resource (str): the AWS service, e.g. `"s3"`
        - credentials (dict, optional): `{"ACCESS_KEY": ..., "SECRET_ACCESS_KEY": ...,
            "SESSION_TOKEN": ...}`
        - region_name (str, optional): the AWS region
        - profile_name (str, optional): a profile of the AWS config files
        - **kwargs (Any, optional): more keyword arguments for `client(...)`, e.g.
            `endpoint_url` or `config`; `botocore_session` selects a botocore session

    Returns:
        - botocore.client.BaseClient: the client

    Raises:
        - ImportError: when boto3 is not installed
    """
    _import_boto3()
    botocore_session = kwargs.pop("botocore_session", None)
    given = credentials or _secret_credentials()
    keys = {
        argument: given.get(secret_key) or kwargs.pop(argument, None)
        for argument, secret_key in _CREDENTIAL_KEYS
    }
    for argument, _ in _CREDENTIAL_KEYS:
        kwargs.pop(argument, None)
    cache_key = (
        profile_name,
        region_name,
        id(botocore_session),
        resource,
        keys["aws_access_key_id"],
        keys["aws_secret_access_key"],
        keys["aws_session_token"],
    )
    with _LOCK:
        if not kwargs and cache_key in _CLIENT_CACHE:
            return _CLIENT_CACHE[cache_key]
        if profile_name or botocore_session:
            session: Any = boto3.session.Session(
                profile_name=profile_name,
                region_name=region_name,
                botocore_session=botocore_session,
            )
        else:
            session = boto3  # the default session, created once per process
        client = session.client(resource, region_name=region_name, **keys, **kwargs)
        if not kwargs:
            _CLIENT_CACHE[cache_key] = client
    return client


def transfer_config(timeout: float, config: Any = None) -> Any:
    """A botocore `Config` for transfers that the caller retries itself: `timeout` seconds to
    connect and to wait for each answer, and one attempt per call (no botocore retries).

    Args:
        - timeout (float): the connect and read timeout, in seconds
        - config (botocore.config.Config, optional): the user's own configuration, whose
            settings win over these

    Returns:
        - botocore.config.Config: the configuration

    Raises:
        - ImportError: when botocore is not installed
    """
    from botocore.config import Config

    ours = Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1})
    return ours.merge(config) if config is not None else ours
