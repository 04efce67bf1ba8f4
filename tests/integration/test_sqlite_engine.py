"""The embedded SQLite set-up: pragmas, savepoints, concurrent writers, :memory: pitfall."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from netraven_desktop.core.crud import devices, tags
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import Base
from netraven_desktop.core.db.schema import prepare


@pytest.fixture
def sqlite_db(make_db):
    return make_db("sqlite")


def test_pragmas_are_on_for_every_connection(sqlite_db):
    with sqlite_db.sync_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_savepoints_roll_back_alone(sqlite_db):
    """The BEGIN fix: without it pysqlite silently ignores SAVEPOINT rollbacks."""
    with sqlite_db.session() as s:
        tags.create_tag(s, "kept")
        nested = s.begin_nested()
        tags.create_tag(s, "dropped")
        nested.rollback()
    with sqlite_db.read_session() as s:
        assert [t.name for t, _ in tags.list_tags(s)] == ["kept"]


def test_a_failed_unit_of_work_leaves_nothing_behind(sqlite_db):
    with pytest.raises(RuntimeError), sqlite_db.session() as s:  # noqa: PT012 - one unit of work
        tags.create_tag(s, "half")
        raise RuntimeError("boom")
    with sqlite_db.read_session() as s:
        assert tags.list_tags(s) == []


def test_two_writers_wait_for_each_other_instead_of_failing(sqlite_db):
    """Units of work take the write lock up front, so a second writer queues (busy
    timeout) rather than failing with "database is locked" after reading."""
    with sqlite_db.session() as s:
        device_id = devices.create_device(s, name="r1", host="10.0.0.1", platform="linux").id
    errors: list[BaseException] = []
    first_has_lock = threading.Event()

    def first() -> None:
        with sqlite_db.session() as s:
            devices.get_device(s, device_id)
            first_has_lock.set()
            devices.update_device(s, device_id, None, site="first")

    def second() -> None:
        first_has_lock.wait()
        try:
            with sqlite_db.session() as s:
                device = devices.get_device(s, device_id)
                devices.update_device(s, device_id, device.version, role="second")
        except BaseException as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sqlite_db.read_session() as s:
        device = devices.get_device(s, device_id)
    assert (device.site, device.role, device.version) == ("first", "second", 3)


def test_nullpool_memory_database_is_a_new_empty_database_per_connection():
    """The "NullPool issue": why our :memory: databases use StaticPool."""
    engine = create_engine("sqlite://", poolclass=NullPool)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sqlite_master")).all() == []
    engine.dispose()


def test_our_memory_database_keeps_its_tables_across_sessions():
    db = Database("sqlite://")
    with db.sync_engine.begin() as conn:
        Base.metadata.create_all(conn)
    with db.session() as s:
        tags.create_tag(s, "core")
    with db.read_session() as s:
        assert [t.name for t, _ in tags.list_tags(s)] == ["core"]
    db.close()


@pytest.fixture
def desktop_umask():
    """The common umask, under which files would be 0644 without our care."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")
def test_database_and_its_wal_files_are_private(tmp_path, desktop_umask):
    folder = tmp_path / "data" / "netraven"
    db = Database(f"sqlite:///{folder / 'netraven.db'}")
    try:
        prepare(db)
        with db.session() as s:
            tags.create_tag(s, "core")
        files = sorted(p.name for p in folder.iterdir())
        assert files == ["netraven.db", "netraven.db-shm", "netraven.db-wal"]
        assert {name: _mode(folder / name) for name in files} == dict.fromkeys(files, 0o600)
        assert (_mode(folder), _mode(folder.parent)) == (0o700, 0o700)
    finally:
        db.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")
def test_an_existing_readable_database_is_tightened_and_its_folder_left_alone(
    tmp_path, desktop_umask
):
    path = tmp_path / "old.db"
    first = Database(f"sqlite:///{path}")
    prepare(first)
    first.close()
    os.chmod(path, 0o644)
    os.chmod(tmp_path, 0o755)
    again = Database(f"sqlite:///{path}")
    try:
        with again.read_session() as s:
            assert tags.list_tags(s) == []
        assert (_mode(path), _mode(tmp_path)) == (0o600, 0o755)
    finally:
        again.close()
