"""Shared checks for the GUI tests."""

from __future__ import annotations

from sqlalchemy import select

from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import Base


def database_text(db: Database) -> str:
    """Every value of every row of every table, as one string to search for secrets."""
    with db.sync_engine.connect() as conn:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in conn.execute(select(table))
        )
