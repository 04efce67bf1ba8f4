"""Team mode: roles enforced in the services themselves, logins with lockout, and the
last admin protected. Services are called directly, as each role.

Passwords are the program's own on SQLite (argon2id, lockout) and PostgreSQL's on
PostgreSQL (each user a login role; tests/integration/test_member_logins.py)."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select, update

from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Device, Setting, User
from netraven_desktop.core.errors import AuthenticationError, InputError, PermissionDeniedError
from netraven_desktop.core.services import auth, devices, retention, runs, settings
from netraven_desktop.core.services import jobs as job_service


def _team(db):
    with db.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", "alice-password"))
    db.act_as("alice", "admin")
    with db.session() as s:
        auth.add_user(s, username="oscar", password="oscar-password", role="operator")
        auth.add_user(s, username="vera", password="vera-password", role="viewer")
        devices.add_device(s, name="r1", host="10.0.0.1", platform="linux")
    return db


@pytest.fixture
def team(db):
    """A team-mode database with an admin, an operator and a viewer."""
    return _team(db)


@pytest.fixture
def sqlite_team(make_db):
    """The same on SQLite, where the program checks its own passwords."""
    return _team(make_db("sqlite"))


def logs_in(team, username: str, password: str) -> bool:
    """Whether the password is accepted: by the program (SQLite), by PostgreSQL itself."""
    if team.url.is_sqlite:
        try:
            auth.authenticate(team, username, password)
        except AuthenticationError:
            return False
        return True
    try:
        psycopg.connect(
            team.url.plain(hide_password=False), user=username, password=password
        ).close()
    except psycopg.OperationalError:
        return False
    return True


OPERATIONS = {
    "read": lambda s: devices.list_devices(s),
    "edit": lambda s: devices.add_device(s, name="new", host="10.0.0.9", platform="linux"),
    "backup": lambda s: retention.apply_retention(s),
    "admin": lambda s: settings.set_setting(s, "backup.concurrency", "77"),
    "admin-users": lambda s: auth.add_user(s, username="zed", password="zed-password"),
    "edit-jobs": lambda s: job_service.add_job(s, name="j", selection=runs.Selection(all=True)),
}
ALLOWED = {
    "viewer": {"read"},
    "operator": {"read", "edit", "backup", "edit-jobs"},
    "admin": set(OPERATIONS),
}


def _counts(db):
    with db.read_session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Device, User, Setting))


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_permission_matrix(team, role, operation):
    name = {"viewer": "vera", "operator": "oscar", "admin": "alice"}[role]
    team.act_as(name, role)
    before = _counts(team)
    if operation in ALLOWED[role]:
        with team.session() as s:
            OPERATIONS[operation](s)
    else:
        with (
            pytest.raises(PermissionDeniedError, match=f"{name} is {role} and may not"),
            team.session() as s,
        ):
            OPERATIONS[operation](s)
        assert _counts(team) == before  # nothing written


def test_without_a_login_nothing_is_allowed_in_team_mode(team):
    team.actor = team.role = None
    with pytest.raises(PermissionDeniedError, match="log in first"), team.read_session() as s:
        devices.list_devices(s)


def test_personal_mode_checks_nothing(db):
    with db.session() as s:
        devices.add_device(s, name="r1", host="10.0.0.1", platform="linux")
        settings.set_setting(s, "backup.concurrency", "10")


def test_passwords_are_argon2id_hashes_or_postgresqls_own(team):
    with team.read_session() as s:
        hashes = [u.password_hash for u in auth.list_users(s)]
    if team.url.is_sqlite:
        assert all(h.startswith("$argon2id$") for h in hashes)
    else:  # the server keeps a SCRAM verifier; the row nothing usable
        assert hashes == [auth.NO_APP_PASSWORD] * 3
        assert logs_in(team, "oscar", "oscar-password")
    assert not any("password" in h for h in hashes)


def test_login_lockout_after_repeated_failures(sqlite_team):
    team = sqlite_team
    user = auth.authenticate(team, "oscar", "oscar-password")
    assert user.role == "operator"
    assert user.last_login_at is not None
    for _ in range(5):
        with pytest.raises(AuthenticationError, match="wrong user name or password"):
            auth.authenticate(team, "oscar", "nope")
    with pytest.raises(AuthenticationError, match="locked until"):
        auth.authenticate(team, "oscar", "oscar-password")  # even the right password
    with team.session() as s:
        s.execute(
            update(User)
            .where(User.username == "oscar")
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert auth.authenticate(team, "oscar", "oscar-password").failed_attempts == 0


def test_unknown_and_disabled_users_are_refused_alike(team):
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        auth.authenticate(team, "nobody", "whatever-pw")
    with team.session() as s:
        auth.set_user(s, "vera", active=False)
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        auth.authenticate(team, "vera", "vera-password")


def test_the_last_admin_cannot_be_disabled_or_demoted(team):
    for change in ({"active": False}, {"role": "operator"}):
        with pytest.raises(InputError, match="last active admin"), team.session() as s:
            auth.set_user(s, "alice", **change)
    with team.session() as s:
        auth.set_user(s, "oscar", role="admin")
    with team.session() as s:
        auth.set_user(s, "alice", role="viewer")  # now someone else is admin
    with team.read_session() as s:
        roles = {u.username: u.role for u in auth.list_users(s)}
    assert roles == {"alice": "viewer", "oscar": "admin", "vera": "viewer"}


def test_users_change_their_own_password_only(team):
    team.act_as("vera", "viewer")
    with team.session() as s:
        auth.change_password(s, "vera", "vera-new-password")
    with pytest.raises(PermissionDeniedError), team.session() as s:
        auth.change_password(s, "oscar", "hijacked-password")
    assert logs_in(team, "vera", "vera-new-password")
    assert not logs_in(team, "vera", "vera-password")
    with pytest.raises(InputError, match="at least 8"), team.session() as s:
        auth.change_password(s, "vera", "short")


def test_team_mode_needs_a_first_admin(db):
    with pytest.raises(InputError, match="first admin"), db.session() as s:
        auth.set_mode(s, "team")
    with db.read_session() as s:
        assert not auth.team_mode(s)
