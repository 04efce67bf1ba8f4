"""Engine construction: SQLite pragmas and transaction fix, pools that fit each backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from ..private_files import ensure_private_dir, private_file_mode, tighten_private_file
from .url import DatabaseURL

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Execution option naming the BEGIN flavour ("IMMEDIATE" or "DEFERRED") for a connection.
SQLITE_BEGIN = "netraven_sqlite_begin"


def _sqlite_setup(engine: Engine, *, wal: bool) -> None:
    """Pragmas on every connection, and SQLAlchemy's documented BEGIN fix.

    pysqlite (and aiosqlite on top of it) starts transactions lazily and never for
    SAVEPOINT, which breaks nested transactions; taking over BEGIN ourselves makes them work.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # A page cache up to 64 MiB (SQLite's default is 2 MiB), taken only as used: a
        # large import updates some twenty device indexes at random places, and with the
        # default cache each insert rereads their pages (3x slower at 20,000 devices).
        cursor.execute("PRAGMA cache_size = -65536")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "do_connect")
    def _connect_privately(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        # The file SQLite may create here is 0600; it gives its -wal and -shm the same mode.
        with private_file_mode():
            return dialect.connect(*cargs, **cparams)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(SQLITE_BEGIN, '')}")


def _sqlite_options(url: DatabaseURL) -> dict[str, Any]:
    if url.is_memory:
        # One shared connection: with NullPool every checkout would see a new, empty database.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    path = url.sync_url.database
    if path:
        ensure_private_dir(Path(path).parent)
        for suffix in ("", "-wal", "-shm", "-journal"):  # made by an older version, or umask
            tighten_private_file(f"{path}{suffix}")
    return {}


def make_sync_engine(url: DatabaseURL, **kwargs: Any) -> Engine:
    if url.is_sqlite:
        engine = create_engine(url.sync_url, **(_sqlite_options(url) | kwargs))
        _sqlite_setup(engine, wal=not url.is_memory)
        return engine
    return create_engine(url.sync_url, pool_pre_ping=True, **kwargs)


def make_async_engine(url: DatabaseURL, **kwargs: Any) -> AsyncEngine:
    if url.is_sqlite:
        engine = create_async_engine(url.async_url, **(_sqlite_options(url) | kwargs))
        _sqlite_setup(engine.sync_engine, wal=not url.is_memory)
        return engine
    return create_async_engine(url.async_url, pool_pre_ping=True, **kwargs)
