"""Inventory rules: devices by name, tags by name, credentials by name, trash and restore."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from ..crud import credentials as credential_rows
from ..crud import devices as rows
from ..crud import tags as tag_rows

# What the window needs of the rows, through this service: the UI never imports crud.
from ..crud.devices import DeviceFilters as DeviceFilters
from ..crud.devices import DeviceRow as DeviceRow
from ..crud.devices import clean_fields as clean_fields
from ..db.models import Device
from ..errors import NotFoundError
from . import audit
from .access import authorize
from .dual import dual
from .settings import get_setting

# What the audit log records of a device (everything a person edits).
AUDITED = (
    "name",
    "host",
    "port",
    "platform",
    "description",
    "site",
    "role",
    "enabled",
    "credential_id",
    "ssh_legacy_algorithms",
    "connect_timeout",
    "mask_secrets",
    "collector_label",
    "tags",
)

# Sentinel for "leave unchanged" where None means "clear".
UNCHANGED: Any = object()


def check_unmasking(session: Session, masked_now: bool, masked_after: bool | None) -> None:
    """Turning a device's secret masking off stores its secrets in clear, bypassing the
    admin-only masking setting: admin only. `masked_now` is the device's current value
    (for a new device, the setting's default); None after means unchanged."""
    if masked_now and masked_after is not None and not masked_after:
        authorize(session, "admin", "turn off secret masking")


def _credential_id(session: Session, name: str | None) -> Any:
    """Resolve a credential name; '' or None unbinds."""
    if not name:
        return None
    try:
        return credential_rows.get_credential_by_name(session, name).id
    except NotFoundError:
        raise NotFoundError("credential", name, "credential") from None


@dual
def add_device(
    session: Session,
    *,
    name: str,
    host: str,
    platform: str,
    tags: Iterable[str] = (),
    credential: str | None = None,
    mask_secrets: bool | None = None,
    **fields: Any,
) -> Device:
    """Add a device. Tags are created as needed; the credential must exist."""
    authorize(session, "edit")
    default = get_setting(session, "backup.mask_secrets")
    check_unmasking(session, default, mask_secrets)
    if mask_secrets is None:
        mask_secrets = default
    device = rows.create_device(
        session,
        name=name,
        host=host,
        platform=platform,
        tags=tag_rows.ensure_tags(session, tags),
        credential_id=_credential_id(session, credential),
        mask_secrets=mask_secrets,
        **fields,
    )
    audit.record(session, "device.create", "device", device.id, after=audit.state(device, AUDITED))
    return device


@dual
def edit_device(
    session: Session,
    name: str,
    /,
    *,
    expected_version: int | None = None,
    tags: Iterable[str] | None = None,
    credential: str | None = UNCHANGED,
    **changes: Any,
) -> Device:
    """Change a device found by name. `tags` replaces the set; `credential=''` unbinds."""
    authorize(session, "edit")
    device = rows.get_device_by_name(session, name)
    check_unmasking(session, device.mask_secrets, changes.get("mask_secrets"))
    before = audit.state(device, AUDITED)
    if tags is not None:
        changes["tags"] = tag_rows.ensure_tags(session, tags)
    if credential is not UNCHANGED:
        changes["credential_id"] = _credential_id(session, credential)
    device = rows.update_device(session, device.id, expected_version, **changes)
    audit.record_changes(
        session, "device.update", "device", device.id, before, audit.state(device, AUDITED)
    )
    return device


@dual
def show_device(session: Session, name: str) -> Device:
    authorize(session, "read")
    return rows.get_device_by_name(session, name)


@dual
def list_devices(session: Session, **filters: Any) -> list[Device]:
    authorize(session, "read")
    return rows.list_devices(session, **filters)


@dual
def count_devices(session: Session, **filters: Any) -> int:
    authorize(session, "read")
    return rows.count_devices(session, **filters)


@dual
def list_device_rows(session: Session, **query: Any) -> list[rows.DeviceRow]:
    """A page of the device table as plain rows (see `crud.devices.list_device_rows`)."""
    authorize(session, "read")
    return rows.list_device_rows(session, **query)


@dual
def device_facets(session: Session) -> rows.DeviceFacets:
    authorize(session, "read")
    return rows.device_facets(session)


@dual
def tag_devices(
    session: Session, names: Iterable[str], *, add: str | None = None, remove: str | None = None
) -> list[Device]:
    """Add and/or remove one tag on many devices at once, all or nothing.

    Devices already in the wanted state are left alone (no version bump, no audit).
    """
    authorize(session, "edit")
    if add is None and remove is None:
        raise TypeError("tag_devices needs add= or remove=")
    added = tag_rows.ensure_tags(session, [add])[0] if add is not None else None
    dropped = tag_rows.get_tag_by_name(session, remove) if remove is not None else None
    changed = []
    for device in rows.get_devices_by_names(session, names):
        tags = [tag for tag in device.tags if dropped is None or tag.id != dropped.id]
        if added is not None and all(tag.id != added.id for tag in tags):
            tags.append(added)
        before, after = sorted(t.name for t in device.tags), sorted(t.name for t in tags)
        if after == before:
            continue
        rows.update_device(session, device.id, None, tags=tags)
        audit.record(
            session,
            "device.update",
            "device",
            device.id,
            before={"tags": before},
            after={"tags": after},
        )
        changed.append(device)
    return changed


@dual
def remove_device(
    session: Session, name: str, *, purge: bool = False, expected_version: int | None = None
) -> Device:
    """Move to the trash (undo with `restore_device`), or with `purge` delete for good.

    `purge` also finds a device that is already in the trash.
    """
    authorize(session, "edit")
    if purge:
        try:
            device = rows.get_device_by_name(session, name)
        except NotFoundError:
            device = rows.find_trashed_device(session, name)
        before = audit.state(device, AUDITED)
        rows.delete_device(session, device.id, expected_version)
        audit.record(session, "device.delete", "device", device.id, before=before)
        return device
    device = rows.get_device_by_name(session, name)
    device = rows.trash_device(session, device.id, expected_version)
    audit.record(session, "device.trash", "device", device.id, before={"name": device.name})
    return device


@dual
def restore_device(session: Session, name: str) -> Device:
    authorize(session, "edit")
    device = rows.restore_device(session, rows.find_trashed_device(session, name).id)
    audit.record(session, "device.restore", "device", device.id, after={"name": device.name})
    return device


@dual
def list_trash(session: Session) -> list[Device]:
    authorize(session, "read")
    return rows.list_trashed_devices(session)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def device_to_dict(device: Device) -> dict[str, Any]:
    """The stable JSON form of a device (documented in docs/cli.md). No secrets exist here."""
    return {
        "id": str(device.id),
        "name": device.name,
        "host": device.host,
        "port": device.port,
        "platform": device.platform,
        "description": device.description,
        "site": device.site,
        "role": device.role,
        "vendor": device.vendor,
        "model": device.model,
        "serial": device.serial,
        "os_version": device.os_version,
        "enabled": device.enabled,
        "credential": device.credential.name if device.credential else None,
        "tags": [tag.name for tag in device.tags],
        "ssh": {
            "legacy_algorithms": device.ssh_legacy_algorithms,
            "connect_timeout": device.connect_timeout,
        },
        "mask_secrets": device.mask_secrets,
        "collector_label": device.collector_label,
        "last_backup": {"status": device.last_backup_status, "at": _iso(device.last_backup_at)},
        "deleted_at": _iso(device.deleted_at),
        "created_at": _iso(device.created_at),
        "updated_at": _iso(device.updated_at),
        "version": device.version,
    }
