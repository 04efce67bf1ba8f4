"""The team vault: members' public keys, sealed credential secrets, wrapped data keys.

On PostgreSQL the default privileges of 0006 let every member read these tables and
admins write them. Members who run backups publish their own public key, so operators
may write `member_keys` too (viewers get no key: they use no credential). Until each
member connects as their own login role, the server cannot tell members apart (row-level
security on `session_user` would see one login), so nothing narrower is granted yet; a
wrapped key is useless without its member's private key, which never leaves their
keyring.

Revision ID: 0009_team_vault
Revises: 0008_webhook_url_secret
Create Date: 2026-12-04 18:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_team_vault"
down_revision: str | Sequence[str] | None = "0008_webhook_url_secret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_keys")),
    )
    op.create_table(
        "vault_entries",
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("password", sa.LargeBinary(), nullable=True),
        sa.Column("enable", sa.LargeBinary(), nullable=True),
        sa.Column("passphrase", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_vault_entries_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_vault_entries")),
    )
    op.create_table(
        "vault_grants",
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["vault_entries.credential_id"],
            name=op.f("fk_vault_grants_credential_id_vault_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_vault_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("credential_id", "user_id", name=op.f("pk_vault_grants")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("GRANT INSERT, UPDATE ON member_keys TO netraven_operator")


def downgrade() -> None:
    op.drop_table("vault_grants")
    op.drop_table("vault_entries")
    op.drop_table("member_keys")
