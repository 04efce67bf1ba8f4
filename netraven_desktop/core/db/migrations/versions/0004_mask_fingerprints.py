"""Keyed fingerprints of the secrets masked in each snapshot.

A snapshot whose text is unchanged but whose masked secrets changed is still a change;
the fingerprints (HMAC under a key kept outside the database) let the diff say which
lines' secrets changed without storing anything a dump-holder could brute-force.

Revision ID: 0004_mask_fingerprints
Revises: 0003
Create Date: 2026-12-04 17:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0004_mask_fingerprints"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("config_snapshots") as batch:
        batch.add_column(sa.Column("secret_fingerprints", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("config_snapshots") as batch:
        batch.drop_column("secret_fingerprints")
