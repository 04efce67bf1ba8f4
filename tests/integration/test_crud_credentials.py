"""Credential CRUD, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from netraven_desktop.core.crud import credentials, devices, tags
from netraven_desktop.core.errors import ConflictError, DuplicateError, InputError, NotFoundError


def _add(face, name="lab", **fields):
    fields.setdefault("username", "admin")
    fields.setdefault("keyring_ref", f"netraven/{name.lower()}")
    return face(credentials.create_credential, name=name, **fields)


def _names(rows):
    return [c.name for c in rows]


def test_create_and_get_round_trip(face):
    tag_list = face(tags.ensure_tags, ["core"])
    created = _add(
        face,
        kind="ssh-key",
        priority=5,
        ssh_key_path="~/.ssh/id_ed25519",
        has_enable_secret=True,
        description="  lab login  ",
        tags=tag_list,
    )
    got = face(credentials.get_credential, created.id)
    assert (got.name, got.username, got.kind, got.priority, got.keyring_ref) == (
        "lab",
        "admin",
        "ssh-key",
        5,
        "netraven/lab",
    )
    assert (got.ssh_key_path, got.has_enable_secret, got.description) == (
        "~/.ssh/id_ed25519",
        True,
        "lab login",
    )
    assert [t.name for t in got.tags] == ["core"]
    assert got.version == 1
    assert isinstance(got.id, uuid.UUID)
    assert face(credentials.get_credential_by_name, " LAB ").id == created.id
    plain = _add(face, name="plain")
    assert (plain.kind, plain.priority, plain.has_enable_secret, plain.tags) == (
        "password",
        100,
        False,
        [],
    )


def test_unknown_ids_and_names_are_not_found(face):
    with pytest.raises(NotFoundError) as err:
        face(credentials.get_credential, uuid.uuid4())
    assert err.value.field == "id"
    with pytest.raises(NotFoundError) as err:
        face(credentials.get_credential_by_name, "nope")
    assert (err.value.field, err.value.value) == ("name", "nope")


def test_names_are_unique_regardless_of_case(face):
    _add(face)
    with pytest.raises(DuplicateError) as err:
        _add(face, name="LAB", keyring_ref="netraven/other")
    assert (err.value.field, err.value.value) == ("name", "LAB")
    other = _add(face, name="other")
    with pytest.raises(DuplicateError):
        face(credentials.update_credential, other.id, None, name="Lab")
    assert _names(face(credentials.list_credentials)) == ["lab", "other"]


def test_keyring_ref_is_unique(face):
    _add(face, name="a", keyring_ref="netraven/shared")
    with pytest.raises(DuplicateError) as err:
        _add(face, name="b", keyring_ref="netraven/shared")
    assert _names(face(credentials.list_credentials)) == ["a"]
    # The name "b" is free: the error must name the field that clashed.
    assert (err.value.field, err.value.value) == ("keyring_ref", "netraven/shared")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "telnet"),
        ("kind", "PASSWORD"),
        ("name", "  "),
        ("username", ""),
        ("priority", -1),
        ("priority", "high"),
    ],
)
def test_bad_fields_are_rejected_and_nothing_is_written(face, field, value):
    with pytest.raises(InputError) as err:
        _add(face, **{field: value})
    assert (err.value.field, err.value.value) == (field, value)
    assert face(credentials.list_credentials) == []


def test_kind_is_validated_on_update_too(face):
    cred = _add(face)
    with pytest.raises(InputError) as err:
        face(credentials.update_credential, cred.id, 1, kind="token")
    assert err.value.field == "kind"
    assert face(credentials.get_credential, cred.id).kind == "password"


def test_list_order_is_priority_then_name_with_filters_and_paging(face):
    core = face(tags.ensure_tags, ["core"])
    _add(face, name="b-core", priority=10, tags=core)
    _add(face, name="A-core", priority=10, tags=core)
    _add(face, name="first", priority=1)
    _add(face, name="last", priority=500)
    assert _names(face(credentials.list_credentials)) == ["first", "A-core", "b-core", "last"]
    # Descending reverses the priority; equal priorities stay in name order.
    assert _names(face(credentials.list_credentials, descending=True)) == [
        "last",
        "A-core",
        "b-core",
        "first",
    ]
    assert _names(face(credentials.list_credentials, sort="name", descending=True)) == [
        "last",
        "first",
        "b-core",
        "A-core",
    ]
    assert _names(face(credentials.list_credentials, sort="name")) == [
        "A-core",
        "b-core",
        "first",
        "last",
    ]
    assert _names(face(credentials.list_credentials, tag="CORE")) == ["A-core", "b-core"]
    assert face(credentials.list_credentials, tag="edge") == []
    assert _names(face(credentials.list_credentials, limit=2, offset=1)) == ["A-core", "b-core"]
    with pytest.raises(InputError) as err:
        face(credentials.list_credentials, sort="keyring_ref")
    assert err.value.field == "sort"


def test_update_checks_the_version(face):
    cred = _add(face)
    edge = face(tags.ensure_tags, ["edge"])
    updated = face(
        credentials.update_credential, cred.id, 1, priority="7", username="netops", tags=edge
    )
    assert (updated.priority, updated.username, updated.version) == (7, "netops", 2)
    assert [t.name for t in updated.tags] == ["edge"]
    with pytest.raises(ConflictError) as err:
        face(credentials.update_credential, cred.id, 1, priority=1)
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert face(credentials.get_credential, cred.id).priority == 7
    with pytest.raises(TypeError):
        face(credentials.update_credential, cred.id, 2, keyring_ref="netraven/new")
    assert face(credentials.get_credential, cred.id).keyring_ref == "netraven/lab"


def test_delete_checks_the_version_and_keeps_tags(face):
    cred = _add(face, tags=face(tags.ensure_tags, ["core"]))
    face(credentials.update_credential, cred.id, 1, priority=1)
    with pytest.raises(ConflictError):
        face(credentials.delete_credential, cred.id, 1)
    assert face(credentials.get_credential, cred.id).version == 2
    face(credentials.delete_credential, cred.id, 2)
    with pytest.raises(NotFoundError):
        face(credentials.get_credential, cred.id)
    assert face(tags.get_tag_by_name, "core").name == "core"


def test_deleting_a_credential_unbinds_devices_but_keeps_them(face):
    cred = _add(face)
    keep = _add(face, name="keep")
    bound = face(
        devices.create_device,
        name="r1",
        host="10.0.0.1",
        platform="cisco_ios",
        credential_id=cred.id,
        last_credential_id=cred.id,
    )
    other = face(
        devices.create_device,
        name="r2",
        host="10.0.0.2",
        platform="cisco_ios",
        credential_id=keep.id,
    )
    face(credentials.delete_credential, cred.id)
    device = face(devices.get_device, bound.id)
    assert (device.name, device.credential_id, device.last_credential_id) == ("r1", None, None)
    assert device.credential is None
    assert face(devices.get_device, other.id).credential_id == keep.id
    assert face(devices.count_devices) == 2
