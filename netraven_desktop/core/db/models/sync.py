"""Offline work against a team database: the replica's outbox and the team's ledger.

Both tables exist on every database (one migration history); the outbox is only filled
in a replica, `applied_edits` only on a team database.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, JSONType, UTCDateTime, utcnow
from ._types import choice


class EditOperation(StrEnum):
    """What an offline edit does to its row; equal to the string stored."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"


class OutboxStatus(StrEnum):
    """An offline edit waits to be pushed, or for the user to settle a conflict."""

    QUEUED = "queued"
    CONFLICT = "conflict"


OPERATIONS = tuple(operation.value for operation in EditOperation)
OUTBOX_STATUSES = tuple(status.value for status in OutboxStatus)


class OutboxEdit(Base):
    """One edit made offline, waiting to be replayed on the team database in `seq` order.

    `before`/`after` hold the fields the edit changed (a create's `after` is the whole
    row); `base_version` is the row's version the edit started from. A conflict keeps
    the edit here with `conflict` = {"reason", "fields": {field: {base, mine, theirs}}}
    until the user resolves it.
    """

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    edit_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(choice("outbox_operation", OPERATIONS))
    base_version: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    actor: Mapped[str] = mapped_column(String(255))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(
        choice("outbox_status", OUTBOX_STATUSES), default=OutboxStatus.QUEUED
    )
    conflict: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The user resolved a conflict with their own values: apply over the server's.
    force: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_outbox_entity_type_entity_id", "entity_type", "entity_id"),)


class AppliedEdit(Base):
    """An outbox edit the team database has applied, written in the same transaction as
    the change: a push killed half-way and run again skips it (exactly once)."""

    __tablename__ = "applied_edits"

    edit_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
