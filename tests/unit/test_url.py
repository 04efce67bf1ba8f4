"""Which database the program opens, and the drivers derived from the URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from netraven_desktop.core.db.url import data_dir, parse_database_url, resolve_database_url
from netraven_desktop.core.errors import InputError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("NETRAVEN_DB_URL", raising=False)
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path / "home"))


def test_default_is_the_embedded_sqlite_file_in_netraven_home(tmp_path):
    url = resolve_database_url()
    assert url.is_sqlite
    assert Path(url.sync_url.database) == tmp_path / "home" / "netraven.db"
    assert url.sync_url.drivername == "sqlite+pysqlite"
    assert url.async_url.drivername == "sqlite+aiosqlite"


def test_data_dir_falls_back_to_the_platform_user_data_dir(monkeypatch):
    monkeypatch.delenv("NETRAVEN_HOME")
    assert data_dir().name == "netraven-desktop"


def test_cli_beats_environment_beats_default(monkeypatch, tmp_path):
    monkeypatch.setenv("NETRAVEN_DB_URL", "postgresql://team@db.example.net/netraven")
    assert resolve_database_url().backend == "postgresql"
    assert resolve_database_url(f"sqlite:///{tmp_path}/x.db").is_sqlite


def test_postgresql_urls_get_both_drivers_and_hide_the_password():
    url = parse_database_url("postgres://alice:s3cret@db.example.net:5433/inv?sslmode=require")
    assert url.sync_url.drivername == "postgresql+psycopg"
    assert url.async_url.drivername == "postgresql+asyncpg"
    assert url.async_url.query == {"ssl": "require"}  # asyncpg's spelling of sslmode
    assert url.sync_url.query == {"sslmode": "require"}
    assert "s3cret" not in url.display()
    assert url.display() == "postgresql://alice:***@db.example.net:5433/inv?sslmode=require"


def test_driver_urls_are_accepted_too():
    url = parse_database_url("postgresql+asyncpg://u@h/db")
    assert url.sync_url.drivername == "postgresql+psycopg"


def test_a_plain_path_means_a_sqlite_file(tmp_path):
    url = parse_database_url(str(tmp_path / "inv.db"))
    assert url.is_sqlite
    assert url.sync_url.database == str(tmp_path / "inv.db")


def test_memory_sqlite_is_recognised():
    assert parse_database_url("sqlite://").is_memory


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("mysql://u@h/db", "unsupported database"),
        ("postgresql://u@h", "names no database"),
        ("", "must be a database URL"),
        ("postgresql://u:pw@h:notaport/db", "not a valid"),
    ],
)
def test_bad_urls_are_one_line_errors_without_passwords(raw, problem):
    with pytest.raises(InputError, match=problem) as err:
        parse_database_url(raw)
    assert err.value.field == "--db"
    assert "pw@" not in str(err.value)
