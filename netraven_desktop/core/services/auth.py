"""Users for team mode: accounts, passwords, logins, the mode.

A database is in team mode when its `system/mode` row says so (`db mode team`); the
role checks themselves live in `access`. On SQLite the program keeps argon2id passwords,
logins with lockout and session tokens. On PostgreSQL each user is a login role of the
server (`db.login_roles`): these services create and alter it in the same transaction as
the user's row, PostgreSQL checks the password, and no hash is kept here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..crud import settings as setting_rows
from ..crud import users as rows
from ..db import Database, login_roles
from ..db.base import utcnow
from ..db.models import Role, User
from ..errors import AuthenticationError, InputError
from ..secrets import SecretStore
from ..session_tokens import stored_token
from . import audit
from .access import MODE_KEY, MODE_SCOPE, authorize, team_mode
from .dual import dual
from .settings import get_setting
from .sign_in import audit_own, require_admin_login

MIN_PASSWORD = 8
# What a PostgreSQL user's row holds instead of a hash (migration 0010): not argon2, so
# the program's own check refuses it.
NO_APP_PASSWORD = "!postgresql-login"
_hasher = PasswordHasher()  # argon2id with the library's current parameters


def _check_password(password: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(field, "***", f"must be at least {MIN_PASSWORD} characters")
    return password


def _active_admins(session: Session) -> int:
    stmt = (
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    )
    return session.scalar(stmt) or 0


@dual
def add_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str = "viewer",
    display_name: str | None = None,
) -> User:
    authorize(session, "admin")
    return _create_user(session, username, password, role, display_name)


def _create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    *,
    manages_members: bool = False,
) -> User:
    """Create and audit a user; callers have checked who may. On PostgreSQL its login
    role too; `manages_members` (the first admin) gives it CREATEROLE."""
    _check_password(password)
    if login_roles.is_postgresql(session):
        login_roles.create_login(session, login_roles.check_role_name(username), password, role)
        if manages_members:
            login_roles.let_manage_members(session, username)
        password_hash = NO_APP_PASSWORD
    else:
        password_hash = _hasher.hash(password)
    user = rows.create_user(
        session,
        username=username,
        role=role,
        display_name=display_name,
        password_hash=password_hash,
    )
    audit.record(
        session,
        "user.create",
        "user",
        user.id,
        after=audit.state(user, ("username", "role", "display_name")),
    )
    return user


@dual
def list_users(session: Session) -> list[User]:
    authorize(session, "admin")
    return rows.list_users(session)


@dual
def change_password(session: Session, username: str, password: str) -> User:
    """Admins change anyone's password; every user may change their own."""
    if (session.info.get("actor") or "").lower() != username.lower():
        authorize(session, "admin")
    user = rows.get_user_by_name(session, username)
    _check_password(password)
    if login_roles.is_postgresql(session):
        if login_roles.set_password(session, user.username.lower(), password, login=user.active):
            # Your own: nothing in the row changes, and any member may audit it.
            audit_own(session, "auth.password")
            return user
        password_hash = NO_APP_PASSWORD
    else:
        password_hash = _hasher.hash(password)
    user = rows.update_user(
        session, user.id, None, password_hash=password_hash, failed_attempts=0, locked_until=None
    )
    audit.record(session, "user.password", "user", user.id, after={"username": user.username})
    return user


@dual
def set_user(
    session: Session, username: str, *, role: str | None = None, active: bool | None = None
) -> User:
    """Change a role or disable/enable; the last active admin cannot be removed or demoted."""
    authorize(session, "admin")
    user = rows.get_user_by_name(session, username)
    before = audit.state(user, ("role", "active"))
    losing_admin = (
        user.role == Role.ADMIN
        and user.active
        and ((role is not None and role != Role.ADMIN) or active is False)
    )
    if losing_admin and _active_admins(session) <= 1:
        raise InputError("username", username, "is the last active admin")
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = role
    if active is not None:
        changes["active"] = active
    if login_roles.is_postgresql(session):
        if role is not None:
            login_roles.set_group(session, user.username.lower(), role)
        if active is not None:
            login_roles.set_can_login(session, user.username.lower(), active)
    user = rows.update_user(session, user.id, None, **changes)
    audit.record(
        session,
        "user.update",
        "user",
        user.id,
        before=before,
        after=audit.state(user, ("role", "active")),
    )
    return user


@dual
def set_mode(session: Session, mode: str, *, first_admin: tuple[str, str] | None = None) -> str:
    """Switch between personal and team mode. Team mode needs an active admin: with none
    yet, `first_admin` (name, password) creates it."""
    if mode not in ("team", "personal"):
        raise InputError("mode", mode, "must be team or personal")
    if team_mode(session):
        authorize(session, "admin")
        require_admin_login(session, "db mode")
    if mode == "team" and _active_admins(session) == 0:
        if first_admin is None:
            raise InputError("--admin", "", "team mode needs a first admin: give --admin NAME")
        name, password = first_admin
        _create_user(session, name, password, "admin", manages_members=True)
    setting_rows.put_setting(session, MODE_KEY, mode, MODE_SCOPE)
    audit.record(session, "db.mode", "database", None, after={"mode": mode})
    return mode


def authenticate(db: Database, username: str, password: str) -> User:
    """Check a login; failures count towards a lockout (settings `auth.lockout_*`).

    The counter is committed even when the login fails; the error never says whether
    the name exists.
    """
    refused = AuthenticationError(
        "login refused: wrong user name or password, or the account is disabled"
    )
    with db.session() as session:
        try:
            user = rows.get_user_by_name(session, username)
        except InputError:
            raise refused from None
        now = utcnow()
        if user.locked_until is not None and user.locked_until > now:
            raise AuthenticationError(
                f"account {user.username} is locked until {user.locked_until:%H:%M} UTC after "
                "too many failed logins"
            )
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            attempts = user.failed_attempts + 1
            locked = None
            if attempts >= get_setting(session, "auth.lockout_attempts"):
                locked = now + timedelta(minutes=get_setting(session, "auth.lockout_minutes"))
                attempts = 0
            rows.update_user(session, user.id, None, failed_attempts=attempts, locked_until=locked)
            failed = refused
        else:
            failed = None
            if not user.active:
                raise refused
            changes: dict[str, Any] = {
                "failed_attempts": 0,
                "locked_until": None,
                "last_login_at": now,
            }
            if _hasher.check_needs_rehash(user.password_hash):
                changes["password_hash"] = _hasher.hash(password)
            user = rows.update_user(session, user.id, None, **changes)
    if failed is not None:
        raise failed
    return user


SESSION_DAYS = 30


def start_session(db: Database, username: str, password: str) -> tuple[User, str]:
    """Log in and open a CLI session: returns the user and a token for the keyring."""
    user = authenticate(db, username, password)
    token = secrets.token_urlsafe(32)
    with db.session() as session:
        user = rows.update_user(
            session,
            user.id,
            None,
            session_token_hash=_digest(token),
            session_expires_at=utcnow() + timedelta(days=SESSION_DAYS),
        )
    return user, token


def resume_session(db: Database, username: str, token: str) -> User:
    """The user a keyring token belongs to, while the session is open and the user active."""
    expired = no_open_session(username)
    with db.read_session() as session:
        try:
            user = rows.get_user_by_name(session, username)
        except InputError:
            raise expired from None
        if (
            not user.active
            or user.session_token_hash is None
            or user.session_expires_at is None
            or user.session_expires_at <= utcnow()
            or not hmac.compare_digest(user.session_token_hash, _digest(token))
        ):
            raise expired
    return user


def resume_kept_session(db: Database, store: SecretStore, username: str) -> User | None:
    """The user whose session token this keyring keeps for `db` (SQLite's team mode), while
    the session is open; None when none is kept. The CLI, the window's start and its
    offline sync all resume this way."""
    token = stored_token(store, db, username)
    return None if token is None else resume_session(db, username, token)


def no_open_session(username: str) -> AuthenticationError:
    return AuthenticationError(
        f"no open session for {username}: run `netraven-desktop --user {username} login`"
    )


def end_session(db: Database, username: str) -> None:
    with db.session() as session:
        user = rows.get_user_by_name(session, username)
        rows.update_user(session, user.id, None, session_token_hash=None, session_expires_at=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_to_dict(user: User) -> dict[str, Any]:
    """The stable JSON form of a user: never the password hash."""
    return {
        "id": str(user.id),
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }
