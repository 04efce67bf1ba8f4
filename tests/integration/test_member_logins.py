"""Each team member connects to PostgreSQL as a login role of their own (issue 13).

The test server checks every login's password with SCRAM (scripts/pg-throwaway), so a
wrong or old password is refused by PostgreSQL itself. Members are checked by
connecting with psycopg as them, not through the program.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from netraven_desktop.core.db import Database, login_roles
from netraven_desktop.core.db.schema import alembic_config, upgrade
from netraven_desktop.core.errors import InputError, PermissionDeniedError, SchemaNotReadyError
from netraven_desktop.core.services import audit, auth
from netraven_desktop.core.session_tokens import stored_password
from tests.clitools import Cli, one_line_error
from tests.conftest import pg_admin_url
from tests.integration.test_team_roles import may

pytestmark = pytest.mark.postgres

ALICE_PW, BOB_PW = "Alice-Pa55-word", "Bob-Pa55-word"


@pytest.fixture
def team(make_db) -> Database:
    """A team database (the owner's connection) with admin alice and operator bob."""
    db = make_db("postgresql")
    with db.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", ALICE_PW))
    db.act_as("alice", "admin")
    with db.session() as s:
        auth.add_user(s, username="bob", password=BOB_PW, role="operator")
    return db


def connect(team: Database, user: str, password: str) -> psycopg.Connection:
    return psycopg.connect(
        team.url.plain(hide_password=False), user=user, password=password, autocommit=True
    )


def refused(team: Database, user: str, password: str) -> str:
    with pytest.raises(psycopg.OperationalError) as error:
        connect(team, user, password).close()
    return str(error.value)


def url_of(team: Database) -> str:
    """The team's URL: who connects is `--user`, which replaces the owner's name."""
    return team.url.plain(hide_password=False)


def test_user_add_makes_a_login_role_with_exactly_its_groups_rights(team):
    bob = connect(team, "bob", BOB_PW)
    try:
        groups = bob.execute(
            "SELECT pg_has_role('netraven_viewer', 'MEMBER'), "
            "pg_has_role('netraven_operator', 'MEMBER'), pg_has_role('netraven_admin', 'MEMBER')"
        ).fetchone()
        assert groups == (True, True, False)
        assert may(bob, "UPDATE devices SET name = name WHERE false")
        assert not may(bob, "UPDATE settings SET value = value WHERE false")
        assert not may(bob, "SELECT password_hash FROM users")
    finally:
        bob.close()
    assert "password authentication failed" in refused(team, "bob", "not-his-password")
    with team.read_session() as s:  # no hash of a database password is kept anywhere
        hashes = s.scalars(text("SELECT password_hash FROM users")).all()
    assert hashes == [auth.NO_APP_PASSWORD] * 2


def test_a_password_goes_to_the_server_as_a_scram_verifier(team):
    """Non-ASCII too: the verifier follows SASLprep as the server does."""
    verifier = login_roles.scram_verifier("x", salt=b"0" * 16)
    assert verifier.startswith("SCRAM-SHA-256$4096:MDAwMDAwMDAwMDAwMDAwMA==$")
    with team.session() as s:
        auth.add_user(s, username="zoe", password="Grüße-\u2163-Ω-pass", role="viewer")
    connect(team, "zoe", "Grüße-\u2163-Ω-pass").close()  # U+2163 maps to "IV" (NFKC)
    connect(team, "zoe", "Grüße-IV-Ω-pass").close()


def test_disable_ends_open_connections_and_refuses_new_ones_enable_restores(team):
    bob = connect(team, "bob", BOB_PW)
    with team.session() as s:
        auth.set_user(s, "bob", active=False)
    with pytest.raises(psycopg.OperationalError):  # the open connection was ended
        bob.execute("SELECT 1")
    assert "is not permitted to log in" in refused(team, "bob", BOB_PW)
    with team.session() as s:
        auth.set_user(s, "bob", active=True)
    connect(team, "bob", BOB_PW).close()


def test_a_new_password_refuses_the_old_one_and_ends_open_connections(team):
    bob = connect(team, "bob", BOB_PW)
    with team.session() as s:
        auth.change_password(s, "bob", "Bob-New-Pa55")
    with pytest.raises(psycopg.OperationalError):
        bob.execute("SELECT 1")
    assert "password authentication failed" in refused(team, "bob", BOB_PW)
    connect(team, "bob", "Bob-New-Pa55").close()


def test_role_changes_move_the_login_between_groups(team):
    with team.session() as s:
        auth.set_user(s, "bob", role="viewer")
    bob = connect(team, "bob", BOB_PW)
    try:
        assert not may(bob, "UPDATE devices SET name = name WHERE false")
        assert bob.execute("SELECT pg_has_role('netraven_operator', 'MEMBER')").fetchone() == (
            False,
        )
    finally:
        bob.close()


def test_names_that_are_not_safe_logins_are_refused_and_change_nothing(team):
    for name in ("Bob Smith", "pg_monitor", 'x"; DROP ROLE alice; --', "netraven_admin"):
        with (
            pytest.raises(InputError, match="is not usable as a PostgreSQL login"),
            team.session() as s,
        ):
            auth.add_user(s, username=name, password="Some-Pa55-word", role="viewer")
    with team.read_session() as s:
        assert s.scalar(text("SELECT count(*) FROM users")) == 2


def test_an_admin_without_createrole_is_told_so(team, env):
    """An admin login a DBA made by hand, without CREATEROLE."""
    owner = psycopg.connect(team.url.plain(hide_password=False), autocommit=True)
    try:
        owner.execute("CREATE ROLE adam LOGIN PASSWORD 'Adam-Pa55-word' IN ROLE netraven_admin")
        with team.session() as s:
            auth.add_user(s, username="adam", password="Adam-Pa55-word", role="admin")
    finally:
        owner.close()
    cli = Cli(url_of(team), env | {"NETRAVEN_PASSWORD": "Adam-Pa55-word"})
    result = cli("--user", "adam", "user", "add", "carl", "--role", "viewer", "--password-stdin",
                 stdin="Carl-Pa55-word\n")  # fmt: skip
    assert result.returncode == 5
    one_line_error(result, "your PostgreSQL login adam lacks CREATEROLE", 'ALTER ROLE "adam"')
    with team.read_session() as s:
        assert s.scalar(text("SELECT count(*) FROM users WHERE username = 'carl'")) == 0
        assert s.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = 'carl'")) == 0


def test_the_cli_signs_in_as_the_members_own_login(team, env, secret_store):
    cli = Cli(url_of(team), env)
    bad = cli("--user", "bob", "login", "--password-stdin", stdin="wrong-password\n")
    assert bad.returncode == 5
    one_line_error(bad, "login refused for bob")
    assert "logged in as bob (operator)" in cli.ok(
        "--user", "bob", "login", "--password-stdin", stdin=f"{BOB_PW}\n"
    )
    try:
        assert stored_password(secret_store, team.url, "bob") == BOB_PW
        cli.ok("--user", "bob", "tag", "add", "core")  # the kept password, no prompt
        # The role is the server's: bob's row claiming admin changes nothing.
        with team.sync_engine.begin() as conn:
            conn.execute(text("UPDATE users SET role = 'admin' WHERE username = 'bob'"))
        denied = cli("--user", "bob", "settings", "set", "backup.retries", "5")
        assert denied.returncode == 5
        one_line_error(denied, "bob is operator and may not")
        upgrade_as_operator = cli("--user", "bob", "db", "upgrade")
        assert upgrade_as_operator.returncode == 5
        one_line_error(upgrade_as_operator, "db upgrade on a team database needs an admin login")
        with team.read_session() as s:
            events = [(e.action, e.actor) for e in audit.list_events(s, descending=False)]
        assert ("auth.login", "bob") in events
        assert ("tag.create", "bob") in events
    finally:
        cli.ok("--user", "bob", "logout")
    with team.read_session() as s:
        assert audit.list_events(s)[0].action == "auth.logout"
    assert stored_password(secret_store, team.url, "bob") is None


def test_logout_forgets_only_your_own_password(team, env, secret_store):
    cli = Cli(url_of(team), env)
    cli.ok("--user", "alice", "login", "--password-stdin", stdin=f"{ALICE_PW}\n")
    cli.ok("--user", "bob", "login", "--password-stdin", stdin=f"{BOB_PW}\n")
    try:
        assert cli.ok("--user", "alice", "logout") == "logged out alice\n"
        assert stored_password(secret_store, team.url, "alice") is None
        assert stored_password(secret_store, team.url, "bob") == BOB_PW
        cli.ok("--user", "bob", "tag", "list")
        assert cli.ok("--user", "alice", "logout") == "no password of alice was kept here\n"
    finally:
        cli("--user", "bob", "logout")


def test_changing_your_own_password_updates_the_kept_one(team, env, secret_store):
    cli = Cli(url_of(team), env)
    cli.ok("--user", "bob", "login", "--password-stdin", stdin=f"{BOB_PW}\n")
    try:
        out = cli.ok("--user", "bob", "user", "passwd", "bob", "--password-stdin",
                     stdin="Bob-Own-Pa55\n")  # fmt: skip
        assert "the password kept in the OS keyring is the new one" in out
        assert stored_password(secret_store, team.url, "bob") == "Bob-Own-Pa55"
        cli.ok("--user", "bob", "tag", "list")
        with team.read_session() as s:
            last = audit.list_events(s)[0]
        assert (last.action, last.actor) == ("auth.password", "bob")
    finally:
        cli.ok("--user", "bob", "logout")


def test_cli_user_disable_and_passwd_as_the_first_admin(team, env):
    """The first admin (`db mode team --admin`) manages members over their own login."""
    cli = Cli(url_of(team), env | {"NETRAVEN_PASSWORD": ALICE_PW})
    bob = connect(team, "bob", BOB_PW)
    assert cli.ok("--user", "alice", "user", "disable", "bob") == "disabled user bob\n"
    with pytest.raises(psycopg.OperationalError):
        bob.execute("SELECT 1")
    cli.ok("--user", "alice", "user", "enable", "bob")
    cli.ok("--user", "alice", "user", "passwd", "bob", "--password-stdin", stdin="Bob-2nd-Pa55\n")
    connect(team, "bob", "Bob-2nd-Pa55").close()
    own = Cli(url_of(team), env | {"NETRAVEN_PASSWORD": "Bob-2nd-Pa55"})
    own.ok("--user", "bob", "user", "passwd", "bob", "--password-stdin", stdin="Bob-3rd-Pa55\n")
    connect(team, "bob", "Bob-3rd-Pa55").close()
    assert "password authentication failed" in refused(team, "bob", "Bob-2nd-Pa55")


def test_a_role_without_an_active_user_row_is_refused_and_audited(team, env):
    with team.session() as s:
        s.execute(text("UPDATE users SET active = false WHERE username = 'bob'"))
    cli = Cli(url_of(team), env | {"NETRAVEN_PASSWORD": BOB_PW})
    result = cli("--user", "bob", "device", "list")
    assert result.returncode == 5
    one_line_error(result, "login refused: bob is not an active user")
    with team.read_session() as s:
        last = audit.list_events(s)[0]
    assert (last.action, last.actor) == ("auth.refused", "bob")


def test_a_viewer_writes_no_audit_event_but_its_own_sign_in(team):
    with team.session() as s:
        auth.add_user(s, username="vera", password="Vera-Pa55-word", role="viewer")
    vera = connect(team, "vera", "Vera-Pa55-word")
    try:
        assert may(vera, "SELECT netraven_audit_sign_in('auth.login')")
        with pytest.raises(psycopg.errors.RaiseException, match="not a sign-in event"):
            vera.execute("SELECT netraven_audit_sign_in('device.delete')")
        assert not may(vera, """SELECT netraven_audit_append('[{"action": "x"}]')""")
    finally:
        vera.close()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    server = make_url(pg_admin_url()).set(drivername="postgresql+psycopg")
    name = f"netraven_logins_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def test_a_team_database_from_before_migrates_its_users_to_login_roles(fresh_database, env):
    suffix = uuid.uuid4().hex[:6]
    admin, viewer = f"ann_{suffix}", f"vic_{suffix}"
    db = Database(fresh_database)
    try:
        with db.sync_engine.begin() as conn:  # what the 0009 program wrote
            command.upgrade(alembic_config(conn), "0009_team_vault")
            for name, role in ((admin, "admin"), (viewer, "viewer")):
                conn.execute(
                    text(
                        "INSERT INTO users (id, username, password_hash, role, active, "
                        "failed_attempts, session_token_hash, created_at, updated_at, version) "
                        "VALUES (gen_random_uuid(), :n, '$argon2id$v=19$m=65536,t=3,p=4$x', "
                        ":r, true, 0, 'abc', now(), now(), 1)"
                    ),
                    {"n": name, "r": role},
                )
            conn.execute(
                text(
                    "INSERT INTO settings (scope, key, value, created_at, updated_at, version) "
                    "VALUES ('system', 'mode', to_jsonb('team'::text), now(), now(), 1)"
                )
            )
        upgrade(db)
        with db.sync_engine.connect() as conn:
            roles = conn.execute(
                text(
                    "SELECT rolname, rolcanlogin, pg_has_role(rolname, 'netraven_admin', "
                    "'MEMBER') FROM pg_roles WHERE rolname IN (:a, :v) ORDER BY rolname"
                ),
                {"a": admin, "v": viewer},
            ).all()
            secrets = conn.execute(
                text("SELECT DISTINCT password_hash, session_token_hash FROM users")
            ).all()
        assert [tuple(r) for r in roles] == [(admin, False, True), (viewer, False, False)]
        assert [tuple(r) for r in secrets] == [(auth.NO_APP_PASSWORD, None)]
        # The DBA's login (no user of the database, an admin as the server says) sets
        # each password: then they may log in.
        dba = Cli(fresh_database, env)
        dba.ok("user", "passwd", viewer, "--password-stdin", stdin="Vic-Pa55-word\n")
        Cli(fresh_database, env | {"NETRAVEN_PASSWORD": "Vic-Pa55-word"}).ok(
            "--user", viewer, "device", "list"
        )
    finally:
        db.close()
        owner = psycopg.connect(fresh_database, autocommit=True)
        for name in (admin, viewer):
            owner.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        owner.close()


def test_db_mode_needs_an_admin_login(team):
    as_bob = Database(
        make_url(team.url.plain(hide_password=False))
        .set(username="bob", password=BOB_PW)
        .render_as_string(False)
    )
    try:
        as_bob.act_as("bob", "admin")  # whatever the client claims
        with (
            pytest.raises(PermissionDeniedError, match="db mode on a team database needs an"),
            as_bob.session() as s,
        ):
            auth.set_mode(s, "personal")
    finally:
        as_bob.close()


def test_an_upgrade_by_an_owner_without_createrole_names_the_roles_to_create(fresh_database, env):
    """The 0009 database's owner may not create roles: nothing changes, and the message
    names what a DBA runs; after that the upgrade goes through."""
    suffix = uuid.uuid4().hex[:6]
    owner_name, member = f"own_{suffix}", f"mia_{suffix}"
    superuser = psycopg.connect(fresh_database, autocommit=True)
    superuser.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'Owner-Pa55'").format(sql.Identifier(owner_name))
    )
    database = make_url(fresh_database).database
    superuser.execute(
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
            sql.Identifier(database), sql.Identifier(owner_name)
        )
    )
    superuser.execute(
        sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(sql.Identifier(owner_name))
    )
    as_owner = make_url(fresh_database).set(username=owner_name, password="Owner-Pa55")
    db = Database(as_owner.render_as_string(hide_password=False))
    try:
        with db.sync_engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0009_team_vault")
            conn.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, role, active, "
                    "failed_attempts, created_at, updated_at, version) VALUES "
                    "(gen_random_uuid(), :n, 'x', 'operator', true, 0, now(), now(), 1)"
                ),
                {"n": member},
            )
        with pytest.raises(SchemaNotReadyError) as refused:
            upgrade(db)
        message = str(refused.value)
        assert f"{owner_name} may not create them (no CREATEROLE)" in message
        with db.sync_engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "0009_team_vault"
            )
        superuser.execute(message.split("`")[1])  # the DBA runs what the message says
        upgrade(db)
        with db.sync_engine.connect() as conn:
            assert conn.execute(
                text("SELECT pg_has_role(:n, 'netraven_operator', 'MEMBER')"), {"n": member}
            ).scalar()
    finally:
        db.close()
        superuser.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO postgres").format(sql.Identifier(database))
        )
        superuser.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(member)))
        superuser.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(owner_name)))
        superuser.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(owner_name)))
        superuser.close()
