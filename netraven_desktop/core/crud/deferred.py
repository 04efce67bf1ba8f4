"""Rows a unit of work inserts or updates at its end, one executemany per kind of row.

The backup engine's result writer commits many devices' outcomes in one transaction;
written one by one, each row costs an ORM flush or a compiled statement, and that
overhead (not SQLite) was most of the writer's time. Inside `deferring(session)`,
`add` and `update_rows` only queue their rows; they are written, in foreign-key order,
when the block ends without an error, still inside the caller's transaction. Outside
it they write at once, so the same crud function serves every caller.

Only rows nobody reads back in the same unit of work may be deferred: a query made
before the block ends does not see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session, object_mapper
from sqlalchemy.sql.dml import UpdateBase

from ..db.base import Base

KEY = "deferred_rows"


@contextmanager
def deferring(session: Session) -> Iterator[None]:
    """Queue `add`/`update_rows` writes made inside; write them when the block ends."""
    pending: dict[UpdateBase, list[dict[str, Any]]] = {}
    session.info[KEY] = pending
    try:
        yield
        order = {table: n for n, table in enumerate(Base.metadata.sorted_tables)}
        for stmt in sorted(pending, key=lambda stmt: order[stmt.table]):  # type: ignore[index]
            session.execute(stmt, pending[stmt])
    finally:
        del session.info[KEY]


def add(session: Session, row: Base) -> None:
    """Insert a new ORM object: flushed now, or (deferring) with its kind at the end.

    A deferred row is not added to the session: its defaults (id, times) are filled in
    here, so the object reads as the inserted row does.
    """
    pending = session.info.get(KEY)
    if pending is None:
        session.add(row)
        session.flush()
        return
    mapper = object_mapper(row)
    values = {}
    for attr in mapper.column_attrs:
        column, value = attr.columns[0], getattr(row, attr.key)
        if value is None and column.default is not None:
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
        elif value is None and column.server_default is not None:
            continue  # the database fills it (rows of one kind share their columns)
        setattr(row, attr.key, value)
        values[column.key] = value
    pending.setdefault(_insert(mapper.local_table, tuple(values)), []).append(values)


def update_rows(session: Session, table: Table, row_id: Any, **values: Any) -> None:
    """`UPDATE table SET values WHERE id = row_id`: now, or (deferring) at the end."""
    stmt = _update(table, tuple(sorted(values)))
    params = {"row_id": row_id} | values
    pending = session.info.get(KEY)
    if pending is None:
        session.execute(stmt, params)
    else:
        pending.setdefault(stmt, []).append(params)


# One statement object per table and column set: the key its rows are grouped under
# (an executemany's rows share their columns; they are the parameters' keys).
@cache
def _insert(table: Table, columns: tuple[str, ...]) -> UpdateBase:
    return insert(table)


@cache
def _update(table: Table, columns: tuple[str, ...]) -> UpdateBase:
    return update(table).where(table.c.id == bindparam("row_id"))
