"""User CRUD, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from netraven_desktop.core.crud import users
from netraven_desktop.core.errors import ConflictError, DuplicateError, InputError, NotFoundError

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


def _add(face, username="alice", **fields):
    fields.setdefault("password_hash", HASH)
    return face(users.create_user, username=username, **fields)


def _names(rows):
    return [u.username for u in rows]


def test_create_and_get_round_trip(face, db):
    created = _add(face, display_name="  Alice Liddell ", role="admin")
    got = face(users.get_user, created.id)
    assert (got.username, got.display_name, got.role) == ("alice", "Alice Liddell", "admin")
    with db.read_session() as session:  # the hash is loaded only on request (deferred)
        assert users.get_user(session, created.id).password_hash == HASH
    assert (got.active, got.failed_attempts, got.locked_until, got.last_login_at) == (
        True,
        0,
        None,
        None,
    )
    assert got.version == 1
    assert face(users.get_user_by_name, "ALICE").id == created.id
    assert _add(face, username="bob").role == "viewer"
    with pytest.raises(NotFoundError) as err:
        face(users.get_user_by_name, "carol")
    assert (err.value.field, err.value.value) == ("username", "carol")
    with pytest.raises(NotFoundError):
        face(users.get_user, uuid.uuid4())


def test_usernames_are_unique_regardless_of_case(face):
    _add(face)
    with pytest.raises(DuplicateError) as err:
        _add(face, username=" Alice ")
    assert err.value.field == "username"
    bob = _add(face, username="bob")
    with pytest.raises(DuplicateError):
        face(users.update_user, bob.id, 1, username="ALICE")
    assert _names(face(users.list_users)) == ["alice", "bob"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("role", "root"), ("role", "Admin"), ("username", "  "), ("username", "a\tb")],
)
def test_bad_fields_are_rejected_and_nothing_is_written(face, field, value):
    with pytest.raises(InputError) as err:
        _add(face, **{field: value})
    assert (err.value.field, err.value.value) == (field, value)
    assert face(users.list_users) == []


def test_role_is_validated_on_update_too(face):
    user = _add(face)
    with pytest.raises(InputError) as err:
        face(users.update_user, user.id, 1, role="superuser")
    assert (err.value.field, err.value.value) == ("role", "superuser")
    assert face(users.get_user, user.id).role == "viewer"


def test_list_filters_sort_and_page(face):
    _add(face, username="carol", role="operator", last_login_at=T0 + timedelta(days=2))
    _add(face, username="Bob", role="admin", last_login_at=T0)
    _add(
        face, username="alice", role="operator", active=False, last_login_at=T0 + timedelta(days=1)
    )
    assert _names(face(users.list_users)) == ["alice", "Bob", "carol"]
    assert _names(face(users.list_users, descending=True)) == ["carol", "Bob", "alice"]
    assert _names(face(users.list_users, sort="last_login_at")) == ["Bob", "alice", "carol"]
    assert _names(face(users.list_users, role="operator")) == ["alice", "carol"]
    assert _names(face(users.list_users, active=False)) == ["alice"]
    assert _names(face(users.list_users, role="operator", active=True)) == ["carol"]
    assert face(users.list_users, role="viewer") == []
    assert _names(face(users.list_users, limit=2, offset=1)) == ["Bob", "carol"]
    with pytest.raises(InputError):
        face(users.list_users, sort="password_hash")


def test_update_checks_the_version(face):
    user = _add(face)
    updated = face(
        users.update_user, user.id, 1, role="operator", failed_attempts=3, locked_until=T0
    )
    assert (updated.role, updated.failed_attempts, updated.locked_until, updated.version) == (
        "operator",
        3,
        T0,
        2,
    )
    with pytest.raises(ConflictError) as err:
        face(users.update_user, user.id, 1, active=False)
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert face(users.get_user, user.id).active is True
    with pytest.raises(TypeError):
        face(users.update_user, user.id, 2, created_at=T0)


def test_delete_checks_the_version(face):
    user = _add(face)
    face(users.update_user, user.id, None, display_name="A")
    with pytest.raises(ConflictError):
        face(users.delete_user, user.id, 1)
    assert face(users.get_user, user.id).display_name == "A"
    face(users.delete_user, user.id, 2)
    with pytest.raises(NotFoundError):
        face(users.get_user, user.id)
    assert _add(face, username="ALICE").username == "ALICE"  # the name is free again


def test_sorting_by_last_login_is_the_same_on_both_backends(make_db):
    """Users who never logged in must land at the same end of the list everywhere."""
    orders = {}
    for backend in ("sqlite", "postgresql"):
        db = make_db(backend)
        with db.session() as s:
            users.create_user(s, username="never", password_hash=HASH)
            users.create_user(s, username="once", password_hash=HASH, last_login_at=T0)
        with db.read_session() as s:
            orders[backend] = _names(users.list_users(s, sort="last_login_at"))
    assert orders["sqlite"] == orders["postgresql"]
