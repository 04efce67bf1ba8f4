"""Collectors and their shared queue; schedules in a named time zone; placement labels.

Both backends:
- `jobs.timezone` (IANA name; NULL: the machine's local zone).
- `job_runs.scheduled_for`, unique per job: the schedule slot a queued run stands for,
  so two collectors that find the same job due cannot both start it.
- `work_items`: one row per device of a queued run, claimed under a lease.
- `collectors`: each collector's name, version, labels and last heartbeat.
- `devices.collector_label`, `tags.collector_label`: placement on labelled collectors.

PostgreSQL only: the NOLOGIN group role `netraven_collector`, a member of
`netraven_operator` (a collector reads the inventory and credentials' usernames, writes
backups, runs and results as an operator does), created if missing like 0006's groups.
Operators also write the queue and the collector registry (a window may enqueue a run;
the collector that runs it is an operator). Collector login roles are made members of
`netraven_collector` by a DBA (docs/collectors.md).

Revision ID: 0011_collector_queue
Revises: 0010_member_logins
Create Date: 2026-12-05 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_collector_queue"
down_revision: str | Sequence[str] | None = "0010_member_logins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLLECTOR, OPERATOR = "netraven_collector", "netraven_operator"
QUEUE_TABLES = ("work_items", "collectors")


def upgrade() -> None:
    # Plain ALTER TABLE on both backends: a batch copy would reflect the tables (losing
    # their expression indexes) and rebuild `devices` without 0007's search triggers.
    op.add_column("jobs", sa.Column("timezone", sa.String(length=64), nullable=True))
    op.add_column("job_runs", sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_job_runs_job_id_scheduled_for", "job_runs", ["job_id", "scheduled_for"], unique=True
    )
    op.add_column("devices", sa.Column("collector_label", sa.String(length=64), nullable=True))
    op.add_column("tags", sa.Column("collector_label", sa.String(length=64), nullable=True))
    op.create_table(
        "work_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=6), nullable=False),
        sa.Column("collector", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["job_runs.id"],
            name=op.f("fk_work_items_run_id_job_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_work_items_device_id_devices"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'leased', 'done')", name=op.f("ck_work_items_work_item_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
    )
    op.create_index(
        "uq_work_items_run_id_device_id", "work_items", ["run_id", "device_id"], unique=True
    )
    op.create_index("ix_work_items_state_lease_until", "work_items", ["state", "lease_until"])
    op.create_table(
        "collectors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column(
            "labels", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("silent_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collectors")),
        sa.UniqueConstraint("name", name=op.f("uq_collectors_name")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_collector_role()
        op.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(QUEUE_TABLES)} TO {OPERATOR}"
        )


def _create_collector_role() -> None:
    """The group role and its membership, unless they exist (roles are cluster-wide)."""
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{COLLECTOR}') THEN
                CREATE ROLE {COLLECTOR} NOLOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database's migration created it a moment ago
        END $$
        """
    )
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT pg_has_role('{COLLECTOR}', '{OPERATOR}', 'MEMBER') THEN
                GRANT {OPERATOR} TO {COLLECTOR};
            END IF;
        EXCEPTION WHEN unique_violation THEN
            NULL;  -- granted by another database's migration a moment ago
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {', '.join(QUEUE_TABLES)} FROM {OPERATOR}")
    op.drop_table("collectors")
    op.drop_index("ix_work_items_state_lease_until", table_name="work_items")
    op.drop_index("uq_work_items_run_id_device_id", table_name="work_items")
    op.drop_table("work_items")
    # SQLite >= 3.35 drops columns itself (see upgrade for why not batch mode).
    op.drop_column("tags", "collector_label")
    op.drop_column("devices", "collector_label")
    op.drop_index("uq_job_runs_job_id_scheduled_for", table_name="job_runs")
    op.drop_column("job_runs", "scheduled_for")
    op.drop_column("jobs", "timezone")
