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


# Plain ALTER TABLE on both backends: a batch copy of the table would reflect, and
# rebuild, everything it references. (Dropping the column needs SQLite 3.35 or newer.)


def upgrade() -> None:
    op.add_column("config_snapshots", sa.Column("secret_fingerprints", JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("config_snapshots", "secret_fingerprints")
