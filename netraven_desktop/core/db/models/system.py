"""Settings, the audit log and notification channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, Editable, JSONType, UTCDateTime, UUIDPrimaryKey, utcnow
from ._types import NAME, choice

CHANNEL_KINDS = ("desktop", "email", "webhook")


class Setting(Editable, Base):
    """A typed setting's stored value; absent rows mean "the default"."""

    __tablename__ = "settings"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True, default="global")
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)


class AuditEvent(Base):
    """An append-only, hash-chained record of one change. Never updated or deleted.

    On PostgreSQL the server writes it: `actor` is the connected database role and
    `occurred_at` the server's clock; what the client said instead (another user name, an
    offline edit's time) is kept in `claimed_actor` / `claimed_at`. Both stay NULL on SQLite.
    """

    __tablename__ = "audit_events"

    # A sequence, not a UUID: the chain needs a total order within one database.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    claimed_actor: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_entity_type_entity_id", "entity_type", "entity_id"),
        Index("ix_audit_events_actor", "actor"),
    )


class NotificationChannel(UUIDPrimaryKey, Editable, Base):
    """Where to send events. `config` holds no secret (a webhook's URL only masked);
    `secret_ref` names the keyring entry of a password or token, `url_ref` the one of a
    webhook's whole URL (NULL: not moved there yet, see services/notify)."""

    __tablename__ = "notification_channels"

    name: Mapped[str] = mapped_column(NAME)
    kind: Mapped[str] = mapped_column(choice("channel_kind", CHANNEL_KINDS))
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    secret_ref: Mapped[str | None] = mapped_column(String(255))
    url_ref: Mapped[str | None] = mapped_column(String(255))
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("uq_notification_channels_name_ci", func.lower(name), unique=True),)
