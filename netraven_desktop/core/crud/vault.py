"""Vault rows: public keys, sealed entries and wrapped keys. Nothing here decrypts."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db.models import MemberKey, User, VaultEntry, VaultGrant


def public_key(session: Session, user_id: uuid.UUID) -> bytes | None:
    row = session.get(MemberKey, user_id)
    return row.public_key if row else None


def publish_key(session: Session, user_id: uuid.UUID, key: bytes) -> None:
    row = session.get(MemberKey, user_id)
    if row is None:
        session.add(MemberKey(user_id=user_id, public_key=key))
    else:
        row.public_key = key
    session.flush()


def entry(session: Session, credential_id: uuid.UUID) -> VaultEntry | None:
    return session.get(VaultEntry, credential_id)


def grant(session: Session, credential_id: uuid.UUID, user_id: uuid.UUID) -> VaultGrant | None:
    return session.get(VaultGrant, (credential_id, user_id))


def holders(session: Session, credential_id: uuid.UUID) -> list[User]:
    """The users a credential's data key is wrapped for, by name."""
    stmt = (
        select(User)
        .join(VaultGrant, VaultGrant.user_id == User.id)
        .where(VaultGrant.credential_id == credential_id)
        .order_by(User.username)
    )
    return list(session.scalars(stmt))


def shared_with(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The credentials whose data key is wrapped for this user."""
    stmt = select(VaultGrant.credential_id).where(VaultGrant.user_id == user_id)
    return list(session.scalars(stmt))


def replace_entry(
    session: Session,
    credential_id: uuid.UUID,
    key_id: uuid.UUID,
    sealed: dict[str, bytes | None],
    wrapped: dict[uuid.UUID, bytes],
) -> None:
    """Store a credential's secrets under a new data key, wrapped only for `wrapped`'s users."""
    session.execute(delete(VaultGrant).where(VaultGrant.credential_id == credential_id))
    row = session.get(VaultEntry, credential_id)
    if row is None:
        row = VaultEntry(credential_id=credential_id, key_id=key_id)
        session.add(row)
    row.key_id = key_id
    for field, value in sealed.items():
        setattr(row, field, value)
    session.flush()
    session.add_all(
        VaultGrant(credential_id=credential_id, user_id=user, key_id=key_id, wrapped=key)
        for user, key in wrapped.items()
    )
    session.flush()


def put_grant(
    session: Session,
    credential_id: uuid.UUID,
    user_id: uuid.UUID,
    key_id: uuid.UUID,
    wrapped: bytes,
) -> None:
    row = grant(session, credential_id, user_id)
    if row is None:
        session.add(
            VaultGrant(credential_id=credential_id, user_id=user_id, key_id=key_id, wrapped=wrapped)
        )
    else:
        row.key_id, row.wrapped = key_id, wrapped
    session.flush()
