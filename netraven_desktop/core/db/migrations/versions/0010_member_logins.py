"""Each team member connects to PostgreSQL as a login role of their own.

PostgreSQL only (SQLite is unchanged):
- Every existing user gets a role named after them (lower-case) in their group, NOLOGIN
  until an admin sets its password (`user passwd NAME`): the program's argon2 hashes
  cannot become PostgreSQL passwords. A role that exists already is put in the group.
- The program's own password hashes and session tokens are cleared: PostgreSQL checks
  the password now. The columns stay (SQLite's team mode still uses them); only the
  owner reads them (0006).
- `netraven_audit_sign_in(action)`, SECURITY DEFINER and open to every member: the only
  audit events a viewer may write (signing in and out, changing their own password),
  under their own login.

Revision ID: 0010_member_logins
Revises: 0009_team_vault
Create Date: 2026-12-05 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_member_logins"
down_revision: str | Sequence[str] | None = "0009_team_vault"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = {"viewer": "netraven_viewer", "operator": "netraven_operator", "admin": "netraven_admin"}
# Not an argon2 hash: the program's own password check refuses it.
NO_APP_PASSWORD = "!postgresql-login"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    quote = bind.dialect.identifier_preparer.quote_identifier
    users = bind.execute(sa.text("SELECT lower(username), role FROM users")).all()
    for name, role in users:
        exists, member = bind.execute(
            sa.text(
                "SELECT count(*) > 0, bool_or(pg_has_role(rolname, :g, 'MEMBER')) "
                "FROM pg_roles WHERE rolname = :n"
            ),
            {"n": name, "g": GROUPS[role]},
        ).one()
        if not exists:
            bind.exec_driver_sql(f"CREATE ROLE {quote(name)} NOLOGIN IN ROLE {GROUPS[role]}")
        elif not member:  # a role a DBA made beforehand keeps its own state
            bind.exec_driver_sql(f"GRANT {GROUPS[role]} TO {quote(name)}")
    op.execute(
        sa.text(
            "UPDATE users SET password_hash = :none, session_token_hash = NULL, "
            "session_expires_at = NULL, failed_attempts = 0, locked_until = NULL"
        ).bindparams(none=NO_APP_PASSWORD)
    )
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar()
    op.execute(
        f"""
        CREATE FUNCTION netraven_audit_sign_in(action text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp
        AS $$
        BEGIN
            IF action NOT IN ('auth.login', 'auth.logout', 'auth.refused', 'auth.password') THEN
                RAISE EXCEPTION 'not a sign-in event: %', action;
            END IF;
            IF action = 'auth.login' THEN
                UPDATE users SET last_login_at = now() WHERE lower(username) = session_user;
            END IF;
            PERFORM netraven_audit_append(jsonb_build_array(jsonb_build_object(
                'action', action, 'entity_type', 'user', 'entity_id', session_user)));
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION netraven_audit_sign_in(text) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION netraven_audit_sign_in(text) TO netraven_viewer")


def downgrade() -> None:
    """The login roles stay (they are the server's, and may serve other databases); the
    program's passwords are not restored: an admin sets them again with `user passwd`."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION netraven_audit_sign_in(text)")
