"""`Git` storage: a flow kept as a `.py` file in any git repository (cloned to load it)."""

from typing import Any, Optional

from prefect_classic.storage._repo import RepoStorage
from prefect_classic.storage.base import Storage

__all__ = ["Git"]


class Git(RepoStorage, Storage):
    """A flow kept as the `.py` file `flow_path` in a git repository.

    Args:
        - flow_path (str): the flow's file in the repository
        - repo (str, optional): the repository, `"owner/name"` (or give
            `git_clone_url_secret_name`)
        - repo_host (str, optional): the host (default `"github.com"`)
        - flow_name (str, optional): which flow of the file to load
        - git_token_secret_name (str, optional): the secret holding an access token
        - git_token_username (str, optional): the token's user (default: the repository owner)
        - git_clone_url_secret_name (str, optional): the secret holding the full clone URL
            (overrides `repo`, `repo_host` and the token settings)
        - branch_name (str, optional): a branch
        - tag (str, optional): a tag
        - commit (str, optional): a commit
        - clone_depth (int, optional): history depth of the clone (default 1)
        - use_ssh (bool, optional): clone over SSH (default False)
        - format_access_token (bool, optional): write the token as `user:token` (default True)
        - **kwargs (Any): the `Storage` arguments

    Raises:
        - ValueError: when more than one of `branch_name`, `tag` and `commit` is given, or
            neither `repo` nor `git_clone_url_secret_name`
    """

    service = "a git repository"

    def __init__(
        self,
        flow_path: str,
        repo: Optional[str] = None,
        repo_host: str = "github.com",
        flow_name: Optional[str] = None,
        git_token_secret_name: Optional[str] = None,
        git_token_username: Optional[str] = None,
        git_clone_url_secret_name: Optional[str] = None,
        branch_name: Optional[str] = None,
        tag: Optional[str] = None,
        commit: Optional[str] = None,
        clone_depth: int = 1,
        use_ssh: bool = False,
        format_access_token: bool = True,
        **kwargs: Any,
    ) -> None:
        if sum(bool(x) for x in (branch_name, tag, commit)) > 1:
            raise ValueError(
                "Please provide only one of the following parameters: `branch_name`, `tag`, `commit`"
            )
        if repo is None and git_clone_url_secret_name is None:
            raise ValueError("Either `repo` or `git_clone_url_secret_name` must be provided")
        self.flow_path = flow_path
        self.repo = repo
        self.repo_host = repo_host
        self.flow_name = flow_name
        self.git_token_secret_name = git_token_secret_name
        self.git_token_username = git_token_username or (repo.split("/")[0] if repo else None)
        self.git_clone_url_secret_name = git_clone_url_secret_name
        self.branch_name = branch_name
        self.tag = tag
        self.commit = commit
        self.clone_depth = clone_depth
        self.use_ssh = use_ssh
        self.format_access_token = format_access_token
        super().__init__(**kwargs)

    def _file_path(self) -> Optional[str]:
        return self.flow_path
