"""`db` commands (schema and mode) and `settings` commands."""

from __future__ import annotations

import argparse

from sqlalchemy import text

from ..core.db import Database
from ..core.db.schema import current_revision, head_revision, upgrade
from ..core.services import auth, settings
from .output import print_fields, print_json, print_table
from .users import read_password


def db_upgrade(db: Database, _args: argparse.Namespace) -> int:
    before, after = upgrade(db)
    if before == after:
        print(f"database {db.url} is up to date (schema {after})")
    else:
        print(f"database {db.url} upgraded: schema {before or 'none'} -> {after}")
    return 0


def db_status(db: Database, _args: argparse.Namespace) -> int:
    with db.unavailable_as_error(), db.sync_engine.connect() as connection:
        revision = current_revision(connection)
        connection.execute(text("SELECT 1"))
    print_fields(
        [
            ("database", db.url.display()),
            ("backend", db.url.backend),
            ("schema", revision or "none (run `netraven-desktop db upgrade`)"),
            ("program knows", head_revision()),
        ]
    )
    return 0


def settings_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        values = settings.list_settings(session)
    if args.json:
        print_json([v.to_dict() for v in values])
    else:
        print_table(
            ("KEY", "VALUE", "DEFAULT", "DESCRIPTION"),
            [(v.key, _text(v.value), _text(v.default), v.description) for v in values],
        )
    return 0


def settings_get(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        print(_text(settings.get_setting(session, args.key)))
    return 0


def settings_set(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        value = settings.set_setting(session, args.key, args.value)
    print(f"{args.key} = {_text(value)}")
    return 0


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def db_mode(db: Database, args: argparse.Namespace) -> int:
    """`db mode`: personal or team; the first admin's password from stdin or a prompt."""
    first_admin = None
    if args.mode == "team" and args.admin:
        first_admin = (args.admin, read_password(args, f"Password for {args.admin}: "))
    with db.session() as session:
        mode = auth.set_mode(session, args.mode, first_admin=first_admin)
    print(f"database {db.url} is now in {mode} mode")
    return 0


COMMANDS = {
    ("db", "upgrade"): db_upgrade,
    ("db", "status"): db_status,
    ("db", "mode"): db_mode,
    ("settings", "list"): settings_list,
    ("settings", "get"): settings_get,
    ("settings", "set"): settings_set,
}
