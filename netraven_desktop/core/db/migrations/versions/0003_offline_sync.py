"""Offline sync: the replica's outbox of edits and the team's ledger of applied edits.

Both backends get both tables (one history): the outbox stays empty on a team database,
`applied_edits` on a replica.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("edit_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=7), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("conflict", JSON, nullable=True),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "operation IN ('create', 'update', 'delete', 'restore')",
            name=op.f("ck_outbox_outbox_operation"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'conflict')", name=op.f("ck_outbox_outbox_status")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("edit_id", name=op.f("uq_outbox_edit_id")),
    )
    op.create_index(
        "ix_outbox_entity_type_entity_id", "outbox", ["entity_type", "entity_id"], unique=False
    )
    op.create_table(
        "applied_edits",
        sa.Column("edit_id", sa.Uuid(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("edit_id", name=op.f("pk_applied_edits")),
    )


def downgrade() -> None:
    op.drop_table("applied_edits")
    op.drop_index("ix_outbox_entity_type_entity_id", table_name="outbox")
    op.drop_table("outbox")
