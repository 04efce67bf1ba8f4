"""A team database's local replica: where it lives, and `pull`, which refreshes it.

The replica is a SQLite file per team database with the very same schema (the same
migrations), holding the inventory (devices, tags and their links, credential metadata,
SSH host keys), the settings and each device's latest configuration. Ids and versions
are the team's, so an edit made offline names the same row and knows its base version.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..crud import configs, outbox
from ..crud import settings as setting_rows
from ..db import Database, DatabaseURL
from ..db.base import utcnow
from ..db.models import (
    ConfigBlob,
    ConfigSnapshot,
    Credential,
    Device,
    Setting,
    SSHHostKey,
    Tag,
    credential_tags,
    device_tags,
)
from ..db.models.configs import config_search
from ..db.schema import prepare
from ..db.url import data_dir, parse_database_url
from ..errors import InputError
from ..services.access import authorize
from ..services.redaction import compact_sqlite

# Settings kept per database: the replica's own audit chain head and its sync state.
LOCAL_SCOPES = ("audit", "offline")
STATE_SCOPE, STATE_KEY = "offline", "state"
CHUNK = 500  # bounded IN lists


def replica_path(team: DatabaseURL) -> Path:
    """The replica's file: `replicas/<hash of the team URL as displayed>.db` in the data
    folder (no password in the name; one replica per team database)."""
    digest = hashlib.sha256(team.display().encode("utf-8")).hexdigest()[:16]
    return data_dir() / "replicas" / f"{digest}.db"


def open_replica(team: DatabaseURL, path: Path | None = None) -> Database:
    """The replica of `team`, created and migrated on first use. Close it when done."""
    if team.is_sqlite:
        raise InputError("--db", team.display(), "a replica is kept for a PostgreSQL team database")
    replica = Database(parse_database_url(str(path or replica_path(team))), replica_of=team)
    prepare(replica)
    return replica


@dataclass
class PullReport:
    """Rows written into (or removed from) the replica, per table, and rows held back
    because an unpushed local edit touches them."""

    copied: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    held: int = 0

    @property
    def total(self) -> int:
        return sum(self.copied.values()) + sum(self.removed.values())


@dataclass(frozen=True)
class ReplicaState:
    """What the replica knows about its last refresh, for the status bar and the CLI."""

    pulled_at: datetime | None
    actor: str | None
    role: str | None


def pull(team: Database, replica: Database) -> PullReport:
    """Make the replica's inventory, settings and latest snapshots equal the team's.

    Bulk and idempotent: one read transaction on the team, one write transaction on the
    replica. Rows an unpushed edit touches keep their local state until the edit is
    pushed or resolved, so a refresh never undoes work that is still queued.
    """
    with team.read_session() as source, replica.session() as target:
        authorize(source, "read")
        report = PullReport()
        kept = outbox.pending_keys(target)
        held = {entity: {key for kind, key in kept if kind == entity} for entity in outbox.SYNCED}
        ids: dict[str, set[Any]] = {}
        for model, entity in ((Credential, "credential"), (Tag, "tag"), (Device, "device")):
            ids[entity] = _mirror_named(source, target, model, held[entity], report)
        _remap_missing(target, ids)
        _mirror_links(
            source, target, device_tags, "device_id", ids["device"], held["device"], report
        )
        _mirror_links(
            source,
            target,
            credential_tags,
            "credential_id",
            ids["credential"],
            held["credential"],
            report,
        )
        _mirror_links(
            source,
            target,
            SSHHostKey.__table__,
            "device_id",
            ids["device"],
            held["device"],
            report,
        )
        _mirror_settings(source, target, held["setting"], report)
        remasked = _mirror_latest_snapshots(source, target, ids["device"], kept, report)
        setting_rows.put_setting(
            target,
            STATE_KEY,
            {"pulled_at": utcnow().isoformat(), "actor": team.actor, "role": team.role},
            STATE_SCOPE,
        )
    if remasked:  # the old clear texts must not stay in the file's free pages
        compact_sqlite(replica)
    return report


def replica_state(replica: Database) -> ReplicaState:
    with replica.read_session() as session:
        row = setting_rows.find_setting(session, STATE_KEY, STATE_SCOPE)
    value = row.value if row else {}
    pulled = value.get("pulled_at")
    return ReplicaState(
        datetime.fromisoformat(pulled) if pulled else None, value.get("actor"), value.get("role")
    )


def _rows(session: Session, table: Table, *where: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(select(table).where(*where))]


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _mirror_named(
    source: Session, target: Session, model: type[Any], held: set[str], report: PullReport
) -> set[Any]:
    """Upsert the team's rows by id and delete the replica's that are gone; returns the
    ids the replica now holds. Names are unique, so rows being rewritten first take their
    id as a name: a rename swap on the team cannot clash half-way."""
    table: Table = model.__table__
    local = {row_id for (row_id,) in target.execute(select(table.c.id))}
    keep = {row_id for row_id in local if str(row_id) in held}
    held_names = (
        {
            name.lower()
            for (name,) in target.execute(select(table.c.name).where(table.c.id.in_(keep)))
        }
        if keep
        else set()
    )
    rows = [
        row
        for row in _rows(source, table)
        if row["id"] not in keep and row["name"].lower() not in held_names
    ]
    report.held += len(keep)
    incoming = {row["id"] for row in rows}
    gone = local - incoming - keep
    for chunk in _chunks(gone):
        target.execute(delete(table).where(table.c.id.in_(chunk)))
    report.removed[table.name] = len(gone)
    rewritten = list(local & incoming)
    for chunk in _chunks(rewritten):
        target.execute(
            update(table)
            .where(table.c.id.in_(chunk))
            .values(name=func.hex(table.c.id))
            .execution_options(synchronize_session=False)
        )
    if rows:
        stmt = sqlite_insert(table)
        columns = {c.name: stmt.excluded[c.name] for c in table.columns if c.name != "id"}
        target.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=columns), rows)
    report.copied[table.name] = len(rows)
    return incoming | keep


def _remap_missing(target: Session, ids: dict[str, set[Any]]) -> None:
    """A device may name a credential the replica holds back (a name clash with a local,
    unpushed credential): unbind it locally rather than fail the refresh."""
    for column in (Device.credential_id, Device.last_credential_id):
        target.execute(
            update(Device)
            .where(column.is_not(None), column.not_in(ids["credential"]))
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )


def _mirror_links(
    source: Session,
    target: Session,
    table: Table,
    owner: str,
    owners: set[Any],
    held: set[str],
    report: PullReport,
) -> None:
    """Replace the rows of `table` owned by every non-held owner with the team's."""
    replaced = [row_id for row_id in owners if str(row_id) not in held]
    for chunk in _chunks(replaced):
        target.execute(delete(table).where(table.c[owner].in_(chunk)))
    wanted = set(replaced)
    tag_ids = {row_id for (row_id,) in target.execute(select(Tag.id))}
    rows = [
        row
        for row in _rows(source, table)
        if row[owner] in wanted and ("tag_id" not in row or row["tag_id"] in tag_ids)
    ]
    if rows:
        target.execute(insert(table), rows)
    report.copied[table.name] = len(rows)


def _mirror_settings(source: Session, target: Session, held: set[str], report: PullReport) -> None:
    """Settings: the team's, except each database's own (audit head, sync state)."""
    table: Table = Setting.__table__
    shared = table.c.scope.not_in(LOCAL_SCOPES)
    held_keys = [("global", key) for key in held]
    mine = tuple_(table.c.scope, table.c.key).not_in(held_keys) if held_keys else shared
    removed = target.execute(delete(table).where(shared, mine)).rowcount or 0
    rows = [
        row for row in _rows(source, table, shared) if (row["scope"], row["key"]) not in held_keys
    ]
    if rows:
        target.execute(insert(table), rows)
    report.removed[table.name] = max(removed - len(rows), 0)
    report.copied[table.name] = len(rows)


def _mirror_latest_snapshots(
    source: Session,
    target: Session,
    devices: set[Any],
    kept: set[tuple[str, str]],
    report: PullReport,
) -> int:
    """Each device's latest snapshot and its blob (only blobs the replica lacks travel).

    Snapshots taken offline and not yet uploaded stay. The team's runs are not copied,
    so a pulled snapshot names no run. Returns how many snapshots here the team had
    re-masked (`backup redact`): they now point at the re-masked text.
    """
    table: Table = ConfigSnapshot.__table__
    newest = (
        select(table.c.device_id, func.max(table.c.captured_at).label("at"))
        .group_by(table.c.device_id)
        .subquery()
    )
    latest = [
        dict(row._mapping) | {"job_run_id": None}
        for row in source.execute(
            select(table).join(
                newest,
                (newest.c.device_id == table.c.device_id) & (newest.c.at == table.c.captured_at),
            )
        )
        if row.device_id in devices
    ]
    wanted = {row["id"] for row in latest}
    uploads = {uuid.UUID(key) for kind, key in kept if kind == "snapshot"}
    local = {
        row_id: (sha, masked)
        for row_id, sha, masked in target.execute(
            select(table.c.id, table.c.blob_sha256, table.c.masked)
        )
    }
    gone = set(local) - wanted - uploads
    for chunk in _chunks(gone):
        target.execute(delete(table).where(table.c.id.in_(chunk)))
    have = {sha for (sha,) in target.execute(select(ConfigBlob.sha256))}
    missing = sorted({row["blob_sha256"] for row in latest} - have)
    for chunk in _chunks(missing):
        blobs = _rows(source, ConfigBlob.__table__, ConfigBlob.sha256.in_(chunk))
        target.execute(insert(ConfigBlob.__table__), blobs)
        target.execute(
            insert(config_search),
            [
                {"sha256": b["sha256"], "text": configs.search_text(configs.decompress(b["data"]))}
                for b in blobs
            ],
        )
    new = [row for row in latest if row["id"] not in local]
    if new:
        target.execute(insert(table), new)
    remasked = [
        row
        for row in latest
        if row["id"] in local and local[row["id"]] != (row["blob_sha256"], row["masked"])
    ]
    for row in remasked:
        target.execute(
            update(table)
            .where(table.c.id == row["id"])
            .values(blob_sha256=row["blob_sha256"], masked=row["masked"])
        )
    report.removed[table.name] = len(gone) + configs.delete_unreferenced_blobs(target)
    report.copied[table.name] = len(new)
    return len(remasked)
