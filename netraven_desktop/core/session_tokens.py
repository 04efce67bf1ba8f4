"""Where a signed-in member's secret lives: the OS keyring, per database and user.

On SQLite's team mode that is a session token; on PostgreSQL the member's own database
password (PostgreSQL checks it at every connection). The CLI's `login` and the window's
sign-in keep it in the same place, so a backup the window starts in a child process
(`NETRAVEN_USER` set) signs in as the window's user instead of asking for a password.
"""

from __future__ import annotations

import hashlib

from .db import Database
from .db.url import DatabaseURL
from .secrets import Secrets, SecretStore, SecretStoreError


def session_reference(db: Database, username: str) -> str:
    where = hashlib.sha256(db.url.display().encode()).hexdigest()[:16]
    return f"session/{where}/{username.lower()}"


def stored_token(store: SecretStore, db: Database, username: str) -> str | None:
    """The kept token, or None when there is none (or no keyring to keep one in)."""
    try:
        return store.get(session_reference(db, username)).password
    except SecretStoreError:
        return None


def keep_token(store: SecretStore, db: Database, username: str, token: str) -> None:
    store.put(session_reference(db, username), Secrets(password=token))


def forget_token(store: SecretStore, db: Database, username: str) -> None:
    store.delete(session_reference(db, username))


def login_reference(team: DatabaseURL, username: str) -> str:
    """The keyring entry of a member's database password: names the server, the
    database and the user (not the password, whatever URL it came with)."""
    url = team.sync_url
    return (
        f"pg-login/{url.host or 'localhost'}:{url.port or 5432}/{url.database}/{username.lower()}"
    )


def stored_password(store: SecretStore, team: DatabaseURL, username: str) -> str | None:
    try:
        return store.get(login_reference(team, username)).password
    except SecretStoreError:
        return None


def keep_password(store: SecretStore, team: DatabaseURL, username: str, password: str) -> None:
    store.put(login_reference(team, username), Secrets(password=password))


def forget_password(store: SecretStore, team: DatabaseURL, username: str) -> bool:
    """Delete this keyring's password of `username`; False when it kept none."""
    kept = stored_password(store, team, username) is not None
    store.delete(login_reference(team, username))
    return kept
