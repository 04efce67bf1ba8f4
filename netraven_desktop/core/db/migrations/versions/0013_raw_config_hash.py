"""Snapshots remember a keyed hash of the captured text they were cleaned from.

`config_snapshots.raw_config_hash`: an HMAC (under the mask key, which lives in the OS
keyring, never in the database) of the capture before masking, the cleaning rules and
the mask flag; a backup whose capture hashes the same records "unchanged" without
masking it again. NULL for existing snapshots: their next backup cleans as before and
records the hash. No GRANT changes: the group roles hold table-wide privileges on
`config_snapshots` (0006), which cover a new column.

Revision ID: 0013_raw_config_hash
Revises: 0012_member_key_owner
Create Date: 2026-12-05 21:15:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_raw_config_hash"
down_revision: str | Sequence[str] | None = "0012_member_key_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "config_snapshots", sa.Column("raw_config_hash", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("config_snapshots", "raw_config_hash")  # SQLite >= 3.35 drops columns itself
