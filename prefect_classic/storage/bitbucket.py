"""`Bitbucket` storage: a flow kept as a `.py` file in a Bitbucket Server or Cloud repository."""

from typing import Any, Optional

from prefect_classic.storage._repo import RepoStorage
from prefect_classic.storage.base import Storage

__all__ = ["Bitbucket"]


class Bitbucket(RepoStorage, Storage):
    """A flow kept as the `.py` file `path` in a Bitbucket repository.

    Args:
        - project (str): the Bitbucket project holding the repository
        - repo (str): the repository
        - workspace (str, optional): the workspace (Bitbucket Cloud only)
        - host (str, optional): the server (Bitbucket Server only)
        - path (str, optional): the flow's file in the repository
        - ref (str, optional): a commit, branch or tag (default master)
        - access_token_secret (str, optional): the secret holding an access token (Bitbucket
            Server only)
        - cloud_username_secret (str, optional): the secret holding the user name (Bitbucket
            Cloud only)
        - cloud_app_password_secret (str, optional): the secret holding an app password
            (Bitbucket Cloud only)
        - **kwargs (Any): the `Storage` arguments

    Raises:
        - ValueError: when both `workspace` (Cloud) and `access_token_secret` (Server) are set
    """

    service = "Bitbucket"

    def __init__(
        self,
        project: str,
        repo: str,
        workspace: Optional[str] = None,
        host: Optional[str] = None,
        path: Optional[str] = None,
        ref: Optional[str] = None,
        access_token_secret: Optional[str] = None,
        cloud_username_secret: Optional[str] = None,
        cloud_app_password_secret: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        if workspace and access_token_secret:
            raise ValueError(
                "`access_token_secret` and `workspace` are both set: `workspace` is for Bitbucket "
                "Cloud, which authenticates with `cloud_username_secret` and "
                "`cloud_app_password_secret`; `access_token_secret` is for Bitbucket Server."
            )
        self.project = project
        self.repo = repo
        self.workspace = workspace
        self.host = host
        self.path = path
        self.ref = ref
        self.access_token_secret = access_token_secret
        self.cloud_username_secret = cloud_username_secret
        self.cloud_app_password_secret = cloud_app_password_secret
        super().__init__(**kwargs)
