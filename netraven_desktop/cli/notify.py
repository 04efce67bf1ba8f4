"""`notify` commands: e-mail and webhook channels. Passwords and tokens come from stdin
or a no-echo prompt, never from argv, and go to the OS keyring only."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from ..core.db import Database
from ..core.errors import InputError
from ..core.secrets import SecretStore
from ..core.services import notify
from .output import print_json, print_table


def _first_line_of_stdin(option: str, what: str) -> str:
    lines = sys.stdin.read().splitlines()
    value = lines[0].strip() if lines else ""
    if not value:
        raise InputError(option, "", f"the first line of stdin must hold the {what}")
    return value


def notify_add_email(db: Database, args: argparse.Namespace) -> int:
    password = None
    if args.password_stdin:
        if not args.username:
            raise InputError("--password-stdin", "", "needs --username")
        password = _first_line_of_stdin("--password-stdin", "password")
    elif args.username:
        if not sys.stdin.isatty():
            raise InputError(
                "--password-stdin",
                "",
                "no terminal to ask for the SMTP password; pass it on stdin with --password-stdin",
            )
        password = getpass.getpass("SMTP password: ")
    channel = notify.add_email_channel(
        db,
        SecretStore(),
        name=args.name,
        host=args.host,
        port=args.port,
        sender=args.sender,
        recipients=args.recipients,
        username=args.username,
        password=password,
        security=args.security,
        events=args.events,
    )
    config = channel.config
    print(
        f"added e-mail channel {channel.name} ({config['host']}:{config['port']}, "
        f"{config['security']}) for {', '.join(channel.events) or 'no events'}"
        + ("; its password is in the OS keyring" if channel.secret_ref else "")
    )
    return 0


def notify_add_webhook(db: Database, args: argparse.Namespace) -> int:
    token = _first_line_of_stdin("--token-stdin", "token") if args.token_stdin else None
    channel = notify.add_webhook_channel(
        db, SecretStore(), name=args.name, url=args.url, token=token, events=args.events
    )
    print(
        f"added webhook channel {channel.name} for {', '.join(channel.events) or 'no events'}"
        + ("; its token is in the OS keyring" if channel.secret_ref else "")
    )
    return 0


def notify_edit(db: Database, args: argparse.Namespace) -> int:
    password = _first_line_of_stdin("--password-stdin", "password") if args.password_stdin else None
    token = _first_line_of_stdin("--token-stdin", "token") if args.token_stdin else None
    changes = {
        "name": args.new_name,
        "host": args.host,
        "port": args.port,
        "sender": args.sender,
        "recipients": args.recipients,
        "username": args.username,
        "password": password,
        "security": args.security,
        "url": args.url,
        "token": token,
        "events": args.events,
        "enabled": args.enabled,
    }
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes:
        print(f"nothing to change on {args.name}")
        return 0
    channel = notify.edit_channel(
        db, SecretStore(), args.name, expected_version=args.expect_version, **changes
    )
    print(
        f"updated notification channel {channel.name} (version {channel.version}"
        f"{'' if channel.enabled else ', disabled'})"
        + ("; its new secret is in the OS keyring" if password or token else "")
    )
    return 0


def notify_list(db: Database, args: argparse.Namespace) -> int:
    """List the channels; for an admin, first move webhook URLs an older version left in
    the database to the keyring (said on stderr, so --json stays clean)."""
    for name in notify.move_webhook_urls(db, SecretStore()):
        print(f"moved the URL of webhook {name} to the OS keyring", file=sys.stderr)
    with db.read_session() as session:
        rows = [notify.channel_to_dict(c) for c in notify.list_channels(session)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("NAME", "KIND", "TARGET", "EVENTS", "SECRET", "ENABLED"),
            [
                (r["name"], r["kind"], _target(r), r["events"], r["has_secret"], r["enabled"])
                for r in rows
            ],
        )
    return 0


def _target(row: dict[str, Any]) -> str:
    config = row["config"]
    if row["kind"] == "email":
        recipients = ",".join(config.get("recipients", ()))
        return f"{recipients} via {config.get('host')}:{config.get('port')}"
    if row["kind"] == "webhook":
        return str(config.get("url", ""))
    return ""


def notify_remove(db: Database, args: argparse.Namespace) -> int:
    channel = notify.remove_channel(db, SecretStore(), args.name)
    print(
        f"removed notification channel {channel.name}"
        + (" and its keyring entry" if channel.secret_ref else "")
    )
    return 0


def notify_test(db: Database, args: argparse.Namespace) -> int:
    """Exit 0 when the test notification was delivered, 1 (with the reason) when not."""
    report = asyncio.run(_send_test(db, args.name))
    if report.ok:
        print(f"sent a test notification through {report.channel} ({report.kind})")
        return 0
    print(
        f"netraven-desktop: notify test {report.channel}: not delivered "
        f"after {report.attempts} attempt(s): {report.error}",
        file=sys.stderr,
    )
    return 1


async def _send_test(db: Database, name: str) -> notify.DeliveryReport:
    try:
        return await notify.send_test(db, SecretStore(), name)
    finally:
        await db.aclose()


COMMANDS = {
    ("notify", "add-email"): notify_add_email,
    ("notify", "add-webhook"): notify_add_webhook,
    ("notify", "edit"): notify_edit,
    ("notify", "list"): notify_list,
    ("notify", "remove"): notify_remove,
    ("notify", "test"): notify_test,
}
