"""SSH host keys learned per device (trust on first use)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..db.models import SSHHostKey
from . import deferred
from .common import get_or_raise


def find_host_key(session: Session, device_id: uuid.UUID, key_type: str) -> SSHHostKey | None:
    stmt = select(SSHHostKey).where(
        SSHHostKey.device_id == device_id, SSHHostKey.key_type == key_type
    )
    return session.scalars(stmt).one_or_none()


def get_host_key(session: Session, host_key_id: uuid.UUID) -> SSHHostKey:
    return get_or_raise(
        session,
        select(SSHHostKey).where(SSHHostKey.id == host_key_id),
        "host key",
        str(host_key_id),
    )


def list_host_keys(session: Session, device_id: uuid.UUID) -> list[SSHHostKey]:
    stmt = select(SSHHostKey).where(SSHHostKey.device_id == device_id).order_by(SSHHostKey.key_type)
    return list(session.scalars(stmt))


def save_host_key(
    session: Session, *, device_id: uuid.UUID, key_type: str, public_key: str, fingerprint: str
) -> SSHHostKey:
    """Record a key as trusted: first use, or a user accepting a changed key."""
    row = find_host_key(session, device_id, key_type)
    if row is None:
        return add_host_key(
            session,
            device_id=device_id,
            key_type=key_type,
            public_key=public_key,
            fingerprint=fingerprint,
        )
    now = utcnow()
    if row.public_key != public_key:
        row.public_key, row.fingerprint, row.first_seen_at = public_key, fingerprint, now
    row.last_seen_at = now
    session.flush()
    return row


def add_host_key(
    session: Session, *, device_id: uuid.UUID, key_type: str, public_key: str, fingerprint: str
) -> SSHHostKey:
    """Trust a key for a device that has none of its type (deferrable: `deferred.add`)."""
    now = utcnow()
    row = SSHHostKey(
        device_id=device_id,
        key_type=key_type,
        public_key=public_key,
        fingerprint=fingerprint,
        first_seen_at=now,
        last_seen_at=now,
    )
    deferred.add(session, row)
    return row


def delete_host_key(session: Session, host_key_id: uuid.UUID) -> None:
    session.delete(get_host_key(session, host_key_id))
    session.flush()


def trusted_keys(session: Session, device_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """device id -> its trusted public key (OpenSSH format), for many devices at once."""
    found: dict[uuid.UUID, str] = {}
    for start in range(0, len(device_ids), 500):
        chunk = device_ids[start : start + 500]
        stmt = select(SSHHostKey).where(SSHHostKey.device_id.in_(chunk))
        for key in session.scalars(stmt):
            found.setdefault(key.device_id, key.public_key)
    return found
