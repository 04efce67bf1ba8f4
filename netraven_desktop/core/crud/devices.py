"""Devices: create, get, list with filters, versioned update, trash and restore, purge."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..db.base import utcnow
from ..db.models import BACKUP_STATUSES, Device, Tag, device_tags
from ..errors import InputError, NotFoundError
from ..platforms import validate_platform
from ..validation import (
    optional_text,
    validate_host,
    validate_int_range,
    validate_name,
    validate_port,
)
from .common import (
    NamedRows,
    apply_changes,
    contains_ci,
    delete_row,
    name_equals,
    paginate,
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


# How each person-edited device field is validated and normalised.
CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": validate_name,
    "host": validate_host,
    "port": validate_port,
    "platform": validate_platform,
    "description": lambda v: optional_text(v, "description", 4000),
    "site": lambda v: optional_text(v, "site", 128),
    "role": lambda v: optional_text(v, "role", 128),
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


def _filtered(stmt: Select[Any], filters: DeviceFilters) -> Select[Any]:
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
        columns = (Device.name, Device.host, Device.site, Device.role, Device.description)
        stmt = stmt.where(or_(*(contains_ci(column, search.strip()) for column in columns)))
    return stmt


def _page(
    stmt: Select[Any],
    filters: DeviceFilters,
    sort: str,
    descending: bool,
    limit: int | None,
    offset: int,
) -> Select[Any]:
    """`stmt` filtered, sorted and cut to one page: the same order for objects and rows."""
    return paginate(
        _filtered(stmt, filters),
        sort=sort,
        sortable=SORTABLE,
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=Device.id,
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
    stmt = _page(_ROWS.select(), filters, sort, descending, limit, offset)
    return list(session.scalars(stmt))


def count_devices(session: Session, **filters: Unpack[DeviceFilters]) -> int:
    stmt = select(func.count()).select_from(Device).where(Device.deleted_at.is_(None))
    return session.scalar(_filtered(stmt, filters)) or 0


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
    offset: int = 0,
    after: uuid.UUID | None = None,
    **filters: Unpack[DeviceFilters],
) -> list[DeviceRow]:
    """`list_devices` as plain rows: one query for the page, one for its tags.

    `after` (a device id) continues a listing after that device, in the same order: each
    further page costs what the first did, where an offset makes the database walk (and
    sort) every row before it — seconds deep into 100,000 devices.
    """
    stmt = select(*_ROW_COLUMNS).where(Device.deleted_at.is_(None))
    if after is not None:
        stmt = stmt.where(_beyond(after, sort, descending))
    page = session.execute(_page(stmt, filters, sort, descending, limit, offset)).all()
    tags = _tag_names(session, [row.id for row in page])
    return [DeviceRow(*row, tags=tuple(tags.get(row.id, ()))) for row in page]


def _beyond(anchor: uuid.UUID, sort: str, descending: bool) -> ColumnElement[bool]:
    """Rows after `anchor` in the order `paginate` gives: the key, nulls last, then id."""
    if sort not in SORTABLE:
        raise InputError("sort", sort, f"must be one of {', '.join(SORTABLE)}")
    key = SORTABLE[sort]
    value = select(key).where(Device.id == anchor).correlate(None).scalar_subquery()
    return or_(
        key < value if descending else key > value,
        and_(key == value, Device.id > anchor),
        and_(key.is_(None), value.is_not(None)),
        and_(key.is_(None), value.is_(None), Device.id > anchor),
    )


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
    session.execute(
        update(Device)
        .where(Device.id == device_id)
        .values(**fields)
        .execution_options(synchronize_session=False)
    )


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
