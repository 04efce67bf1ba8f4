"""Users of a team (multi-user) database."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, Editable, UTCDateTime, UUIDPrimaryKey
from ._types import NAME, choice


class Role(StrEnum):
    """A user's role in a team database; equal to the string stored."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


ROLES = tuple(role.value for role in Role)


class User(UUIDPrimaryKey, Editable, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(NAME)
    display_name: Mapped[str | None] = mapped_column(String(255))
    # Deferred: on PostgreSQL only the owner may read the two hash columns (0006), so a
    # member's query of users must not name them.
    password_hash: Mapped[str] = mapped_column(Text, deferred=True)  # argon2id (SQLite)
    role: Mapped[str] = mapped_column(choice("user_role", ROLES), default="viewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A CLI session (`netraven-desktop login`): the token's SHA-256; the token itself is
    # only in the user's keyring.
    session_token_hash: Mapped[str | None] = mapped_column(String(64), deferred=True)
    session_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_users_username_ci", func.lower(username), unique=True),)
