"""Notification channel rows. Tokens, SMTP passwords and webhook URLs are keyring
references only."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import CHANNEL_KINDS, NotificationChannel
from ..errors import InputError
from ..validation import validate_name
from .common import NamedRows, paginate

EVENTS = ("backup_failed", "config_changed", "job_finished", "collector_silent")


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = validate_name(cleaned["name"])
    if "kind" in cleaned and cleaned["kind"] not in CHANNEL_KINDS:
        raise InputError("kind", cleaned["kind"], f"must be one of {', '.join(CHANNEL_KINDS)}")
    for event in cleaned.get("events") or ():
        if event not in EVENTS:
            raise InputError("events", event, f"must be among {', '.join(EVENTS)}")
    if "config" in cleaned and not isinstance(cleaned["config"], dict):
        raise InputError("config", cleaned["config"], "must be a JSON object")
    return cleaned


_ROWS = NamedRows(
    NotificationChannel,
    "notification channel",
    clean=_clean,
    create_only=("kind",),
    editable=("name", "config", "secret_ref", "url_ref", "events", "enabled"),
)


def create_channel(session: Session, *, name: str, kind: str, **fields: Any) -> NotificationChannel:
    """A channel; it subscribes to every event unless `events` says otherwise."""
    fields.setdefault("events", list(EVENTS))
    return _ROWS.create(session, name=name, kind=kind, **fields)


def get_channel(session: Session, channel_id: uuid.UUID) -> NotificationChannel:
    return _ROWS.get(session, channel_id)


def get_channel_by_name(session: Session, name: str) -> NotificationChannel:
    return _ROWS.get_by_name(session, name)


def list_channels(
    session: Session,
    *,
    kind: str | None = None,
    enabled: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[NotificationChannel]:
    stmt = select(NotificationChannel)
    if kind is not None:
        stmt = stmt.where(NotificationChannel.kind == kind)
    if enabled is not None:
        stmt = stmt.where(NotificationChannel.enabled.is_(enabled))
    stmt = paginate(
        stmt,
        sort="name",
        sortable={"name": func.lower(NotificationChannel.name)},
        limit=limit,
        offset=offset,
        tiebreak=NotificationChannel.id,
    )
    return list(session.scalars(stmt))


def update_channel(
    session: Session, channel_id: uuid.UUID, expected_version: int | None, **changes: Any
) -> NotificationChannel:
    return _ROWS.update(session, channel_id, expected_version, changes)


def delete_channel(
    session: Session, channel_id: uuid.UUID, expected_version: int | None = None
) -> None:
    _ROWS.delete(session, channel_id, expected_version)
