"""Team mode the database enforces: each member connects as a login role of their own,
in one of the group roles, and is checked with raw SQL (psycopg) rather than through
the program, since a teammate with database access need not run it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from alembic import command
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from netraven_desktop.core.crud import audit as audit_rows
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.schema import alembic_config, upgrade
from netraven_desktop.core.errors import PermissionDeniedError, SchemaNotReadyError
from netraven_desktop.core.services import audit, auth, settings, tags
from tests.clitools import Cli, one_line_error
from tests.conftest import pg_admin_url
from tests.own_server import OwnServer

pytestmark = pytest.mark.postgres

VIEWER, OPERATOR, ADMIN = "netraven_viewer", "netraven_operator", "netraven_admin"
# What only admins may write, and what nobody but the owner may.
ADMIN_ONLY = ("settings", "users", "credentials", "credential_tags", "notification_channels")
OWNER_ONLY = ("audit_events", "audit_head", "alembic_version")
# The test server checks every login but the superuser's password (SCRAM).
MEMBER_PASSWORD = "Member-Pa55-word"
INVENTORY = ("devices", "tags", "device_tags", "jobs", "job_runs", "config_snapshots")


def _writes(table: str, column: str) -> list[str]:
    """Statements that write `table` but change no row: the privilege check still runs."""
    return [
        f"INSERT INTO {table} SELECT * FROM {table} WHERE false",
        f"UPDATE {table} SET {column} = {column} WHERE false",
        f"DELETE FROM {table} WHERE false",
        f"TRUNCATE {table} CASCADE",
    ]


def may(conn: psycopg.Connection, statement: str) -> bool:
    """Whether the connected role may run `statement`; rolled back either way."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


@pytest.fixture
def team(make_db) -> Database:
    return make_db("postgresql")


@pytest.fixture
def member(team: Database) -> Iterator[Callable[[str], psycopg.Connection]]:
    """`member(group)`: a new login role in `group`, connected to the team database."""
    url = team.url.plain(hide_password=False)
    owner = psycopg.connect(url, autocommit=True)
    made: list[tuple[str, psycopg.Connection]] = []

    def make(group: str) -> psycopg.Connection:
        name = f"nr_{group.removeprefix('netraven_')}_{uuid.uuid4().hex[:8]}"
        owner.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(MEMBER_PASSWORD), sql.Identifier(group)
            )
        )
        conn = psycopg.connect(url, user=name, password=MEMBER_PASSWORD, autocommit=True)
        made.append((name, conn))
        return conn

    yield make
    for name, conn in made:
        conn.close()
        owner.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    owner.close()


@pytest.fixture
def columns(team: Database) -> dict[str, str]:
    """Every table of the team database, with its first column."""
    with team.sync_engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND ordinal_position = 1"
                )
            ).all()
        )


def _url_as(team: Database, role: str) -> str:
    """The team database's URL for logging in as `role`."""
    url = make_url(team.url.plain(hide_password=False)).set(username=role, password=MEMBER_PASSWORD)
    return url.render_as_string(hide_password=False)


def _all_writes(columns: dict[str, str], tables: tuple[str, ...], truncate: bool = True):
    return [
        s
        for t in tables
        for s in _writes(t, columns[t])
        if truncate or not s.startswith("TRUNCATE")
    ]


def test_a_viewer_reads_everything_but_writes_nothing(columns, member):
    viewer = member(VIEWER)
    assert set(INVENTORY + ADMIN_ONLY + OWNER_ONLY) <= set(columns)
    readable = [t for t in columns if t != "users"]  # users: see the hashes test
    assert [t for t in readable if not may(viewer, f"SELECT count(*) FROM {t}")] == []
    assert [s for s in _all_writes(columns, tuple(columns)) if may(viewer, s)] == []
    assert not may(viewer, """SELECT netraven_audit_append('[{"action": "x"}]')""")


def test_an_operator_edits_the_inventory_but_not_settings_users_credentials_or_audit(
    columns, member
):
    operator = member(OPERATOR)
    inventory = _all_writes(columns, INVENTORY, truncate=False)
    assert [s for s in inventory if not may(operator, s)] == []
    others = _all_writes(columns, ADMIN_ONLY + OWNER_ONLY)
    assert [s for s in others if may(operator, s)] == []


def test_an_admin_manages_users_and_settings_but_nobody_rewrites_the_audit_log(columns, member):
    admin = member(ADMIN)
    managed = _all_writes(columns, ADMIN_ONLY, truncate=False)
    assert [s for s in managed if not may(admin, s)] == []
    for conn in (member(VIEWER), member(OPERATOR), admin):
        assert [s for s in _all_writes(columns, OWNER_ONLY) if may(conn, s)] == []
        assert not may(conn, "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), 1)")


def test_a_table_a_later_migration_adds_is_readable_by_all_and_writable_by_admins(team):
    with team.sync_engine.begin() as conn:  # the owner, as a migration runs
        conn.execute(text("CREATE TABLE later_table (id integer)"))
        try:
            granted = conn.execute(
                text(
                    "SELECT has_table_privilege(:viewer, 'later_table', 'SELECT'), "
                    "has_table_privilege(:operator, 'later_table', 'INSERT'), "
                    "has_table_privilege(:admin, 'later_table', 'INSERT')"
                ),
                {"viewer": VIEWER, "operator": OPERATOR, "admin": ADMIN},
            ).one()
        finally:
            conn.execute(text("DROP TABLE later_table"))
    assert tuple(granted) == (True, False, True)


def test_only_admins_read_password_and_session_token_hashes(member):
    for group in (VIEWER, OPERATOR):
        conn = member(group)
        assert may(conn, "SELECT username, role, active FROM users")
        assert not may(conn, "SELECT password_hash FROM users")
        assert not may(conn, "SELECT session_token_hash FROM users")
        assert not may(conn, "SELECT * FROM users")
    assert may(member(ADMIN), "SELECT password_hash, session_token_hash FROM users")


def test_the_audit_actor_is_the_connected_role_whatever_the_client_claims(team, member):
    operator = member(OPERATOR)
    role = operator.execute("SELECT session_user").fetchone()[0]
    forged = (
        '[{"actor": "someone-else", "occurred_at": "2001-01-01T00:00:00+00:00", '
        '"action": "device.update", "entity_type": "device", "entity_id": "r1"}]'
    )
    (event_id,) = operator.execute("SELECT netraven_audit_append(%s)", [forged]).fetchone()
    # Through the program too: a unit of work that says it acts for someone else.
    as_operator = Database(_url_as(team, role))
    try:
        with as_operator.session(actor="mallory") as s:
            tags.add_tag(s, "core")
    finally:
        as_operator.close()
    with team.read_session() as s:
        forged_event, tag_event = audit.list_events(s, descending=False)
        server_now = s.scalar(text("SELECT now()"))
        check = audit.verify_chain(s)
    assert forged_event.id == event_id
    assert (forged_event.actor, forged_event.claimed_actor) == (role, "someone-else")
    assert forged_event.claimed_at == datetime(2001, 1, 1, tzinfo=UTC)
    assert forged_event.occurred_at.year == server_now.year  # the server's clock
    assert (tag_event.actor, tag_event.claimed_actor, tag_event.action) == (
        role,
        "mallory",
        "tag.create",
    )
    assert (check.ok, check.checked) == (True, 2)
    viewer = member(VIEWER).execute("SELECT session_user").fetchone()[0]
    as_viewer = Database(_url_as(team, viewer))  # any member may verify the chain
    try:
        with as_viewer.read_session() as s:
            assert audit.verify_chain(s) == check
    finally:
        as_viewer.close()


def test_raw_sql_edits_of_users_and_settings_are_recorded_by_the_server(team, member):
    """The attack of the issue, with psql instead of the program: an admin member makes a
    user admin and changes a setting. The server records both under their own role."""
    with team.session(actor="alice") as s:
        auth.add_user(s, username="bob", password="bob-pw-12345", role="viewer")
        settings.set_setting(s, "backup.retries", "2")
    admin = member(ADMIN)
    role = admin.execute("SELECT session_user").fetchone()[0]
    admin.execute("UPDATE users SET role = 'admin', password_hash = 'x' WHERE username = 'bob'")
    admin.execute(
        "UPDATE settings SET value = '5' WHERE scope = 'global' AND key = 'backup.retries'"
    )
    admin.execute("UPDATE users SET failed_attempts = 3 WHERE username = 'bob'")  # bookkeeping
    with team.read_session() as s:
        raw = [e for e in audit.list_events(s, descending=False) if e.actor == role]
        check = audit.verify_chain(s)
    assert [(e.action, e.entity_type, e.before, e.after) for e in raw] == [
        (
            "row.update",
            "users",
            {"role": "viewer", "password_hash": "(hidden)"},
            {"role": "admin", "password_hash": "(hidden)"},
        ),
        ("row.update", "settings", {"value": 2}, {"value": 5}),
    ]
    assert raw[1].entity_id == "global/backup.retries"
    assert check.ok


def test_a_refused_write_is_one_clear_line_and_writes_nothing(team, member, env):
    """A viewer's own login, in personal mode: the program checks nothing, the database
    refuses; sync and async (the window's) units of work say so the same way."""
    viewer = member(VIEWER)
    role = viewer.execute("SELECT session_user").fetchone()[0]
    url = _url_as(team, role)
    refused = Cli(url, env)("tag", "add", "core")
    assert refused.returncode == 5
    one_line_error(refused, f"the database refused {role}: permission denied for table tags")
    as_viewer = Database(url)

    async def add_tag() -> None:
        try:
            async with as_viewer.async_session() as s:
                await s.run_sync(tags.add_tag, "core")
        finally:
            await as_viewer.aclose()

    with pytest.raises(
        PermissionDeniedError,
        match=f"^the database refused {role}: permission denied for table tags$",
    ):
        asyncio.run(add_tag())
    with team.read_session() as s:
        assert (tags.list_tags(s), audit.list_events(s)) == ([], [])


def test_the_owner_deleting_the_tail_and_rewriting_the_old_head_row_is_detected(team):
    """The attack that fooled the program-kept chain: fix its head row, cut the end."""
    for name in ("a", "b", "c"):
        with team.session() as s:
            tags.add_tag(s, name)
    with team.sync_engine.begin() as conn:  # the owner (a superuser here)
        kept = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id LIMIT 2")).all()
        conn.execute(
            text(
                "INSERT INTO settings (scope, key, value, created_at, updated_at, version) "
                "VALUES ('audit', 'head', CAST(:head AS jsonb), now(), now(), 1)"
            ),
            {"head": f'{{"hash": "{kept[-1].hash}", "count": 2}}'},
        )  # itself recorded by the server (a row of settings): a fourth event
        conn.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": kept[-1].id})
    with team.read_session() as s:
        check = audit.verify_chain(s)
    assert not check.ok
    assert "should hold 4 events" in check.problem


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database of its own on the test server (not migrated)."""
    server = make_url(pg_admin_url()).set(drivername="postgresql+psycopg")
    name = f"netraven_roles_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def test_a_chain_the_program_wrote_before_the_upgrade_keeps_verifying(fresh_database):
    db = Database(fresh_database)
    try:
        with db.sync_engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0003")
            previous = None
            for i in range(2):  # what the program wrote at 0003: its own hashes, a head row
                values = {
                    "occurred_at": datetime(2026, 1, 1 + i, tzinfo=UTC),
                    "actor": "alice",
                    "action": "tag.create",
                    "entity_type": "tag",
                    "entity_id": f"t{i}",
                    "before": None,
                    "after": {"name": f"t{i}"},
                    "prev_hash": previous,
                }
                previous = audit_rows.chain_hash(values)
                conn.execute(
                    text(
                        "INSERT INTO audit_events (occurred_at, actor, action, entity_type, "
                        "entity_id, after, prev_hash, hash) VALUES (:occurred_at, :actor, "
                        ":action, :entity_type, :entity_id, CAST(:after AS jsonb), :prev_hash, "
                        ":hash)"
                    ),
                    values | {"after": f'{{"name": "t{i}"}}', "hash": previous},
                )
            conn.execute(
                text(
                    "INSERT INTO settings (scope, key, value, created_at, updated_at, version) "
                    "VALUES ('audit', 'head', CAST(:head AS jsonb), now(), now(), 1)"
                ),
                {"head": f'{{"hash": "{previous}", "count": 2}}'},
            )
        upgrade(db)  # the group roles exist already: made by another database's upgrade
        with db.sync_engine.begin() as conn:  # and back, and up again: the head survives
            command.downgrade(alembic_config(conn), "0003")
        upgrade(db)
        with db.session(actor="bob") as s:
            tags.add_tag(s, "t2")
        with db.read_session() as s:
            check = audit.verify_chain(s)
        assert (check.ok, check.checked) == (True, 3)
        with db.sync_engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE entity_id = 't1'"))
        with db.read_session() as s:
            check = audit.verify_chain(s)
        assert (check.ok, check.checked, check.problem) == (
            False,
            1,
            "was edited after it was written",
        )
    finally:
        db.close()


def test_upgrading_without_createrole_names_what_a_dba_must_run():
    """A server of its own: the group roles must not exist yet, and roles are server-wide."""
    server = OwnServer()
    try:
        with psycopg.connect(server.url, autocommit=True) as superuser:
            superuser.execute(f"CREATE ROLE netops LOGIN PASSWORD '{MEMBER_PASSWORD}'")
            superuser.execute("CREATE DATABASE netraven OWNER netops")
            url = make_url(server.url).set(
                username="netops", password=MEMBER_PASSWORD, database="netraven"
            )
            db = Database(url.render_as_string(hide_password=False))
            try:
                with pytest.raises(SchemaNotReadyError) as refused:
                    upgrade(db)
                message = str(refused.value)
                assert "netops may not create them (no CREATEROLE)" in message
                with db.sync_engine.connect() as conn:  # nothing was created
                    assert (
                        conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None
                    )
                statements = message.split("`")[1]
                superuser.execute(statements)  # the DBA runs what the message says
                upgrade(db)
                with db.sync_engine.connect() as conn:
                    granted = conn.execute(
                        text("SELECT has_table_privilege('netraven_operator', 'devices', 'UPDATE')")
                    ).scalar()
                    collector_operates = conn.execute(
                        text(
                            "SELECT pg_has_role('netraven_collector', 'netraven_operator', 'USAGE')"
                        )
                    ).scalar()
                assert granted
                assert collector_operates
            finally:
                db.close()
    finally:
        server.remove()
