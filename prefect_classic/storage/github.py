"""`GitHub` storage: a flow kept as a `.py` file in a GitHub repository."""

from typing import Any, Optional

from prefect_classic.storage._repo import RepoStorage
from prefect_classic.storage.base import Storage

__all__ = ["GitHub"]


class GitHub(RepoStorage, Storage):
    """A flow kept as the `.py` file `path` in the GitHub repository `repo`.

    Args:
        - repo (str): the repository, `"owner/name"`
        - path (str): the flow's file in the repository
        - ref (str, optional): a commit, tag or branch (default: the default branch)
        - access_token_secret (str, optional): the secret holding a GitHub access token
        - base_url (str, optional): the GitHub API URL (GitHub Enterprise)
        - **kwargs (Any): the `Storage` arguments
    """

    service = "GitHub"

    def __init__(
        self,
        repo: str,
        path: str,
        ref: Optional[str] = None,
        access_token_secret: Optional[str] = None,
        base_url: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.repo = repo
        self.path = path
        self.ref = ref
        self.access_token_secret = access_token_secret
        self.base_url = base_url
        super().__init__(**kwargs)
