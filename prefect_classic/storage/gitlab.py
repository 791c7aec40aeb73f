"""`GitLab` storage: a flow kept as a `.py` file in a GitLab project."""

from typing import Any, Optional

from prefect_classic.storage._repo import RepoStorage
from prefect_classic.storage.base import Storage

__all__ = ["GitLab"]


class GitLab(RepoStorage, Storage):
    """A flow kept as the `.py` file `path` in the GitLab project `repo`.

    Args:
        - repo (str): the project path (`"namespace/project"`) or ID
        - host (str, optional): a GitLab server (default gitlab.com)
        - path (str, optional): the flow's file in the project
        - ref (str, optional): a commit or branch
        - access_token_secret (str, optional): the secret holding a GitLab access token
        - **kwargs (Any): the `Storage` arguments
    """

    service = "GitLab"

    def __init__(
        self,
        repo: str,
        host: Optional[str] = None,
        path: Optional[str] = None,
        ref: Optional[str] = None,
        access_token_secret: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.repo = repo
        self.host = host
        self.path = path
        self.ref = ref
        self.access_token_secret = access_token_secret
        super().__init__(**kwargs)
