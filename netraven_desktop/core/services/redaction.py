"""`backup redact`: re-mask the stored history with today's masking rules.

A masking rule added later, or a device whose masking was off, leaves secrets in old
snapshots. Redaction cleans every stored text again with its device's platform profile,
masking on; a text that changes is stored under its new digest (and indexed), its
snapshots re-pointed and marked masked, and the old blob and its index row deleted once
nothing points at them. Snapshots that become identical to their neighbours are kept:
the device did change at that time, even if the change is now masked.

Each batch is one transaction, so a failure leaves every snapshot on either its old or
its new text, never half-written; a second run finds nothing to change. On SQLite the
freed pages still hold the old text, so the file is compacted (FTS5 `optimize`, VACUUM,
WAL checkpoint) afterwards.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..crud import configs
from ..db import Database
from ..drivers.filters import clean_config
from ..platforms import profile_for
from . import audit
from .access import authorize

BATCH = 200  # snapshots per transaction


@dataclass
class RedactReport:
    examined: int = 0  # snapshots looked at
    changed: int = 0  # snapshots whose stored text changed
    marked: int = 0  # snapshots whose text was already clean, now recorded as masked
    blobs_removed: int = 0  # old texts deleted (with their search index rows)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (documented in docs/cli.md)."""
        return asdict(self)


class _Redaction:
    """One run's state across its batches: which (text, platform) cleans to which text."""

    def __init__(self, dry_run: bool) -> None:
        self.report = RedactReport(dry_run=dry_run)
        self.cleaned: dict[tuple[str, str], str] = {}  # (digest, platform) -> new digest
        self.moved: Counter[str] = Counter()  # old digest -> snapshots moved off it

    def batch(self, session: Session, after: uuid.UUID | None) -> uuid.UUID | None:
        """Redact the next batch of snapshots; the last id done, None when none was left."""
        authorize(session, "admin", "redact stored history")
        rows = configs.snapshot_texts_after(session, after, limit=BATCH)
        unseen = {sha for _, sha, _, platform in rows if (sha, platform) not in self.cleaned}
        texts = configs.blob_texts(session, list(unseen))
        moves: dict[uuid.UUID, str] = {}
        left: set[str] = set()  # texts snapshots moved off in this batch
        marks = []
        for snapshot_id, sha, masked, platform in rows:
            new = self.cleaned.get((sha, platform))
            if new is None:
                new = self._clean(session, texts[sha], sha, platform)
                self.cleaned[sha, platform] = new
            if new != sha:
                moves[snapshot_id] = new
                left.add(sha)
                self.moved[sha] += 1
            elif masked is not True:
                marks.append(snapshot_id)
        self.report.examined += len(rows)
        self.report.changed += len(moves)
        self.report.marked += len(marks)
        if not self.report.dry_run:
            configs.repoint_snapshots(session, moves)
            configs.mark_masked(session, marks)
            self.report.blobs_removed += configs.delete_unreferenced_blobs(session, left)
        return rows[-1][0] if rows else None

    def _clean(self, session: Session, text: str, sha: str, platform: str) -> str:
        """The digest of `text` masked with today's rules (stored, unless a dry run)."""
        cleaned = clean_config(text, profile_for(platform), mask_secrets=True)
        if cleaned == text:
            return sha
        if self.report.dry_run:
            return configs.content_hash(cleaned)
        return configs.put_blob(session, cleaned).sha256

    def count_dry_removals(self, session: Session) -> None:
        """What a real run would delete: the old texts every snapshot moved off."""
        digests = list(self.moved)
        for start in range(0, len(digests), BATCH):
            chunk = digests[start : start + BATCH]
            counts = configs.reference_counts(session, chunk)
            self.report.blobs_removed += sum(counts[sha] == self.moved[sha] for sha in chunk)


def redact(
    db: Database,
    *,
    dry_run: bool = False,
    progress: Callable[[RedactReport], None] | None = None,
) -> RedactReport:
    """Re-mask every stored snapshot, one transaction per batch; admin only, audited.

    `dry_run` writes nothing and reports what a run would change. Snapshots stored while
    it runs may be missed; a second run picks them up and changes nothing else.
    """
    work = _Redaction(dry_run)
    after: uuid.UUID | None = None
    try:
        while True:
            with db.session(write=not dry_run) as session:
                after = work.batch(session, after)
            if after is None:
                break
            if progress is not None:
                progress(work.report)
    except BaseException:
        if work.report.changed or work.report.marked:  # what the committed batches did
            with contextlib.suppress(Exception):  # the first error is the one to report
                _audit(db, work.report, completed=False)
        raise
    if dry_run:
        with db.read_session() as session:
            work.count_dry_removals(session)
        return work.report
    _audit(db, work.report, completed=True)
    if db.url.is_sqlite:  # even with nothing changed: an interrupted run may have deleted
        compact_sqlite(db)
    return work.report


def _audit(db: Database, report: RedactReport, *, completed: bool) -> None:
    """One event with the counts, never any configuration text."""
    with db.session() as session:
        audit.record(
            session,
            "snapshot.redact",
            "snapshot",
            None,
            after={
                "examined": report.examined,
                "changed": report.changed,
                "marked": report.marked,
                "blobs_removed": report.blobs_removed,
                "completed": completed,
            },
        )


def compact_sqlite(db: Database) -> None:
    """Overwrite what SQLite keeps of deleted texts: FTS5 merges its index segments
    (dropping deleted entries), VACUUM rebuilds the file without free pages, and a WAL
    checkpoint truncates the log that still held the old pages.

    Run outside any transaction (VACUUM refuses one), on a raw connection: the engine's
    connections start every transaction themselves.
    """
    connection = db.sync_engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("INSERT INTO config_search(config_search) VALUES ('optimize')")
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        connection.close()
