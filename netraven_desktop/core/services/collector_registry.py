"""Collectors as the database knows them: who runs, with which labels, last heard when.

A collector writes its own row when it starts and at every heartbeat; the window and
`collector list` read them with the items each one holds now. A collector not heard from
for a while is "silent": the first collector to notice claims the notice (one conditional
update), so a team is told once, not once per surviving collector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..db.models import Collector, WorkItem, WorkItemState
from ..validation import validate_name
from .access import authorize
from .dual import dual


def register(
    session: Session, name: str, *, version: str, labels: Sequence[str], host: str
) -> Collector:
    """Create or refresh this collector's row (a restart keeps its name and history)."""
    name = validate_name(name, "--name")
    row = session.scalar(select(Collector).where(Collector.name == name))
    if row is None:
        row = Collector(name=name)
        session.add(row)
    now = utcnow()
    row.version, row.labels, row.host = version, sorted(labels), host
    row.started_at, row.heartbeat_at, row.stopped_at, row.silent_notified_at = now, now, None, None
    session.flush()
    return row


def beat(session: Session, name: str) -> None:
    session.execute(
        update(Collector)
        .where(Collector.name == name)
        .values(heartbeat_at=utcnow(), stopped_at=None, silent_notified_at=None)
    )


def stopped(session: Session, name: str) -> None:
    session.execute(update(Collector).where(Collector.name == name).values(stopped_at=utcnow()))


def claim_silent(session: Session, silent_after: timedelta) -> list[Collector]:
    """Collectors running (not stopped) but unheard for `silent_after`, not yet notified;
    marked notified here, so only this caller's transaction reports them."""
    cutoff = utcnow() - silent_after
    candidates = list(
        session.scalars(
            select(Collector).where(
                Collector.stopped_at.is_(None),
                Collector.silent_notified_at.is_(None),
                Collector.heartbeat_at < cutoff,
            )
        )
    )
    claimed = []
    for row in candidates:
        marked = session.execute(
            update(Collector)
            .where(Collector.id == row.id, Collector.silent_notified_at.is_(None))
            .values(silent_notified_at=utcnow())
        )
        if marked.rowcount == 1:
            claimed.append(row)
    return claimed


@dataclass(frozen=True)
class CollectorStatus:
    collector: Collector
    in_flight: int

    def to_dict(self) -> dict[str, Any]:
        c = self.collector
        return {
            "name": c.name,
            "version": c.version,
            "labels": list(c.labels),
            "host": c.host,
            "started_at": c.started_at.isoformat(),
            "heartbeat_at": c.heartbeat_at.isoformat(),
            "stopped_at": c.stopped_at.isoformat() if c.stopped_at else None,
            "in_flight": self.in_flight,
        }


@dual
def list_collectors(session: Session) -> list[CollectorStatus]:
    """Every collector that ever ran here, by name, with the items it holds now."""
    authorize(session, "read")
    held = dict(
        session.execute(
            select(WorkItem.collector, func.count())
            .where(WorkItem.state == WorkItemState.LEASED)
            .group_by(WorkItem.collector)
        ).all()
    )
    rows = session.scalars(select(Collector).order_by(Collector.name))
    return [CollectorStatus(row, held.get(row.name, 0)) for row in rows]


def is_silent(status: CollectorStatus, silent_after: timedelta, now: datetime) -> bool:
    c = status.collector
    return c.stopped_at is None and now - c.heartbeat_at > silent_after
