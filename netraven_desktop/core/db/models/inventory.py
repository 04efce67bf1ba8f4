"""Devices, tags, credentials and the SSH host keys learned from devices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import Base, Editable, UTCDateTime, UUIDPrimaryKey, utcnow
from ._types import NAME, choice

CREDENTIAL_KINDS = ("password", "ssh-key")
BACKUP_STATUSES = ("never", "changed", "unchanged", "failed")

device_tags = Table(
    "device_tags",
    Base.metadata,
    Column("device_id", Uuid, ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Uuid, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_device_tags_tag_id", "tag_id"),
)

credential_tags = Table(
    "credential_tags",
    Base.metadata,
    Column(
        "credential_id", Uuid, ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag_id", Uuid, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_credential_tags_tag_id", "tag_id"),
)


class Tag(UUIDPrimaryKey, Editable, Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str | None] = mapped_column(Text)
    # Its devices are backed up only by collectors with this label (a site's network).
    collector_label: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("uq_tags_name_ci", func.lower(name), unique=True),)


class Credential(UUIDPrimaryKey, Editable, Base):
    """A login to try on devices. The secret lives in the OS keyring under `keyring_ref`."""

    __tablename__ = "credentials"

    name: Mapped[str] = mapped_column(NAME)
    username: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(choice("credential_kind", CREDENTIAL_KINDS))
    # Lower numbers are tried first.
    priority: Mapped[int] = mapped_column(Integer, default=100)
    keyring_ref: Mapped[str] = mapped_column(String(255), unique=True)
    ssh_key_path: Mapped[str | None] = mapped_column(Text)
    has_enable_secret: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)

    tags: Mapped[list[Tag]] = relationship(
        secondary=credential_tags, lazy="raise", passive_deletes=True
    )

    __table_args__ = (
        Index("uq_credentials_name_ci", func.lower(name), unique=True),
        Index("ix_credentials_priority", "priority"),
    )


_LIVE_ONLY = {
    "sqlite_where": text("deleted_at IS NULL"),
    "postgresql_where": text("deleted_at IS NULL"),
}


class Device(UUIDPrimaryKey, Editable, Base):
    __tablename__ = "devices"

    name: Mapped[str] = mapped_column(NAME)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=22)
    platform: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    site: Mapped[str | None] = mapped_column(NAME)
    role: Mapped[str | None] = mapped_column(NAME)
    # Filled from `show version` (or equivalent) by backups.
    vendor: Mapped[str | None] = mapped_column(String(128))
    model: Mapped[str | None] = mapped_column(String(128))
    serial: Mapped[str | None] = mapped_column(String(128))
    os_version: Mapped[str | None] = mapped_column(String(128))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL")
    )
    # The credential that last logged in, tried first next time.
    last_credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL")
    )
    ssh_legacy_algorithms: Mapped[bool] = mapped_column(Boolean, default=False)
    connect_timeout: Mapped[int | None] = mapped_column(Integer)  # None: the global setting
    mask_secrets: Mapped[bool] = mapped_column(Boolean, default=True)
    # Backed up only by collectors with this label; before any label of its tags.
    collector_label: Mapped[str | None] = mapped_column(String(64))
    last_backup_status: Mapped[str] = mapped_column(
        choice("backup_status", BACKUP_STATUSES), default="never"
    )
    last_backup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Removal moves a device to the trash first, so a mistaken delete can be undone.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tags: Mapped[list[Tag]] = relationship(
        secondary=device_tags,
        lazy="raise",
        passive_deletes=True,
        order_by=lambda: func.lower(Tag.name),
    )
    credential: Mapped[Credential | None] = relationship(foreign_keys=[credential_id], lazy="raise")

    __table_args__ = (
        Index(
            "uq_devices_name_ci",
            func.lower(name),
            unique=True,
            sqlite_where=deleted_at.is_(None),
            postgresql_where=deleted_at.is_(None),
        ),
        Index(
            "ix_devices_trashed",
            "deleted_at",
            sqlite_where=deleted_at.is_not(None),
            postgresql_where=deleted_at.is_not(None),
        ),
        Index("ix_devices_platform", "platform"),
        Index("ix_devices_site", "site"),
        Index("ix_devices_host", "host"),
        Index("ix_devices_last_backup_status", "last_backup_status"),
        Index("ix_devices_credential_id", "credential_id"),
        Index("ix_devices_last_credential_id", "last_credential_id"),
        # The Devices view's sort orders, each as its keyset query asks (migration 0007).
        Index("ix_devices_live_name", func.lower(name), "id", **_LIVE_ONLY),
        *(
            Index(f"ix_devices_live_{key}", key, "id", **_LIVE_ONLY)
            for key in (
                "host",
                "platform",
                "site",
                "role",
                "last_backup_at",
                "last_backup_status",
                "created_at",
                "updated_at",
            )
        ),
    )


class SSHHostKey(UUIDPrimaryKey, Base):
    """A host key seen on a device (trust on first use); a change needs a user's accept."""

    __tablename__ = "ssh_host_keys"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    key_type: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(128))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("device_id", "key_type"),)
