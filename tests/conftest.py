"""Fixtures: a real database per test on each backend, and the sync and async faces.

SQLite runs on a real temporary file (a copy of a migrated template, for speed).
PostgreSQL runs on the server named by NETRAVEN_TEST_PG_URL (`scripts/test` starts a
throwaway one); each test starts from empty tables. Under CI a missing server fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import Base
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.secrets import SecretStore, SecretStoreError
from tests.sim import running_sim

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ("sqlite", "postgresql")


def pg_admin_url() -> str:
    """The test server's URL, or a skip (locally) / failure (CI) when there is none."""
    url = os.environ.get("NETRAVEN_TEST_PG_URL")
    if not url:
        message = "NETRAVEN_TEST_PG_URL is not set (scripts/test starts a PostgreSQL for you)"
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI: {message}")
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.close()
    return path


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh, migrated database on the test server for this test session."""
    admin = make_url(pg_admin_url()).set(drivername="postgresql+psycopg")
    name = f"netraven_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db)
    db.close()
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def _truncate_all(db: Database) -> None:
    # audit_head is PostgreSQL's own (no model): the chain restarts with its events.
    names = [t.name for t in Base.metadata.sorted_tables] + ["audit_head"]
    tables = ", ".join(f'"{name}"' for name in names)
    with db.sync_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # Users are login roles, and roles belong to the whole server: the last test's
        # members go with its users.
        members = conn.execute(
            text(
                "SELECT DISTINCT quote_ident(r.rolname) FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member "
                "WHERE g.rolname LIKE 'netraven\\_%' AND r.rolname NOT LIKE 'netraven\\_%'"
            )
        ).scalars()
        for role in members.all():
            conn.execute(text(f"DROP ROLE {role}"))


@pytest.fixture
def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    """Open an empty, migrated database on the named backend; closed after the test."""
    opened: list[Database] = []

    def make(backend: str) -> Database:
        if backend == "sqlite":
            path = tmp_path / f"netraven-{len(opened)}.db"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            db = Database(f"sqlite:///{path}")
        else:
            db = Database(request.getfixturevalue("pg_database_url"))
            _truncate_all(db)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, make_db: Callable[[str], Database]) -> Database:
    """An empty, migrated database, once on SQLite and once on PostgreSQL."""
    return make_db(request.param)


class Face:
    """Runs a unit of work through the sync or the async API of the same code."""

    def __init__(self, db: Database, mode: str) -> None:
        self.db = db
        self.mode = mode
        self._loop = asyncio.new_event_loop() if mode == "async" else None

    def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a CRUD function (`fn(session, ...)`) in its own committed transaction."""
        if self._loop is None:
            with self.db.session() as session:
                return fn(session, *args, **kwargs)

        async def work() -> Any:
            async with self.db.async_session() as session:
                return await session.run_sync(fn, *args, **kwargs)

        return self._loop.run_until_complete(work())

    def service(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a dual-mode service with a Session or an AsyncSession."""
        if self._loop is None:
            with self.db.session() as session:
                return fn(session, *args, **kwargs)

        async def work() -> Any:
            async with self.db.async_session() as session:
                pending = fn(session, *args, **kwargs)
                assert asyncio.iscoroutine(pending) or asyncio.isfuture(pending), (
                    "a dual service must return an awaitable for an AsyncSession"
                )
                return await pending

        return self._loop.run_until_complete(work())

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self.db.aclose())
            self._loop.close()


@pytest.fixture(params=("sync", "async"))
def face(request: pytest.FixtureRequest, db: Database) -> Iterator[Face]:
    """The same database, driven through the sync or the async face."""
    runner = Face(db, request.param)
    yield runner
    runner.close()


@pytest.fixture
def secret_store() -> SecretStore:
    """The real OS keyring (gnome-keyring's Secret Service under scripts/test)."""
    store = SecretStore()
    try:
        store.describe()
    except SecretStoreError as exc:
        if IN_CI:
            pytest.fail(f"a Secret Service is required under CI: {exc}")
        pytest.skip(str(exc))
    return store


@pytest.fixture
def env(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NETRAVEN_")}
    return clean | {"NETRAVEN_HOME": str(tmp_path / "home")}


@pytest.fixture
def sim_devices(env):
    """Three simulated devices until the test ends."""
    with running_sim(env) as devices:
        yield devices


@pytest.fixture
def hanging_sim_devices(env):
    """Three simulated devices that stop half-way through their configuration (to cancel)."""
    with running_sim(env, "hang") as devices:
        yield devices
