"""The dual-mode device and tag services, with a Session and an AsyncSession, on both backends."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest

from netraven_desktop.core.crud import credentials
from netraven_desktop.core.errors import ConflictError, DuplicateError, InputError, NotFoundError
from netraven_desktop.core.services import devices as service
from netraven_desktop.core.services import settings
from netraven_desktop.core.services import tags as tag_service
from tests.contract import DEVICE_JSON_KEYS

SECRET_REF = "netraven/credential/lab-7f3a"


def _cred(face, name="lab"):
    return face(
        credentials.create_credential,
        name=name,
        username="admin",
        keyring_ref=f"{SECRET_REF}-{name}",
        has_enable_secret=True,
    )


def _add(face, name="core-sw1", **fields):
    fields.setdefault("host", "10.0.0.1")
    fields.setdefault("platform", "cisco_ios")
    return face.service(service.add_device, name=name, **fields)


def _tag_names(face):
    return [(t.name, n) for t, n in face.service(tag_service.list_tags)]


def test_add_creates_tags_and_binds_a_credential_by_name(face):
    _cred(face)
    face.service(tag_service.add_tag, "core", "spine switches")
    device = _add(face, tags=["CORE", "dc1", "DC1"], credential="LAB", site="dc1")
    assert [t.name for t in device.tags] == ["core", "dc1"]
    assert device.credential.name == "lab"
    shown = face.service(service.show_device, "CORE-SW1")
    assert (shown.id, shown.site, shown.credential.name) == (device.id, "dc1", "lab")
    assert _tag_names(face) == [("core", 1), ("dc1", 1)]
    assert _add(face, name="plain", host="10.0.0.2").credential is None


def test_an_unknown_credential_is_an_input_error_and_nothing_is_written(face):
    with pytest.raises(InputError) as err:
        _add(face, tags=["new"], credential="nope")
    assert (err.value.field, err.value.value) == ("credential", "nope")
    assert face.service(service.count_devices) == 0
    assert _tag_names(face) == []


def test_mask_secrets_defaults_from_the_setting(face):
    assert _add(face, name="a").mask_secrets is True
    face.service(settings.set_setting, "backup.mask_secrets", "off")
    assert _add(face, name="b", host="10.0.0.2").mask_secrets is False
    assert _add(face, name="c", host="10.0.0.3", mask_secrets=True).mask_secrets is True


def test_edit_replaces_tags_rebinds_and_renames(face):
    _cred(face)
    _cred(face, "backup")
    device = _add(face, tags=["core", "dc1"], credential="lab")
    edited = face.service(service.edit_device, "core-sw1", tags=["edge"], credential="backup")
    assert [t.name for t in edited.tags] == ["edge"]
    assert (edited.credential.name, edited.version) == ("backup", 2)
    kept = face.service(service.edit_device, "core-sw1", port=830)
    assert (kept.port, kept.credential.name, [t.name for t in kept.tags]) == (
        830,
        "backup",
        ["edge"],
    )
    unbound = face.service(service.edit_device, "core-sw1", credential="")
    assert (unbound.credential, unbound.credential_id) == (None, None)
    renamed = face.service(service.edit_device, "core-sw1", name="edge-sw1", expected_version=4)
    assert (renamed.id, renamed.name, renamed.version) == (device.id, "edge-sw1", 5)
    with pytest.raises(NotFoundError):
        face.service(service.show_device, "core-sw1")
    with pytest.raises(ConflictError):
        face.service(service.edit_device, "edge-sw1", expected_version=4, site="x")
    with pytest.raises(InputError) as err:
        face.service(service.edit_device, "edge-sw1", credential="missing")
    assert err.value.field == "credential"
    assert face.service(service.show_device, "edge-sw1").site is None


def test_remove_trashes_and_restore_brings_back(face):
    device = _add(face, tags=["core"])
    trashed = face.service(service.remove_device, "Core-SW1")
    assert trashed.deleted_at is not None
    assert face.service(service.count_devices) == 0
    assert [d.id for d in face.service(service.list_trash)] == [device.id]
    assert _tag_names(face) == [("core", 0)]
    with pytest.raises(NotFoundError):
        face.service(service.show_device, "core-sw1")
    restored = face.service(service.restore_device, "core-sw1")
    assert (restored.id, restored.deleted_at) == (device.id, None)
    assert face.service(service.list_trash) == []
    assert [t.name for t in face.service(service.show_device, "core-sw1").tags] == ["core"]
    with pytest.raises(NotFoundError):
        face.service(service.restore_device, "core-sw1")


def test_restore_refuses_a_name_taken_meanwhile(face):
    _add(face)
    face.service(service.remove_device, "core-sw1")
    newcomer = _add(face, host="10.9.9.9")
    with pytest.raises(DuplicateError):
        face.service(service.restore_device, "core-sw1")
    assert face.service(service.show_device, "core-sw1").id == newcomer.id


def test_purge_deletes_live_and_trashed_devices(face):
    _add(face, name="live")
    _add(face, name="trashed", host="10.0.0.2")
    face.service(service.remove_device, "trashed")
    purged = face.service(service.remove_device, "LIVE", purge=True)
    assert purged.name == "live"
    assert face.service(service.remove_device, "trashed", purge=True).name == "trashed"
    assert face.service(service.count_devices) == 0
    assert face.service(service.list_trash) == []
    with pytest.raises(NotFoundError):
        face.service(service.remove_device, "trashed", purge=True)
    with pytest.raises(NotFoundError):
        face.service(service.remove_device, "ghost")


def test_remove_checks_the_version(face):
    _add(face)
    face.service(service.edit_device, "core-sw1", site="lab")
    with pytest.raises(ConflictError):
        face.service(service.remove_device, "core-sw1", expected_version=1)
    with pytest.raises(ConflictError):
        face.service(service.remove_device, "core-sw1", purge=True, expected_version=1)
    assert face.service(service.show_device, "core-sw1").version == 2


def test_device_to_dict_is_stable_and_holds_no_secret(face):
    _cred(face)
    device = _add(face, tags=["dc1", "Core"], credential="lab", port=2222, connect_timeout=30)
    data = service.device_to_dict(device)
    assert list(data) == DEVICE_JSON_KEYS
    assert (data["id"], data["credential"], data["tags"], data["port"]) == (
        str(device.id),
        "lab",
        ["Core", "dc1"],
        2222,
    )
    assert data["ssh"] == {"legacy_algorithms": False, "connect_timeout": 30}
    assert data["last_backup"] == {"status": "never", "at": None}
    assert (data["deleted_at"], data["version"], data["mask_secrets"]) == (None, 1, True)
    text = json.dumps(data)  # JSON-serialisable as it is
    assert SECRET_REF not in text
    assert "admin" not in text  # not even the credential's username
    trashed = service.device_to_dict(face.service(service.remove_device, "core-sw1"))
    assert list(trashed) == DEVICE_JSON_KEYS
    assert trashed["deleted_at"] is not None


def test_list_and_count_with_filters(face):
    _add(face, name="b-sw", tags=["core"], site="DC1")
    _add(face, name="a-rtr", host="10.0.0.2", platform="juniper_junos", tags=["edge"])
    _add(face, name="c-fw", host="fw.example.net", platform="cisco_asa", enabled=False)
    names = lambda rows: [d.name for d in rows]  # noqa: E731
    assert names(face.service(service.list_devices)) == ["a-rtr", "b-sw", "c-fw"]
    assert names(face.service(service.list_devices, tag="core")) == ["b-sw"]
    assert names(face.service(service.list_devices, sort="host", descending=True)) == [
        "c-fw",
        "a-rtr",
        "b-sw",
    ]
    assert names(face.service(service.list_devices, limit=1, offset=1)) == ["b-sw"]
    assert face.service(service.count_devices) == 3
    assert face.service(service.count_devices, enabled=True) == 2
    assert face.service(service.count_devices, site="dc1", tag="CORE") == 1
    assert face.service(service.count_devices, search="example") == 1
    face.service(service.remove_device, "a-rtr")
    assert face.service(service.count_devices, platform="juniper_junos") == 0


def test_tag_service_add_list_remove(face):
    tag = face.service(tag_service.add_tag, "Core", "spine")
    with pytest.raises(DuplicateError):
        face.service(tag_service.add_tag, "core")
    _add(face, tags=["core"])
    [(listed, count)] = face.service(tag_service.list_tags)
    assert tag_service.tag_to_dict(listed, count) == {
        "id": str(tag.id),
        "name": "Core",
        "description": "spine",
        "collector_label": None,
        "devices": 1,
    }
    edited = face.service(tag_service.edit_tag, "core", collector_label="Site-A")
    assert (edited.collector_label, edited.description) == ("site-a", "spine")
    assert face.service(tag_service.remove_tag, "CORE").id == tag.id
    assert face.service(tag_service.list_tags) == []
    assert face.service(service.show_device, "core-sw1").tags == []


def test_a_service_returns_a_value_for_a_session_and_an_awaitable_for_an_async_session(db):
    with db.session() as s:
        direct = service.add_device(s, name="sync-sw", host="10.0.0.1", platform="cisco_ios")
    assert not inspect.isawaitable(direct)
    assert direct.name == "sync-sw"

    async def run():
        try:
            async with db.async_session() as s:
                pending = service.count_devices(s)
                awaitable = inspect.isawaitable(pending)
                return awaitable, await pending
        finally:
            await db.aclose()

    assert asyncio.run(run()) == (True, 1)
