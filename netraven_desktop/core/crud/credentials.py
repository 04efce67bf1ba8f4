"""Credential rows: usernames and keyring references. Secrets never pass through here."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..db.models import CREDENTIAL_KINDS, Credential, Device, Tag
from ..errors import InputError, NotFoundError
from ..validation import optional_text, validate_int_range, validate_name
from .common import NamedRows, name_equals, paginate

SORTABLE = {"priority": Credential.priority, "name": func.lower(Credential.name)}


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise whichever credential fields are present."""
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = validate_name(cleaned["name"])
    if "username" in cleaned:
        cleaned["username"] = validate_name(cleaned["username"], "username", 255)
    if "kind" in cleaned and cleaned["kind"] not in CREDENTIAL_KINDS:
        raise InputError("kind", cleaned["kind"], f"must be one of {', '.join(CREDENTIAL_KINDS)}")
    if "priority" in cleaned:
        cleaned["priority"] = validate_int_range(cleaned["priority"], "priority", 0, 1_000_000)
    if "description" in cleaned:
        cleaned["description"] = optional_text(cleaned["description"], "description")
    return cleaned


EDITABLE = (
    "name",
    "username",
    "kind",
    "priority",
    "ssh_key_path",
    "has_enable_secret",
    "description",
    "tags",
)
_ROWS = NamedRows(
    Credential,
    "credential",
    clean=clean_fields,
    create_only=("keyring_ref",),
    unique=("keyring_ref",),
    editable=EDITABLE,
    options=(selectinload(Credential.tags),),
)


def create_credential(
    session: Session,
    *,
    name: str,
    username: str,
    keyring_ref: str,
    kind: str = "password",
    tags: list[Tag] | None = None,
    **fields: Any,
) -> Credential:
    return _ROWS.create(
        session,
        name=name,
        username=username,
        keyring_ref=keyring_ref,
        kind=kind,
        tags=list(tags or []),
        **fields,
    )


def get_credential(session: Session, credential_id: uuid.UUID) -> Credential:
    return _ROWS.get(session, credential_id)


def get_credential_by_name(session: Session, name: str) -> Credential:
    return _ROWS.get_by_name(session, name)


def get_credential_by_reference(session: Session, keyring_ref: str) -> Credential:
    credential = session.scalars(
        select(Credential).where(Credential.keyring_ref == keyring_ref)
    ).one_or_none()
    if credential is None:
        raise NotFoundError("credential", keyring_ref, "reference")
    return credential


def list_credentials(
    session: Session,
    *,
    tag: str | None = None,
    sort: str = "priority",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Credential]:
    """Credentials in the order they are tried (priority, then name) unless sorted otherwise."""
    stmt = select(Credential).options(selectinload(Credential.tags))
    if tag:
        stmt = stmt.where(Credential.tags.any(name_equals(Tag.name, tag)))
    stmt = paginate(
        stmt,
        sort=sort,
        sortable=SORTABLE,
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=func.lower(Credential.name),
    )
    return list(session.scalars(stmt))


def update_credential(
    session: Session, credential_id: uuid.UUID, expected_version: int | None, **changes: Any
) -> Credential:
    return _ROWS.update(session, credential_id, expected_version, changes)


def delete_credential(
    session: Session, credential_id: uuid.UUID, expected_version: int | None = None
) -> None:
    """Delete the row; devices bound to it fall back to tag matching (ON DELETE SET NULL)."""
    _ROWS.delete(session, credential_id, expected_version)


def candidates_for_device(session: Session, device: Device) -> list[Credential]:
    """The credentials to try on `device`, in order (see `rank_candidates`)."""
    return rank_candidates(device, list_credentials(session))


def rank_candidates(device: Device, every: list[Credential]) -> list[Credential]:
    """Order `every` credential for `device` (its tags must be loaded).

    Its bound credential if it has one; otherwise every credential sharing a tag with
    it, then untagged credentials (defaults for every device), each by priority and
    name. The credential that last worked on the device goes first. A plain function
    over loaded rows, so a run over thousands of devices ranks without a query each.
    """
    if device.credential_id is not None:
        return [c for c in every if c.id == device.credential_id]
    device_tags = {tag.id for tag in device.tags}
    shared = [c for c in every if device_tags & {tag.id for tag in c.tags}]
    defaults = [c for c in every if not c.tags]
    ranked = sorted(shared, key=_try_order) + sorted(defaults, key=_try_order)
    ranked.sort(key=lambda c: c.id != device.last_credential_id)  # stable: the winner first
    return ranked


def _try_order(credential: Credential) -> tuple[int, str]:
    return credential.priority, credential.name.lower()
