"""Which database to open, and the sync and async driver URLs derived from it.

Users type plain URLs (`sqlite:///path`, `postgresql://user@host/db`) or a file path;
the app needs one URL per face: pysqlite/aiosqlite for SQLite, psycopg/asyncpg for
PostgreSQL. Resolution order: `--db` > `NETRAVEN_DB_URL` > the embedded SQLite file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..errors import InputError

APP_NAME = "netraven-desktop"
DB_FILENAME = "netraven.db"
_DRIVERS = {
    "sqlite": ("sqlite+pysqlite", "sqlite+aiosqlite"),
    "postgresql": ("postgresql+psycopg", "postgresql+asyncpg"),
}


def data_dir() -> Path:
    """The folder for the embedded database and local state (`NETRAVEN_HOME` overrides)."""
    override = os.environ.get("NETRAVEN_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DatabaseURL:
    """A resolved database location with its two driver URLs."""

    sync_url: URL
    async_url: URL

    @property
    def backend(self) -> str:
        return self.sync_url.get_backend_name()

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def is_memory(self) -> bool:
        return self.is_sqlite and self.sync_url.database in (None, "", ":memory:")

    def display(self) -> str:
        """The URL for humans and logs: plain scheme, password hidden."""
        return self.plain(hide_password=True)

    def plain(self, *, hide_password: bool) -> str:
        """The URL with its plain scheme, as a user would type it."""
        return self.sync_url.set(drivername=self.backend).render_as_string(hide_password)

    def __str__(self) -> str:
        return self.display()


def parse_database_url(raw: str, field: str = "--db") -> DatabaseURL:
    """Accept a plain or driver URL, or a filesystem path, and derive both drivers."""
    text = raw.strip()
    if not text:
        raise InputError(field, raw, "must be a database URL or a SQLite file path")
    if "://" not in text:
        text = "sqlite:///" + str(Path(text).expanduser().absolute())
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise InputError(field, _redact(text), "is not a valid database URL") from None
    backend = url.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in _DRIVERS:
        raise InputError(
            field,
            url.render_as_string(hide_password=True),
            "unsupported database; use sqlite:///PATH or postgresql://USER@HOST/DB",
        )
    sync_driver, async_driver = _DRIVERS[backend]
    if backend == "postgresql" and not url.database:
        raise InputError(field, url.render_as_string(hide_password=True), "names no database")
    sync_url = url.set(drivername=sync_driver)
    async_url = url.set(drivername=async_driver)
    if backend == "postgresql" and "sslmode" in url.query:
        # asyncpg spells libpq's sslmode as "ssl".
        query = dict(url.query)
        query["ssl"] = query.pop("sslmode")
        async_url = async_url.set(query=query)
    return DatabaseURL(sync_url=sync_url, async_url=async_url)


def resolve_database_url(cli_value: str | None = None) -> DatabaseURL:
    """`--db` > `NETRAVEN_DB_URL` > the embedded SQLite file in the data directory."""
    if cli_value:
        return parse_database_url(cli_value, "--db")
    env_value = os.environ.get("NETRAVEN_DB_URL")
    if env_value:
        return parse_database_url(env_value, "NETRAVEN_DB_URL")
    return parse_database_url(str(data_dir() / DB_FILENAME))


def _redact(text: str) -> str:
    """Hide a password in a URL that SQLAlchemy could not parse."""
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        rest = f"{creds}@{host}"
    return f"{scheme}{sep}{rest}"
