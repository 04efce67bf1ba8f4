"""Alembic migrations on both backends: create, idempotent upgrade, models == migrations,
and the refusals users meet (schema too new, shared database not migrated)."""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import SAWarning

from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import Base
from netraven_desktop.core.db.schema import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    include_name,
    prepare,
    prepare_async,
    upgrade,
)
from netraven_desktop.core.errors import SchemaNotReadyError, SchemaTooNewError


def test_upgrade_builds_every_table_of_the_model_and_is_idempotent(db):
    with db.sync_engine.connect() as conn:
        assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
        assert current_revision(conn) == head_revision()
    assert upgrade(db) == (head_revision(), head_revision())


def test_migrations_match_the_models_exactly(db):
    """A model change without a migration (or the reverse) fails here, on both backends."""
    with db.sync_engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; Alembic says so with a warning.
        warnings.simplefilter("ignore", UserWarning)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        # The search index is per-backend DDL without a model (FTS5 on SQLite, pg_trgm
        # on PostgreSQL): `include_name` skips it; test_config_search covers it.
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_foreign_keys_name_their_on_delete_rule(db):
    """No orphan can be left: every foreign key says what happens when its parent goes."""
    with db.sync_engine.connect() as conn:
        inspector = inspect(conn)
        for table in Base.metadata.tables:
            for fk in inspector.get_foreign_keys(table):
                rule = (fk.get("options") or {}).get("ondelete")
                assert rule in ("CASCADE", "SET NULL", "RESTRICT"), (table, fk)


def _stamp(db: Database, revision: str) -> None:
    with db.sync_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_a_newer_schema_is_refused_with_a_clear_message(db):
    _stamp(db, "9999_from_the_future")
    with pytest.raises(SchemaTooNewError, match="newer than this NetRaven Desktop knows"):
        prepare(db)
    with pytest.raises(SchemaTooNewError):
        upgrade(db)
    _stamp(db, head_revision())


def test_an_empty_sqlite_file_is_created_on_first_use(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/sub/dir/fresh.db")
    prepare(db)
    with db.sync_engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    db.close()


def test_an_empty_shared_database_is_not_migrated_implicitly(make_db):
    db = make_db("postgresql")
    with db.sync_engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))  # as a new database has
    try:
        with pytest.raises(SchemaNotReadyError, match="run `netraven-desktop db upgrade`"):
            prepare(db)
    finally:
        upgrade(db)  # leave the shared test database usable for the next tests


def test_prepare_runs_on_the_async_engine_too(tmp_path):
    import asyncio

    db = Database(f"sqlite:///{tmp_path}/async.db")

    async def go() -> None:
        await prepare_async(db)
        await db.aclose()

    asyncio.run(go())
    with db.sync_engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    db.close()


def test_the_fast_path_knows_the_newest_migration():
    """`prepare` skips Alembic when the stored revision is HEAD_REVISION: it must be the
    newest migration, or a new migration would never run."""
    assert head_revision() == HEAD_REVISION
