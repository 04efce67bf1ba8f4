"""The audit log: append-only and hash-chained. There is no update and no delete here.

Each event's hash covers its content and the previous event's hash, so editing,
inserting or deleting any event breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..db.models import AuditEvent
from .common import get_or_raise, paginate

# Any constant unique to this purpose: the key of the advisory lock guarding the chain.
AUDIT_CHAIN_LOCK = 0x4E52_4155  # "NRAU"


# What an event's hash covers: every column but its sequence number and the hash itself.
HASHED = tuple(c.name for c in AuditEvent.__table__.columns if c.name not in ("id", "hash"))


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over a canonical JSON form of the event (stable key order, UTC time)."""
    return chain_hash({field: getattr(event, field) for field in HASHED})


def chain_hash(values: dict[str, Any]) -> str:
    """`event_hash` over plain values (the `HASHED` keys), for events not yet rows."""
    payload = json.dumps(
        values | {"occurred_at": values["occurred_at"].isoformat(timespec="microseconds")},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def last_event(session: Session) -> AuditEvent | None:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()


def _lock_chain(session: Session) -> str | None:
    """Serialise appends and return the hash to chain to.

    Two writers must never chain to the same predecessor: on PostgreSQL a
    transaction-scoped advisory lock keeps them apart, on SQLite the write lock every
    unit of work takes at BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)))
    previous = last_event(session)
    return previous.hash if previous else None


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event chained to the current last one, in the caller's transaction.

    `occurred_at` defaults to now; a replayed offline edit keeps its original time.
    """
    event = AuditEvent(
        occurred_at=occurred_at or utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        prev_hash=_lock_chain(session),
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


def append_events(session: Session, events: list[dict[str, Any]]) -> str | None:
    """Append many events (dicts of the `HASHED` keys but `prev_hash`) with one bulk insert.

    An import writes one event per device; 100,000 ORM flushes would take minutes.
    Returns the new last hash (None when `events` is empty).
    """
    if not events:
        return None
    previous = _lock_chain(session)
    for event in events:
        event["prev_hash"] = previous
        event["hash"] = previous = chain_hash(event)
    session.execute(insert(AuditEvent.__table__), events)
    return previous


def get_event(session: Session, event_id: int) -> AuditEvent:
    return get_or_raise(
        session, select(AuditEvent).where(AuditEvent.id == event_id), "audit event", event_id
    )


def list_events(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    descending: bool = True,
    limit: int | None = 1000,
    offset: int = 0,
) -> list[AuditEvent]:
    stmt = select(AuditEvent)
    if entity_type is not None:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action is not None:  # "credential" matches every credential.* action
        stmt = stmt.where(
            or_(
                AuditEvent.action == action,
                AuditEvent.action.startswith(f"{action}.", autoescape=True),
            )
        )
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    stmt = paginate(
        stmt,
        sort="id",
        sortable={"id": AuditEvent.id},
        descending=descending,
        limit=limit,
        offset=offset,
    )
    return list(session.scalars(stmt))
