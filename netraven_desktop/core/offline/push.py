"""`push`: replay the replica's outbox on the team database, in order, exactly once.

Each edit is one team transaction that checks it again with the services' rules, as
the user connected now (the outbox's `actor` and `occurred_at` are plain fields of a file
on the laptop: anyone can edit them), applies it, audits it under that user (the offline
time kept as a claim next to the server's own), and records the edit's id in
`applied_edits`; a push killed at any point and run again skips what the team already
has. An edit the rules or the user's role refuse becomes a conflict, as does one that
meets a newer server change; the rest of the push goes on. An edit whose base
is stale merges when the server changed other fields than it did, and becomes a
conflict (base / mine / theirs per field) when both changed the same field to different
values, or when a delete meets an edit. Later edits of a row in conflict wait behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..crud import configs, outbox
from ..crud import credentials as credential_rows
from ..crud import devices as device_rows
from ..crud import tags as tag_rows
from ..crud.common import flush
from ..db import Database
from ..db.base import UTCDateTime
from ..db.models import (
    AppliedEdit,
    ConfigBlob,
    ConfigSnapshot,
    Credential,
    Device,
    EditOperation,
    JobRun,
    JobRunResult,
    OutboxEdit,
    OutboxStatus,
    ResultStatus,
    Tag,
)
from ..errors import ConflictError, InputError, PermissionDeniedError
from ..services import audit, settings
from ..services.access import authorize
from ..services.devices import check_unmasking
from .checks import Clash, check_kind, refused_fields, valid_fields

# The role an edit needs on the team database, by entity (as the services demand).
PERMISSION = {
    "device": "edit",
    "tag": "edit",
    "credential": "admin",
    "setting": "admin",
    "snapshot": "backup",
}
CHOICES = ("mine", "theirs")


@dataclass(frozen=True)
class Conflict:
    """An edit the team database could not take as it is; the user picks what wins.

    `fields` maps each contested field to {"base", "mine", "theirs"}; a delete meeting
    an edit has the row's state in `fields` and says so in `reason`; an edit refused as
    invalid has each refused field there, "theirs" empty. `actor` is who queued it on
    this laptop, as the outbox says: a label, never what the audit records.
    """

    edit_id: str
    action: str
    entity_type: str
    entity_id: str
    actor: str
    occurred_at: datetime
    reason: str
    fields: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (docs/cli.md)."""
        return {
            "edit_id": self.edit_id,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "actor": self.actor,
            "occurred_at": self.occurred_at.isoformat(),
            "reason": self.reason,
            "fields": self.fields,
        }


@dataclass
class PushReport:
    pushed: int = 0  # applied as they were
    merged: int = 0  # stale base, other fields changed on the server: merged
    uploaded: int = 0  # offline backups
    held: int = 0  # waiting behind a conflict on the same row
    conflicts: list[Conflict] = field(default_factory=list)


def push(replica: Database, team: Database) -> PushReport:
    """Replay every queued edit in order; conflicts stay in the outbox, marked.

    Raises PermissionDeniedError, before anything moves, when a team database in team
    mode has nobody signed in: that is no reason to mark every edit refused.
    """
    report = PushReport()
    with team.read_session() as session:
        authorize(session, "read")
    with replica.read_session() as session:
        edits = outbox.list_edits(session)
    waiting = {(e.entity_type, e.entity_id) for e in edits if e.status == OutboxStatus.CONFLICT}
    # Row -> (its version in the replica after the last pushed edit, on the team after
    # it): the next edit of the row, based on the former, is based on the latter.
    rebased: dict[tuple[str, str], tuple[int, int]] = {}
    for edit in edits:
        if edit.status == OutboxStatus.CONFLICT:
            continue
        key = (edit.entity_type, edit.entity_id)
        if key in waiting:
            report.held += 1
            continue
        local, team_version = rebased.get(key, (None, None))
        base = team_version if local == edit.base_version else edit.base_version
        try:
            check_kind(edit)
            payload = _upload_payload(replica, edit) if edit.entity_type == "snapshot" else None
            outcome, version = _replay(team, edit, base, payload)
        except Clash as clash:
            conflict = {"reason": clash.reason, "fields": clash.fields}
            with replica.session() as session:
                outbox.mark_conflict(session, edit.seq, conflict)
            report.conflicts.append(_conflict(edit, conflict))
            waiting.add(key)
            continue
        _forget(replica, edit)
        if version is not None:
            rebased[key] = ((edit.base_version or 0) + 1, version)
        if outcome == "merged":
            report.merged += 1
        elif outcome == "uploaded":
            report.uploaded += 1
        elif outcome == "pushed":
            report.pushed += 1
    return report


def _forget(replica: Database, edit: OutboxEdit) -> None:
    """The team has the edit: drop it from the outbox (a crash before this is harmless)."""
    with replica.session() as session:
        outbox.remove_edits(session, [edit.seq])


def _replay(
    team: Database, edit: OutboxEdit, base: int | None, payload: dict[str, Any] | None
) -> tuple[str, int | None]:
    """Apply one edit in one team transaction; returns how it went and the row's version
    after it (None when the row is gone or has none), or raises Clash."""
    with team.session() as session:
        if session.get(AppliedEdit, edit.edit_id) is not None:
            return "already", None
        try:
            with session.begin_nested():
                authorize(session, PERMISSION[edit.entity_type])
                outcome = REPLAY[edit.entity_type](session, edit, base, payload)
        except PermissionDeniedError as exc:
            raise Clash(f"not allowed: {exc}") from None
        except (InputError, ConflictError) as exc:
            fields = refused_fields(edit, {exc.field: exc}) if isinstance(exc, InputError) else {}
            raise Clash(f"the team database refused it: {exc}", fields) from None
        except (IntegrityError, DataError) as exc:
            reason = str(exc.orig).splitlines()[0]
            raise Clash(f"the team database refused it: {reason}") from None
        session.add(AppliedEdit(edit_id=edit.edit_id))
        row = _row(session, edit) if edit.entity_type in UPDATERS else None
        return outcome, row.version if row is not None else None


# --- per entity ------------------------------------------------------------------------

UPDATERS: dict[str, Callable[..., Any]] = {
    "device": device_rows.update_device,
    "tag": tag_rows.update_tag,
    "credential": credential_rows.update_credential,
}
DELETERS: dict[str, Callable[..., Any]] = {
    "device.trash": device_rows.trash_device,
    "device.delete": device_rows.delete_device,
    "tag.delete": tag_rows.delete_tag,
    "credential.delete": credential_rows.delete_credential,
}


def _columns(session: Session, model: type[Any], fields: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to column values (ids, times) and tag names back to tags."""
    table = model.__table__
    values = {}
    for name, value in fields.items():
        if name == "tags":
            values[name] = tag_rows.ensure_tags(session, value)
        elif value is not None and isinstance(table.c[name].type, Uuid):
            values[name] = uuid.UUID(value)
        elif value is not None and isinstance(table.c[name].type, UTCDateTime):
            values[name] = datetime.fromisoformat(value)
        else:
            values[name] = value
    return values


def _audit(session: Session, edit: OutboxEdit, before: Any, after: Any) -> None:
    """Audit under the unit of work's user; the offline time is only a claim (on
    PostgreSQL `claimed_at`, next to the server's clock)."""
    audit.record(
        session,
        edit.action,
        edit.entity_type,
        edit.entity_id,
        before=before,
        after=after,
        occurred_at=edit.occurred_at,
    )


def _row(session: Session, edit: OutboxEdit) -> Any:
    """The edited row as the team has it now (trashed or not), with its tags."""
    model = outbox.SYNCED[edit.entity_type]
    stmt = select(model).where(model.id == uuid.UUID(edit.entity_id))
    if "tags" in model.__mapper__.relationships:
        stmt = stmt.options(selectinload(model.tags))
    return session.scalars(stmt).first()


def _replay_row(session: Session, edit: OutboxEdit, base: int | None, _payload: object) -> str:
    if edit.operation == EditOperation.CREATE:
        return _create(session, edit)
    row = _row(session, edit)
    if edit.operation == EditOperation.UPDATE:
        return _update(session, edit, base, row)
    if edit.operation == EditOperation.DELETE:
        return _delete(session, edit, base, row)
    return _restore(session, edit, row)


def _create(session: Session, edit: OutboxEdit) -> str:
    model = outbox.SYNCED[edit.entity_type]
    fields = valid_fields(edit, edit.after or {})
    if model is Device:
        default = settings.get_setting(session, "backup.mask_secrets")
        check_unmasking(session, default, fields.get("mask_secrets"))
    row = model(**_columns(session, model, fields))
    session.add(row)
    flush(session, edit.entity_type, fields.get("name"))
    _audit(session, edit, None, fields)
    return "pushed"


def _sides(
    names: Any, base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """What a conflict shows per field: the value before, the user's, the server's."""
    return {
        name: {"base": base.get(name), "mine": mine.get(name), "theirs": theirs.get(name)}
        for name in names
    }


def _contested(
    base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Fields the server changed since the base to something else than this edit did."""
    names = [n for n in mine if theirs[n] != base.get(n) and theirs[n] != mine[n]]
    return _sides(names, base, mine, theirs)


def _update(session: Session, edit: OutboxEdit, base: int | None, row: Any) -> str:
    if row is None:
        raise Clash("deleted on the server after you edited it offline")
    mine = valid_fields(edit, edit.after or {})
    theirs = audit.state(row, tuple(mine))
    if getattr(row, "deleted_at", None) is not None:
        if not edit.force:
            raise Clash(
                "moved to the trash on the server after you edited it offline",
                _sides(mine, edit.before or {}, mine, theirs),
            )
        device_rows.restore_device(session, row.id)
    contested = _contested(edit.before or {}, mine, theirs)
    if contested and not edit.force:
        raise Clash("changed on the server too", contested)
    changes = {name: value for name, value in mine.items() if theirs[name] != value}
    if isinstance(row, Device):
        check_unmasking(session, row.mask_secrets, changes.get("mask_secrets"))
    stale = base is not None and row.version != base
    if changes:
        model = outbox.SYNCED[edit.entity_type]
        UPDATERS[edit.entity_type](session, row.id, None, **_columns(session, model, changes))
        _audit(session, edit, {k: theirs[k] for k in changes}, changes)
    return "merged" if stale else "pushed"


def _delete(session: Session, edit: OutboxEdit, base: int | None, row: Any) -> str:
    if row is None or (edit.action == "device.trash" and row.deleted_at is not None):
        return "pushed"  # already gone on the server too
    if base is not None and row.version != base and not edit.force:
        before = edit.before or {}
        raise Clash(
            "edited on the server after you deleted it offline",
            _sides(before, before, {}, audit.state(row, tuple(before))),
        )
    DELETERS[edit.action](session, row.id)
    _audit(session, edit, edit.before, None)
    return "pushed"


def _restore(session: Session, edit: OutboxEdit, row: Any) -> str:
    if row is None:
        raise Clash("deleted for good on the server; it cannot be restored")
    if row.deleted_at is not None:
        device_rows.restore_device(session, row.id)
        _audit(session, edit, None, edit.after)
    return "pushed"


def _replay_setting(session: Session, edit: OutboxEdit, _base: object, _payload: object) -> str:
    base, mine = (edit.before or {}).get("value"), (edit.after or {}).get("value")
    theirs = settings.get_setting(session, edit.entity_id)
    if theirs not in (base, mine) and not edit.force:
        raise Clash(
            "changed on the server too", {"value": {"base": base, "mine": mine, "theirs": theirs}}
        )
    if theirs != mine:
        settings.store_value(session, edit.entity_id, settings.spec_for(edit.entity_id).parse(mine))
        _audit(session, edit, {"value": theirs}, {"value": mine})
    return "pushed" if theirs == base else "merged"


def _upload_payload(replica: Database, edit: OutboxEdit) -> dict[str, Any] | None:
    """What an offline backup uploads, read from the replica: None if retention there
    removed the snapshot before it could travel."""
    snapshot_id = uuid.UUID(edit.entity_id)
    with replica.read_session() as session:
        snapshot = session.get(ConfigSnapshot, snapshot_id)
        if snapshot is None:
            return None
        blob = session.get(ConfigBlob, snapshot.blob_sha256)
        run = session.get(JobRun, snapshot.job_run_id) if snapshot.job_run_id else None
        results = session.scalars(
            select(JobRunResult).where(JobRunResult.snapshot_id == snapshot_id)
        ).all()
        return {
            "snapshot": _plain(snapshot),
            "text": configs.blob_text(blob) if blob else None,
            "run": _plain(run) if run else None,
            "results": [_plain(result) for result in results],
        }


def _plain(row: Any) -> dict[str, Any]:
    return {column.name: getattr(row, column.key) for column in row.__table__.columns}


def _replay_snapshot(
    session: Session, edit: OutboxEdit, _base: object, payload: dict[str, Any] | None
) -> str:
    """Upload a backup taken offline: its blob (stored once by hash), its run, the
    snapshot and its result rows, under the ids they have in the replica."""
    if payload is None or payload["text"] is None:
        return "uploaded"  # pruned locally before it could travel: nothing to send
    snapshot = payload["snapshot"]
    device = session.get(Device, snapshot["device_id"])
    if device is None:
        raise Clash("the device was deleted on the server; the offline backup has no home")
    configs.put_blob(session, payload["text"])
    if payload["run"] is not None and session.get(JobRun, payload["run"]["id"]) is None:
        session.add(JobRun(**payload["run"]))
        session.flush()
    if session.get(ConfigSnapshot, snapshot["id"]) is None:
        session.add(ConfigSnapshot(**snapshot))
        session.flush()
    for result in payload["results"]:
        if session.get(JobRunResult, result["id"]) is None:
            session.add(JobRunResult(**result))
    session.flush()
    if device.last_backup_at is None or device.last_backup_at < snapshot["captured_at"]:
        device_rows.record_backup_state(
            session,
            device.id,
            last_backup_status=ResultStatus.CHANGED,
            last_backup_at=snapshot["captured_at"],
        )
    return "uploaded"


REPLAY: dict[str, Callable[[Session, OutboxEdit, int | None, Any], str]] = {
    "device": _replay_row,
    "tag": _replay_row,
    "credential": _replay_row,
    "setting": _replay_setting,
    "snapshot": _replay_snapshot,
}


# --- conflicts -----------------------------------------------------------------------


def _conflict(edit: OutboxEdit, conflict: dict[str, Any]) -> Conflict:
    return Conflict(
        edit_id=str(edit.edit_id),
        action=edit.action,
        entity_type=edit.entity_type,
        entity_id=edit.entity_id,
        actor=edit.actor,
        occurred_at=edit.occurred_at,
        reason=conflict["reason"],
        fields=conflict["fields"],
    )


def conflicts(replica: Database) -> list[Conflict]:
    """The edits waiting for the user's choice, oldest first."""
    with replica.read_session() as session:
        return [
            _conflict(edit, edit.conflict or {"reason": "", "fields": {}})
            for edit in outbox.list_edits(session, status=OutboxStatus.CONFLICT)
        ]


# The entities whose rows have a name to show a conflict by.
NAMED: dict[str, type[Device | Tag | Credential]] = {
    "device": Device,
    "tag": Tag,
    "credential": Credential,
}


def conflict_labels(replica: Database, found: list[Conflict]) -> dict[str, str]:
    """A readable name for each conflict's row ("device core-sw1"), by edit id; the
    entity's id when its row has no name or is gone."""
    labels = {}
    with replica.read_session() as session:
        for conflict in found:
            model = NAMED.get(conflict.entity_type)
            row = session.get(model, _entity_id(conflict.entity_id)) if model else None
            name = row.name if row is not None else conflict.entity_id
            labels[conflict.edit_id] = f"{conflict.entity_type} {name}"
    return labels


def _entity_id(entity_id: str) -> uuid.UUID | str:
    try:
        return uuid.UUID(entity_id)
    except ValueError:
        return entity_id


def resolve(replica: Database, edit_id: str, choice: str | dict[str, Any]) -> None:
    """Settle a conflict: "theirs" drops the edit (the server's state stays), "mine"
    applies it over the server's on the next push, {field: value} applies those values.
    """
    with replica.session() as session:
        edit = outbox.get_edit(session, edit_id)
        if edit.status != "conflict":
            raise InputError("edit_id", edit_id, "is not in conflict")
        if choice == "theirs":
            outbox.remove_edits(session, [edit.seq])
            return
        if isinstance(choice, dict):
            unknown = set(choice) - set(edit.after or {})
            if unknown or not choice:
                bad = sorted(unknown)[0] if unknown else ""
                raise InputError("choice", bad, "names no field of this edit")
            edit.after = {**(edit.after or {}), **choice}
        elif choice != "mine":
            raise InputError("choice", choice, "must be 'mine', 'theirs' or {field: value}")
        edit.status, edit.conflict, edit.force = OutboxStatus.QUEUED, None, True
