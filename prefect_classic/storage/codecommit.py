"""`CodeCommit` storage: a flow kept as a `.py` file in an AWS CodeCommit repository."""

from typing import Any, Optional

from prefect_classic.storage._repo import RepoStorage
from prefect_classic.storage.base import Storage

__all__ = ["CodeCommit"]


class CodeCommit(RepoStorage, Storage):
    """A flow kept as the `.py` file `path` in the CodeCommit repository `repo`.

    Args:
        - repo (str): the repository
        - path (str, optional): the flow's file in the repository
        - commit (str, optional): a commit ID, tag, branch or reference (default: head)
        - client_options (dict, optional): keyword arguments for the boto3 client
        - **kwargs (Any): the `Storage` arguments
    """

    service = "AWS CodeCommit"

    def __init__(
        self,
        repo: str,
        path: Optional[str] = None,
        commit: Optional[str] = None,
        client_options: Optional[dict] = None,
        **kwargs: Any,
    ) -> None:
        self.repo = repo
        self.path = path
        self.commit = commit
        self.client_options = client_options
        super().__init__(**kwargs)
