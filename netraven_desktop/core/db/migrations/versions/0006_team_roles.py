"""Team mode the database enforces: group roles, their GRANTs, and a server-written audit log.

Both backends: `audit_events` gains `claimed_actor` and `claimed_at`, what a client said
about who and when when the server recorded something else (always NULL on SQLite).

PostgreSQL only:
- NOLOGIN group roles `netraven_viewer` < `netraven_operator` < `netraven_admin` (each a
  member of the one before), created if missing: roles belong to the whole cluster, so
  another database may have made them already.
- GRANTs that hold the role table of docs/user-guide.md. Nobody but the owner may read
  users' password and session-token hashes, or write the audit log.
- `netraven_audit_append(events jsonb)`, a SECURITY DEFINER function: the only way to add
  audit events. It records `session_user` as the actor and the server's clock, and
  chains the hash in the server. `audit_head` (written only by that function) keeps the
  chain's last hash, length and id so a removed tail is detected; it also remembers the
  first event the server wrote (`server_since`): older events keep the program's hashes.
- Triggers on the tables only admins write record each row change there through that
  function too (`row.insert|update|delete`), so an edit with raw SQL leaves a trace.

Revision ID: 0006_team_roles
Revises: 0005_snapshot_masking
Create Date: 2026-12-04 17:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_team_roles"
down_revision: str | Sequence[str] | None = "0005_snapshot_masking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWER, OPERATOR, ADMIN = "netraven_viewer", "netraven_operator", "netraven_admin"
GROUPS = (VIEWER, OPERATOR, ADMIN)
# What operators write: the inventory, jobs, backups and their history (retention prunes
# it after a run), the offline edits they push. Admins write every table but the audit log.
OPERATOR_TABLES = (
    "devices",
    "tags",
    "device_tags",
    "ssh_host_keys",
    "jobs",
    "job_runs",
    "job_run_results",
    "config_blobs",
    "config_snapshots",
    "config_search",
    "outbox",
    "applied_edits",
)
# What only admins write; the server records every row written there.
ADMIN_TABLES = ("settings", "users", "credentials", "credential_tags", "notification_channels")
# Only the owner reads these columns of `users`.
SECRET_USER_COLUMNS = ("password_hash", "session_token_hash")
OWNER_ONLY = ("audit_events", "audit_head", "alembic_version")


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("claimed_actor", sa.String(length=255), nullable=True))
    op.add_column(
        "audit_events", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True)
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    _create_group_roles()
    _create_audit_head()
    _create_audit_functions()
    _create_row_triggers()
    _grant()


def _create_group_roles() -> None:
    """Create the group roles and their memberships unless they exist (a DBA may have
    made them for a database owner without CREATEROLE)."""
    for role in GROUPS:
        op.execute(
            f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE {role} NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's migration created it a moment ago
            END $$
            """
        )
    for member, group in ((OPERATOR, VIEWER), (ADMIN, OPERATOR)):
        op.execute(
            f"""
            DO $$ BEGIN
                IF NOT pg_has_role('{member}', '{group}', 'MEMBER') THEN
                    GRANT {group} TO {member};
                END IF;
            EXCEPTION WHEN unique_violation THEN
                NULL;  -- granted by another database's migration a moment ago
            END $$
            """
        )


def _create_audit_head() -> None:
    """The chain's head, carried over from the settings row the program kept before."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.Column("server_since", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(
        """
        INSERT INTO audit_head (id, hash, count, last_id)
        SELECT 1, value->>'hash', (value->>'count')::bigint, (SELECT max(id) FROM audit_events)
        FROM settings WHERE scope = 'audit' AND key = 'head'
        """
    )
    op.execute("DELETE FROM settings WHERE scope = 'audit' AND key = 'head'")


def _create_audit_functions() -> None:
    schema = op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar()
    # What a server-written event's hash covers, in a canonical text form.
    op.execute(
        """
        CREATE FUNCTION netraven_audit_hash(
            occurred_at timestamptz, actor text, claimed_actor text, claimed_at timestamptz,
            action text, entity_type text, entity_id text, before jsonb, after jsonb,
            prev_hash text
        ) RETURNS text LANGUAGE sql STABLE AS $$
            SELECT encode(sha256(convert_to(jsonb_build_array(
                to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                actor, claimed_actor,
                to_char(claimed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                action, entity_type, entity_id, before, after, prev_hash
            )::text, 'UTF8')), 'hex')
        $$
        """
    )
    # Each element of `events`: action, entity_type, entity_id, before, after, and what
    # the client claims: actor, occurred_at. The head row's lock orders concurrent writers.
    op.execute(
        f"""
        CREATE FUNCTION netraven_audit_append(events jsonb) RETURNS SETOF bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp
        AS $$
        DECLARE
            event jsonb;
            head audit_head%ROWTYPE;
            new audit_events%ROWTYPE;
        BEGIN
            INSERT INTO audit_head (id, hash, count) VALUES (1, NULL, 0)
                ON CONFLICT (id) DO NOTHING;
            SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
            FOR event IN SELECT value FROM jsonb_array_elements(events) LOOP
                new.id := nextval(pg_get_serial_sequence('audit_events', 'id'));
                new.occurred_at := clock_timestamp();
                new.actor := session_user;
                new.claimed_actor := NULLIF(event->>'actor', session_user);
                new.claimed_at := (event->>'occurred_at')::timestamptz;
                new.action := event->>'action';
                new.entity_type := event->>'entity_type';
                new.entity_id := event->>'entity_id';
                new.before := NULLIF(event->'before', 'null'::jsonb);
                new.after := NULLIF(event->'after', 'null'::jsonb);
                new.prev_hash := head.hash;
                new.hash := netraven_audit_hash(
                    new.occurred_at, new.actor, new.claimed_actor, new.claimed_at, new.action,
                    new.entity_type, new.entity_id, new.before, new.after, new.prev_hash);
                INSERT INTO audit_events (
                    id, occurred_at, actor, claimed_actor, claimed_at, action, entity_type,
                    entity_id, before, after, prev_hash, hash
                ) VALUES (
                    new.id, new.occurred_at, new.actor, new.claimed_actor, new.claimed_at,
                    new.action, new.entity_type, new.entity_id, new.before, new.after,
                    new.prev_hash, new.hash);
                head.hash := new.hash;
                head.count := head.count + 1;
                head.last_id := new.id;
                head.server_since := coalesce(head.server_since, new.id);
                RETURN NEXT new.id;
            END LOOP;
            UPDATE audit_head
                SET hash = head.hash, count = head.count, last_id = head.last_id,
                    server_since = head.server_since
                WHERE id = 1;
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION netraven_audit_append(jsonb) FROM PUBLIC")


def _create_row_triggers() -> None:
    """Every row written in the tables only admins manage is recorded by the server too,
    so an edit with raw SQL leaves its trace: changed values, secrets as "(hidden)", the
    login bookkeeping of `users` left out."""
    schema = op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar()
    op.execute(
        f"""
        CREATE FUNCTION netraven_audit_row() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp
        AS $$
        DECLARE
            secret text[] := ARRAY['password_hash', 'session_token_hash'];
            quiet text[] := ARRAY['failed_attempts', 'locked_until', 'last_login_at',
                                  'session_expires_at', 'created_at', 'updated_at',
                                  'version'];
            old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
            new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
            picture jsonb := coalesce(new_row, old_row);
            before jsonb := '{{}}';
            after jsonb := '{{}}';
            field text;
        BEGIN
            FOR field IN SELECT jsonb_object_keys(picture) LOOP
                CONTINUE WHEN field = ANY(quiet)
                    OR old_row->field IS NOT DISTINCT FROM new_row->field;
                before := before || jsonb_build_object(field, CASE
                    WHEN old_row IS NULL THEN NULL
                    WHEN field = ANY(secret) THEN to_jsonb('(hidden)'::text)
                    ELSE old_row->field END);
                after := after || jsonb_build_object(field, CASE
                    WHEN new_row IS NULL THEN NULL
                    WHEN field = ANY(secret) THEN to_jsonb('(hidden)'::text)
                    ELSE new_row->field END);
            END LOOP;
            IF after = '{{}}' THEN
                RETURN NULL;  -- only bookkeeping moved
            END IF;
            PERFORM netraven_audit_append(jsonb_build_array(jsonb_build_object(
                'action', 'row.' || lower(TG_OP),
                'entity_type', TG_TABLE_NAME,
                'entity_id', left(coalesce(picture->>'id', picture->>'credential_id',
                                           (picture->>'scope') || '/' || (picture->>'key')), 64),
                'before', CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE before END,
                'after', CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE after END)));
            RETURN NULL;
        END
        $$
        """
    )
    for table in ADMIN_TABLES:
        op.execute(
            f"CREATE TRIGGER netraven_audit_row AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION netraven_audit_row()"
        )


def _grant() -> None:
    viewer_user_columns = ", ".join(
        c["name"]
        for c in sa.inspect(op.get_bind()).get_columns("users")
        if c["name"] not in SECRET_USER_COLUMNS
    )
    statements = [
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {{schema}} TO {VIEWER}",
        f"REVOKE SELECT ON users FROM {VIEWER}",
        f"GRANT SELECT ({viewer_user_columns}) ON users TO {VIEWER}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(OPERATOR_TABLES)} TO {OPERATOR}",
        f"GRANT USAGE, SELECT ON SEQUENCE {{outbox_seq}} TO {OPERATOR}",
        f"GRANT EXECUTE ON FUNCTION netraven_audit_append(jsonb) TO {OPERATOR}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {{schema}} TO {ADMIN}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {{schema}} TO {ADMIN}",
        f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(OWNER_ONLY)} FROM {ADMIN}",
        f"REVOKE ALL ON SEQUENCE {{audit_seq}} FROM {ADMIN}",
        # Tables later migrations create: readable by all, writable by admins; a migration
        # that adds a table operators write grants that itself.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {{schema}} GRANT SELECT ON TABLES TO {VIEWER}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {{schema}} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ADMIN}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {{schema}} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {ADMIN}",
    ]
    bind = op.get_bind()
    names = {
        "schema": bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar(),
        "outbox_seq": bind.execute(
            sa.text("SELECT pg_get_serial_sequence('outbox', 'seq')")
        ).scalar(),
        "audit_seq": bind.execute(
            sa.text("SELECT pg_get_serial_sequence('audit_events', 'id')")
        ).scalar(),
    }
    for statement in statements:
        op.execute(statement.format(**names))


def downgrade() -> None:
    """Back to the program-written chain (events the server wrote no longer verify): the
    group roles keep existing (other databases of the cluster may use them) but lose
    every right here."""
    if op.get_bind().dialect.name == "postgresql":
        schema = op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar()
        for role in GROUPS:
            op.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {role}"
            )
            op.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {role}"
            )
            op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}")
            op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}")
        for table in ADMIN_TABLES:
            op.execute(f"DROP TRIGGER netraven_audit_row ON {table}")
        op.execute("DROP FUNCTION netraven_audit_row()")
        op.execute("DROP FUNCTION netraven_audit_append(jsonb)")
        op.execute(
            "DROP FUNCTION netraven_audit_hash(timestamptz, text, text, timestamptz, text, "
            "text, text, jsonb, jsonb, text)"
        )
        op.execute(
            """
            INSERT INTO settings (scope, key, value, created_at, updated_at, version)
            SELECT 'audit', 'head', jsonb_build_object('hash', hash, 'count', count),
                   now(), now(), 1
            FROM audit_head
            """
        )
        op.drop_table("audit_head")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_actor")
