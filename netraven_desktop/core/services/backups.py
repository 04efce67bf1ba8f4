"""What a backup leaves behind, and how users read it back: snapshots, history, diffs.

A configuration is stored only when it differs from the device's latest snapshot;
otherwise the run records that the device was checked and unchanged. Each device's
outcome is written in one transaction, so a failure leaves no partial snapshot.
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import diffing
from ..crud import configs, jobs, outbox
from ..crud import devices as device_rows
from ..db.base import utcnow
from ..db.models import ConfigSnapshot, JobRunResult, ResultStatus
from ..errors import InputError, NotFoundError
from ..secret_fingerprints import Fingerprints, comparable
from . import audit
from .access import authorize
from .dual import dual

# How front ends describe a snapshot whose `masked` is False.
CLEAR_WARNING = "stored with secrets in clear"


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) from `old` to `new`."""
    if not old:
        return len(new.splitlines()), 0  # a first backup: no diff to compute
    added = removed = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def store_capture(
    session: Session,
    *,
    run_id: uuid.UUID,
    device_id: uuid.UUID,
    device_name: str,
    config: str | Callable[[], tuple[str, Fingerprints | None]],
    masked: bool,
    facts: dict[str, str],
    credential_id: uuid.UUID | None,
    started_at: datetime,
    connect_ms: int | None,
    warnings: tuple[str, ...] = (),
    secret_fingerprints: Fingerprints | None = None,
    raw_hash: str | None = None,
) -> tuple[JobRunResult, ConfigSnapshot | None]:
    """Record a successful capture: a snapshot only if the configuration changed.

    A changed masked secret is a change even when the text is the same: the snapshot
    then reuses the blob, and its lines count as removed and added again.
    `masked` says whether `config` had its secrets masked (the device's setting).
    `raw_hash` (`secret_fingerprints.raw_hash`) equal to the latest snapshot's means
    unchanged without a look at the text: `config` may then be a function returning the
    cleaned text and its fingerprints, called only if the hashes differ after all.
    The usual case, an unchanged configuration, costs one read and two small writes.
    `warnings` (set-up commands the device rejected) become the result's message.
    """
    finished_at = utcnow()
    head = configs.latest_raw_hash(session, device_id)
    snapshot: ConfigSnapshot | None = None
    status = ResultStatus.UNCHANGED
    if raw_hash is None or head is None or head[1] != raw_hash:
        latest = None if head is None else configs.get_snapshot(session, head[0])
        if callable(config):
            config, secret_fingerprints = config()
        same_text = latest is not None and latest.blob_sha256 == configs.content_hash(config)
        prints = comparable(latest.secret_fingerprints if latest else None, secret_fingerprints)
        if same_text and (prints is None or prints[0] == prints[1]):
            assert latest is not None  # same_text
            if raw_hash is not None:  # the next backup of this text may skip cleaning it
                latest.raw_config_hash = raw_hash
        else:
            blob = configs.put_blob(session, config)
            previous = config if same_text else ""
            if latest is not None and not same_text:
                previous = configs.blob_text(configs.get_blob(session, latest.blob_sha256))
            changes = diffing.secret_changes(previous, config, prints)
            marked = "".join(diffing.marked_lines(config, changes)) if changes else config
            added, removed = diff_stats(previous, marked)
            snapshot = configs.create_snapshot(
                session,
                device_id=device_id,
                blob_sha256=blob.sha256,
                captured_at=finished_at,
                job_run_id=run_id,
                lines_added=added,
                lines_removed=removed,
                secret_fingerprints=secret_fingerprints,
                masked=masked,
                raw_config_hash=raw_hash,
            )
            if session.info.get("replica"):  # taken offline: upload it on reconnect
                outbox.queue_snapshot(session, snapshot, audit.current_actor(session))
            status = ResultStatus.CHANGED
    device_rows.record_backup_state(
        session,
        device_id,
        last_backup_status=status,
        last_backup_at=finished_at,
        last_credential_id=credential_id,
        **facts,
    )
    result = jobs.add_result(
        session,
        run_id=run_id,
        device_id=device_id,
        device_name=device_name,
        status=status,
        started_at=started_at,
        finished_at=finished_at,
        connect_ms=connect_ms,
        duration_ms=_ms(started_at, finished_at),
        snapshot_id=snapshot.id if snapshot else None,
        message="; ".join(warnings)[:2000] or None,
    )
    return result, snapshot


def store_failure(
    session: Session,
    *,
    run_id: uuid.UUID,
    device_id: uuid.UUID,
    device_name: str,
    status: str,
    error_class: str,
    message: str,
    started_at: datetime,
) -> JobRunResult:
    """Record a failed or cancelled device; nothing of its configuration is stored."""
    finished_at = utcnow()
    if status == ResultStatus.FAILED:
        device_rows.record_backup_state(
            session, device_id, last_backup_status=ResultStatus.FAILED, last_backup_at=finished_at
        )
    return jobs.add_result(
        session,
        run_id=run_id,
        device_id=device_id,
        device_name=device_name,
        status=status,
        error_class=error_class,
        message=message[:2000],
        started_at=started_at,
        finished_at=finished_at,
        duration_ms=_ms(started_at, finished_at),
    )


def _ms(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() * 1000)


@dual
def history(session: Session, device_name: str, *, limit: int | None = 100) -> list[ConfigSnapshot]:
    """A device's snapshots, newest first."""
    authorize(session, "read")
    device = device_rows.get_device_by_name(session, device_name)
    return configs.list_snapshots(session, device.id, limit=limit)


@dataclass(frozen=True)
class HistoryEntry:
    """A snapshot as a history table shows it."""

    snapshot: ConfigSnapshot
    size: int  # bytes of the configuration text
    run: str  # the job that captured it, else how its run was started; "" once the run is gone


@dual
def history_entries(
    session: Session, device_name: str, *, limit: int | None = 100
) -> list[HistoryEntry]:
    """A device's snapshots, newest first, with their size and run, in one query."""
    authorize(session, "read")
    device = device_rows.get_device_by_name(session, device_name)
    return [
        HistoryEntry(snapshot, size, f"job {job}" if job else trigger or "")
        for snapshot, size, trigger, job in configs.list_snapshot_details(
            session, device.id, limit=limit
        )
    ]


def _snapshot_of(
    session: Session, device_name: str, snapshot_id: str | None, field: str = "--snapshot"
) -> ConfigSnapshot:
    device = device_rows.get_device_by_name(session, device_name)
    if snapshot_id is None:
        latest = configs.latest_snapshot(session, device.id)
        if latest is None:
            raise InputError("name", device_name, "has no backup yet")
        return latest
    try:
        snapshot = configs.get_snapshot(session, uuid.UUID(snapshot_id))
    except ValueError:
        raise InputError(field, snapshot_id, "is not a snapshot id") from None
    except NotFoundError:
        snapshot = None
    if snapshot is None or snapshot.device_id != device.id:
        raise InputError(field, snapshot_id, f"no snapshot of {device.name} with this id")
    return snapshot


@dual
def snapshot_text(
    session: Session, device_name: str, snapshot_id: str | None = None
) -> tuple[ConfigSnapshot, str]:
    """A stored configuration: the latest, or the snapshot named by id."""
    authorize(session, "read")
    snapshot = _snapshot_of(session, device_name, snapshot_id)
    return snapshot, configs.blob_text(configs.get_blob(session, snapshot.blob_sha256))


@dataclass(frozen=True)
class Comparison:
    """Two snapshots of a device, their texts, and the unified diff from older to newer.

    `secret_changes` are the (old, new) 0-based numbers of equal lines whose masked
    secret changed; the unified diff shows them marked `diffing.SECRET_CHANGED`.
    """

    older: ConfigSnapshot
    newer: ConfigSnapshot
    old_text: str
    new_text: str
    unified: str
    secret_changes: frozenset[tuple[int, int]] = frozenset()


@dual
def compare(
    session: Session, device_name: str, from_id: str | None = None, to_id: str | None = None
) -> Comparison:
    """Two snapshots to compare; by default `to` is the latest and `from` the one before it."""
    authorize(session, "read")
    newer = _snapshot_of(session, device_name, to_id, "--to")
    if from_id is None:
        older_list = [
            s
            for s in configs.list_snapshots(session, newer.device_id)
            if s.captured_at < newer.captured_at
        ]
        if not older_list:
            problem = "has only one snapshot" if to_id is None else "has no snapshot before --to"
            raise InputError("name", device_name, f"{problem}; nothing to compare")
        older = older_list[0]
    else:
        older = _snapshot_of(session, device_name, from_id, "--from")
    old_text, new_text = (
        configs.blob_text(configs.get_blob(session, s.blob_sha256)) for s in (older, newer)
    )
    changes = diffing.secret_changes(
        old_text, new_text, comparable(older.secret_fingerprints, newer.secret_fingerprints)
    )
    unified = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            diffing.marked_lines(new_text, changes),
            fromfile=f"{device_name} {older.captured_at:%Y-%m-%d %H:%M:%S} ({older.id})",
            tofile=f"{device_name} {newer.captured_at:%Y-%m-%d %H:%M:%S} ({newer.id})",
        )
    )
    return Comparison(older, newer, old_text, new_text, unified, changes)


@dual
def diff(
    session: Session, device_name: str, from_id: str | None = None, to_id: str | None = None
) -> str:
    """A unified diff between two snapshots; by default the previous and the latest."""
    return compare(session, device_name, from_id, to_id).unified


def snapshot_to_dict(snapshot: ConfigSnapshot) -> dict[str, Any]:
    """The stable JSON form of a snapshot (documented in docs/cli.md)."""
    return {
        "id": str(snapshot.id),
        "captured_at": snapshot.captured_at.isoformat(),
        "sha256": snapshot.blob_sha256,
        "lines_added": snapshot.lines_added,
        "lines_removed": snapshot.lines_removed,
        "job_run_id": str(snapshot.job_run_id) if snapshot.job_run_id else None,
        "masked": snapshot.masked,
    }
