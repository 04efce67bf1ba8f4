"""Stored configurations: content-addressed blobs and the snapshots pointing at them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    column,
    table,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, JSONType, UTCDateTime, UUIDPrimaryKey, utcnow


class ConfigBlob(Base):
    """One distinct configuration text, zlib-compressed, keyed by the SHA-256 of the text.

    Immutable, and identical on every replica, so it needs no UUID or version.
    """

    __tablename__ = "config_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)  # uncompressed bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConfigSnapshot(UUIDPrimaryKey, Base):
    """A device's configuration as captured at one time; only stored when it changed."""

    __tablename__ = "config_snapshots"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    # RESTRICT: a blob goes only when retention has removed every snapshot using it.
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("config_blobs.sha256", ondelete="RESTRICT"))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    job_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job_runs.id", ondelete="SET NULL")
    )
    lines_added: Mapped[int] = mapped_column(Integer, default=0)
    lines_removed: Mapped[int] = mapped_column(Integer, default=0)
    # {"key": key id, "lines": {line number: fingerprint}} of the secrets masked in the
    # text (see `core.secret_fingerprints`); None when no fingerprint key was available.
    secret_fingerprints: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Stored with secrets masked (True), in clear because the device's masking was off
    # (False), or before this was recorded (None: unknown). `backup redact` sets True.
    masked: Mapped[bool | None] = mapped_column(Boolean)
    # The keyed hash of the captured text this snapshot's text was cleaned from (see
    # `secret_fingerprints.raw_hash`): a backup whose capture has it skips masking. None
    # without a key, before it was recorded, or after `backup redact` changed the text.
    raw_config_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_config_snapshots_device_id_captured_at", "device_id", "captured_at"),
        Index("ix_config_snapshots_blob_sha256", "blob_sha256"),
        Index("ix_config_snapshots_job_run_id", "job_run_id"),
    )


# The search index: each blob's decompressed text once, indexed by trigrams, so a substring
# search reads only the candidate blobs. Not a model: on SQLite it is an FTS5 virtual table
# (tokenize='trigram'), on PostgreSQL a table with a pg_trgm GIN index; migration 0002
# creates the right one for the backend. `schema.include_name` keeps it (and FTS5's
# shadow tables, named after it) out of the models-versus-migrations comparison.
config_search = table("config_search", column("sha256", String), column("text", Text))
