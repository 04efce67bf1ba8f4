"""Who did what: every mutating service records an audit event in its own transaction.

The events form a hash chain (see crud/audit.py); a head remembers the last hash and
the count, so removing events from the end is caught too. On SQLite the program keeps
the chain and its head (a settings row); on PostgreSQL the server does, in `audit_head`,
which no member's role may write. Values are recorded as plain JSON; no row in this
program holds a secret, and none is ever passed here.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import null, select
from sqlalchemy.orm import Session

from ..crud import audit as rows
from ..crud import outbox
from ..crud import settings as setting_rows
from ..db.base import utcnow
from ..db.models import AuditEvent
from .access import authorize
from .dual import dual

HEAD_SCOPE, HEAD_KEY = "audit", "head"
BATCH_KEY = "audit_batch"  # session.info: the events of an open `batched` block
# What the outbox takes from an audit event.
QUEUED_FIELDS = ("action", "entity_type", "entity_id", "before", "after", "actor", "occurred_at")


def current_actor(session: Session) -> str:
    """The unit of work's actor (team mode), else the operating-system user."""
    return session.info.get("actor") or _os_user()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name (some containers): still record something
        return "unknown"


def state(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """A JSON-safe picture of `fields` of a row, for before/after values."""
    picture = {}
    for field in fields:
        value = getattr(row, field)
        if isinstance(value, list):
            value = sorted(getattr(item, "name", item) for item in value)
        picture[field] = outbox.json_safe(value)
    return picture


def record(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction and move the chain's head.

    The actor is always the unit of work's. `occurred_at` defaults to now; an offline
    edit replayed on the team database passes the time it was made at (on PostgreSQL a
    claim next to the server's clock). On a replica the edit is also queued in the
    outbox, in the same transaction.
    """
    event = rows.append_event(
        session,
        actor=current_actor(session),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        occurred_at=occurred_at,
    )
    if not rows.server_writes(session):
        _move_head(session, event.hash, 1)
    if session.info.get("replica"):
        outbox.queue_edits(session, [{f: getattr(event, f) for f in QUEUED_FIELDS}])
    return event


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """`record` for many events at once, in one bulk insert (imports).

    Each event is a dict of `action`, `entity_type`, `entity_id`, `before`, `after`.
    """
    _append(session, [_stamped(session, event) for event in events])


def _stamped(session: Session, event: dict[str, Any]) -> dict[str, Any]:
    """`event` with the unit of work's actor and the time (PostgreSQL stamps its own)."""
    now = None if rows.server_writes(session) else utcnow()
    return event | {"actor": current_actor(session), "occurred_at": now}


def _append(session: Session, stamped: list[dict[str, Any]]) -> None:
    """Chain `stamped` events in one bulk insert: one read and one move of the head."""
    if rows.server_writes(session):
        rows.append_events(session, stamped)
        return
    last = rows.append_events(session, stamped)
    if last is not None:
        _move_head(session, last, len(stamped))
        if session.info.get("replica"):
            outbox.queue_edits(session, stamped)


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Events `record_later` is given inside are appended when the block ends without an
    error, in the order given, in the caller's transaction.

    The result writer commits many devices at once: their events then cost one read and
    one move of the chain's head, and one insert (on PostgreSQL one call of the server's
    append), instead of one each.
    """
    pending: list[dict[str, Any]] = []
    session.info[BATCH_KEY] = pending
    try:
        yield
        _append(session, pending)
    finally:
        del session.info[BATCH_KEY]


def record_later(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """`record`, with the `batched` block's events when one is open (else at once)."""
    pending = session.info.get(BATCH_KEY)
    if pending is None:
        record(session, action, entity_type, entity_id, before=before, after=after)
        return
    event = {
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": before,
        "after": after,
    }
    pending.append(_stamped(session, event))


def _move_head(session: Session, last_hash: str, added: int) -> None:
    """The head row: the chain's last hash and length, so a cut-off end is caught."""
    head = setting_rows.find_setting(session, HEAD_KEY, HEAD_SCOPE)
    count = (head.value["count"] if head else 0) + added
    setting_rows.put_setting(session, HEAD_KEY, {"hash": last_hash, "count": count}, HEAD_SCOPE)


def record_changes(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AuditEvent | None:
    """Record only the fields that differ between two `state()` pictures; none: no event.

    An edit that changes nothing leaves no trace, and one that does shows just what moved.
    """
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return None
    return record(
        session,
        action,
        entity_type,
        entity_id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad: int | None = None
    problem: str | None = None


@dual
def verify_chain(session: Session) -> ChainCheck:
    """Recompute every hash and link; name the first event that does not fit.

    On PostgreSQL the head is read first and only the events up to it are checked, so
    events committed meanwhile by others are not mistaken for tampering.
    """
    authorize(session, "read")
    stmt = select(AuditEvent, null()).order_by(AuditEvent.id)
    server_since = None
    if rows.server_writes(session):
        head = rows.server_head(session) or {"hash": None, "count": 0, "last_id": None}
        server_since = head.get("server_since")
        stmt = stmt.with_only_columns(AuditEvent, rows.SERVER_HASH)
        if head["last_id"] is not None:
            stmt = stmt.where(AuditEvent.id <= head["last_id"])
        expected = {"hash": head["hash"], "count": head["count"]}
    else:
        stored = setting_rows.find_setting(session, HEAD_KEY, HEAD_SCOPE)
        expected = stored.value if stored else {"hash": None, "count": 0}
    previous_hash: str | None = None
    checked = 0
    for event, server_hash in session.execute(stmt):
        if event.prev_hash != previous_hash:
            return ChainCheck(
                False,
                checked,
                event.id,
                "does not follow the event before it (one was inserted or deleted before it)",
            )
        by_server = server_since is not None and event.id >= server_since
        if (server_hash if by_server else rows.event_hash(event)) != event.hash:
            return ChainCheck(False, checked, event.id, "was edited after it was written")
        previous_hash = event.hash
        checked += 1
    if expected != {"hash": previous_hash, "count": checked}:
        return ChainCheck(
            False,
            checked,
            None,
            f"the log should hold {expected['count']} events ending in "
            f"{str(expected['hash'])[:12]}; events were removed from its end",
        )
    return ChainCheck(True, checked)


@dual
def list_events(session: Session, **filters: Any) -> list[AuditEvent]:
    authorize(session, "read")
    return rows.list_events(session, **filters)


def shown_actor(actor: str, claimed_actor: str | None) -> str:
    """Who did it, for people: the recorded actor, and whom the client said it acted for
    when that differs ("netops (as alice)": a shared login, or an offline edit)."""
    return f"{actor} (as {claimed_actor})" if claimed_actor else actor


def event_to_dict(event: AuditEvent) -> dict[str, Any]:
    """The stable JSON form of an audit event (documented in docs/cli.md)."""
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "claimed_actor": event.claimed_actor,
        "claimed_at": event.claimed_at.isoformat() if event.claimed_at else None,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "hash": event.hash,
    }
