"""Indexes behind the Devices view: one per sort order, and one for search-as-you-type.

Sorting: a b-tree on (key, id) over live devices for every sort key the table offers
(the name case-insensitively, as `lower(name)`), the same order the keyset query asks
for, so a page deep in 100,000 devices costs what the first one does. The index on
`deleted_at` covered every row, live or not, and SQLite's planner (which has no
statistics unless ANALYZE ran) took it for the live-devices filter and sorted all rows:
it now holds only the trash, which is what looks up by `deleted_at`.

Search (a substring of name, host, site, role or description):
SQLite: an FTS5 trigram table whose rowid is the device row's rowid, kept in step by
triggers; a migration that later rebuilds `devices` (batch mode) must recreate the
triggers and refill the table. PostgreSQL: a pg_trgm GIN index over one text per
device, the columns joined by U+001F (which no search contains, so a match in it lies
within one column): the planner costs one index scan below a sequential scan, where an
OR of five ILIKEs priced five scans above it. pg_trgm is created by 0002.

Revision ID: 0007_device_view_indexes
Revises: 0006_team_roles
Create Date: 2026-12-04 18:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_device_view_indexes"
down_revision: str | Sequence[str] | None = "0006_team_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
SORT_KEYS = (
    ("name", sa.text("lower(name)")),
    ("host", "host"),
    ("platform", "platform"),
    ("site", "site"),
    ("role", "role"),
    ("last_backup_at", "last_backup_at"),
    ("last_backup_status", "last_backup_status"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)
SEARCHED = ("name", "host", "site", "role", "description")
# crud.devices.SEARCH_DOCUMENT writes the same expression: the planner matches it exactly.
PG_DOCUMENT = (
    "(name || E'\\x1f' || host || E'\\x1f' || coalesce(site, '') || E'\\x1f' "
    "|| coalesce(role, '') || E'\\x1f' || coalesce(description, ''))"
)

_COLUMNS = ", ".join(SEARCHED)
_NEW = ", ".join(f"new.{column}" for column in SEARCHED)
SQLITE_SEARCH = (
    f"CREATE VIRTUAL TABLE device_search USING fts5({_COLUMNS}, tokenize='trigram')",
    f"INSERT INTO device_search (rowid, {_COLUMNS}) SELECT rowid, {_COLUMNS} FROM devices",
    "CREATE TRIGGER device_search_insert AFTER INSERT ON devices BEGIN "
    f"INSERT INTO device_search (rowid, {_COLUMNS}) VALUES (new.rowid, {_NEW}); END",
    "CREATE TRIGGER device_search_delete AFTER DELETE ON devices BEGIN "
    "DELETE FROM device_search WHERE rowid = old.rowid; END",
    f"CREATE TRIGGER device_search_update AFTER UPDATE OF {_COLUMNS} ON devices BEGIN "
    f"UPDATE device_search SET ({_COLUMNS}) = ({_NEW}) WHERE rowid = old.rowid; END",
)


def upgrade() -> None:
    op.drop_index("ix_devices_deleted_at", table_name="devices")
    op.create_index(
        "ix_devices_trashed",
        "devices",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    for key, column in SORT_KEYS:
        op.create_index(
            f"ix_devices_live_{key}",
            "devices",
            [column, "id"],
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.execute(
            "CREATE INDEX ix_devices_search_trgm ON devices "
            f"USING gin ({PG_DOCUMENT} gin_trgm_ops) WHERE deleted_at IS NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER device_search_{trigger}")
        op.execute("DROP TABLE device_search")
    else:
        op.execute("DROP INDEX ix_devices_search_trgm")
    for key, _column in reversed(SORT_KEYS):
        op.drop_index(f"ix_devices_live_{key}", table_name="devices")
    op.drop_index("ix_devices_trashed", table_name="devices")
    op.create_index("ix_devices_deleted_at", "devices", ["deleted_at"])
