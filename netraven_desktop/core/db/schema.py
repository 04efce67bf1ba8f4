"""Create, migrate and check the schema with Alembic, on SQLite and PostgreSQL alike.

Each run works on one live connection (sync, or async via `run_sync`), following Alembic's
cookbook, so the app and the CLI migrate through the same code.

Alembic is imported only when a schema is not current: the usual start (a current schema)
reads the stored revision with one query and skips about 90 ms of imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from ..errors import SchemaNotReadyError, SchemaTooNewError
from . import login_roles
from .database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration's revision; a test checks it against Alembic's own head.
HEAD_REVISION = "0013_raw_config_hash"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: the search indexes (and SQLite's FTS5 shadow tables, named after
    them) and PostgreSQL's audit head are created by hand per backend and have no model,
    so comparisons skip them."""
    if name is None:
        return True
    if type_ == "table":
        return not (name.startswith(("config_search", "device_search")) or name == "audit_head")
    return not (type_ == "index" and name == "ix_devices_search_trgm")


def head_revision() -> str:
    """The newest schema revision this version of the program knows, from Alembic."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(connection: Connection) -> str | None:
    """The schema revision stored in the database, None for an empty database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_not_too_new(connection: Connection) -> str | None:
    """Refuse a database migrated by a newer program; return its revision."""
    from alembic.script import ScriptDirectory

    revision = current_revision(connection)
    if revision is not None:
        script = ScriptDirectory.from_config(alembic_config())
        if revision not in {rev.revision for rev in script.walk_revisions()}:
            raise SchemaTooNewError(
                f"the database schema ({revision}) is newer than this NetRaven Desktop "
                f"knows (newest {head_revision()}); upgrade NetRaven Desktop"
            )
    return revision


def upgrade_connection(connection: Connection) -> tuple[str | None, str]:
    """Bring the schema on `connection` to the newest revision; return (before, after)."""
    from alembic import command

    before = check_not_too_new(connection)
    if connection.dialect.name == "postgresql":
        _require_admin_to_migrate_a_team(connection)
        _require_pg_trgm(connection)
        _require_group_roles(connection)
        _require_member_roles(connection)
    command.upgrade(alembic_config(connection), "head")
    return before, head_revision()


def _require_admin_to_migrate_a_team(connection: Connection) -> None:
    """A team database is migrated only by a login in netraven_admin (or a superuser),
    as the server reports it: a newer program of any member must not migrate everyone."""
    if connection.execute(text("SELECT to_regclass('settings')")).scalar() is None:
        return  # a new database
    team = connection.execute(
        text(
            "SELECT 1 FROM settings WHERE scope = 'system' AND key = 'mode' "
            "AND value = to_jsonb('team'::text)"
        )
    ).scalar()
    if team:
        login_roles.require_admin_login(connection, "db upgrade")


def _require_pg_trgm(connection: Connection) -> None:
    """The configuration search index needs pg_trgm; say what a DBA must run if this
    user may not create it (a trusted extension: CREATE on the database suffices)."""
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError as exc:
        database = connection.execute(text("SELECT current_database()")).scalar()
        reason = str(exc.orig or exc).splitlines()[0]
        raise SchemaNotReadyError(
            f"the PostgreSQL extension pg_trgm is needed for configuration search ({reason}); "
            f"ask the database administrator to run `CREATE EXTENSION pg_trgm;` in database "
            f"{database}, then run `netraven-desktop db upgrade` again"
        ) from None


# Team mode's group roles and the role each is a member of (migrations 0006 and 0011).
GROUP_ROLES = {
    "netraven_viewer": None,
    "netraven_operator": "netraven_viewer",
    "netraven_admin": "netraven_operator",
    "netraven_collector": "netraven_operator",
}


def _require_group_roles(connection: Connection) -> None:
    """The migrations create the group roles when missing, which takes CREATEROLE; say
    what a DBA must run if this user may not (roles are shared by the whole server)."""
    existing = set(
        connection.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:roles)"),
            {"roles": list(GROUP_ROLES)},
        ).scalars()
    )
    missing = [role for role in GROUP_ROLES if role not in existing]
    if not missing:
        return
    user, able = connection.execute(
        text("SELECT rolname, rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).one()
    if able:
        return
    statements = " ".join(
        f"CREATE ROLE {role} NOLOGIN{f' IN ROLE {parent}' if parent else ''};"
        for role, parent in GROUP_ROLES.items()
        if role in missing
    )
    raise SchemaNotReadyError(
        f"team mode needs the PostgreSQL group roles {', '.join(missing)} and {user} may "
        f"not create them (no CREATEROLE); ask the database administrator to run "
        f"`{statements}`, then run `netraven-desktop db upgrade` again"
    )


def _require_member_roles(connection: Connection) -> None:
    """Migration 0010 gives each team user a login role, which takes CREATEROLE; name the
    statements a DBA must run if this login may not."""
    if connection.execute(text("SELECT to_regclass('users')")).scalar() is None:
        return
    if connection.execute(text("SELECT to_regprocedure('netraven_audit_sign_in(text)')")).scalar():
        return  # migrated already
    missing = connection.execute(
        text(
            "SELECT lower(username), role FROM users u WHERE NOT EXISTS "
            "(SELECT FROM pg_roles r WHERE r.rolname = lower(u.username)) ORDER BY 1"
        )
    ).all()
    user, able = connection.execute(
        text("SELECT rolname, rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).one()
    if not missing or able:
        return
    quote = connection.dialect.identifier_preparer.quote_identifier
    statements = " ".join(
        f"CREATE ROLE {quote(name)} NOLOGIN IN ROLE {login_roles.GROUPS[role]};"
        for name, role in missing
    )
    raise SchemaNotReadyError(
        f"this upgrade makes each team user a PostgreSQL login role and {user} may not create "
        f"them (no CREATEROLE); ask the database administrator to run `{statements}`, then run "
        "`netraven-desktop db upgrade` again"
    )


def upgrade(db: Database) -> tuple[str | None, str]:
    """Create or migrate the schema in one transaction."""
    with db.unavailable_as_error(), db.sync_engine.begin() as connection:
        return upgrade_connection(connection)


def prepare_connection(connection: Connection, auto_upgrade: bool) -> None:
    """Make sure the schema is usable: current, or brought current when allowed."""
    if current_revision(connection) == HEAD_REVISION:
        return
    revision = check_not_too_new(connection)
    if revision == head_revision():
        return
    if not auto_upgrade:
        state = "has no NetRaven schema" if revision is None else f"is at schema {revision}"
        raise SchemaNotReadyError(
            f"the database {state}, this version needs {head_revision()}; "
            "run `netraven-desktop db upgrade` first"
        )
    upgrade_connection(connection)


def prepare(db: Database) -> None:
    """Before any other work: a personal SQLite file is migrated in place; a shared
    PostgreSQL database is only migrated by an explicit `db upgrade`, since other team
    members' programs use it too."""
    with db.unavailable_as_error(), db.sync_engine.begin() as connection:
        prepare_connection(connection, auto_upgrade=db.url.is_sqlite)


async def prepare_async(db: Database) -> None:
    """`prepare` on the async engine, for the GUI's event loop."""
    with db.unavailable_as_error():
        async with db.async_engine.begin() as connection:
            await connection.run_sync(prepare_connection, db.url.is_sqlite)
