"""Signing in to a team database on PostgreSQL: the member connects as their own login
role, PostgreSQL checks the password, and who they are and what they may do is read
back from the server (`session_user` and its group), never taken from the client.

The user's row must exist and be active too; the program's own role checks then use
the role the server reports, for clear messages. Sign-ins and sign-outs are audited by
the server under the connected login (`netraven_audit_sign_in`, migration 0010); a
password PostgreSQL refuses never reaches the program's database, and is in the
server's log instead (`log_connections`, where brute-force protection reads it).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from ..db import Database, login_roles
from ..db.models import Role, User
from ..db.url import DatabaseURL
from ..errors import AuthenticationError, InputError
from ..log_masking import remember_secret
from .access import team_mode


def _member_url(team: DatabaseURL, username: str, password: str | None) -> DatabaseURL:
    """The team's URL with the member's own login (and password, when one is given)."""
    changes = {"username": username, "password": password}
    return DatabaseURL(
        sync_url=team.sync_url.set(**changes), async_url=team.async_url.set(**changes)
    )


def member_database(team: Database, username: str, password: str | None) -> Database:
    """A `Database` that connects as `username`; nothing is checked until it is used."""
    if password:
        remember_secret(password)  # masked in every log line from now on
    return Database(_member_url(team.url, username, password), login_of=team.url)


def identify(session: Session, *, audit_as: str | None = None) -> tuple[str, str]:
    """The signed-in user's name and role on a team database, as the server says.

    `audit_as` ("auth.login") records the sign-in. A login role without an active user
    row is refused here, and that refusal is audited in a transaction of its own (the
    caller's unit of work rolls back with the error). Sync sessions only.
    """
    name, role = login_roles.connected_role(session)
    # Named columns: non-admins may not read the row's secret columns.
    user = session.execute(
        select(User.username, User.active).where(func.lower(User.username) == name.lower())
    ).first()
    if user is None or not user.active or role is None:
        if role is not None:
            with session.get_bind().begin() as connection:
                audit_own(connection, "auth.refused")
        raise AuthenticationError(
            f"login refused: {name} is not an active user of this team database"
        )
    if audit_as is not None:
        audit_own(session, audit_as)
    return user.username, role


def connected_user(session: Session) -> bool:
    """Whether the connection's own login (a URL naming a member, ~/.pgpass) is a user."""
    name = session.scalar(text("SELECT session_user"))
    found = select(User.id).where(func.lower(User.username) == name.lower())
    return session.scalar(found) is not None


def server_admin(session: Session) -> tuple[str, str]:
    """A login that is no user of the database (the owner, a superuser) acts as itself,
    as an admin, only when the server makes it one: to set migrated members' passwords."""
    name, role = login_roles.connected_role(session)
    if role != Role.ADMIN:
        raise InputError("--user", "", "this database is in team mode: give --user NAME")
    return name, role


def sign_in(team: Database, username: str, password: str | None) -> tuple[Database, str, str]:
    """Connect as the member, check them, audit the sign-in; return the member's
    `Database` (acting as them), their user name and their role."""
    member = member_database(team, username, password)
    try:
        with member.session() as session:
            if not team_mode(session):
                raise AuthenticationError(f"{team.url} is not in team mode: no sign-in needed")
            name, role = identify(session, audit_as="auth.login")
    except BaseException:
        member.close()
        raise
    member.act_as(name, role)
    return member, name, role


def sign_out(member: Database) -> None:
    """Audit the sign-out under the member's own login."""
    with member.session() as session:
        audit_own(session, "auth.logout")


def require_admin_login(session: Session, doing: str) -> None:
    """On a team database, `doing` needs a login in netraven_admin, whatever the client
    says about itself (the group is the server's)."""
    if login_roles.is_postgresql(session) and team_mode(session):
        login_roles.require_admin_login(session, doing)


def audit_own(session: Session | Connection, action: str) -> None:
    """Record your own sign-in, sign-out or password change; the server names you."""
    session.execute(text("SELECT netraven_audit_sign_in(:action)"), {"action": action})
