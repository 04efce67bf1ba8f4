"""The arguments of `notify ...`, apart from the commands so that parsing does not import
them (`cli/app.py` imports only the module of the command it runs)."""

from __future__ import annotations

import argparse
from typing import Any

from ..core.services.notify import EVENTS, SECURITY
from .options import add_enable_options


def add_notify_parsers(commands: Any) -> None:
    """Add `notify ...` to the root parser's sub-commands."""
    notify_cmd = commands.add_parser(
        "notify", help="notification channels: e-mail and webhooks (secrets in the OS keyring)"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)

    email = notify_cmd.add_parser("add-email", help="send notifications by e-mail (SMTP)")
    email.add_argument("name")
    _email_options(email, editing=False)
    _events(email)

    hook = notify_cmd.add_parser("add-webhook", help="POST notifications as JSON to a URL")
    hook.add_argument("name")
    _webhook_options(hook, editing=False)
    _events(hook)

    edit = notify_cmd.add_parser(
        "edit", help="change a channel; options of its kind only; a secret not given is kept"
    )
    edit.add_argument("name")
    edit.add_argument("--name", dest="new_name", help="rename the channel")
    _email_options(edit, editing=True)
    _webhook_options(edit, editing=True)
    _events(edit, editing=True)
    add_enable_options(edit, "keep the channel but send it nothing until enabled again")
    edit.add_argument(
        "--expect-version",
        type=int,
        metavar="N",
        help="fail (exit 1) if the channel changed since you read version N",
    )

    notify_cmd.add_parser(
        "list", help="list channels (never their secrets; webhook URLs masked)"
    ).add_argument("--json", action="store_true")
    notify_cmd.add_parser("remove", help="remove a channel and its keyring entry").add_argument(
        "name"
    )
    notify_cmd.add_parser(
        "test", help="send a test notification now; exit 1 if it could not be delivered"
    ).add_argument("name")


def _email_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The options of `add-email`, and of `edit` for an e-mail channel."""
    parser.add_argument("--host", required=not editing, help="SMTP server: IP address or DNS name")
    parser.add_argument(
        "--port", help="SMTP port, 1-65535 (default: 587 starttls, 465 tls, 25 none)"
    )
    parser.add_argument("--from", dest="sender", required=not editing, metavar="ADDR")
    parser.add_argument(
        "--to",
        dest="recipients",
        action="extend",
        nargs="+",
        required=not editing,
        metavar="ADDR",
        help="recipient (repeatable)" + ("; replaces the recipients" if editing else ""),
    )
    parser.add_argument(
        "--username",
        help="SMTP login; its password goes to the OS keyring"
        + ("; '' removes the login and its password" if editing else ""),
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the SMTP password from the first line of stdin "
        + ("(else the stored one is kept)" if editing else "(else prompted)"),
    )
    parser.add_argument(
        "--security",
        choices=SECURITY,
        default=None if editing else "starttls",
        help="starttls (default), tls (implicit TLS) or none (a relay on this machine)",
    )


def _webhook_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The options of `add-webhook`, and of `edit` for a webhook."""
    parser.add_argument(
        "--url",
        required=not editing,
        help="http:// or https:// URL; kept in the OS keyring, shown masked",
    )
    parser.add_argument(
        "--token-stdin",
        action="store_true",
        help="read a bearer token from the first line of stdin (sent as Authorization)"
        + ("; else the stored one is kept" if editing else ""),
    )


def _events(parser: argparse.ArgumentParser, *, editing: bool = False) -> None:
    parser.add_argument(
        "--event",
        action="append",
        dest="events",
        choices=EVENTS,
        metavar="EVENT",
        help="send only these events (repeatable; "
        + ("replaces the channel's events)" if editing else f"default all: {', '.join(EVENTS)})"),
    )
