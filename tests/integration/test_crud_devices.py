"""Device and tag CRUD, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from netraven_desktop.core.crud import configs, devices, host_keys, tags
from netraven_desktop.core.crud.common import flush
from netraven_desktop.core.errors import ConflictError, DuplicateError, InputError, NotFoundError


def _add(face, name="core-sw1", **fields):
    fields.setdefault("host", "10.0.0.1")
    fields.setdefault("platform", "cisco_ios")
    return face(devices.create_device, name=name, **fields)


def test_create_and_get_round_trip(face):
    tag_list = face(tags.ensure_tags, ["core", "DC1"])
    created = _add(face, port=2222, site="dc1", tags=tag_list, description="  spine  ")
    got = face(devices.get_device, created.id)
    assert (got.name, got.host, got.port, got.platform, got.site) == (
        "core-sw1",
        "10.0.0.1",
        2222,
        "cisco_ios",
        "dc1",
    )
    assert got.description == "spine"
    assert sorted(t.name for t in got.tags) == ["DC1", "core"]
    assert got.version == 1
    assert got.created_at.tzinfo is not None
    assert isinstance(got.id, uuid.UUID)
    assert face(devices.get_device_by_name, "CORE-SW1").id == created.id


def test_names_are_unique_regardless_of_case(face):
    _add(face)
    with pytest.raises(DuplicateError) as err:
        _add(face, name="Core-SW1", host="10.0.0.2")
    assert err.value.field == "name"
    assert face(devices.count_devices) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("host", "10.0.0.256"),
        ("host", "bad host"),
        ("port", 0),
        ("port", 65536),
        ("platform", "cisco_iso"),
        ("name", "   "),
        ("connect_timeout", 0),
    ],
)
def test_bad_fields_are_rejected_and_nothing_is_written(face, field, value):
    with pytest.raises(InputError) as err:
        _add(face, **{field: value})
    assert err.value.field == field
    assert face(devices.count_devices) == 0


def test_ipv6_and_dns_hosts_are_normalised(face):
    assert _add(face, name="a", host="[2001:DB8::1]").host == "2001:db8::1"
    assert _add(face, name="b", host="Edge1.Example.NET.").host == "edge1.example.net"


def test_list_filters_sort_and_page(face):
    core = face(tags.ensure_tags, ["core"])
    _add(face, name="b-sw", host="10.0.0.2", tags=core, site="DC1")
    _add(face, name="a-rtr", host="10.0.0.1", platform="juniper_junos", site="dc2")
    _add(face, name="c-fw", host="fw.example.net", platform="cisco_asa", enabled=False)
    names = lambda rows: [d.name for d in rows]  # noqa: E731
    assert names(face(devices.list_devices)) == ["a-rtr", "b-sw", "c-fw"]
    assert names(face(devices.list_devices, sort="host", descending=True)) == [
        "c-fw",
        "b-sw",
        "a-rtr",
    ]
    assert names(face(devices.list_devices, tag="CORE")) == ["b-sw"]
    assert names(face(devices.list_devices, platform="juniper_junos")) == ["a-rtr"]
    assert names(face(devices.list_devices, site="dc1")) == ["b-sw"]
    assert names(face(devices.list_devices, enabled=False)) == ["c-fw"]
    assert names(face(devices.list_devices, search="EXAMPLE")) == ["c-fw"]
    assert names(face(devices.list_devices, limit=2, offset=1)) == ["b-sw", "c-fw"]
    assert face(devices.count_devices, platform="cisco_ios") == 1
    with pytest.raises(InputError):
        face(devices.list_devices, sort="password")


def test_update_checks_the_version(face):
    device = _add(face)
    updated = face(devices.update_device, device.id, 1, site="lab", port="830")
    assert (updated.site, updated.port, updated.version) == ("lab", 830, 2)
    with pytest.raises(ConflictError) as err:
        face(devices.update_device, device.id, 1, site="other")
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert face(devices.get_device, device.id).site == "lab"


def test_a_writer_that_slips_in_between_read_and_flush_is_a_conflict(db):
    """An editor holding version 1 must not overwrite a change committed meanwhile."""
    with db.session() as s:
        device_id = devices.create_device(s, name="r1", host="10.0.0.1", platform="cisco_ios").id
    with db.read_session() as s:
        stale = devices.get_device(s, device_id)
    with db.session() as s:
        devices.update_device(s, device_id, 1, site="fast")
    with pytest.raises(ConflictError), db.session() as s:  # noqa: PT012 - one unit of work
        s.add(stale)  # still says version 1: the UPDATE's version guard matches no row
        stale.site = "slow"
        flush(s, "device", "r1", 1)
    with db.read_session() as s:
        assert devices.get_device(s, device_id).site == "fast"


def test_rename_into_a_taken_name_is_refused(face):
    _add(face, name="a")
    b = _add(face, name="b", host="10.0.0.2")
    with pytest.raises(DuplicateError):
        face(devices.update_device, b.id, None, name="A")
    assert face(devices.update_device, b.id, None, name="B").name == "B"


def test_trash_hides_restores_and_frees_the_name(face):
    device = _add(face)
    face(devices.trash_device, device.id, 1)
    assert face(devices.count_devices) == 0
    with pytest.raises(NotFoundError):
        face(devices.get_device_by_name, "core-sw1")
    assert [d.name for d in face(devices.list_trashed_devices)] == ["core-sw1"]
    newcomer = _add(face, host="10.9.9.9")  # the name is free while the old one is trashed
    with pytest.raises(DuplicateError):
        face(devices.restore_device, device.id)
    face(devices.delete_device, newcomer.id)
    restored = face(devices.restore_device, device.id)
    assert restored.deleted_at is None
    assert face(devices.get_device_by_name, "core-sw1").host == "10.0.0.1"


def test_delete_removes_history_and_links_but_keeps_tags(face):
    tag_list = face(tags.ensure_tags, ["core"])
    device = _add(face, tags=tag_list)
    blob = face(configs.put_blob, "hostname core-sw1\n")
    face(configs.create_snapshot, device_id=device.id, blob_sha256=blob.sha256)
    face(
        host_keys.save_host_key,
        device_id=device.id,
        key_type="ssh-ed25519",
        public_key="AAAA",
        fingerprint="SHA256:x",
    )
    face(devices.delete_device, device.id)
    with pytest.raises(NotFoundError):
        face(devices.get_device, device.id)
    assert face(configs.list_snapshots, device.id) == []
    assert face(host_keys.list_host_keys, device.id) == []
    assert face(tags.list_tags)[0][0].name == "core"
    assert face(tags.list_tags)[0][1] == 0
    assert face(configs.delete_unreferenced_blobs) == 1


def test_tags_crud(face):
    tag = face(tags.create_tag, "Core", "spine switches")
    with pytest.raises(DuplicateError):
        face(tags.create_tag, "core")
    assert face(tags.get_tag_by_name, "CORE").id == tag.id
    assert [t.name for t in face(tags.ensure_tags, ["core", "new", "NEW"])] == ["Core", "new"]
    renamed = face(tags.update_tag, tag.id, 1, name="spine")
    assert (renamed.name, renamed.version) == ("spine", 2)
    with pytest.raises(ConflictError):
        face(tags.update_tag, tag.id, 1, description="x")
    device = _add(face, tags=[face(tags.get_tag, tag.id)])
    assert [(t.name, n) for t, n in face(tags.list_tags)] == [("new", 0), ("spine", 1)]
    assert [(t.name, n) for t, n in face(tags.list_tags, search="SPI")] == [("spine", 1)]
    face(tags.delete_tag, tag.id)
    assert face(devices.get_device, device.id).tags == []
    with pytest.raises(NotFoundError):
        face(tags.get_tag, tag.id)
