"""Initial schema: every table of the data model.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 19:46:37.396781

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"], unique=False)
    op.create_index(
        "ix_audit_events_entity_type_entity_id",
        "audit_events",
        ["entity_type", "entity_id"],
        unique=False,
    )
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"], unique=False)
    op.create_table(
        "config_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_config_blobs")),
    )
    op.create_table(
        "credentials",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("keyring_ref", sa.String(length=255), nullable=False),
        sa.Column("ssh_key_path", sa.Text(), nullable=True),
        sa.Column("has_enable_secret", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('password', 'ssh-key')", name=op.f("ck_credentials_credential_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("keyring_ref", name=op.f("uq_credentials_keyring_ref")),
    )
    op.create_index("ix_credentials_priority", "credentials", ["priority"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("target", JSON, nullable=False),
        sa.Column("schedule", sa.String(length=128), nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_table(
        "notification_channels",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=7), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("secret_ref", sa.String(length=255), nullable=True),
        sa.Column("events", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('desktop', 'email', 'webhook')",
            name=op.f("ck_notification_channels_channel_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channels")),
    )
    op.create_table(
        "settings",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_settings")),
    )
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_token_hash", sa.String(length=64), nullable=True),
        sa.Column("session_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'operator', 'viewer')", name=op.f("ck_users_user_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "credential_tags",
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credential_tags_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_credential_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("credential_id", "tag_id", name=op.f("pk_credential_tags")),
    )
    op.create_index("ix_credential_tags_tag_id", "credential_tags", ["tag_id"], unique=False)
    op.create_table(
        "devices",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("site", sa.String(length=128), nullable=True),
        sa.Column("role", sa.String(length=128), nullable=True),
        sa.Column("vendor", sa.String(length=128), nullable=True),
        sa.Column("model", sa.String(length=128), nullable=True),
        sa.Column("serial", sa.String(length=128), nullable=True),
        sa.Column("os_version", sa.String(length=128), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.Column("last_credential_id", sa.Uuid(), nullable=True),
        sa.Column("ssh_legacy_algorithms", sa.Boolean(), nullable=False),
        sa.Column("connect_timeout", sa.Integer(), nullable=True),
        sa.Column("mask_secrets", sa.Boolean(), nullable=False),
        sa.Column("last_backup_status", sa.String(length=9), nullable=False),
        sa.Column("last_backup_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_devices_credential_id_credentials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_credential_id"],
            ["credentials.id"],
            name=op.f("fk_devices_last_credential_id_credentials"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "last_backup_status IN ('never', 'changed', 'unchanged', 'failed')",
            name=op.f("ck_devices_backup_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    op.create_index("ix_devices_credential_id", "devices", ["credential_id"], unique=False)
    op.create_index("ix_devices_deleted_at", "devices", ["deleted_at"], unique=False)
    op.create_index("ix_devices_host", "devices", ["host"], unique=False)
    op.create_index(
        "ix_devices_last_backup_status", "devices", ["last_backup_status"], unique=False
    )
    op.create_index(
        "ix_devices_last_credential_id", "devices", ["last_credential_id"], unique=False
    )
    op.create_index("ix_devices_platform", "devices", ["platform"], unique=False)
    op.create_index("ix_devices_site", "devices", ["site"], unique=False)
    op.create_table(
        "job_runs",
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=11), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_count", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_runs_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted')",
            name=op.f("ck_job_runs_job_run_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index(
        "ix_job_runs_job_id_started_at", "job_runs", ["job_id", "started_at"], unique=False
    )
    op.create_index("ix_job_runs_started_at", "job_runs", ["started_at"], unique=False)
    op.create_table(
        "config_snapshots",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_run_id", sa.Uuid(), nullable=True),
        sa.Column("lines_added", sa.Integer(), nullable=False),
        sa.Column("lines_removed", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_sha256"],
            ["config_blobs.sha256"],
            name=op.f("fk_config_snapshots_blob_sha256_config_blobs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_config_snapshots_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_run_id"],
            ["job_runs.id"],
            name=op.f("fk_config_snapshots_job_run_id_job_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_snapshots")),
    )
    op.create_index(
        "ix_config_snapshots_blob_sha256", "config_snapshots", ["blob_sha256"], unique=False
    )
    op.create_index(
        "ix_config_snapshots_device_id_captured_at",
        "config_snapshots",
        ["device_id", "captured_at"],
        unique=False,
    )
    op.create_index(
        "ix_config_snapshots_job_run_id", "config_snapshots", ["job_run_id"], unique=False
    )
    op.create_table(
        "device_tags",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_device_tags_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_device_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("device_id", "tag_id", name=op.f("pk_device_tags")),
    )
    op.create_index("ix_device_tags_tag_id", "device_tags", ["tag_id"], unique=False)
    op.create_table(
        "ssh_host_keys",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("key_type", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_ssh_host_keys_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ssh_host_keys")),
        sa.UniqueConstraint(
            "device_id", "key_type", name=op.f("uq_ssh_host_keys_device_id_key_type")
        ),
    )
    op.create_table(
        "job_run_results",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("error_class", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connect_ms", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_job_run_results_device_id_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["job_runs.id"],
            name=op.f("fk_job_run_results_run_id_job_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["config_snapshots.id"],
            name=op.f("fk_job_run_results_snapshot_id_config_snapshots"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'changed', 'unchanged', 'failed', 'cancelled', 'skipped')",
            name=op.f("ck_job_run_results_result_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run_results")),
    )
    op.create_index("ix_job_run_results_device_id", "job_run_results", ["device_id"], unique=False)
    op.create_index("ix_job_run_results_run_id", "job_run_results", ["run_id"], unique=False)
    op.create_index(
        "ix_job_run_results_snapshot_id", "job_run_results", ["snapshot_id"], unique=False
    )

    # A trashed device keeps its name free for a new one.
    op.create_index(
        "uq_devices_name_ci",
        "devices",
        [sa.text("lower(name)")],
        unique=True,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    # Names are unique regardless of case: "Core-SW1" and "core-sw1" are one device.
    for table, column in (
        ("credentials", "name"),
        ("jobs", "name"),
        ("notification_channels", "name"),
        ("tags", "name"),
        ("users", "username"),
    ):
        op.create_index(
            f"uq_{table}_{column}_ci", table, [sa.text(f"lower({column})")], unique=True
        )


def downgrade() -> None:
    """Drop everything (only for tests and developers: this loses all data)."""
    op.drop_table("job_run_results")
    op.drop_table("ssh_host_keys")
    op.drop_table("device_tags")
    op.drop_table("config_snapshots")
    op.drop_table("job_runs")
    op.drop_table("devices")
    op.drop_table("credential_tags")
    op.drop_table("users")
    op.drop_table("tags")
    op.drop_table("settings")
    op.drop_table("notification_channels")
    op.drop_table("jobs")
    op.drop_table("credentials")
    op.drop_table("config_blobs")
    op.drop_table("audit_events")
