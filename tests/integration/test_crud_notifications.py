"""Notification channel CRUD, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from netraven_desktop.core.crud import notifications
from netraven_desktop.core.errors import ConflictError, DuplicateError, InputError, NotFoundError

WEBHOOK = {"url": "https://hooks.example.net/netraven", "timeout": 5}


def _add(face, name="ops-hook", kind="webhook", **fields):
    return face(notifications.create_channel, name=name, kind=kind, **fields)


def _names(rows):
    return [c.name for c in rows]


def test_create_and_get_round_trip(face):
    created = _add(face, config=WEBHOOK, secret_ref="netraven/hook", events=["backup_failed"])
    got = face(notifications.get_channel, created.id)
    assert (got.name, got.kind, got.config, got.secret_ref, got.events) == (
        "ops-hook",
        "webhook",
        WEBHOOK,
        "netraven/hook",
        ["backup_failed"],
    )
    assert got.enabled is True
    assert got.version == 1
    assert face(notifications.get_channel_by_name, "OPS-HOOK").id == created.id
    with pytest.raises(NotFoundError):
        face(notifications.get_channel, uuid.uuid4())
    with pytest.raises(NotFoundError):
        face(notifications.get_channel_by_name, "nope")


def test_a_new_channel_subscribes_to_every_event(face):
    desk = _add(face, name="desk", kind="desktop")
    stored = face(notifications.get_channel, desk.id)
    assert stored.events == ["backup_failed", "config_changed", "job_finished", "collector_silent"]
    assert (stored.config, stored.secret_ref) == ({}, None)
    quiet = _add(face, name="quiet", kind="desktop", events=[])
    assert face(notifications.get_channel, quiet.id).events == []


def test_names_are_unique_regardless_of_case(face):
    _add(face)
    with pytest.raises(DuplicateError) as err:
        _add(face, name="Ops-Hook", kind="email")
    assert err.value.field == "name"
    assert _names(face(notifications.list_channels)) == ["ops-hook"]


@pytest.mark.parametrize(
    ("fields", "field", "value"),
    [
        ({"kind": "sms"}, "kind", "sms"),
        ({"kind": "Email"}, "kind", "Email"),
        ({"events": ["backup_failed", "device_added"]}, "events", "device_added"),
        ({"config": "https://x"}, "config", "https://x"),
        ({"name": ""}, "name", ""),
    ],
)
def test_bad_fields_are_rejected_and_nothing_is_written(face, fields, field, value):
    with pytest.raises(InputError) as err:
        _add(face, **fields)
    assert (err.value.field, err.value.value) == (field, value)
    assert face(notifications.list_channels) == []


def test_list_filters_and_page(face):
    _add(face, name="b-mail", kind="email", enabled=False)
    _add(face, name="A-hook")
    _add(face, name="c-desk", kind="desktop")
    assert _names(face(notifications.list_channels)) == ["A-hook", "b-mail", "c-desk"]
    assert _names(face(notifications.list_channels, kind="email")) == ["b-mail"]
    assert _names(face(notifications.list_channels, enabled=True)) == ["A-hook", "c-desk"]
    assert _names(face(notifications.list_channels, kind="webhook", enabled=False)) == []
    assert _names(face(notifications.list_channels, limit=1, offset=1)) == ["b-mail"]


def test_update_checks_the_version_and_validates(face):
    chan = _add(face)
    updated = face(
        notifications.update_channel,
        chan.id,
        1,
        events=["config_changed"],
        config={"url": "https://new.example.net"},
        enabled=False,
    )
    assert (updated.events, updated.config, updated.enabled, updated.version) == (
        ["config_changed"],
        {"url": "https://new.example.net"},
        False,
        2,
    )
    with pytest.raises(ConflictError) as err:
        face(notifications.update_channel, chan.id, 1, enabled=True)
    assert (err.value.expected, err.value.actual) == (1, 2)
    with pytest.raises(InputError) as err:
        face(notifications.update_channel, chan.id, 2, events=["everything"])
    assert err.value.field == "events"
    with pytest.raises(TypeError):
        face(notifications.update_channel, chan.id, 2, kind="email")  # kind is fixed
    got = face(notifications.get_channel, chan.id)
    assert (got.kind, got.events, got.enabled, got.version) == (
        "webhook",
        ["config_changed"],
        False,
        2,
    )


def test_delete_checks_the_version(face):
    chan = _add(face)
    face(notifications.update_channel, chan.id, None, enabled=False)
    with pytest.raises(ConflictError):
        face(notifications.delete_channel, chan.id, 1)
    assert face(notifications.get_channel, chan.id).version == 2
    face(notifications.delete_channel, chan.id, 2)
    assert face(notifications.list_channels) == []
    with pytest.raises(NotFoundError):
        face(notifications.delete_channel, chan.id)
