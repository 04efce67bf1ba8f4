"""Tags: free-form labels shared by devices and credentials (names case-insensitive)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import Device, Tag, device_tags
from ..validation import optional_text, validate_label, validate_name
from .common import NamedRows, paginate

SORTABLE = {"name": func.lower(Tag.name), "created_at": Tag.created_at}


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise whichever tag fields are present."""
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = validate_name(cleaned["name"], "tag")
    if "description" in cleaned:
        cleaned["description"] = optional_text(cleaned["description"], "description")
    if "collector_label" in cleaned:
        cleaned["collector_label"] = validate_label(cleaned["collector_label"])
    return cleaned


EDITABLE = ("name", "description", "collector_label")
_ROWS = NamedRows(Tag, "tag", editable=EDITABLE, clean=clean_fields, field="tag")


def create_tag(session: Session, name: str, description: str | None = None) -> Tag:
    return _ROWS.create(session, name=name, description=description)


def get_tag(session: Session, tag_id: uuid.UUID) -> Tag:
    return _ROWS.get(session, tag_id)


def get_tag_by_name(session: Session, name: str) -> Tag:
    return _ROWS.get_by_name(session, name)


def ensure_tags(session: Session, names: Iterable[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones (duplicates collapse)."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = validate_name(name, "tag")
        wanted.setdefault(clean.lower(), clean)
    if not wanted:
        return []
    found = {
        t.name.lower(): t
        for t in session.scalars(select(Tag).where(func.lower(Tag.name).in_(wanted)))
    }
    return [found.get(key) or create_tag(session, name) for key, name in wanted.items()]


def list_tags(
    session: Session,
    *,
    search: str | None = None,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Tag, int]]:
    """Tags with the number of live devices carrying each."""
    live = (
        select(device_tags.c.tag_id, func.count().label("n"))
        .join(Device, Device.id == device_tags.c.device_id)
        .where(Device.deleted_at.is_(None))
        .group_by(device_tags.c.tag_id)
        .subquery()
    )
    stmt = select(Tag, func.coalesce(live.c.n, 0)).outerjoin(live, live.c.tag_id == Tag.id)
    if search:
        stmt = stmt.where(func.lower(Tag.name).like(f"%{search.strip().lower()}%"))
    stmt = paginate(
        stmt,
        sort=sort,
        sortable=SORTABLE,
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=Tag.id,
    )
    return [(tag, count) for tag, count in session.execute(stmt)]


def update_tag(
    session: Session, tag_id: uuid.UUID, expected_version: int | None, **changes: Any
) -> Tag:
    return _ROWS.update(session, tag_id, expected_version, changes)


def delete_tag(session: Session, tag_id: uuid.UUID, expected_version: int | None = None) -> None:
    """Delete a tag; devices and credentials lose the label, nothing else."""
    _ROWS.delete(session, tag_id, expected_version)
