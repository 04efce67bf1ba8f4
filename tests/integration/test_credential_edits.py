"""Editing a credential (metadata audited, secrets replaced only when given) and testing
it against a simulated device without storing anything."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from netraven_desktop.core.crud import devices as device_rows
from netraven_desktop.core.db.models import ConfigSnapshot, SSHHostKey
from netraven_desktop.core.errors import ConflictError, InputError
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import audit, credentials
from tests.sim import add_sim_credential


@pytest.fixture
def lab(db, secret_store):
    credential = credentials.add_credential(
        db, secret_store, name="lab", username="admin", secrets=Secrets(password="Old-Pw-1")
    )
    yield credential
    secret_store.delete(credential.keyring_ref)


def test_update_changes_metadata_and_audits_it(face, secret_store, lab):
    updated = face.service(
        credentials.update_credential, "lab", lab.version, priority=5, tags=["core"]
    )
    assert (updated.priority, [t.name for t in updated.tags]) == (5, ["core"])
    with pytest.raises(ConflictError):
        face.service(credentials.update_credential, "lab", lab.version, priority=6)
    with face.db.read_session() as s:
        event = audit.list_events(s, entity_type="credential")[0]
    assert event.action == "credential.update"
    assert (event.before["priority"], event.after["priority"]) == (100, 5)
    assert event.after["tags"] == ["core"]


def test_edit_replaces_only_the_secrets_given(db, secret_store, lab):
    credentials.edit_credential(db, secret_store, "lab", secrets=Secrets(enable="En-1"))
    assert secret_store.get(lab.keyring_ref) == Secrets(password="Old-Pw-1", enable="En-1")
    edited = credentials.edit_credential(
        db, secret_store, "lab", secrets=Secrets(password="New-Pw-2"), username="ops"
    )
    assert edited.username == "ops"
    assert edited.has_enable_secret
    assert secret_store.get(lab.keyring_ref) == Secrets(password="New-Pw-2", enable="En-1")


def test_a_refused_edit_leaves_row_and_secrets_as_they_were(db, secret_store, lab):
    credentials.add_credential(
        db, secret_store, name="other", username="x", secrets=Secrets(password="x-Pw")
    )
    with pytest.raises(InputError, match="already exists"):
        credentials.edit_credential(
            db, secret_store, "lab", name="other", secrets=Secrets(password="Lost-Pw")
        )
    assert secret_store.get(lab.keyring_ref) == Secrets(password="Old-Pw-1")
    with db.read_session() as s:
        assert credentials.list_credentials(s, sort="name")[0].name == "lab"
    credentials.remove_credential(db, secret_store, "other")


def _sim_device(db, sim_devices):
    name, platform, port = sim_devices[0]
    with db.session() as s:
        device_rows.create_device(s, name=name, host="127.0.0.1", port=port, platform=platform)
    return name


def test_check_login_succeeds_and_stores_no_output(db, secret_store, sim_devices):
    """Nothing but the host key pinned at first contact, as a backup would pin it."""
    credential = add_sim_credential(db, secret_store, "sim")
    device = _sim_device(db, sim_devices)
    try:
        check = asyncio.run(_check(db, secret_store, "sim", device))
        assert check.ok, check.message
        assert check.message.startswith(f"logged in to {device} as admin")
        with db.read_session() as s:
            assert s.scalars(select(ConfigSnapshot)).all() == []
            (pinned,) = s.scalars(select(SSHHostKey)).all()
        assert check.message.endswith(f"(host key {pinned.fingerprint}, pinned now)")
    finally:
        secret_store.delete(credential.keyring_ref)


def test_check_login_names_the_error_class(db, secret_store, sim_devices, lab):
    device = _sim_device(db, sim_devices)
    check = asyncio.run(_check(db, secret_store, "lab", device))
    assert (check.ok, check.error_class) == (False, "auth_failed")
    assert "Old-Pw-1" not in check.message


async def _check(db, store, credential, device):
    try:
        return await credentials.check_login(db, store, credential, device)
    finally:
        await db.aclose()
