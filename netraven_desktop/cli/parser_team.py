"""The arguments of the team-mode commands: `user`, `login`, `logout`, `db mode`, `sync`
and `collector`. They live apart from the commands so that parsing imports none of them:
`cli/app.py` imports only the module of the command it runs."""

from __future__ import annotations

import argparse

from ..core.db.models import ROLES


def add_user_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = commands.add_parser("user", help="users of a team-mode database").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add = user.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true")
    user.add_parser("list", help="users and their roles").add_argument(
        "--json", action="store_true"
    )
    passwd = user.add_parser("passwd", help="set a password (your own, or any as admin)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    user.add_parser(
        "disable", help="disable a user (on PostgreSQL: NOLOGIN, open connections ended)"
    ).add_argument("name")
    user.add_parser("enable", help="enable a disabled user again").add_argument("name")
    role = user.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)


def add_login_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    login_cmd = commands.add_parser(
        "login",
        help="sign in to a team-mode database once: your password (PostgreSQL) or a 30-day "
        "session token (SQLite) is kept in the OS keyring",
    )
    login_cmd.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    commands.add_parser("logout", help="forget your kept password or session (this keyring)")


def add_db_mode_parser(db_actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mode = db_actions.add_parser("mode", help="personal (no login) or team (users and roles)")
    mode.add_argument("mode", choices=("team", "personal"))
    mode.add_argument("--admin", metavar="NAME", help="the first admin, when there is none")
    mode.add_argument(
        "--password-stdin", action="store_true", help="read the first admin's password from stdin"
    )


def add_sync_parser(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser(
        "sync",
        help="push edits made offline, upload offline backups, refresh the local replica",
    )
    sync.add_argument("--json", action="store_true")
    what = sync.add_mutually_exclusive_group()
    what.add_argument(
        "--offline-status",
        action="store_true",
        help="show the replica's age and what waits to be pushed (no network)",
    )
    what.add_argument(
        "--resolve",
        metavar="EDIT_ID",
        help="settle a conflict (with --take); the next sync applies the choice",
    )
    sync.add_argument(
        "--take",
        choices=("mine", "theirs"),
        help="with --resolve: keep your offline values or the server's",
    )
    sync.add_argument(
        "--set",
        action="append",
        dest="fix",
        metavar="FIELD=VALUE",
        help="with --resolve: push the edit again with this value instead (repeatable; "
        'a JSON number, true/false, null or "quoted text", else text)',
    )


def add_collector_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = commands.add_parser(
        "collector",
        help="run due jobs from the team's shared queue until stopped (a server's service)",
    )
    run.add_argument("--name", help="this collector's name (default: the host name)")
    run.add_argument(
        "--label",
        action="append",
        dest="labels",
        default=[],
        metavar="LABEL",
        help="take devices pinned to LABEL too (repeatable; e.g. a site)",
    )
    run.add_argument("--lease", type=float, default=60.0, metavar="SECONDS", help="default 60")
    run.add_argument("--poll", type=float, default=5.0, metavar="SECONDS", help="default 5")
    run.add_argument("--batch", type=int, default=10, help="items claimed at once (default 10)")
    run.add_argument("--concurrency", type=int, help="devices at once (default: setting)")
    run.add_argument(
        "--grace",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="on SIGTERM, let devices in flight finish this long (default 30)",
    )
    run.add_argument("--json", action="store_true", help="events as JSON lines")
    actions = run.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="collectors: version, labels, heartbeat, in flight")
    listing.add_argument("--json", action="store_true")
    listing.add_argument(
        "--silent-after", type=float, default=180.0, metavar="SECONDS", help="default 180"
    )
    password = actions.add_parser(
        "password", help="keep the database password of the --db login role in the keyring"
    )
    password.add_argument("--password-stdin", action="store_true")
