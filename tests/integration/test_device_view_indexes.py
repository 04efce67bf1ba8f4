"""The Devices view's queries are read from indexes (migration 0007), and the search index
finds exactly the rows the plain LIKE search found, on SQLite and PostgreSQL.

Plans come from the database's own EXPLAIN of the statements the queries really sent.
On a table of a few rows PostgreSQL's planner rightly prefers a sequential scan and a
sort, so there it is told both are expensive: the plan then shows whether an index *can*
serve the query, which is what a large inventory needs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, insert, or_, select

from netraven_desktop.core.crud import devices as device_rows
from netraven_desktop.core.crud.common import contains_ci
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Device
from netraven_desktop.core.db.schema import alembic_config
from netraven_desktop.core.importers import ImportRow
from netraven_desktop.core.services import device_import
from netraven_desktop.core.services import devices as service

SORTS = list(device_rows.SORTABLE)


def _add(db: Database, name: str, **fields: Any) -> None:
    fields.setdefault("host", "10.0.0.1")
    fields.setdefault("platform", "cisco_ios")
    with db.session() as session:
        service.add_device(session, name=name, **fields)


@pytest.fixture
def inventory(db: Database) -> Database:
    for i in range(12):
        _add(
            db,
            f"sw{i:02}",
            host=f"10.1.{i}.1",
            site=None if i % 3 == 0 else f"site{i % 2}",
            role=None if i % 4 == 0 else "access",
        )
    with db.session() as session:  # some backed up: both keyed and empty keys
        for row in device_rows.list_device_rows(session, limit=5):
            device_rows.record_backup_state(session, row.id, last_backup_at=utcnow())
    return db


@contextmanager
def _sent(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) the sync engine sends meanwhile."""
    sent: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(db.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", record)


def _plans(
    db: Database,
    work: Callable[[Any], object],
    marker: str = "ORDER BY",
    expensive: tuple[str, ...] = ("seqscan", "sort", "incremental_sort"),
) -> list[tuple[str, str]]:
    """(statement, plan) of each statement on devices with `marker` that `work` sent (by
    default the pages: ordered, and not the tag lookup); on PostgreSQL with the plan
    kinds in `expensive` priced out."""
    with _sent(db) as sent, db.read_session() as session:
        work(session)
    pages = [(s, p) for s, p in sent if marker in s and "device_tags" not in s]
    assert pages, f"no statement with {marker} was sent"
    plans = []
    with db.sync_engine.connect() as conn:
        if db.url.is_sqlite:
            explain = "EXPLAIN QUERY PLAN "
        else:
            explain = "EXPLAIN "
            for kind in expensive:
                conn.exec_driver_sql(f"SET enable_{kind} = off")
        for statement, parameters in pages:
            rows = conn.exec_driver_sql(explain + statement, parameters).all()
            plans.append((statement, "\n".join(str(row[-1]) for row in rows)))
        conn.rollback()
    return plans


def _assert_read_from_an_index(statement: str, plan: str, sqlite: bool) -> None:
    """Rows come in order from an index; past an anchor, from a range that starts there."""
    anchored = re.search(r"devices\.id\)? [<>]", statement) is not None
    if sqlite:
        assert "TEMP B-TREE" not in plan, plan
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        if anchored:  # a range from the anchor on, not a walk from the first row
            assert "SEARCH devices USING" in plan, plan
    else:
        assert "Sort" not in plan, plan
        assert "Index Scan" in plan or "Index Only Scan" in plan, plan
        if anchored:
            assert "Index Cond" in plan, plan


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_order_is_read_from_an_index_from_the_first_page_on(inventory, sort, descending):
    query = {"sort": sort, "descending": descending, "limit": 4}
    with inventory.read_session() as session:
        first = device_rows.list_device_rows(session, **query)
    plans = _plans(inventory, lambda s: device_rows.list_device_rows(s, **query))
    plans += _plans(
        inventory, lambda s: device_rows.list_device_rows(s, after=first[-1].id, **query)
    )
    assert any(re.search(r"devices\.id\)? [<>]", statement) for statement, _plan in plans)
    for statement, plan in plans:
        _assert_read_from_an_index(statement, plan, inventory.url.is_sqlite)


def test_a_search_of_three_characters_or_more_is_read_from_the_trigram_index(db):
    """Planned as the window would meet it: on PostgreSQL over 30,000 devices with fresh
    statistics (over fewer it rightly finds a sequential scan cheaper); SQLite's planner
    keeps no statistics, so a few hundred devices show its plan."""
    now = utcnow()
    count = 300 if db.url.is_sqlite else 30_000
    with db.sync_engine.begin() as conn:
        conn.execute(
            insert(Device),
            [
                {
                    "id": uuid.uuid4(),
                    "name": f"site{i % 50:02}-sw{i:05}",
                    "host": f"10.{i >> 8 & 255}.{i & 255}.1",
                    "port": 22,
                    "platform": "cisco_ios",
                    "site": f"site{i % 50:02}",
                    "description": f"floor {i % 7}",
                    "enabled": True,
                    "ssh_legacy_algorithms": False,
                    "mask_secrets": True,
                    "last_backup_status": "never",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(count)
            ],
        )
        conn.exec_driver_sql("ANALYZE")
    plans = _plans(
        db,
        lambda s: device_rows.count_devices(s, search="sw00123"),
        "count(",
        expensive=(),
    )
    plan = "\n".join(plan for _statement, plan in plans)
    if db.url.is_sqlite:
        assert "device_search VIRTUAL TABLE INDEX" in plan, plan
    else:
        assert "ix_devices_search_trgm" in plan, plan
    with db.read_session() as session:
        assert device_rows.count_devices(session, search="sw00123") == 1


def _like_names(db: Database, search: str) -> set[str]:
    """What the search found before the index: LIKE/ILIKE on each column, nothing else."""
    stmt = select(Device.name).where(
        Device.deleted_at.is_(None),
        or_(*(contains_ci(column, search.strip()) for column in device_rows.SEARCHED)),
    )
    with db.read_session() as session:
        return set(session.scalars(stmt))


SEARCHES = [
    "r",  # one and two characters: no trigram, a scan
    "Ü",
    "1.",
    "%",
    "_",
    "core",
    "CORE_",
    'say "hi"',
    "müller",
    "MÜLLER",
    "straße",
    "10.20.",
    "rack 5, 100%",
    "floor-3",
    " dc1 ",
    "NOT-THERE",
    "AND",
    "e*",
]


@pytest.mark.parametrize("search", SEARCHES)
def test_search_finds_the_same_rows_as_the_plain_like_search(db, search):
    _add(db, "core_sw1", description="Rack 5, 100% PoE", site="DC1")
    _add(db, "coreXsw2", host="10.20.0.2", role="access")
    _add(db, "Müller-AP", host="ap.example.net", site="Straße 3", description='say "hi"')
    _add(db, "edge and core", host="10.20.1.1", role="floor-3 AND up")
    _add(db, "trashed-core", host="10.9.9.9")
    with db.session() as session:
        service.remove_device(session, "trashed-core")
    with db.read_session() as session:
        found = {r.name for r in device_rows.list_device_rows(session, search=search)}
        count = device_rows.count_devices(session, search=search)
    assert found == _like_names(db, search)
    assert count == len(found)


def test_the_search_index_follows_edits_trash_restore_and_purge(db):
    def found(search: str) -> list[str]:
        with db.read_session() as session:
            return [r.name for r in device_rows.list_device_rows(session, search=search)]

    _add(db, "old-name", description="first floor")
    with db.session() as session:
        service.edit_device(session, "old-name", name="new-name", description="roof")
    assert (found("old-name"), found("first")) == ([], [])
    assert (found("new-na"), found("roof")) == (["new-name"], ["new-name"])
    with db.session() as session:
        service.remove_device(session, "new-name")
    assert found("roof") == []
    with db.session() as session:
        service.restore_device(session, "new-name")
    assert found("roof") == ["new-name"]
    with db.session() as session:
        service.remove_device(session, "new-name", purge=True)
    _add(db, "other", description="roof garden")
    assert found("roof") == ["other"]


def test_the_migration_indexes_the_devices_already_there(db):
    _add(db, "core-sw1", description="spine")
    with db.sync_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "-1")
    with db.sync_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with db.read_session() as session:
        found = device_rows.list_device_rows(session, search="spine")
    assert [row.name for row in found] == ["core-sw1"]


def test_a_large_import_is_indexed_and_later_devices_still_are(db):
    """An import of BULK_INDEX_ROWS devices or more indexes them in one statement on
    SQLite (the row trigger set aside meanwhile): every one is found, and so is a device
    added afterwards, through the trigger that is back."""
    count = device_rows.BULK_INDEX_ROWS + 5
    rows = [
        ImportRow(f"line {i + 2}", {"name": f"leaf{i:04}", "host": f"10.9.{i // 250}.{i % 250}",
                                    "platform": "arista_eos", "site": f"hall{i % 7}"})
        for i in range(count)
    ]  # fmt: skip
    with db.session() as session:
        device_import.import_devices(session, rows)
    _add(db, "after-import", site="annex")
    with db.read_session() as session:
        hall3 = device_rows.list_device_rows(session, search="hall3", limit=count)
        annex = device_rows.list_device_rows(session, search="annex")
        leaf0042 = device_rows.list_device_rows(session, search="af0042")
    assert len(hall3) == len([i for i in range(count) if i % 7 == 3])
    assert [row.name for row in annex] == ["after-import"]
    assert [row.name for row in leaf0042] == ["leaf0042"]
