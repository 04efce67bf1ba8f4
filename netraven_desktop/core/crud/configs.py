"""Stored configurations: content-addressed blobs and per-device snapshots.

Blobs and snapshots are history: they are created and deleted, never edited, except
that `backup redact` re-points a snapshot at its text re-masked with today's rules.
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from ..db.base import utcnow
from ..db.models import ConfigBlob, ConfigSnapshot, Device, Job, JobRun, Tag
from ..db.models.configs import config_search
from . import deferred
from .common import get_or_raise, name_equals, paginate

SORTABLE = {"captured_at": ConfigSnapshot.captured_at}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def put_blob(session: Session, text: str) -> ConfigBlob:
    """Store `text` once: an identical configuration reuses the existing blob.

    Two devices with the same configuration may be stored at the same moment, so the
    insert ignores a concurrent twin instead of failing on the primary key. The new
    text enters the search index in the same transaction (only by whoever inserted it),
    as its distinct lines (`search_text`).
    """
    digest = content_hash(text)
    if session.scalar(_BLOB_STORED, {"sha256": digest}):
        return session.get_one(ConfigBlob, digest)
    raw = text.encode("utf-8")
    blob = ConfigBlob(sha256=digest, data=zlib.compress(raw, 6), size=len(raw), created_at=utcnow())
    inserted = session.execute(
        _BLOB_INSERT[session.get_bind().dialect.name],
        {"sha256": digest, "data": blob.data, "size": blob.size, "created_at": blob.created_at},
    )
    if inserted.rowcount:
        session.execute(config_search.insert(), {"sha256": digest, "text": search_text(text)})
    return blob


# Statements built once: a backup stores a blob per changed device, and building and
# caching a statement for each cost as much as running it.
_BLOB_STORED = select(ConfigBlob.sha256).where(ConfigBlob.sha256 == bindparam("sha256"))
_BLOB_INSERT = {
    "sqlite": sqlite_insert(ConfigBlob.__table__).on_conflict_do_nothing(),
    "postgresql": pg_insert(ConfigBlob.__table__).on_conflict_do_nothing(),
}


def search_text(text: str) -> str:
    """What the search index holds of a configuration: its distinct lines, in order.

    Search matches single lines, so a blob holds a literal exactly when one of its
    distinct lines does; configurations repeat many lines (every access port's
    `switchport mode access`, `!`), and indexing each once halves the index's work.
    """
    return "\n".join(dict.fromkeys(text.split("\n")))


def get_blob(session: Session, sha256: str) -> ConfigBlob:
    return get_or_raise(
        session,
        select(ConfigBlob).where(ConfigBlob.sha256 == sha256),
        "configuration",
        sha256,
        "sha256",
    )


def blob_text(blob: ConfigBlob) -> str:
    return decompress(blob.data)


def decompress(data: bytes) -> str:
    """A stored configuration's text from its compressed bytes."""
    return zlib.decompress(data).decode("utf-8")


def blob_texts(session: Session, digests: Sequence[str]) -> dict[str, str]:
    """The texts of these blobs, by digest (keep `digests` to a few hundred at a time)."""
    rows = session.execute(
        select(ConfigBlob.sha256, ConfigBlob.data).where(ConfigBlob.sha256.in_(digests))
    )
    return {sha: zlib.decompress(data).decode("utf-8") for sha, data in rows}


def delete_unreferenced_blobs(session: Session, among: Collection[str] | None = None) -> int:
    """Remove blobs no snapshot points at any more (only those `among` these digests, if
    given), with their search index rows (SQLite's FTS5 table cannot have a foreign key);
    returns how many went."""
    unused = ~exists().where(ConfigSnapshot.blob_sha256 == ConfigBlob.sha256)
    if among is not None:
        unused = and_(unused, ConfigBlob.sha256.in_(among))
    doomed = select(ConfigBlob.sha256).where(unused)
    session.execute(delete(config_search).where(config_search.c.sha256.in_(doomed)))
    result = session.execute(delete(ConfigBlob).where(unused))
    return result.rowcount or 0


def snapshot_texts_after(
    session: Session, after: uuid.UUID | None, *, limit: int
) -> list[tuple[uuid.UUID, str, bool | None, str]]:
    """(snapshot id, blob digest, masked, device platform) of the next `limit` snapshots of
    every device (trashed ones too) after snapshot id `after`, in id order."""
    stmt = select(
        ConfigSnapshot.id, ConfigSnapshot.blob_sha256, ConfigSnapshot.masked, Device.platform
    ).join(Device, Device.id == ConfigSnapshot.device_id)
    if after is not None:
        stmt = stmt.where(ConfigSnapshot.id > after)
    return list(session.execute(stmt.order_by(ConfigSnapshot.id).limit(limit)).tuples())


def repoint_snapshots(session: Session, moves: dict[uuid.UUID, str]) -> None:
    """Point snapshots at other blobs (id -> digest), now masked: the one edit history
    allows, made by `backup redact` when today's masking rules change a stored text (their
    raw hashes go with the old text)."""
    snapshots = ConfigSnapshot.__table__
    if moves:
        session.execute(
            update(snapshots)
            .where(snapshots.c.id == bindparam("snapshot_id"))
            .values(blob_sha256=bindparam("digest"), masked=True, raw_config_hash=None),
            [{"snapshot_id": i, "digest": d} for i, d in moves.items()],
        )


def mark_masked(session: Session, snapshot_ids: Collection[uuid.UUID]) -> None:
    """Record that these snapshots' texts are masked (checked against today's rules); their
    raw hashes go, since they stood for the text as the device's setting cleaned it."""
    snapshots = ConfigSnapshot.__table__
    if snapshot_ids:
        session.execute(
            update(snapshots)
            .where(snapshots.c.id.in_(snapshot_ids))
            .values(masked=True, raw_config_hash=None)
        )


def reference_counts(session: Session, digests: Collection[str]) -> dict[str, int]:
    """How many snapshots point at each of these blobs (keep to a few hundred at a time)."""
    stmt = (
        select(ConfigSnapshot.blob_sha256, func.count())
        .where(ConfigSnapshot.blob_sha256.in_(digests))
        .group_by(ConfigSnapshot.blob_sha256)
    )
    return dict(session.execute(stmt).tuples().all())


def create_snapshot(
    session: Session,
    *,
    device_id: uuid.UUID,
    blob_sha256: str,
    captured_at: datetime | None = None,
    job_run_id: uuid.UUID | None = None,
    lines_added: int = 0,
    lines_removed: int = 0,
    secret_fingerprints: dict[str, Any] | None = None,
    masked: bool | None = None,
    raw_config_hash: str | None = None,
) -> ConfigSnapshot:
    """A new snapshot; `masked` says whether its text had secrets masked (None: unknown)."""
    snapshot = ConfigSnapshot(
        device_id=device_id,
        blob_sha256=blob_sha256,
        job_run_id=job_run_id,
        lines_added=lines_added,
        lines_removed=lines_removed,
        secret_fingerprints=secret_fingerprints,
        masked=masked,
        raw_config_hash=raw_config_hash,
    )
    if captured_at is not None:
        snapshot.captured_at = captured_at
    deferred.add(session, snapshot)
    return snapshot


def get_snapshot(session: Session, snapshot_id: uuid.UUID) -> ConfigSnapshot:
    return get_or_raise(
        session,
        select(ConfigSnapshot).where(ConfigSnapshot.id == snapshot_id),
        "snapshot",
        str(snapshot_id),
    )


def list_snapshots(
    session: Session,
    device_id: uuid.UUID,
    *,
    descending: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[ConfigSnapshot]:
    """A device's history, newest first by default."""
    stmt = select(ConfigSnapshot).where(ConfigSnapshot.device_id == device_id)
    stmt = paginate(
        stmt,
        sort="captured_at",
        sortable=SORTABLE,
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=ConfigSnapshot.id,
    )
    return list(session.scalars(stmt))


def list_snapshot_details(
    session: Session, device_id: uuid.UUID, *, limit: int | None = None
) -> list[tuple[ConfigSnapshot, int, str | None, str | None]]:
    """A device's history, newest first, with each text's size and the run's trigger and job.

    One query for what a history table shows; the run or job is None once removed.
    """
    stmt = (
        select(ConfigSnapshot, ConfigBlob.size, JobRun.trigger, Job.name)
        .join(ConfigBlob, ConfigBlob.sha256 == ConfigSnapshot.blob_sha256)
        .outerjoin(JobRun, JobRun.id == ConfigSnapshot.job_run_id)
        .outerjoin(Job, Job.id == JobRun.job_id)
        .where(ConfigSnapshot.device_id == device_id)
    )
    stmt = paginate(
        stmt,
        sort="captured_at",
        sortable=SORTABLE,
        descending=True,
        limit=limit,
        tiebreak=ConfigSnapshot.id,
    )
    return list(session.execute(stmt).tuples())


def latest_snapshot(session: Session, device_id: uuid.UUID) -> ConfigSnapshot | None:
    found = list_snapshots(session, device_id, limit=1)
    return found[0] if found else None


def latest_raw_hash(session: Session, device_id: uuid.UUID) -> tuple[uuid.UUID, str | None] | None:
    """(id, raw hash) of the device's latest snapshot (None: it has none): all an unchanged
    backup needs, read without loading the snapshot and its fingerprints."""
    row = session.execute(_LATEST_RAW_HASH, {"device_id": device_id}).first()
    return None if row is None else (row[0], row[1])


_LATEST_RAW_HASH = (  # the order of `list_snapshots`
    select(ConfigSnapshot.id, ConfigSnapshot.raw_config_hash)
    .where(ConfigSnapshot.device_id == bindparam("device_id"))
    .order_by(ConfigSnapshot.captured_at.desc().nulls_last(), ConfigSnapshot.id)
    .limit(1)
)


def latest_raw_hashes(session: Session, device_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each device's latest snapshot's raw hash, where it has one, in one query."""
    other = aliased(ConfigSnapshot)
    newest = (
        select(func.max(other.captured_at))
        .where(other.device_id == ConfigSnapshot.device_id)
        .scalar_subquery()
    )
    stmt = select(ConfigSnapshot.device_id, ConfigSnapshot.raw_config_hash).where(
        ConfigSnapshot.device_id.in_(device_ids),
        ConfigSnapshot.captured_at == newest,
        ConfigSnapshot.raw_config_hash.is_not(None),
    )
    return {device_id: digest for device_id, digest in session.execute(stmt).tuples()}


def delete_snapshot(session: Session, snapshot_id: uuid.UUID) -> None:
    """Delete one snapshot; its blob stays until `delete_unreferenced_blobs`."""
    session.delete(get_snapshot(session, snapshot_id))
    session.flush()


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A snapshot with what an export writes about it; no ORM state, so batches stay cheap.

    In `latest_configs` a device without any snapshot comes with `snapshot_id` None.
    """

    device_id: uuid.UUID
    device_name: str
    snapshot_id: uuid.UUID | None
    captured_at: datetime | None
    lines_added: int | None
    lines_removed: int | None
    actor: str | None  # who ran the capturing run; None once the run is gone
    trigger: str | None
    job: str | None
    data: bytes | None  # the compressed text (see `decompress`)


def _export_select(tag: str | None, snapshot_on: ColumnElement[bool], *, outer: bool) -> Select:
    """Devices joined to one snapshot each (`snapshot_on`) with its text, run and job."""
    stmt = (
        select(
            Device.id,
            Device.name,
            ConfigSnapshot.id,
            ConfigSnapshot.captured_at,
            ConfigSnapshot.lines_added,
            ConfigSnapshot.lines_removed,
            JobRun.actor,
            JobRun.trigger,
            Job.name,
            ConfigBlob.data,
        )
        .select_from(Device)
        .join(ConfigSnapshot, snapshot_on, isouter=outer)
        .join(ConfigBlob, ConfigBlob.sha256 == ConfigSnapshot.blob_sha256, isouter=outer)
        .outerjoin(JobRun, JobRun.id == ConfigSnapshot.job_run_id)
        .outerjoin(Job, Job.id == JobRun.job_id)
    )
    if tag:
        stmt = stmt.where(Device.tags.any(name_equals(Tag.name, tag)))
    return stmt


def snapshots_after(
    session: Session,
    after: tuple[datetime, uuid.UUID] | None,
    *,
    until: datetime,
    tag: str | None = None,
    limit: int = 200,
) -> list[ExportRow]:
    """The next `limit` snapshots of every device (trashed ones too) in capture order.

    Keyset paging on (captured_at, id) after `after`, up to `until`: one query per
    batch, so a history of any length streams in bounded memory.
    """
    stmt = _export_select(tag, ConfigSnapshot.device_id == Device.id, outer=False).where(
        ConfigSnapshot.captured_at <= until
    )
    if after is not None:
        at, snapshot_id = after
        stmt = stmt.where(
            or_(
                ConfigSnapshot.captured_at > at,
                and_(ConfigSnapshot.captured_at == at, ConfigSnapshot.id > snapshot_id),
            )
        )
    stmt = stmt.order_by(ConfigSnapshot.captured_at, ConfigSnapshot.id).limit(limit)
    return [ExportRow(*row) for row in session.execute(stmt)]


def latest_configs(
    session: Session,
    after: uuid.UUID | None,
    *,
    tag: str | None = None,
    limit: int = 200,
) -> list[ExportRow]:
    """The next `limit` live devices after device id `after`, each with its latest
    snapshot (or none): one query per batch, the latest found through the
    (device_id, captured_at) index."""
    newest = (
        select(ConfigSnapshot.id)
        .where(ConfigSnapshot.device_id == Device.id)
        .order_by(ConfigSnapshot.captured_at.desc(), ConfigSnapshot.id.desc())
        .limit(1)
        .correlate(Device)
        .scalar_subquery()
    )
    stmt = _export_select(tag, ConfigSnapshot.id == newest, outer=True).where(
        Device.deleted_at.is_(None)
    )
    if after is not None:
        stmt = stmt.where(Device.id > after)
    stmt = stmt.order_by(Device.id).limit(limit)
    return [ExportRow(*row) for row in session.execute(stmt)]
