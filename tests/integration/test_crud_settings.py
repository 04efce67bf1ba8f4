"""Stored settings (CRUD) and the typed settings service, sync and async, on both backends."""

from __future__ import annotations

import pytest

from netraven_desktop.core.crud import settings as rows
from netraven_desktop.core.errors import ConflictError, InputError, NotFoundError
from netraven_desktop.core.services import settings

# --- the CRUD layer: raw JSON values by (scope, key) ---


def test_put_find_get_and_overwrite(face):
    assert face(rows.find_setting, "ui.theme") is None
    with pytest.raises(NotFoundError) as err:
        face(rows.get_setting, "ui.theme")
    assert (err.value.field, err.value.value) == ("key", "ui.theme")
    created = face(rows.put_setting, "ui.theme", "dark")
    assert (created.scope, created.key, created.value, created.version) == (
        "global",
        "ui.theme",
        "dark",
        1,
    )
    changed = face(rows.put_setting, "ui.theme", "light", expected_version=1)
    assert (changed.value, changed.version) == ("light", 2)
    got = face(rows.get_setting, "ui.theme")
    assert (got.value, got.version) == ("light", 2)
    assert face(rows.find_setting, "ui.theme").value == "light"


def test_a_stale_version_is_a_conflict(face):
    face(rows.put_setting, "ui.theme", "dark")
    face(rows.put_setting, "ui.theme", "light")
    with pytest.raises(ConflictError) as err:
        face(rows.put_setting, "ui.theme", "blue", expected_version=1)
    assert (err.value.expected, err.value.actual) == (1, 2)
    with pytest.raises(ConflictError):
        face(rows.delete_setting, "ui.theme", expected_version=1)
    assert face(rows.get_setting, "ui.theme").value == "light"


def test_scopes_are_separate_and_listed_by_key(face):
    face(rows.put_setting, "b.key", 2)
    face(rows.put_setting, "a.key", 1)
    face(rows.put_setting, "a.key", "mine", scope="user:alice")
    assert [(s.key, s.value) for s in face(rows.list_settings)] == [("a.key", 1), ("b.key", 2)]
    assert [(s.key, s.value) for s in face(rows.list_settings, "user:alice")] == [("a.key", "mine")]
    assert face(rows.list_settings, "user:bob") == []
    assert face(rows.get_setting, "a.key", "user:alice").value == "mine"


def test_delete(face):
    face(rows.put_setting, "a.key", 1)
    face(rows.put_setting, "a.key", 1, scope="user:alice")
    face(rows.delete_setting, "a.key", expected_version=1)
    assert face(rows.find_setting, "a.key") is None
    assert face(rows.find_setting, "a.key", "user:alice").value == 1
    with pytest.raises(NotFoundError):
        face(rows.delete_setting, "a.key")


@pytest.mark.parametrize(
    "value",
    [
        {"columns": ["name", "host"], "widths": {"name": 120}, "ratio": 0.25, "x": None},
        ["ü", "€", "交换机", 3, True],
        "plain text",
        12345678901,
        False,
    ],
)
def test_json_values_round_trip(face, value):
    face(rows.put_setting, "ui.state", value)
    assert face(rows.get_setting, "ui.state").value == value


# --- the typed service ---


def test_unset_keys_read_as_their_defaults(face):
    assert face.service(settings.get_setting, "backup.concurrency") == 50
    assert face.service(settings.get_setting, "backup.mask_secrets") is True
    listed = face.service(settings.list_settings)
    assert [s.key for s in listed] == list(settings.SPECS)
    assert all(s.is_default for s in listed)
    assert listed[0].to_dict() == {
        "key": "backup.concurrency",
        "value": 50,
        "default": 50,
        "is_default": True,
        "description": "devices backed up at once",
    }


def test_set_stores_a_typed_value(face):
    assert face.service(settings.set_setting, "backup.concurrency", " 200 ") == 200
    assert face.service(settings.get_setting, "backup.concurrency") == 200
    stored = face(rows.get_setting, "backup.concurrency")
    assert stored.value == 200
    assert type(stored.value) is int
    listed = {s.key: s for s in face.service(settings.list_settings)}
    assert (listed["backup.concurrency"].value, listed["backup.concurrency"].is_default) == (
        200,
        False,
    )
    assert listed["backup.retries"].is_default


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("backup.concurrency", "0"),
        ("backup.concurrency", "1001"),
        ("backup.concurrency", "many"),
        ("backup.concurrency", "2.5"),
        ("backup.concurrency", True),
        ("retention.keep_days", 36501),
        ("backup.mask_secrets", "maybe"),
        ("backup.mask_secrets", 2),
    ],
)
def test_bad_values_are_rejected_and_nothing_is_written(face, key, raw):
    with pytest.raises(InputError) as err:
        face.service(settings.set_setting, key, raw)
    assert (err.value.field, err.value.value) == (key, raw)
    assert key in str(err.value)
    assert face(rows.list_settings) == []


@pytest.mark.parametrize(
    ("raw", "value"), [("yes", True), ("off", False), (" ON ", True), ("0", False), (False, False)]
)
def test_bool_settings_parse_words(face, raw, value):
    assert face.service(settings.set_setting, "backup.mask_secrets", raw) is value
    assert face.service(settings.get_setting, "backup.mask_secrets") is value
    stored = face(rows.find_setting, "backup.mask_secrets")
    # The default (True) is not stored; False is, as a JSON boolean.
    assert (stored.value if stored else None) is (None if value else False)


def test_setting_back_to_the_default_removes_the_row(face):
    face.service(settings.set_setting, "backup.retries", "3")
    assert face(rows.get_setting, "backup.retries").value == 3
    assert face.service(settings.set_setting, "backup.retries", 1) == 1
    assert face(rows.find_setting, "backup.retries") is None
    assert face.service(settings.get_setting, "backup.retries") == 1
    assert face.service(settings.set_setting, "backup.retries", "1") == 1  # already default
    assert face(rows.list_settings) == []


def test_unknown_keys_are_rejected(face):
    for call in (
        lambda: face.service(settings.get_setting, "backup.colour"),
        lambda: face.service(settings.set_setting, "backup.colour", "red"),
    ):
        with pytest.raises(InputError) as err:
            call()
        assert (err.value.field, err.value.value) == ("key", "backup.colour")
    assert face(rows.list_settings) == []


def test_a_stored_value_that_no_longer_fits_reads_as_the_default(face):
    face(rows.put_setting, "backup.concurrency", "lots")
    face(rows.put_setting, "auth.lockout_minutes", 999_999)
    face(rows.put_setting, "backup.mask_secrets", "no")
    assert face.service(settings.get_setting, "backup.concurrency") == 50
    assert face.service(settings.get_setting, "auth.lockout_minutes") == 15
    assert face.service(settings.get_setting, "backup.mask_secrets") is False
