"""The team vault: members' public keys, sealed credential secrets, per-member wrapped keys.

Nothing here opens without a member's private key, which lives only in that member's
keyring (see core.vault_crypto): a dump of these tables reveals no secret.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime, utcnow


class MemberKey(Base):
    """A member's X25519 public key, published at their first use of the vault."""

    __tablename__ = "member_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VaultEntry(Base):
    """One credential's secrets, each sealed with the data key `key_id` (None: not stored)."""

    __tablename__ = "vault_entries"

    credential_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    password: Mapped[bytes | None] = mapped_column(LargeBinary)
    enable: Mapped[bytes | None] = mapped_column(LargeBinary)
    passphrase: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VaultGrant(Base):
    """A credential's data key wrapped for one member: the member may use the credential."""

    __tablename__ = "vault_grants"

    credential_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vault_entries.credential_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
