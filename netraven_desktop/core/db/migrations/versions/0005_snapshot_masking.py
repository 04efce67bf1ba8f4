"""Snapshots remember whether their configuration was stored with secrets masked.

`config_snapshots.masked`: true (masked), false (stored with secrets in clear, the
device's masking was off), NULL (stored before this was recorded: unknown). Existing
snapshots of devices whose masking is off now are marked false, the likely truth and the
safe side (they are flagged until `backup redact` re-masks them); the rest stay unknown,
since a device's masking may have been switched since.

Revision ID: 0005_snapshot_masking
Revises: 0004_mask_fingerprints
Create Date: 2026-12-04 17:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_snapshot_masking"
down_revision: str | Sequence[str] | None = "0004_mask_fingerprints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("config_snapshots", sa.Column("masked", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE config_snapshots SET masked = false WHERE device_id IN "
        "(SELECT id FROM devices WHERE mask_secrets = false)"
    )


def downgrade() -> None:
    op.drop_column("config_snapshots", "masked")  # SQLite >= 3.35 drops columns itself
