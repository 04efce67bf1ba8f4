"""`user`, `login` and `logout` commands, and logging the CLI in on a team-mode database."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys

from ..core.db import Database
from ..core.errors import AuthenticationError, InputError, NetRavenError
from ..core.secrets import SecretStore
from ..core.services import auth, sign_in, vault
from ..core.services.access import team_mode
from ..core.session_tokens import (
    forget_password,
    forget_token,
    keep_password,
    keep_token,
    stored_password,
    stored_token,
)
from .output import print_json, print_table

PASSWORD_ENV = "NETRAVEN_PASSWORD"


def read_password(args: argparse.Namespace, prompt: str = "Password: ") -> str:
    """A new user's password: stdin's first line with --password-stdin, else a prompt."""
    if getattr(args, "password_stdin", False):
        return (sys.stdin.readline() or "").rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise InputError(
        "--password-stdin",
        "",
        "no terminal to ask for the password; pass it on stdin with --password-stdin",
    )


def member_database(db: Database, args: argparse.Namespace) -> Database:
    """On PostgreSQL, `--user NAME` (or $NETRAVEN_USER) connects as that member's own
    login role; the database checks the password.

    The password, in order: $NETRAVEN_PASSWORD (for scripts, like PGPASSWORD), the one
    `login` kept in the keyring, a prompt on the terminal; without any, libpq's own ways
    (~/.pgpass, certificates, the server's pg_hba.conf) decide.
    """
    username = args.user or os.environ.get("NETRAVEN_USER")
    if db.url.is_sqlite or not username:
        return db
    password = os.environ.get(PASSWORD_ENV)
    if password is None and args.command == "login":
        password = read_password(args, f"Password for {username}: ")
    if password is None:
        password = stored_password(SecretStore(), db.url, username)
    if password is None and args.command != "logout" and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {username}: ")
    db.close()
    return sign_in.member_database(db, username, password)


def log_in(db: Database, args: argparse.Namespace) -> None:
    """On a team-mode database, run everything as the signed-in user.

    PostgreSQL: the connected login role (`member_database`), its role as the server
    reports it. SQLite: $NETRAVEN_PASSWORD, the session token `login` left in the
    keyring, or a password prompt, checked by the program.
    """
    if args.command in ("login", "logout"):
        return  # they authenticate by themselves
    with db.read_session() as session:
        if not team_mode(session):
            return
        if not db.url.is_sqlite:
            if db.login_of or sign_in.connected_user(session):
                username, role = sign_in.identify(session)
            else:  # the DBA's own login (owner, superuser): admin only if the server says so
                username, role = sign_in.server_admin(session)
            db.act_as(username, role)
            return
    username = args.user or os.environ.get("NETRAVEN_USER")
    if not username or not db.url.is_sqlite:
        raise InputError("--user", "", "this database is in team mode: give --user NAME")
    password = os.environ.get(PASSWORD_ENV)
    user = None if password is not None else auth.resume_kept_session(db, SecretStore(), username)
    if user is None:
        if password is None:
            if not sys.stdin.isatty():
                raise InputError(
                    PASSWORD_ENV,
                    "",
                    f"no session and no terminal to ask for the password of "
                    f"{username}: run `netraven-desktop --user {username} login` once, or set "
                    f"{PASSWORD_ENV}",
                )
            password = getpass.getpass(f"Password for {username}: ")
        user = auth.authenticate(db, username, password)
    db.act_as(user.username, user.role)


def login(db: Database, args: argparse.Namespace) -> int:
    """Sign in once: later commands as this user need no password (SQLite: a 30-day
    session token; PostgreSQL: the member's database password) from the keyring."""
    if not args.user:
        raise InputError("--user", "", "say who logs in: netraven-desktop --user NAME login")
    if db.login_of is not None:
        with db.session() as session:
            if not team_mode(session):
                raise InputError("login", "", f"{db.login_of} is not in team mode: no login")
            username, role = sign_in.identify(session, audit_as="auth.login")
        password = db.url.sync_url.password
        if password:
            keep_password(SecretStore(), db.login_of, username, password)
        db.act_as(username, role)
        vault.ensure_member_key(db, SecretStore(), username)
        print(
            f"logged in as {username} ({role}); "
            + ("the password is in the OS keyring" if password else "no password to keep")
        )
        return 0
    password = os.environ.get(PASSWORD_ENV) or read_password(args, f"Password for {args.user}: ")
    user, token = auth.start_session(db, args.user, password)
    keep_token(SecretStore(), db, user.username, token)
    vault.ensure_member_key(db, SecretStore(), user.username)
    print(
        f"logged in as {user.username} ({user.role}) until "
        f"{user.session_expires_at:%Y-%m-%d}; the session token is in the OS keyring"
    )
    return 0


def logout(db: Database, args: argparse.Namespace) -> int:
    """Forget your own kept password or session, in this keyring only: nobody else's."""
    if not args.user:
        raise InputError("--user", "", "say who logs out: netraven-desktop --user NAME logout")
    store = SecretStore()
    if db.login_of is not None:
        with contextlib.suppress(NetRavenError):  # audited when the password still works
            sign_in.sign_out(db)
        kept = forget_password(store, db.login_of, args.user)
        print(f"logged out {args.user}" if kept else f"no password of {args.user} was kept here")
        return 0
    token = stored_token(store, db, args.user)
    if token is None:
        print(f"no session of {args.user} was kept here")
        return 0
    with contextlib.suppress(AuthenticationError):  # only a session this keyring holds
        auth.resume_session(db, args.user, token)
        auth.end_session(db, args.user)
    forget_token(store, db, args.user)
    print(f"logged out {args.user}")
    return 0


def user_add(db: Database, args: argparse.Namespace) -> int:
    password = read_password(args)
    with db.session() as session:
        user = auth.add_user(
            session,
            username=args.name,
            password=password,
            role=args.role,
            display_name=args.display_name,
        )
    print(f"added user {user.username} ({user.role})")
    return 0


def user_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [auth.user_to_dict(u) for u in auth.list_users(session)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("USER", "ROLE", "ACTIVE", "LAST LOGIN (UTC)"),
            [
                (r["username"], r["role"], r["active"], (r["last_login_at"] or "")[:16])
                for r in rows
            ],
        )
    return 0


def user_passwd(db: Database, args: argparse.Namespace) -> int:
    password = read_password(args, f"New password for {args.name}: ")
    with db.session() as session:
        user = auth.change_password(session, args.name, password)
    print(f"changed the password of {user.username}")
    team, me = db.login_of, db.url.sync_url.username or ""
    store = SecretStore()
    if team is not None and me == user.username.lower() and stored_password(store, team, me):
        keep_password(store, team, me, password)  # the kept one would be refused now
        print("the password kept in the OS keyring is the new one")
    return 0


def user_disable(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        user = auth.set_user(session, args.name, active=False)
    print(f"disabled user {user.username}")
    taken = vault.revoke_member(db, SecretStore(), user.username)
    if taken:
        print(f"took back credential(s) {', '.join(taken)} (sealed again under new data keys)")
    return 0


def user_enable(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        user = auth.set_user(session, args.name, active=True)
    print(f"enabled user {user.username}")
    return 0


def user_role(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        user = auth.set_user(session, args.name, role=args.role)
    print(f"{user.username} is now {user.role}")
    return 0


COMMANDS = {
    ("login", None): login,
    ("logout", None): logout,
    ("user", "add"): user_add,
    ("user", "list"): user_list,
    ("user", "passwd"): user_passwd,
    ("user", "disable"): user_disable,
    ("user", "enable"): user_enable,
    ("user", "role"): user_role,
}
