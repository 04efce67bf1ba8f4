"""Accepting a device's new SSH host key: the one deliberate way past "host key changed"."""

from __future__ import annotations

import asyncio
from typing import Any

from ..crud import devices as device_rows
from ..crud import host_keys
from ..db import Database
from ..drivers.errors import BackupError
from ..drivers.profiles import profile_for
from ..drivers.ssh import Target, fetch_host_key
from ..errors import EnvironmentProblem, InputError
from . import audit
from .access import authorize


def accept_host_key(
    db: Database, device_name: str, fingerprint: str | None = None
) -> dict[str, Any]:
    """Fetch the key the device presents now and trust it in place of any stored one.

    With `fingerprint` (checked out of band, e.g. on the console), a key that does not
    match is refused and nothing changes.
    """
    with db.read_session() as session:
        authorize(session, "edit")
        device = device_rows.get_device_by_name(session, device_name)
        previous = host_keys.list_host_keys(session, device.id)
    target = Target(
        host=device.host,
        port=device.port,
        profile=profile_for(device.platform),
        connect_timeout=float(device.connect_timeout or 15),
        legacy_algorithms=device.ssh_legacy_algorithms,
    )
    try:
        key_type, public_key, seen = asyncio.run(fetch_host_key(target))
    except BackupError as exc:
        raise EnvironmentProblem(
            f"cannot reach {device.name} to read its host key: {exc}"
        ) from None
    if fingerprint and fingerprint.strip() != seen:
        raise InputError("--fingerprint", fingerprint, f"the device presents {seen}")
    with db.session() as session:
        for old in previous:
            host_keys.delete_host_key(session, old.id)
        host_keys.save_host_key(
            session, device_id=device.id, key_type=key_type, public_key=public_key, fingerprint=seen
        )
        audit.record(
            session,
            "host_key.accept",
            "device",
            device.id,
            before={"fingerprints": [k.fingerprint for k in previous]},
            after={"fingerprint": seen, "key_type": key_type},
        )
    return {
        "device": device.name,
        "key_type": key_type,
        "fingerprint": seen,
        "replaced": [k.fingerprint for k in previous if k.fingerprint != seen],
    }
