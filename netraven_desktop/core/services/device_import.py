"""Importing and exporting the device inventory, for every file format at once.

Every row is validated with the inventory's own rules before anything is written;
problems are collected (all of them, with where they are) and the import is refused as a
whole. The write is one transaction of Core bulk inserts: an ORM object and flush per
device would make 100,000 devices take minutes, not seconds. Each created or updated
device still gets its own audit event, chained in one batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..crud.devices import CLEANERS, insert_devices
from ..db.base import utcnow
from ..db.models import Credential, Device, Tag, device_tags
from ..errors import InputError
from ..importers import ImportRejected, ImportRow, RowProblem
from ..importers.common import COLUMNS
from ..platforms import one_registry
from ..validation import optional_text, validate_bool, validate_name
from . import audit
from .access import authorize
from .devices import AUDITED, check_unmasking
from .dual import dual
from .settings import get_setting

ON_CONFLICT = ("skip", "update", "fail")
CHUNK = 500  # bounded IN lists on every backend
# Yes/no columns -> device columns.
_BOOLEAN = {
    "enabled": "enabled",
    "legacy_ssh": "ssh_legacy_algorithms",
    "mask_secrets": "mask_secrets",
}
_DEFAULTS = {
    "port": 22,
    "description": None,
    "site": None,
    "role": None,
    "enabled": True,
    "credential_id": None,
    "ssh_legacy_algorithms": False,
    "connect_timeout": None,
    "collector_label": None,
    "last_backup_status": "never",
    "version": 1,
}


@dataclass(frozen=True, slots=True)
class PlannedRow:
    """What the import does with one row: `create`, `update` or `skip` (with why)."""

    where: str
    name: str
    action: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    dry_run: bool
    rows: list[PlannedRow]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def to_dict(self) -> dict[str, Any]:
        """The `device import --json` shape (docs/cli.md)."""
        return {
            "dry_run": self.dry_run,
            "created": self.count("create"),
            "updated": self.count("update"),
            "skipped": self.count("skip"),
            "rows": [
                {"where": r.where, "name": r.name, "action": r.action, "reason": r.reason}
                for r in self.rows
            ],
        }


@dataclass(slots=True)
class _Row:
    where: str
    fields: dict[str, Any]  # device columns, validated
    tags: list[str] | None
    credential: str | None
    defaulted: set[str]  # fields that only a created device takes (ImportRow.defaults)


@dual
def import_devices(
    session: Session,
    rows: Sequence[ImportRow],
    *,
    on_conflict: str = "fail",
    dry_run: bool = False,
    problems: Sequence[RowProblem] = (),
) -> ImportResult:
    """Validate every row, then create/update/skip them all in the caller's transaction.

    `problems` are the parser's own; with any problem at all, ImportRejected lists them
    and nothing is written. `dry_run` plans and writes nothing.
    """
    authorize(session, "read" if dry_run else "edit")
    if on_conflict not in ON_CONFLICT:
        raise InputError("--on-conflict", on_conflict, f"must be one of {', '.join(ON_CONFLICT)}")
    found = list(problems)
    with one_registry():
        cleaned = _validate(rows, found)
    _resolve_credentials(session, cleaned, found)
    existing = _existing(session, [row.fields["name"] for row in cleaned])
    plan, creates, updates = _plan(cleaned, existing, on_conflict, found)
    if found:
        raise ImportRejected(found)
    _check_unmasking(session, creates, updates)
    if not dry_run:
        _write(session, creates, updates)
    return ImportResult(dry_run, plan)


def _check_unmasking(
    session: Session, creates: list[_Row], updates: list[tuple[dict[str, Any], _Row]]
) -> None:
    """Rows turning secret masking off need an admin, as `device add/edit` do."""
    default = get_setting(session, "backup.mask_secrets")
    for row in creates:
        check_unmasking(session, default, row.fields.get("mask_secrets"))
    for current, row in updates:
        check_unmasking(session, current["mask_secrets"], row.fields.get("mask_secrets"))


def _validate(rows: Sequence[ImportRow], problems: list[RowProblem]) -> list[_Row]:
    """Each row's values cleaned by the inventory's own rules; every problem is kept."""
    cleaned: list[_Row] = []
    first_line: dict[str, str] = {}
    for row in rows:
        values = row.defaults | row.values
        fields: dict[str, Any] = {}
        tags: list[str] | None = [] if "tags" in values else None
        before = len(problems)
        for column, value in values.items():
            for item in value if column == "tags" else (value,):
                try:
                    clean = _clean(column, item)
                except InputError as exc:
                    problems.append(RowProblem(row.where, column, item, exc.problem))
                    continue
                if tags is not None and column == "tags":
                    tags.append(clean)
                else:
                    fields[_BOOLEAN.get(column, column)] = clean
        if "name" not in values:
            problems.append(RowProblem(row.where, "name", "", "must not be empty"))
        if len(problems) > before:
            continue
        key = fields["name"].lower()
        if key in first_line:
            problems.append(
                RowProblem(row.where, "name", fields["name"], f"repeats {first_line[key]}")
            )
            continue
        first_line[key] = row.where
        credential = fields.pop("credential", None)
        cleaned.append(
            _Row(row.where, fields, tags, credential, set(row.defaults) - set(row.values))
        )
    return cleaned


def _clean(column: str, value: Any) -> Any:
    """One value by the inventory's rules (a tag is checked one name at a time)."""
    if column == "tags":
        return validate_name(value, "tag")
    if column == "credential":
        return optional_text(str(value), "credential")
    if column in _BOOLEAN:
        return validate_bool(value, column)
    return CLEANERS[column](value)


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _resolve_credentials(session: Session, rows: list[_Row], problems: list[RowProblem]) -> None:
    """Credential names to ids (one query); an unknown one is a problem of its row."""
    names = {row.credential.lower() for row in rows if row.credential}
    ids = {
        name.lower(): credential_id
        for chunk in _chunks(sorted(names))
        for credential_id, name in session.execute(
            select(Credential.id, Credential.name).where(func.lower(Credential.name).in_(chunk))
        )
    }
    for row in rows:
        if row.credential:
            if row.credential.lower() in ids:
                row.fields["credential_id"] = ids[row.credential.lower()]
            else:
                problems.append(
                    RowProblem(
                        row.where, "credential", row.credential, "no credential by that name"
                    )
                )


def _existing(session: Session, names: list[str]) -> dict[str, dict[str, Any]]:
    """Live devices with these names (lower-cased), as their audited picture plus id."""
    # In the file's order, not sorted: a sort of 100,000 names is one C call that holds the
    # GIL for ~40 ms, and the window's thread waits that long when this runs in a worker.
    wanted = list({name.lower(): None for name in names})
    columns = [getattr(Device, c) for c in AUDITED if c != "tags"]
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(wanted):
        stmt = select(Device.id, *columns).where(
            Device.deleted_at.is_(None), func.lower(Device.name).in_(chunk)
        )
        for row in session.execute(stmt).mappings():
            found[row["name"].lower()] = dict(row) | {"tags": []}
    by_id = {device["id"]: device for device in found.values()}
    for chunk in _chunks(list(by_id)):
        stmt = (
            select(device_tags.c.device_id, Tag.name)
            .join(Tag, Tag.id == device_tags.c.tag_id)
            .where(device_tags.c.device_id.in_(chunk))
        )
        for device_id, tag in session.execute(stmt):
            by_id[device_id]["tags"].append(tag)
    return found


def _picture(device: dict[str, Any]) -> dict[str, Any]:
    """`audit.state` of a device held as plain values."""
    picture = {field: device[field] for field in AUDITED}
    if picture["credential_id"] is not None:
        picture["credential_id"] = str(picture["credential_id"])
    picture["tags"] = sorted(picture["tags"])
    return picture


def _plan(
    rows: list[_Row],
    existing: dict[str, dict[str, Any]],
    on_conflict: str,
    problems: list[RowProblem],
) -> tuple[list[PlannedRow], list[_Row], list[tuple[dict[str, Any], _Row]]]:
    plan, creates, updates = [], [], []
    for row in rows:
        name = row.fields["name"]
        current = existing.get(name.lower())
        if current is None:
            missing = [c for c in ("host", "platform") if c not in row.fields]
            for column in missing:
                problems.append(RowProblem(row.where, column, "", "required for a new device"))
            if not missing:
                plan.append(PlannedRow(row.where, name, "create"))
                creates.append(row)
        elif on_conflict == "fail":
            problems.append(
                RowProblem(
                    row.where,
                    "name",
                    name,
                    "a device with this name exists (--on-conflict skip or update)",
                )
            )
        elif on_conflict == "skip":
            plan.append(PlannedRow(row.where, name, "skip", "exists"))
        else:
            row.fields = {k: v for k, v in row.fields.items() if k not in row.defaulted}
            before = _picture(current)
            after = before | _changes(row)
            if after == before:
                plan.append(PlannedRow(row.where, name, "skip", "unchanged"))
            else:
                plan.append(PlannedRow(row.where, name, "update"))
                updates.append((current, row))
    return plan, creates, updates


def _changes(row: _Row) -> dict[str, Any]:
    """The audited picture of what a row sets."""
    changes = dict(row.fields)
    if changes.get("credential_id") is not None:
        changes["credential_id"] = str(changes["credential_id"])
    if row.tags is not None:
        changes["tags"] = _distinct(row.tags)
    return changes


def _distinct(tags: list[str]) -> list[str]:
    """Tag names once each (names compare case-insensitively), sorted like `audit.state`."""
    return sorted({t.lower(): t for t in tags}.values())


def _write(
    session: Session, creates: list[_Row], updates: list[tuple[dict[str, Any], _Row]]
) -> None:
    now = utcnow()
    template = _DEFAULTS | {
        "mask_secrets": get_setting(session, "backup.mask_secrets"),
        "created_at": now,
        "updated_at": now,
    }
    new = [template | row.fields | {"id": uuid.uuid4()} for row in creates]
    if new:
        insert_devices(session, new)
    events = [
        {
            "action": "device.create",
            "entity_type": "device",
            "entity_id": str(device["id"]),
            "before": None,
            "after": _picture(device | {"tags": _distinct(row.tags or [])}),
        }
        for device, row in zip(new, creates, strict=True)
    ]
    for current, row in updates:
        before = _picture(current)
        after = before | _changes(row)
        changed = [key for key in before if before[key] != after[key]]
        events.append(
            {
                "action": "device.update",
                "entity_type": "device",
                "entity_id": str(current["id"]),
                "before": {key: before[key] for key in changed},
                "after": {key: after[key] for key in changed},
            }
        )
    _update_devices(session, updates, now)
    retagged = [(current["id"], row.tags) for current, row in updates if row.tags is not None]
    for chunk in _chunks([device_id for device_id, _ in retagged]):
        session.execute(delete(device_tags).where(device_tags.c.device_id.in_(chunk)))
    tagged = [(device["id"], row.tags) for device, row in zip(new, creates, strict=True)]
    _link_tags(session, [(i, tags) for i, tags in tagged + retagged if tags], now)
    audit.record_many(session, events)


def _update_devices(session: Session, updates: list[tuple[dict[str, Any], _Row]], now: Any) -> None:
    """One executemany per set of columns given (a file's rows usually share one)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for current, row in updates:
        columns = tuple(sorted(row.fields))
        groups.setdefault(columns, []).append({"_id": current["id"], **row.fields})
    for columns, params in groups.items():
        stmt = (
            update(Device.__table__)
            .where(Device.__table__.c.id == bindparam("_id"))
            .values(
                {c: bindparam(c) for c in columns}
                | {"version": Device.__table__.c.version + 1, "updated_at": now}
            )
        )
        session.execute(stmt, params)


def _link_tags(session: Session, tagged: list[tuple[uuid.UUID, list[str]]], now: Any) -> None:
    """Link devices (with no links yet) to tags, creating missing tags with bulk inserts."""
    wanted: dict[str, str] = {}
    for _, tags in tagged:
        for tag in tags:
            wanted.setdefault(tag.lower(), tag)
    ids: dict[str, uuid.UUID] = {}
    for chunk in _chunks(sorted(wanted)):
        stmt = select(Tag.id, Tag.name).where(func.lower(Tag.name).in_(chunk))
        ids |= {name.lower(): tag_id for tag_id, name in session.execute(stmt)}
    missing = [
        {"id": uuid.uuid4(), "name": name, "created_at": now, "updated_at": now, "version": 1}
        for key, name in wanted.items()
        if key not in ids
    ]
    if missing:
        session.execute(insert(Tag.__table__), missing)
        ids |= {tag["name"].lower(): tag["id"] for tag in missing}
    links = [
        {"device_id": device_id, "tag_id": tag_id}
        for device_id, tags in tagged
        for tag_id in {ids[t.lower()] for t in tags}
    ]
    if links:
        session.execute(insert(device_tags), links)


@dual
def export_devices(session: Session) -> list[dict[str, Any]]:
    """Every live device under the import's column names, sorted by name.

    The credential appears by name only: no secret exists in the database to export.
    """
    authorize(session, "read")
    source = {"credential": Credential.name, "legacy_ssh": Device.ssh_legacy_algorithms}
    columns = [(source.get(c) or getattr(Device, c)).label(c) for c in COLUMNS if c != "tags"]
    stmt = (
        select(Device.id, *columns)
        .outerjoin(Credential, Credential.id == Device.credential_id)
        .where(Device.deleted_at.is_(None))
        .order_by(func.lower(Device.name))
    )
    tags: dict[uuid.UUID, list[str]] = {}
    tag_stmt = (
        select(device_tags.c.device_id, Tag.name)
        .join(Tag, Tag.id == device_tags.c.tag_id)
        .order_by(func.lower(Tag.name))
    )
    for device_id, name in session.execute(tag_stmt):
        tags.setdefault(device_id, []).append(name)
    return [
        {c: tags.get(row["id"], []) if c == "tags" else row[c] for c in COLUMNS}
        for row in session.execute(stmt).mappings()
    ]
