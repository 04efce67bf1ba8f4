"""SSH host keys (trust on first use), sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy.exc

from netraven_desktop.core.crud import devices, host_keys
from netraven_desktop.core.db.models import SSHHostKey
from netraven_desktop.core.errors import NotFoundError


def _device(face, name="r1"):
    return face(devices.create_device, name=name, host="10.0.0.1", platform="cisco_ios")


def _save(
    face, device, key_type="ssh-ed25519", public_key="AAAAC3Nz-one", fingerprint="SHA256:one"
):
    return face(
        host_keys.save_host_key,
        device_id=device.id,
        key_type=key_type,
        public_key=public_key,
        fingerprint=fingerprint,
    )


def test_first_use_records_the_key(face):
    device = _device(face)
    saved = _save(face, device)
    got = face(host_keys.get_host_key, saved.id)
    assert (got.device_id, got.key_type, got.public_key, got.fingerprint) == (
        device.id,
        "ssh-ed25519",
        "AAAAC3Nz-one",
        "SHA256:one",
    )
    assert face(host_keys.find_host_key, device.id, "ssh-ed25519").id == saved.id
    assert face(host_keys.find_host_key, device.id, "ssh-rsa") is None
    assert got.first_seen_at <= got.last_seen_at  # never "last seen" before "first seen"


def test_seeing_the_same_key_again_only_bumps_last_seen(face):
    device = _device(face)
    first = _save(face, device)
    again = _save(face, device)
    assert again.id == first.id
    assert (again.public_key, again.fingerprint) == ("AAAAC3Nz-one", "SHA256:one")
    assert again.first_seen_at == first.first_seen_at
    assert again.last_seen_at >= first.last_seen_at
    assert [k.id for k in face(host_keys.list_host_keys, device.id)] == [first.id]


def test_an_accepted_changed_key_replaces_the_old_one(face):
    device = _device(face)
    old = _save(face, device)
    new = _save(face, device, public_key="AAAAC3Nz-two", fingerprint="SHA256:two")
    assert new.id == old.id
    stored = face(host_keys.get_host_key, old.id)
    assert (stored.public_key, stored.fingerprint) == ("AAAAC3Nz-two", "SHA256:two")
    assert stored.first_seen_at >= old.last_seen_at  # trust restarts now
    assert len(face(host_keys.list_host_keys, device.id)) == 1


def test_one_key_per_device_and_type(face):
    r1, r2 = _device(face), _device(face, "r2")
    rsa = _save(face, r1, key_type="ssh-rsa", public_key="AAAAB3", fingerprint="SHA256:rsa")
    ed = _save(face, r1)
    other = _save(face, r2)
    assert [k.id for k in face(host_keys.list_host_keys, r1.id)] == [ed.id, rsa.id]
    assert [k.id for k in face(host_keys.list_host_keys, r2.id)] == [other.id]
    duplicate = SSHHostKey(
        device_id=r1.id, key_type="ssh-rsa", public_key="AAAAB3-x", fingerprint="SHA256:x"
    )
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        face(lambda s: (s.add(duplicate), s.flush()))
    assert face(host_keys.get_host_key, rsa.id).public_key == "AAAAB3"


def test_delete_and_cascade_with_the_device(face):
    r1, r2 = _device(face), _device(face, "r2")
    gone = _save(face, r1)
    kept = _save(face, r1, key_type="ssh-rsa")
    doomed = _save(face, r2)
    face(host_keys.delete_host_key, gone.id)
    with pytest.raises(NotFoundError):
        face(host_keys.get_host_key, gone.id)
    with pytest.raises(NotFoundError):
        face(host_keys.delete_host_key, uuid.uuid4())
    assert [k.id for k in face(host_keys.list_host_keys, r1.id)] == [kept.id]
    face(devices.trash_device, r2.id)  # the trash keeps history, keys included
    assert [k.id for k in face(host_keys.list_host_keys, r2.id)] == [doomed.id]
    face(devices.delete_device, r2.id)
    with pytest.raises(NotFoundError):
        face(host_keys.get_host_key, doomed.id)
    assert face(host_keys.list_host_keys, r1.id)[0].id == kept.id
