"""The outbox of a team database's replica: every offline edit, queued in order.

Edits are captured where the services already describe them, in the audit record
(`services.audit` calls `queue_edits` when the unit of work runs on a replica), so no
service needs a second code path. The version each edited row had when the unit of work
first touched it (the edit's base) is noted by a flush hook, since the audit record is
written after the row was flushed and its version bumped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from ..db.base import Editable
from ..db.models import (
    ConfigSnapshot,
    Credential,
    Device,
    EditOperation,
    OutboxEdit,
    OutboxStatus,
    Setting,
    Tag,
)
from ..errors import EnvironmentProblem, InputError
from .common import get_or_raise

# What a replica syncs, by the audit log's entity type.
SYNCED: dict[str, type[Any]] = {
    "device": Device,
    "tag": Tag,
    "credential": Credential,
    "setting": Setting,
}
# Audited on a replica but local housekeeping (retention of the replica's snapshots,
# host keys pinned by a backup taken offline: host keys are not synced).
LOCAL_ONLY = frozenset({"snapshot", "host_key"})
# The audit action's verb -> the outbox operation; a trash is a delete for conflicts.
OPERATIONS = {
    "create": EditOperation.CREATE,
    "update": EditOperation.UPDATE,
    "trash": EditOperation.DELETE,
    "delete": EditOperation.DELETE,
    "restore": EditOperation.RESTORE,
}
# Columns a created row takes from the team database instead of the replica.
NOT_COPIED = ("created_at", "updated_at", "version")
SNAPSHOT_FIELDS = (
    "device_id",
    "blob_sha256",
    "captured_at",
    "job_run_id",
    "lines_added",
    "lines_removed",
)


class OfflineUnsupportedError(EnvironmentProblem):
    """An edit the replica cannot queue (users, jobs, channels): refused, not lost."""


def json_safe(value: Any) -> Any:
    """A column value as plain JSON: ids and times as text."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_key(row: Any) -> str:
    """How the audit log (and so the outbox) names a row: its id, a setting its key."""
    if isinstance(row, Setting):
        return row.key if row.scope == "global" else f"{row.scope}:{row.key}"
    return str(row.id)


@event.listens_for(Session, "before_flush")
def _remember_base_versions(session: Session, _context: object, _instances: object) -> None:
    if not session.info.get("replica"):
        return
    bases = session.info.setdefault("base_versions", {})
    for row in (*session.dirty, *session.deleted):
        if isinstance(row, Editable):
            bases.setdefault((type(row).__tablename__, row_key(row)), row.version)  # type: ignore[attr-defined]


def queue_edits(session: Session, events: list[dict[str, Any]]) -> None:
    """Queue audited edits (dicts of action, entity_type, entity_id, before, after, actor,
    occurred_at) in the caller's transaction. A create carries its whole row."""
    bases = session.info.get("base_versions", {})
    entries = []
    for audit_event in events:
        entity_type = audit_event["entity_type"]
        if entity_type in LOCAL_ONLY:
            continue
        kind, _, verb = audit_event["action"].partition(".")
        if entity_type not in SYNCED or kind != entity_type or verb not in OPERATIONS:
            raise OfflineUnsupportedError(
                f"{audit_event['action']} is not available while offline (it could not be "
                "synced to the team database); reconnect and try again"
            )
        model = SYNCED[entity_type]
        operation = OPERATIONS[verb]
        entity_id = str(audit_event["entity_id"])
        entries.append(
            {
                "edit_id": uuid.uuid4(),
                "action": audit_event["action"],
                "entity_type": entity_type,
                "entity_id": entity_id,
                "operation": operation,
                # Popped: a later edit of the row in this unit of work has a new base.
                "base_version": bases.pop((model.__tablename__, entity_id), None),
                "before": audit_event["before"],
                "after": audit_event["after"],
                "actor": audit_event["actor"],
                "occurred_at": audit_event["occurred_at"],
                "status": OutboxStatus.QUEUED,
                "force": False,
            }
        )
    for entry in entries:
        if entry["operation"] == EditOperation.CREATE:
            entry["after"] = _whole_row(session, SYNCED[entry["entity_type"]], entry)
        elif entry["operation"] == EditOperation.UPDATE:  # some services audit whole pictures
            before, after = entry["before"] or {}, entry["after"] or {}
            changed = [name for name in after if before.get(name) != after[name]]
            entry["before"] = {name: before.get(name) for name in changed}
            entry["after"] = {name: after[name] for name in changed}
    if entries:
        session.execute(OutboxEdit.__table__.insert(), entries)


def _whole_row(session: Session, model: type[Any], entry: dict[str, Any]) -> dict[str, Any]:
    """A created row's columns (and tag names), so the team gets the row as it was made."""
    table = model.__table__
    row = session.execute(select(table).where(table.c.id == uuid.UUID(entry["entity_id"]))).one()
    fields = {
        column: json_safe(value)
        for column, value in row._mapping.items()
        if column not in NOT_COPIED
    }
    if "tags" in (entry["after"] or {}):
        fields["tags"] = entry["after"]["tags"]
    return fields


def queue_snapshot(session: Session, snapshot: ConfigSnapshot, actor: str) -> None:
    """Queue a backup taken offline for upload (blob, snapshot and its run's result)."""
    session.add(
        OutboxEdit(
            action="snapshot.upload",
            entity_type="snapshot",
            entity_id=str(snapshot.id),
            operation=EditOperation.CREATE,
            after={field: json_safe(getattr(snapshot, field)) for field in SNAPSHOT_FIELDS},
            actor=actor,
            occurred_at=snapshot.captured_at,
            status=OutboxStatus.QUEUED,
            force=False,
        )
    )


def list_edits(session: Session, *, status: OutboxStatus | None = None) -> list[OutboxEdit]:
    """Queued edits in the order they were made (all, or those with `status`)."""
    stmt = select(OutboxEdit).order_by(OutboxEdit.seq)
    if status is not None:
        stmt = stmt.where(OutboxEdit.status == status)
    return list(session.scalars(stmt))


def get_edit(session: Session, edit_id: str) -> OutboxEdit:
    try:
        key = uuid.UUID(str(edit_id))
    except ValueError:
        raise InputError("edit_id", edit_id, "is not an edit id") from None
    return get_or_raise(
        session, select(OutboxEdit).where(OutboxEdit.edit_id == key), "edit", edit_id, "edit_id"
    )


def pending_keys(session: Session) -> set[tuple[str, str]]:
    """(entity_type, entity_id) of every row an unpushed edit touches."""
    stmt = select(OutboxEdit.entity_type, OutboxEdit.entity_id).distinct()
    return {(entity_type, entity_id) for entity_type, entity_id in session.execute(stmt)}


def mark_conflict(session: Session, seq: int, conflict: dict[str, Any]) -> None:
    session.execute(
        update(OutboxEdit)
        .where(OutboxEdit.seq == seq)
        .values(status=OutboxStatus.CONFLICT, conflict=conflict, force=False)
    )


def remove_edits(session: Session, seqs: Iterable[int]) -> None:
    """Drop edits the team database has applied (or the user gave up for theirs)."""
    session.execute(delete(OutboxEdit).where(OutboxEdit.seq.in_(list(seqs))))
