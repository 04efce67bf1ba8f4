"""Where a signed-in session's token lives: the OS keyring, per database and user.

The CLI's `login` and the window's login dialog keep the token in the same place, so a
backup the window starts in a child process (`NETRAVEN_USER` set) resumes the window's
session instead of asking for a password.
"""

from __future__ import annotations

import hashlib

from .db import Database
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
