"""A member publishes only their own public key (PostgreSQL).

0009 let every operator write `member_keys`, because until 0010 all members shared one
database login and the server could not tell them apart. Now each member connects as
their own login role, so the server checks it: an operator who replaced a colleague's
public key would receive every credential shared with that colleague from then on.
A trigger refuses an INSERT or UPDATE of another member's row unless the connected
login is an admin (admins decide who holds what anyway) or the owner running migrations.

Revision ID: 0012_member_key_owner
Revises: 0011_collector_queue
Create Date: 2026-12-05 09:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_member_key_owner"
down_revision: str | Sequence[str] | None = "0011_collector_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # personal mode: one person, no database logins
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar()
    op.execute(
        f"""
        CREATE FUNCTION netraven_member_key_owner() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp
        AS $$
        BEGIN
            IF pg_has_role(session_user, 'netraven_admin', 'MEMBER')
               OR EXISTS (SELECT 1 FROM users
                          WHERE id = NEW.user_id AND lower(username) = session_user) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'member_keys: % may publish only their own public key',
                session_user USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION netraven_member_key_owner() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER netraven_member_key_owner BEFORE INSERT OR UPDATE ON member_keys "
        "FOR EACH ROW EXECUTE FUNCTION netraven_member_key_owner()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER netraven_member_key_owner ON member_keys")
    op.execute("DROP FUNCTION netraven_member_key_owner()")
