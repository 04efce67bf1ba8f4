"""Notifications: e-mail over SMTP and webhooks, sent after a backup run is recorded.

Three modules, one for each job: `channels` (where to send and which events: add, edit,
list, remove, with their secrets in the keyring), `messages` (what a notification says)
and `delivery` (sending, with retries). Callers import this package and use `notify.X`:
it names the public part of all three.
"""

from .channels import (
    DEFAULT_PORTS,
    EVENTS,
    SECURITY,
    add_email_channel,
    add_webhook_channel,
    channel_to_dict,
    edit_channel,
    email_config,
    list_channels,
    masked_url,
    move_webhook_urls,
    new_reference,
    remove_channel,
    shown_config,
    validate_email,
    validate_url,
    webhook_config,
)
from .delivery import TIMEOUT, DeliveryReport, deliver, send_test
from .messages import (
    DATA_LIMIT,
    TEXT_LIMIT,
    Notification,
    collector_silent_notification,
    notifications_for_run,
)

__all__ = [
    "DATA_LIMIT",
    "DEFAULT_PORTS",
    "EVENTS",
    "SECURITY",
    "TEXT_LIMIT",
    "TIMEOUT",
    "DeliveryReport",
    "Notification",
    "add_email_channel",
    "add_webhook_channel",
    "channel_to_dict",
    "collector_silent_notification",
    "deliver",
    "edit_channel",
    "email_config",
    "list_channels",
    "masked_url",
    "move_webhook_urls",
    "new_reference",
    "notifications_for_run",
    "remove_channel",
    "send_test",
    "shown_config",
    "validate_email",
    "validate_url",
    "webhook_config",
]
