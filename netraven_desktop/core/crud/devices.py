"""Devices: create, get, list with filters, versioned update, trash and restore, purge."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import QueryableAttribute, Session, selectinload

from ..db.base import utcnow
from ..db.models import BACKUP_STATUSES, Device, Tag, device_tags
from ..errors import InputError, NotFoundError
from ..platforms import validate_platform
from ..validation import (
    optional_text,
    validate_host,
    validate_int_range,
    validate_label,
    validate_name,
    validate_port,
)
from . import deferred
from .common import (
    NamedRows,
    apply_changes,
    check_page,
    contains_ci,
    delete_row,
    name_equals,
    paginate,
    sort_key,
)

ENTITY = "device"
EDITABLE = (
    "name",
    "host",
    "port",
    "platform",
    "description",
    "site",
    "role",
    "vendor",
    "model",
    "serial",
    "os_version",
    "enabled",
    "credential_id",
    "last_credential_id",
    "ssh_legacy_algorithms",
    "connect_timeout",
    "mask_secrets",
    "collector_label",
    "last_backup_status",
    "last_backup_at",
    "tags",
)
SORTABLE = {
    "name": func.lower(Device.name),
    "host": Device.host,
    "platform": Device.platform,
    "site": Device.site,
    "role": Device.role,
    "last_backup_at": Device.last_backup_at,
    "last_backup_status": Device.last_backup_status,
    "created_at": Device.created_at,
    "updated_at": Device.updated_at,
}
# What the search box looks in: a substring of any of these, ignoring case.
SEARCHED = (Device.name, Device.host, Device.site, Device.role, Device.description)
# From this many rows an insert indexes them in one statement (`insert_devices`).
BULK_INDEX_ROWS = 200
# A trigram index cannot look up anything shorter: such searches scan the live devices.
MIN_INDEXED = 3
# PostgreSQL's searched text of a device, as migration 0007 indexes it (the same
# expression, or the planner will not match it): the columns joined by U+001F.
SEPARATOR = "\x1f"
SEARCH_DOCUMENT = literal_column(
    "(devices.name || E'\\x1f' || devices.host || E'\\x1f' || coalesce(devices.site, '') "
    "|| E'\\x1f' || coalesce(devices.role, '') || E'\\x1f' || coalesce(devices.description, ''))"
)


# How each person-edited device field is validated and normalised.
CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": validate_name,
    "host": validate_host,
    "port": validate_port,
    "platform": validate_platform,
    "description": lambda v: optional_text(v, "description", 4000),
    "site": lambda v: optional_text(v, "site", 128),
    "role": lambda v: optional_text(v, "role", 128),
    "collector_label": validate_label,
    "connect_timeout": lambda v: (
        None if v is None else validate_int_range(v, "connect_timeout", 1, 600)
    ),
}


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise whichever device fields are present."""
    cleaned = {k: CLEANERS[k](v) if k in CLEANERS else v for k, v in fields.items()}
    status = cleaned.get("last_backup_status")
    if status is not None and status not in BACKUP_STATUSES:
        raise InputError("last_backup_status", status, f"must be one of {BACKUP_STATUSES}")
    return cleaned


_ROWS = NamedRows(
    Device,
    ENTITY,
    editable=EDITABLE,
    clean=clean_fields,
    options=(selectinload(Device.tags), selectinload(Device.credential)),
    live=Device.deleted_at.is_(None),
)


def create_device(
    session: Session,
    *,
    name: str,
    host: str,
    platform: str,
    tags: list[Tag] | None = None,
    **fields: Any,
) -> Device:
    """Add a device; `fields` are any other editable columns."""
    return _ROWS.create(
        session, name=name, host=host, platform=platform, tags=list(tags or []), **fields
    )


def insert_devices(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many device rows in one executemany (an import), already validated.

    On SQLite the search index's row trigger costs about 100 us a device, eight times an
    index of the same rows in one statement; so a large insert drops the trigger, indexes
    the new rows at once and puts the trigger back, all in the caller's transaction (a
    failure rolls the trigger back too, and the write lock keeps other writers out).
    """
    table = Device.__table__
    if session.get_bind().dialect.name != "sqlite" or len(rows) < BULK_INDEX_ROWS:
        session.execute(insert(table), rows)
        return
    trigger = session.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": "device_search_insert"},
    ).scalar_one()
    before = session.execute(text("SELECT coalesce(max(rowid), 0) FROM devices")).scalar_one()
    columns = ", ".join(column.key for column in SEARCHED)
    session.execute(text("DROP TRIGGER device_search_insert"))
    session.execute(insert(table), rows)
    session.execute(
        text(
            f"INSERT INTO device_search (rowid, {columns}) "
            f"SELECT rowid, {columns} FROM devices WHERE rowid > :before"
        ),
        {"before": before},
    )
    session.execute(text(trigger))


def get_device(session: Session, device_id: uuid.UUID) -> Device:
    """A live device (not in the trash)."""
    return _ROWS.get(session, device_id)


def get_device_by_name(session: Session, name: str) -> Device:
    return _ROWS.get_by_name(session, name)


class DeviceFilters(TypedDict, total=False):
    """Filters for `list_devices` and `count_devices`; every given one must match."""

    tag: str | None
    platform: str | None
    site: str | None
    status: str | None
    enabled: bool | None
    search: str | None


def _filtered(stmt: Select[Any], filters: DeviceFilters, dialect: str) -> Select[Any]:
    unknown = set(filters) - set(DeviceFilters.__annotations__)
    if unknown:
        raise TypeError(f"not a device filter: {', '.join(sorted(unknown))}")
    tag, platform, site, status, enabled, search = (
        filters.get(key) for key in ("tag", "platform", "site", "status", "enabled", "search")
    )
    if tag:
        stmt = stmt.where(Device.tags.any(name_equals(Tag.name, tag)))
    if platform:
        stmt = stmt.where(Device.platform == platform.strip().lower())
    if site:
        stmt = stmt.where(name_equals(Device.site, site))
    if status:
        stmt = stmt.where(Device.last_backup_status == status)
    if enabled is not None:
        stmt = stmt.where(Device.enabled.is_(enabled))
    if search and search.strip():
        stmt = stmt.where(_search(search.strip(), dialect))
    return stmt


def _search(search: str, dialect: str) -> ColumnElement[bool]:
    """`search` is a substring of a searched column, ignoring case, served by an index.

    The trigram index (migration 0007) narrows and the per-column LIKE decides, so the
    rows found are those the plain search found. PostgreSQL: ILIKE on the joined text,
    which the pg_trgm GIN index serves. SQLite: the FTS5 trigram table, which folds all of
    Unicode's case where SQLite's LIKE folds only ASCII's.
    """
    like = or_(*(contains_ci(column, search) for column in SEARCHED))
    if len(search) < MIN_INDEXED:
        return like
    if dialect != "sqlite":
        if SEPARATOR in search:
            return like
        return and_(contains_ci(SEARCH_DOCUMENT, search), like)
    phrase = text("device_search MATCH :device_phrase").bindparams(
        device_phrase='"' + search.replace('"', '""') + '"'
    )
    candidates = select(literal_column("rowid")).select_from(text("device_search")).where(phrase)
    return and_(literal_column("devices.rowid").in_(candidates), like)


def _page(
    stmt: Select[Any],
    filters: DeviceFilters,
    sort: str,
    descending: bool,
    limit: int | None,
    offset: int,
    dialect: str,
) -> Select[Any]:
    """`stmt` filtered, sorted and cut to one page, in the order `list_device_rows` gives:
    the key (empty ones last), then the id in the key's direction."""
    return paginate(
        _filtered(stmt, filters, dialect),
        sort=sort,
        sortable=SORTABLE,
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=Device.id.desc() if descending else Device.id,
    )


def list_devices(
    session: Session,
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
    **filters: Unpack[DeviceFilters],
) -> list[Device]:
    """Live (not trashed) devices matching every given filter, sorted and paged."""
    dialect = session.get_bind().dialect.name
    stmt = _page(_ROWS.select(), filters, sort, descending, limit, offset, dialect)
    return list(session.scalars(stmt))


def count_devices(session: Session, **filters: Unpack[DeviceFilters]) -> int:
    stmt = select(func.count()).select_from(Device).where(Device.deleted_at.is_(None))
    return session.scalar(_filtered(stmt, filters, session.get_bind().dialect.name)) or 0


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """One line of the device table: plain values, no ORM state.

    A table that may hold 100,000 rows cannot afford an ORM object (and its identity-map
    entry and relationship loads) per row; this is a tenth of the memory and time.
    """

    id: uuid.UUID
    name: str
    host: str
    port: int
    platform: str
    site: str | None
    role: str | None
    description: str | None
    enabled: bool
    last_backup_status: str
    last_backup_at: datetime | None
    version: int
    tags: tuple[str, ...]


_ROW_COLUMNS = (
    Device.id,
    Device.name,
    Device.host,
    Device.port,
    Device.platform,
    Device.site,
    Device.role,
    Device.description,
    Device.enabled,
    Device.last_backup_status,
    Device.last_backup_at,
    Device.version,
)


def list_device_rows(
    session: Session,
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    after: uuid.UUID | None = None,
    offset: int = 0,
    **filters: Unpack[DeviceFilters],
) -> list[DeviceRow]:
    """`list_devices` as plain rows, in the same order: one query for the page (two where
    it reaches the devices with an empty sort key), one for its tags.

    `after` (a device id) continues a listing after that device: a keyset query, which an
    index on (key, id) serves from the anchor on, so a page 100,000 rows deep costs what
    the first one does. An anchor deleted for good meanwhile ends the listing.
    `offset` instead skips that many rows, for a page reached without the one before it
    (the table's scrollbar dragged to the end): the database walks the same index to get
    there, without reading the skipped rows.
    """
    key = sort_key(sort, SORTABLE)
    check_page(limit, offset)
    if after is not None and offset:
        raise InputError("offset", offset, "cannot be given with after")
    anchor: Row[Any] | None = None
    if after is not None:
        anchor = session.execute(select(key, Device.id).where(Device.id == after)).first()
        if anchor is None:
            return []
    live = select(*_ROW_COLUMNS).where(Device.deleted_at.is_(None))
    live = _filtered(live, filters, session.get_bind().dialect.name)
    nullable = bool(getattr(key, "nullable", False))
    keyed = live.where(key.is_not(None)) if nullable else live
    skip_empty = 0  # rows with an empty key to skip: the offset past the keyed ones
    if offset and nullable:
        counted = select(func.count()).select_from(keyed.subquery())
        skip_empty = max(offset - (session.scalar(counted) or 0), 0)
    page: list[Row[Any]] = []
    if (anchor is None or anchor[0] is not None) and not skip_empty:
        if anchor is not None:
            keyed = keyed.where(*_beyond(key, anchor, descending))
        ordered = _ordered(keyed, (key, Device.id), descending, limit).offset(offset or None)
        page = list(session.execute(ordered))
    if nullable and (limit is None or len(page) < limit):
        empty = live.where(key.is_(None))
        if anchor is not None and anchor[0] is None:
            empty = empty.where(Device.id < anchor[1] if descending else Device.id > anchor[1])
        rest = None if limit is None else limit - len(page)
        ordered = _ordered(empty, (Device.id,), descending, rest).offset(skip_empty or None)
        page += session.execute(ordered)
    tags = _tag_names(session, [row.id for row in page])
    return [DeviceRow(*row, tags=tuple(tags.get(row.id, ()))) for row in page]


def _ordered(
    stmt: Select[Any], keys: tuple[Any, ...], descending: bool, limit: int | None
) -> Select[Any]:
    """`stmt` in the order of `keys`, all one way, as a (key, id) index is read."""
    return stmt.order_by(*(k.desc() if descending else k for k in keys)).limit(limit)


def _beyond(key: Any, anchor: Row[Any], descending: bool) -> list[ColumnElement[bool]]:
    """Rows past `anchor` (its key, not empty, and id) in the order `_ordered` gives.

    A row-value comparison, which an index on (key, id) serves as one range. SQLite
    reads an expression index (`lower(name)`) only for a plain comparison of the key,
    so that one is added as well; such keys are unique, so it narrows just as tightly.
    """
    value, anchor_id = anchor
    pair, bound = tuple_(key, Device.id), tuple_(value, anchor_id)
    conditions = [pair < bound if descending else pair > bound]
    if not isinstance(key, QueryableAttribute):
        conditions.append(key <= value if descending else key >= value)
    return conditions


def _tag_names(session: Session, device_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    if not device_ids:
        return {}
    stmt = (
        select(device_tags.c.device_id, Tag.name)
        .join(Tag, Tag.id == device_tags.c.tag_id)
        .where(device_tags.c.device_id.in_(device_ids))
        .order_by(func.lower(Tag.name))
    )
    names: dict[uuid.UUID, list[str]] = {}
    for device_id, name in session.execute(stmt):
        names.setdefault(device_id, []).append(name)
    return names


@dataclass(frozen=True, slots=True)
class DeviceFacets:
    """The values the live inventory actually holds, to offer as filter choices."""

    platforms: list[str]
    sites: list[str]
    tags: list[str]


def device_facets(session: Session) -> DeviceFacets:
    """Distinct platforms, sites and tags of live devices, sorted case-insensitively."""
    live = Device.deleted_at.is_(None)
    tagged = select(device_tags.c.tag_id).join(Device).where(live)
    queries = (
        select(Device.platform).where(live).distinct(),
        select(Device.site).where(live, Device.site.is_not(None)).distinct(),
        select(Tag.name).where(Tag.id.in_(tagged)),
    )
    platforms, sites, tags = (sorted(session.scalars(q), key=str.lower) for q in queries)
    return DeviceFacets(platforms, sites, tags)


def get_devices_by_names(session: Session, names: Iterable[str]) -> list[Device]:
    """Live devices by name (case-insensitive), in the order asked; one unknown raises."""
    wanted = list(dict.fromkeys(name.strip().lower() for name in names))
    found: dict[str, Device] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists on every backend
        chunk = wanted[start : start + 500]
        stmt = _ROWS.select().where(func.lower(Device.name).in_(chunk))
        found |= {device.name.lower(): device for device in session.scalars(stmt)}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise NotFoundError(ENTITY, missing[0], "name")
    return [found[name] for name in wanted]


def update_device(
    session: Session, device_id: uuid.UUID, expected_version: int | None, **changes: Any
) -> Device:
    """Change fields of a live device; a stale `expected_version` raises ConflictError."""
    return _ROWS.update(session, device_id, expected_version, changes)


def trash_device(
    session: Session, device_id: uuid.UUID, expected_version: int | None = None
) -> Device:
    """Move a device to the trash: hidden everywhere, history kept, restorable."""
    device = get_device(session, device_id)
    return apply_changes(
        session,
        device,
        {"deleted_at": utcnow()},
        expected_version=expected_version,
        entity=ENTITY,
        key=device.name,
        allowed=("deleted_at",),
    )


def list_trashed_devices(session: Session) -> list[Device]:
    stmt = (
        select(Device)
        .options(*_ROWS.options)
        .where(Device.deleted_at.is_not(None))
        .order_by(Device.deleted_at.desc())
    )
    return list(session.scalars(stmt))


def find_trashed_device(session: Session, name: str) -> Device:
    """The most recently trashed device of that name."""
    stmt = (
        select(Device)
        .options(*_ROWS.options)
        .where(name_equals(Device.name, name), Device.deleted_at.is_not(None))
        .order_by(Device.deleted_at.desc())
        .limit(1)
    )
    device = session.scalars(stmt).first()
    if device is None:
        raise NotFoundError("device in the trash", name, "name")
    return device


def restore_device(session: Session, device_id: uuid.UUID) -> Device:
    """Bring a trashed device back, unless a live device has taken its name meanwhile."""
    device = session.get(Device, device_id)
    if device is None or device.deleted_at is None:
        raise NotFoundError("device in the trash", str(device_id), "id")
    _ROWS.ensure_name_free(session, device.name)
    return apply_changes(
        session,
        device,
        {"deleted_at": None},
        expected_version=None,
        entity=ENTITY,
        key=device.name,
        allowed=("deleted_at",),
    )


def delete_device(
    session: Session, device_id: uuid.UUID, expected_version: int | None = None
) -> None:
    """Delete for good, trashed or not, with its snapshots, host keys and tag links."""
    device = session.get(Device, device_id)
    if device is None:
        raise NotFoundError(ENTITY, str(device_id), "id")
    delete_row(session, device, expected_version=expected_version, entity=ENTITY, key=device.name)


# Written by backups, not by people: these never bump the edit version, so a backup
# finishing while someone edits the device does not turn their save into a conflict.
BACKUP_FIELDS = (
    "vendor",
    "model",
    "serial",
    "os_version",
    "last_backup_status",
    "last_backup_at",
    "last_credential_id",
)


def record_backup_state(session: Session, device_id: uuid.UUID, **fields: Any) -> None:
    unknown = set(fields) - set(BACKUP_FIELDS)
    if unknown:
        raise TypeError(f"not a backup-owned field: {', '.join(sorted(unknown))}")
    status = fields.get("last_backup_status")
    if status is not None and status not in BACKUP_STATUSES:
        raise InputError("last_backup_status", status, f"must be one of {BACKUP_STATUSES}")
    deferred.update_rows(session, Device.__table__, device_id, **fields)


def device_locations(
    session: Session, *, tag: str | None = None, include_trashed: bool = False
) -> list[tuple[uuid.UUID, str, str | None]]:
    """(id, name, site) of every device, optionally only those with `tag`: what an export
    needs to lay out its files, without loading whole rows."""
    stmt = select(Device.id, Device.name, Device.site)
    if not include_trashed:
        stmt = stmt.where(Device.deleted_at.is_(None))
    if tag:
        stmt = stmt.where(Device.tags.any(name_equals(Tag.name, tag)))
    return list(session.execute(stmt.order_by(Device.id)).tuples())
