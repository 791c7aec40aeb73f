"""`jira_notifier`: open a Jira issue on state changes (needs the `jira` package)."""

from typing import Any, Optional

from toolz import curry

from prefect_classic.client.secrets import Secret

__all__ = ["jira_notifier"]


@curry
def jira_notifier(
    tracked_obj: Any,
    old_state: Any,
    new_state: Any,
    ignore_states: Optional[list] = None,
    only_states: Optional[list] = None,
    server_URL: Optional[str] = None,
    options: Optional[dict] = None,
    assignee: str = "-1",
) -> Any:
    """A state handler creating a Jira issue for state changes, with the `JIRAUSER` /
    `JIRATOKEN` secrets (and `JIRASERVER`, unless `server_URL` is given). Curried like
    `slack_notifier`.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - old_state (State): the previous state
        - new_state (State): the new state
        - ignore_states ([State], optional): state classes not to notify about
        - only_states ([State], optional): notify only about these state classes
        - server_URL (str, optional): the Jira server
        - options (dict, optional): issue fields; must hold `project`
        - assignee (str, optional): the assignee (default automatic)

    Returns:
        - State: `new_state`

    Raises:
        - ImportError: when the `jira` package is not installed
        - ValueError: when `options` has no `project`
    """
    try:
        from jira import JIRA
    except ImportError as exc:
        raise ImportError("jira_notifier needs the `jira` package: `pip install jira`.") from exc
    options = dict(options or {})
    if any(isinstance(new_state, s) for s in ignore_states or []):
        return new_state
    if only_states and not any(isinstance(new_state, s) for s in only_states):
        return new_state
    if "project" not in options:
        raise ValueError(
            "To create a Jira issue, give a project name in `options`, e.g. "
            "options={'project': 'TEST'}."
        )
    server = server_URL or Secret("JIRASERVER").get()
    client = JIRA(
        basic_auth=(Secret("JIRAUSER").get(), Secret("JIRATOKEN").get()), options={"server": server}
    )
    summary = f"{tracked_obj.name} is now in a {type(new_state).__name__} state"
    options.setdefault("summary", summary)
    options.setdefault("issuetype", {"name": "Task"})
    issue = client.create_issue(fields=options)
    if assignee != "-1":
        client.assign_issue(issue, assignee)
    return new_state
