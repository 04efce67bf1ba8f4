"""The audit log: append-only and hash-chained. There is no update and no delete here.

Each event's hash covers its content and the previous event's hash, so editing,
inserting or deleting any event breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, text
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..db.models import AuditEvent
from .common import get_or_raise, paginate

# What a program-written event's hash covers (SQLite, and PostgreSQL events written before
# the server wrote them): every column but its sequence number, the hash itself and the
# claims only the server records.
HASHED = (
    "occurred_at",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "prev_hash",
)


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


def server_writes(session: Session) -> bool:
    """PostgreSQL writes the audit log itself (`netraven_audit_append`); SQLite cannot."""
    return session.get_bind().dialect.name == "postgresql"


def server_head(session: Session) -> dict[str, Any] | None:
    """PostgreSQL's record of the chain's end: hash, count, last_id, server_since."""
    row = session.execute(
        text("SELECT hash, count, last_id, server_since FROM audit_head WHERE id = 1")
    ).first()
    return None if row is None else dict(row._mapping)


# The hash PostgreSQL computed for a server-written event, recomputed from its row.
SERVER_HASH = func.netraven_audit_hash(
    AuditEvent.occurred_at,
    AuditEvent.actor,
    AuditEvent.claimed_actor,
    AuditEvent.claimed_at,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.prev_hash,
)


def last_event(session: Session) -> AuditEvent | None:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()


def _chain_end(session: Session) -> str | None:
    """The hash to chain to. Appends are serialised by the write lock every SQLite unit
    of work takes at BEGIN IMMEDIATE, so two writers never chain to the same event."""
    previous = last_event(session)
    return previous.hash if previous else None


def _server_append(session: Session, events: list[dict[str, Any]]) -> list[int]:
    """Have the server append `events`; it records its own actor and time, keeping the
    client's `actor` and `occurred_at` only as claims. Returns the new ids in order."""
    claims = [
        event
        | {"occurred_at": event["occurred_at"].isoformat() if event.get("occurred_at") else None}
        for event in events
    ]
    return list(
        session.scalars(
            text("SELECT netraven_audit_append(CAST(:events AS jsonb))"),
            {"events": json.dumps(claims, default=str)},
        )
    )


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

    `occurred_at` defaults to now; a replayed offline edit keeps its original time (on
    PostgreSQL as a claim next to the server's time).
    """
    values = {
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }
    if server_writes(session):
        (event_id,) = _server_append(session, [values | {"occurred_at": occurred_at}])
        return session.get_one(AuditEvent, event_id)
    event = AuditEvent(**values, occurred_at=occurred_at or utcnow(), prev_hash=_chain_end(session))
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
    if server_writes(session):
        ids = _server_append(session, events)
        return session.scalar(select(AuditEvent.hash).where(AuditEvent.id == ids[-1]))
    previous = _chain_end(session)
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
    if actor is not None:  # the connected role, or the user a client said it acted for
        stmt = stmt.where(or_(AuditEvent.actor == actor, AuditEvent.claimed_actor == actor))
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
