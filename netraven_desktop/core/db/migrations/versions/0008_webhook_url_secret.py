"""A webhook's URL is a secret: `notification_channels.url_ref` names its keyring entry.

Webhook URLs often carry the token themselves (Slack-style `/services/T…/B…/…` paths,
`?token=…`), so the whole URL moves to the OS keyring and the row keeps only a masked
display form in `config.url` (`https://hooks.slack.com/…`). A migration cannot reach the
keyring (it may run where there is none), so it only adds the column; an existing
channel (`url_ref` NULL, the full URL still in `config`) is moved by the notify service
the next time an admin lists or edits the channels (services/notify.move_webhook_urls).

Revision ID: 0008_webhook_url_secret
Revises: 0007_device_view_indexes
Create Date: 2026-12-04 18:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_webhook_url_secret"
down_revision: str | Sequence[str] | None = "0007_device_view_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notification_channels", sa.Column("url_ref", sa.String(255), nullable=True))


def downgrade() -> None:
    """A moved channel keeps only its masked URL: give it again with `notify edit --url`."""
    op.drop_column("notification_channels", "url_ref")  # SQLite >= 3.35 drops columns itself
