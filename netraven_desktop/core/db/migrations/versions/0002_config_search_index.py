"""Search index over stored configurations: trigrams of each blob's text.

SQLite: an FTS5 virtual table with the trigram tokenizer (SQLite >= 3.34).
PostgreSQL: a table with a pg_trgm GIN index (needs the pg_trgm extension).
Existing blobs are back-filled here, decompressing them with zlib.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00

"""

import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 200


def upgrade() -> None:
    """Create the index for this backend, then index every blob already stored."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE config_search "
            "USING fts5(sha256 UNINDEXED, text, tokenize='trigram')"
        )
    else:
        # pg_trgm is a trusted extension: the database owner (or anyone with CREATE on
        # the database) may create it. `schema.upgrade_connection` checks this first
        # and names the statement a DBA must run when this user may not.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_table(
            "config_search",
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["sha256"],
                ["config_blobs.sha256"],
                name=op.f("fk_config_search_sha256_config_blobs"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("sha256", name=op.f("pk_config_search")),
        )
        op.execute(
            "CREATE INDEX ix_config_search_text_trgm ON config_search USING gin (text gin_trgm_ops)"
        )
    blobs = sa.table("config_blobs", sa.column("sha256", sa.String), sa.column("data"))
    index = sa.table("config_search", sa.column("sha256", sa.String), sa.column("text"))
    digests = bind.execute(sa.select(blobs.c.sha256)).scalars().all()
    for start in range(0, len(digests), BATCH):  # in batches: a few MB in memory at a time
        batch = bind.execute(
            sa.select(blobs.c.sha256, blobs.c.data).where(
                blobs.c.sha256.in_(digests[start : start + BATCH])
            )
        )
        bind.execute(
            index.insert(),
            [{"sha256": sha, "text": zlib.decompress(data).decode("utf-8")} for sha, data in batch],
        )


def downgrade() -> None:
    """Drop the index; the pg_trgm extension stays (other objects may use it)."""
    op.execute("DROP TABLE config_search")
