"""State-handler notifications: `callback_factory`, `slack_notifier`, `gmail_notifier`,
`snowflake_logger` and their message formatters.

None of them needs a Prefect backend: `slack_notifier` posts to the Slack webhook URL held by
the local secret `SLACK_WEBHOOK_URL` (or the secret you name), and `gmail_notifier` sends
through Gmail's SMTP server with the `EMAIL_USERNAME` / `EMAIL_PASSWORD` secrets. Set secrets
with `PREFECT__CONTEXT__SECRETS__NAME` environment variables or `[context.secrets]` in the
config file. Links to backend UI pages (`backend_info`) are only added when a backend run is
known, i.e. never here.
"""

import json
import smtplib
import urllib.request
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any, Callable, Dict, List, Optional

from toolz import curry

from prefect_classic.client.secrets import Secret
from prefect_classic.utilities.context import context

__all__ = [
    "callback_factory",
    "email_message_formatter",
    "gmail_notifier",
    "slack_message_formatter",
    "slack_notifier",
    "snowflake_logger",
    "snowflake_message_formatter",
]

PREFECT_ICON = "https://emoji.slack-edge.com/TAN3D79AL/prefect/2497370f58500a5a.png"


def callback_factory(fn: Callable[[Any, Any], Any], check: Callable[[Any], bool]) -> Callable:
    """Build a state handler that calls `fn(obj, new_state)` whenever `check(new_state)` is True.

    Args:
        - fn (Callable): `fn(task_or_flow, state)`, called for its side effects
        - check (Callable): `check(state) -> bool`

    Returns:
        - Callable: a state handler `(obj, old_state, new_state) -> new_state` for tasks and flows
    """

    def state_handler(obj: Any, old_state: Any, new_state: Any) -> Any:
        if check(new_state) is True:
            fn(obj, new_state)
        return new_state

    return state_handler


def _state_text(state: Any) -> Optional[str]:
    if isinstance(state.result, Exception):
        return repr(state.result)
    return state.message


def _skip(
    new_state: Any, ignore_states: Optional[List[type]], only_states: Optional[List[type]]
) -> bool:
    if any(isinstance(new_state, ignored) for ignored in ignore_states or []):
        return True
    return bool(only_states) and not any(
        isinstance(new_state, wanted) for wanted in only_states or []
    )


def email_message_formatter(tracked_obj: Any, state: Any, email_to: str) -> str:
    """The e-mail (MIME, as a string) announcing a state change.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - state (State): the new state
        - email_to (str): the recipient

    Returns:
        - str: the message
    """
    detail = (
        f"<pre>{_state_text(state)}</pre>"
        if isinstance(state.result, Exception)
        else f'"{state.message}"'
    )
    text = (
        f'<pre>{tracked_obj.name}</pre> is now in a <font color="{state.color}"><b>{type(state).__name__}'
        f"</b></font> state<br><br>Message: {detail}"
    )
    html = (
        f'<html><body><table><tr><td style="border-left: 2px solid {state.color}; padding-left: 6px;">'
        f"{text}</td></tr></table></body></html>"
    )
    message = MIMEMultipart("alternative")
    message.attach(MIMEText(text, "plain"))
    message.attach(MIMEText(html, "html"))
    message["Subject"] = Header(  # type: ignore[assignment]  # email accepts Header values
        f"Prefect state change notification for {tracked_obj.name}", "UTF-8"
    )
    message["From"] = "notifications@prefect.io"
    message["To"] = email_to
    return message.as_string()


def slack_message_formatter(tracked_obj: Any, state: Any, backend_info: bool = True) -> dict:
    """The Slack message (an attachment) announcing a state change.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - state (State): the new state
        - backend_info (bool, optional): link the backend's UI page (only with a backend run)

    Returns:
        - dict: `{"attachments": [...]}`
    """
    fields = []
    value = _state_text(state)
    if isinstance(state.result, Exception):
        value = f"```{value}```"
    if value is not None:
        fields.append({"title": "Message", "value": value, "short": False})
    attachment = {
        "fallback": "State change notification",
        "color": state.color,
        "author_name": "Prefect",
        "author_link": "https://www.prefect.io/",
        "author_icon": PREFECT_ICON,
        "title": type(state).__name__,
        "fields": fields,
        "text": f"{tracked_obj.name} is now in a {type(state).__name__} state",
        "footer": "Prefect notification",
    }
    return {"attachments": [attachment]}


def _post_json(url: str, payload: dict, proxies: Optional[Dict[str, str]]) -> int:
    handlers = [urllib.request.ProxyHandler(proxies)] if proxies else []
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@curry
def slack_notifier(
    tracked_obj: Any,
    old_state: Any,
    new_state: Any,
    ignore_states: Optional[list] = None,
    only_states: Optional[list] = None,
    webhook_secret: Optional[str] = None,
    backend_info: bool = True,
    proxies: Optional[dict] = None,
) -> Any:
    """A state handler posting state changes to a Slack webhook. Curried: call it with keyword
    arguments first to configure it, e.g. `slack_notifier(only_states=[Failed])`.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - old_state (State): the previous state
        - new_state (State): the new state
        - ignore_states ([State], optional): state classes not to notify about
        - only_states ([State], optional): notify only about these state classes
        - webhook_secret (str, optional): the secret holding the webhook URL (default
            `"SLACK_WEBHOOK_URL"`)
        - backend_info (bool, optional): link the backend's UI page (only with a backend run)
        - proxies (dict, optional): `{"http": ..., "https": ...}` proxies for the request

    Returns:
        - State: `new_state`

    Raises:
        - ValueError: when the secret is missing or Slack refuses the message
    """
    webhook_url = Secret(webhook_secret or "SLACK_WEBHOOK_URL").get()
    if _skip(new_state, ignore_states, only_states):
        return new_state
    status = _post_json(
        str(webhook_url), slack_message_formatter(tracked_obj, new_state, backend_info), proxies
    )
    if not 200 <= status < 400:
        raise ValueError(f"Slack notification for {tracked_obj} failed")
    return new_state


@curry
def gmail_notifier(
    tracked_obj: Any,
    old_state: Any,
    new_state: Any,
    ignore_states: Optional[list] = None,
    only_states: Optional[list] = None,
) -> Any:
    """A state handler e-mailing state changes through Gmail, from and to the `EMAIL_USERNAME`
    secret's address (password: the `EMAIL_PASSWORD` secret). Curried like `slack_notifier`.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - old_state (State): the previous state
        - new_state (State): the new state
        - ignore_states ([State], optional): state classes not to notify about
        - only_states ([State], optional): notify only about these state classes

    Returns:
        - State: `new_state`

    Raises:
        - ValueError: when a secret is missing or sending fails
    """
    username = str(Secret("EMAIL_USERNAME").get())
    password = str(Secret("EMAIL_PASSWORD").get())
    if _skip(new_state, ignore_states, only_states):
        return new_state
    body = email_message_formatter(tracked_obj, new_state, username)
    server = smtplib.SMTP_SSL("smtp.gmail.com", 465)
    try:
        server.login(username, password)
        server.sendmail("notifications@prefect.io", username, body)
    except Exception as exc:
        raise ValueError(f"Email notification for {tracked_obj} failed") from exc
    finally:
        server.quit()
    return new_state


def snowflake_message_formatter(tracked_obj: Any, state: Any) -> dict:
    """The row `snowflake_logger` writes for a state change.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - state (State): the new state

    Returns:
        - dict: flow run id and name, task name, state name and message
    """
    value = _state_text(state)
    return {
        "flow_id": context.get("flow_run_id"),
        "flow_name": context.get("flow_name"),
        "task_name": tracked_obj.name,
        "state": type(state).__name__,
        "message": [] if value is None else [{"value": value.replace("'", "''")}],
    }


@curry
def snowflake_logger(
    tracked_obj: Any,
    old_state: Any,
    new_state: Any,
    ignore_states: Optional[list] = None,
    only_states: Optional[list] = None,
    snowflake_secret: Optional[str] = None,
    snowflake_log_table_name: Optional[str] = None,
    test_env: bool = False,
) -> Any:
    """A state handler writing state changes to a Snowflake table. The SQL is built as in
    Prefect 1; with `test_env=True` it is printed. Sending it needs Prefect 1's Snowflake task
    library, which prefect_classic does not include: that raises ImportError.

    Args:
        - tracked_obj (Task or Flow): what changed state
        - old_state (State): the previous state
        - new_state (State): the new state
        - ignore_states ([State], optional): state classes not to log
        - only_states ([State], optional): log only these state classes
        - snowflake_secret (str, optional): the credentials secret (default `"SNOWFLAKE_CREDS"`)
        - snowflake_log_table_name (str, optional): the secret holding `DB.SCHEMA.TABLE`
            (default `"LOG_TABLE_NAME_FULL"`)
        - test_env (bool, optional): print the SQL instead of running it

    Returns:
        - State: `new_state`
    """
    if _skip(new_state, ignore_states, only_states):
        return new_state
    row = snowflake_message_formatter(tracked_obj, new_state)
    table = Secret(snowflake_log_table_name or "LOG_TABLE_NAME_FULL").get() or "DB.SCHEMA.TABLE"
    message = row["message"][0]["value"] if row["message"] else ""
    sql = (
        f"INSERT INTO {table} (FLOW_ID, FLOW_NAME, TASK_NAME, STATE, MESSAGE, INGESTED_AT) VALUES "
        f"('{row['flow_id']}','{row['flow_name']}','{row['task_name']}','{row['state']}','{message}',"
        "CURRENT_TIMESTAMP());"
    )
    if test_env:
        print(sql)
        return new_state
    raise ImportError(
        "snowflake_logger runs its SQL with Prefect 1's Snowflake task library, which is not part "
        "of prefect_classic; write a state handler that runs the statement with "
        "snowflake-connector-python."
    )
