"""User rows. Passwords arrive here already hashed (argon2id, by the auth service)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import ROLES, User
from ..errors import InputError
from ..validation import optional_text, validate_name
from .common import NamedRows, paginate


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "username" in cleaned:
        cleaned["username"] = validate_name(cleaned["username"], "username")
    if "display_name" in cleaned:
        cleaned["display_name"] = optional_text(cleaned["display_name"], "display_name", 255)
    if "role" in cleaned and cleaned["role"] not in ROLES:
        raise InputError("role", cleaned["role"], f"must be one of {', '.join(ROLES)}")
    return cleaned


_ROWS = NamedRows(
    User,
    "user",
    clean=_clean,
    name_attr="username",
    editable=(
        "username",
        "display_name",
        "password_hash",
        "role",
        "active",
        "failed_attempts",
        "locked_until",
        "last_login_at",
        "session_token_hash",
        "session_expires_at",
    ),
)


def create_user(
    session: Session, *, username: str, password_hash: str, role: str = "viewer", **fields: Any
) -> User:
    return _ROWS.create(
        session, username=username, password_hash=password_hash, role=role, **fields
    )


def get_user(session: Session, user_id: uuid.UUID) -> User:
    return _ROWS.get(session, user_id)


def get_user_by_name(session: Session, username: str) -> User:
    return _ROWS.get_by_name(session, username)


def list_users(
    session: Session,
    *,
    role: str | None = None,
    active: bool | None = None,
    sort: str = "username",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[User]:
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    stmt = paginate(
        stmt,
        sort=sort,
        sortable={"username": func.lower(User.username), "last_login_at": User.last_login_at},
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=User.id,
    )
    return list(session.scalars(stmt))


def update_user(
    session: Session, user_id: uuid.UUID, expected_version: int | None, **changes: Any
) -> User:
    return _ROWS.update(session, user_id, expected_version, changes)


def delete_user(session: Session, user_id: uuid.UUID, expected_version: int | None = None) -> None:
    _ROWS.delete(session, user_id, expected_version)
