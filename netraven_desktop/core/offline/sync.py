"""`sync`: push the replica's edits and offline backups, then pull the team's state.

Also `offline_status`, what the window's status bar and `sync --offline-status` show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..crud import outbox
from ..db import Database
from ..db.models import OutboxStatus
from .push import Conflict, conflicts, push
from .replica import PullReport, pull, replica_path, replica_state


@dataclass(frozen=True)
class SyncReport:
    """What one sync did. `conflicts` are every edit still waiting for a choice."""

    pushed: int
    merged: int
    uploaded: int
    held: int
    conflicts: list[Conflict]
    pulled: PullReport

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (docs/cli.md)."""
        return {
            "pushed": self.pushed,
            "merged": self.merged,
            "uploaded": self.uploaded,
            "held": self.held,
            "conflicts": [conflict.to_dict() for conflict in self.conflicts],
            "pulled": {
                "rows": self.pulled.total,
                "copied": self.pulled.copied,
                "removed": self.pulled.removed,
                "held": self.pulled.held,
            },
        }

    def describe(self) -> str:
        """The one line the CLI prints and the window's status bar shows after a sync."""
        text = (
            f"pushed {self.pushed}, merged {self.merged}, uploaded {self.uploaded} backups, "
            f"pulled {self.pulled.total} rows; {len(self.conflicts)} conflicts"
        )
        return text + (f", {self.held} edits waiting behind them" if self.held else "")


def sync(team: Database, replica: Database) -> SyncReport:
    """Push first (so nothing queued is overwritten), then refresh the replica.

    Safe to repeat and to interrupt: a push killed half-way and run again applies each
    edit exactly once; a pull is one replica transaction.
    """
    pushed = push(replica, team)
    pulled = pull(team, replica)
    return SyncReport(
        pushed=pushed.pushed,
        merged=pushed.merged,
        uploaded=pushed.uploaded,
        held=pushed.held,
        conflicts=conflicts(replica),
        pulled=pulled,
    )


@dataclass(frozen=True)
class OfflineStatus:
    """The replica of one team database, as far as this laptop knows."""

    replica: str
    exists: bool
    pulled_at: datetime | None
    queued: int
    conflicts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "replica": self.replica,
            "exists": self.exists,
            "pulled_at": self.pulled_at.isoformat() if self.pulled_at else None,
            "queued": self.queued,
            "conflicts": self.conflicts,
        }


def offline_status(replica: Database) -> OfflineStatus:
    """How fresh the replica is and how much waits to be pushed (no team access)."""
    assert replica.replica_of is not None, "not a replica"
    with replica.read_session() as session:
        edits = outbox.list_edits(session)
    state = replica_state(replica)
    return OfflineStatus(
        replica=str(replica.url.sync_url.database),
        exists=replica_path(replica.replica_of).exists() or state.pulled_at is not None,
        pulled_at=state.pulled_at,
        queued=sum(edit.status == OutboxStatus.QUEUED for edit in edits),
        conflicts=sum(edit.status == OutboxStatus.CONFLICT for edit in edits),
    )
