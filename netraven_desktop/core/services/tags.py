"""Tag rules: names are unique regardless of case; removing a tag only removes the label."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..crud import tags as rows
from ..db.models import Tag
from . import audit
from .access import authorize
from .dual import dual


@dual
def add_tag(session: Session, name: str, description: str | None = None) -> Tag:
    authorize(session, "edit")
    tag = rows.create_tag(session, name, description)
    audit.record(session, "tag.create", "tag", tag.id, after={"name": tag.name})
    return tag


@dual
def list_tags(session: Session, **filters: Any) -> list[tuple[Tag, int]]:
    """Every tag with the number of live devices carrying it."""
    authorize(session, "read")
    return rows.list_tags(session, **filters)


@dual
def edit_tag(session: Session, name: str, /, **changes: Any) -> Tag:
    """Rename a tag, or change its description or collector label (devices carrying it
    are backed up only by collectors with that label, unless their own label says else)."""
    authorize(session, "edit")
    tag = rows.get_tag_by_name(session, name)
    before = audit.state(tag, rows.EDITABLE)
    tag = rows.update_tag(session, tag.id, None, **changes)
    audit.record_changes(
        session, "tag.update", "tag", tag.id, before, audit.state(tag, rows.EDITABLE)
    )
    return tag


@dual
def remove_tag(session: Session, name: str) -> Tag:
    authorize(session, "edit")
    tag = rows.get_tag_by_name(session, name)
    rows.delete_tag(session, tag.id)
    audit.record(session, "tag.delete", "tag", tag.id, before={"name": tag.name})
    return tag


def tag_to_dict(tag: Tag, device_count: int) -> dict[str, Any]:
    """The stable JSON form of a tag (documented in docs/cli.md)."""
    return {
        "id": str(tag.id),
        "name": tag.name,
        "description": tag.description,
        "collector_label": tag.collector_label,
        "devices": device_count,
    }
