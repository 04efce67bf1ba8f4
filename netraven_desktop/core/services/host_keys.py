"""Pinning a device's SSH host key at first contact, and accepting a changed one.

A key is pinned before any credential is offered to the device, so a host that
impersonates a device at a new address gets one credential at most (see the engine),
and accepting a different key later is a deliberate, audited act.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..crud import devices as device_rows
from ..crud import host_keys as rows
from ..db import Database
from ..db.models import Device, SSHHostKey
from ..drivers.errors import BackupError
from ..drivers.ssh import HostKey, Target, fetch_host_key
from ..errors import EnvironmentProblem, InputError
from ..platforms import profile_for
from . import audit
from .access import authorize


@dataclass(frozen=True)
class HostKeyCheck:
    """The key a device offers now, next to the fingerprints stored for it."""

    device: str
    stored: list[str]  # SHA256 fingerprints trusted now; empty before first contact
    offered: HostKey

    @property
    def changed(self) -> bool:
        return bool(self.stored) and self.offered.fingerprint not in self.stored


def check_host_key(db: Database, device_name: str) -> HostKeyCheck:
    """Read the key the device presents now (offering no credential); change nothing."""
    device, previous = _device_and_keys(db, device_name, "read")
    return HostKeyCheck(device.name, [k.fingerprint for k in previous], _offered(device))


def accept_host_key(
    db: Database, device_name: str, fingerprint: str | None = None
) -> dict[str, Any]:
    """Fetch the key the device presents now and trust it in place of any stored one.

    Admins only: trusting a new key decides who receives the device's credentials.
    With `fingerprint` (checked out of band, e.g. on the console, or the one the
    window showed), a key that does not match is refused and nothing changes.
    """
    device, previous = _device_and_keys(db, device_name, "admin")
    offered = _offered(device)
    if fingerprint and fingerprint.strip() != offered.fingerprint:
        raise InputError("--fingerprint", fingerprint, f"the device presents {offered.fingerprint}")
    with db.session() as session:
        for old in previous:
            rows.delete_host_key(session, old.id)
        _save(session, device.id, offered)
        audit.record(
            session,
            "host_key.accept",
            "device",
            device.id,
            before={"fingerprints": [k.fingerprint for k in previous]},
            after={"fingerprint": offered.fingerprint, "key_type": offered.key_type},
        )
    return {
        "device": device.name,
        "key_type": offered.key_type,
        "fingerprint": offered.fingerprint,
        "replaced": [k.fingerprint for k in previous if k.fingerprint != offered.fingerprint],
    }


def _device_and_keys(
    db: Database, device_name: str, permission: str
) -> tuple[Device, list[SSHHostKey]]:
    with db.read_session() as session:
        authorize(session, permission)
        device = device_rows.get_device_by_name(session, device_name)
        return device, rows.list_host_keys(session, device.id)


def _offered(device: Device) -> HostKey:
    """The key the device presents now, read with the algorithms allowed for it."""
    target = Target(
        host=device.host,
        port=device.port,
        profile=profile_for(device.platform),
        connect_timeout=float(device.connect_timeout or 15),
        legacy_algorithms=device.ssh_legacy_algorithms,
    )
    try:
        return asyncio.run(fetch_host_key(target))
    except BackupError as exc:
        raise EnvironmentProblem(
            f"cannot reach {device.name} to read its host key: {exc}"
        ) from None


def pin_first_key(session: Session, device_id: uuid.UUID, offered: HostKey) -> str:
    """Trust `offered` if the device has no key yet; return the key now trusted.

    A key pinned meanwhile (another run got there first) is kept and returned: the
    caller's session then fails as "host key changed" if the two differ.
    """
    pinned = rows.list_host_keys(session, device_id)
    if pinned:
        return pinned[0].public_key
    rows.add_host_key(
        session,
        device_id=device_id,
        key_type=offered.key_type,
        public_key=offered.public_key,
        fingerprint=offered.fingerprint,
    )
    audit.record_later(
        session,
        "host_key.pin",
        "host_key",
        device_id,
        after={"fingerprint": offered.fingerprint, "key_type": offered.key_type},
    )
    return offered.public_key


def _save(session: Session, device_id: uuid.UUID, key: HostKey) -> None:
    rows.save_host_key(
        session,
        device_id=device_id,
        key_type=key.key_type,
        public_key=key.public_key,
        fingerprint=key.fingerprint,
    )
