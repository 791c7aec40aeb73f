"""Prefect 1's `prefect.utilities.notifications`: state handlers that notify Slack, Gmail,
Jira or Snowflake, and `callback_factory`. They read credentials from local secrets; no Prefect
backend is involved."""

from prefect_classic.utilities.notifications.jira_notification import jira_notifier
from prefect_classic.utilities.notifications.notifications import (
    callback_factory,
    gmail_notifier,
    slack_message_formatter,
    slack_notifier,
    snowflake_logger,
    snowflake_message_formatter,
)

__all__ = [
    "callback_factory",
    "gmail_notifier",
    "jira_notifier",
    "slack_message_formatter",
    "slack_notifier",
    "snowflake_logger",
    "snowflake_message_formatter",
]
