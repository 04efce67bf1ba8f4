"""Team members' PostgreSQL login roles: each member connects as a role of their own,
in one of the group roles, so the server knows who acts and what they may do.

Passwords are sent as SCRAM-SHA-256 verifiers computed here, never in clear, so no
server log (`log_statement = 'ddl'`) or `pg_stat_activity` ever shows one. Managing
other roles needs CREATEROLE; ending a member's open connections needs the
`pg_signal_backend` role (or a superuser): both are checked first, so a refusal changes
nothing and says what a superuser must grant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import stringprep
import unicodedata

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from ..errors import InputError, PermissionDeniedError
from .models.accounts import Role

GROUPS = {"viewer": "netraven_viewer", "operator": "netraven_operator", "admin": "netraven_admin"}
SCRAM_ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)
# Lower-case so that psql, pg_hba.conf and the program spell it alike without quotes.
_SAFE_NAME = re.compile(r"[a-z_][a-z0-9_.-]{0,62}")
_RESERVED = {"public", "none", "current_user", "session_user", "current_role", "all"}


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def check_role_name(name: str, field: str = "username") -> str:
    """A user name usable as a login role as it is: refuse what would need quoting."""
    if not _SAFE_NAME.fullmatch(name) or name.startswith(("pg_", "netraven_")) or name in _RESERVED:
        raise InputError(
            field,
            name,
            "is not usable as a PostgreSQL login: use 1-63 lower-case letters, digits, "
            "_ . or -, starting with a letter or _ (not pg_ or netraven_)",
        )
    return name


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, with
    SASLprep as the server applies it)."""
    prepared = _saslprep(password)
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", prepared, salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt).decode()}"
        f"${b64(stored_key).decode()}:{b64(server_key).decode()}"
    )


def _saslprep(password: str) -> bytes:
    """RFC 4013 as PostgreSQL applies it: a password SASLprep refuses is used as its raw
    UTF-8 bytes, so logging in with the same text always matches."""
    raw = password.encode()
    mapped = "".join(
        " " if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c)
    )
    prepared = unicodedata.normalize("NFKC", mapped)
    prohibited = (
        stringprep.in_table_c12,
        stringprep.in_table_c21_c22,
        stringprep.in_table_c3,
        stringprep.in_table_c4,
        stringprep.in_table_c5,
        stringprep.in_table_c6,
        stringprep.in_table_c7,
        stringprep.in_table_c8,
        stringprep.in_table_c9,
        stringprep.in_table_a1,
    )
    if not prepared or any(check(c) for c in prepared for check in prohibited):
        return raw
    if any(stringprep.in_table_d1(c) for c in prepared) and (
        any(stringprep.in_table_d2(c) for c in prepared)
        or not stringprep.in_table_d1(prepared[0])
        or not stringprep.in_table_d1(prepared[-1])
    ):
        return raw
    return prepared.encode()


def _quote(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote_identifier(name)


def _run(session: Session, statement: str) -> None:
    """DDL as written: a verifier's `:` and `$` must not read as bind parameters."""
    session.connection().exec_driver_sql(statement)


def _password_clause(password: str) -> str:
    verifier = scram_verifier(password)
    assert re.fullmatch(r"[A-Za-z0-9+/=:$-]+", verifier)  # safe inside a literal
    return f"PASSWORD '{verifier}'"


def _connected(session: Session) -> str:
    return str(session.scalar(text("SELECT session_user")))


def require_createrole(session: Session, *, signal: bool = False) -> None:
    """Refuse at once when this connection may not manage roles (or, with `signal`, end
    other members' connections)."""
    me = _connected(session)
    superuser, createrole, may_signal = session.execute(
        text(
            "SELECT rolsuper, rolcreaterole, pg_has_role(session_user, 'pg_signal_backend', "
            "'MEMBER') FROM pg_roles WHERE rolname = session_user"
        )
    ).one()
    if not (superuser or createrole):
        raise PermissionDeniedError(
            f"your PostgreSQL login {me} lacks CREATEROLE, which managing team members' "
            f"logins needs: a superuser runs `ALTER ROLE {_quote(session, me)} CREATEROLE`"
        )
    if signal and not (superuser or may_signal):
        raise PermissionDeniedError(
            f"your PostgreSQL login {me} may not end other members' connections: a "
            f"superuser runs `GRANT pg_signal_backend TO {_quote(session, me)}`"
        )


def _groups_of(session: Session, name: str) -> list[str] | None:
    """The netraven groups `name` is directly in; None when no such role exists."""
    exists = session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    if exists is None:
        return None
    return list(
        session.scalars(
            text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :n "
                "AND g.rolname = ANY(:groups)"
            ),
            {"n": name, "groups": list(GROUPS.values())},
        )
    )


def create_login(session: Session, name: str, password: str | None, role: str) -> None:
    """A member's login role in `role`'s group; NOLOGIN while there is no password.

    Roles belong to the whole server: a role already in a netraven group (a member of
    another team database, or made by hand) is taken over; any other is refused.
    """
    check_role_name(name)
    require_createrole(session)
    login = f"LOGIN {_password_clause(password)}" if password is not None else "NOLOGIN"
    groups = _groups_of(session, name)
    if groups is None:
        _run(session, f"CREATE ROLE {_quote(session, name)} {login} IN ROLE {GROUPS[role]}")
        return
    if not groups:
        raise InputError(
            "username",
            name,
            "is a PostgreSQL role already, outside the team's groups: choose another name, or "
            f"a superuser runs `GRANT {GROUPS[role]} TO {_quote(session, name)}` first",
        )
    _run(session, f"ALTER ROLE {_quote(session, name)} {login}")
    set_group(session, name, role)


def set_group(session: Session, name: str, role: str) -> None:
    """Make `name` a member of `role`'s group and of no other netraven group."""
    require_createrole(session)
    quoted = _quote(session, name)
    for group in _groups_of(session, name) or []:
        if group != GROUPS[role]:
            _run(session, f"REVOKE {group} FROM {quoted}")
    if GROUPS[role] not in (_groups_of(session, name) or []):
        _run(session, f"GRANT {GROUPS[role]} TO {quoted}")


def let_manage_members(session: Session, name: str) -> None:
    """CREATEROLE and `pg_signal_backend` for the team's first admin, who adds the rest.

    Given only when the team is set up (`db mode team --admin`), by the DBA's connection:
    before PostgreSQL 16, CREATEROLE lets its holder grant themselves most predefined
    roles, so other admins get it only from a DBA (docs/user-guide.md)."""
    quoted = _quote(session, name)
    _run(session, f"ALTER ROLE {quoted} CREATEROLE")
    _run(session, f"GRANT pg_signal_backend TO {quoted}")


def set_can_login(session: Session, name: str, active: bool) -> None:
    """LOGIN again, or NOLOGIN and every open connection of `name` ended: a disabled
    member is out at once, not at their next connection."""
    require_createrole(session, signal=not active)
    _run(session, f"ALTER ROLE {_quote(session, name)} {'LOGIN' if active else 'NOLOGIN'}")
    if not active:
        end_connections(session, name)


def set_password(session: Session, name: str, password: str, *, login: bool) -> bool:
    """Your own password (no CREATEROLE needed; True), or another member's: then their
    open connections end, so an old password stops working everywhere at once."""
    if name == _connected(session):
        _run(session, f"ALTER ROLE CURRENT_USER {_password_clause(password)}")
        return True
    able = session.scalar(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": name})
    require_createrole(session, signal=bool(able))  # a NOLOGIN role has nothing to end
    can = "LOGIN" if login else "NOLOGIN"
    _run(session, f"ALTER ROLE {_quote(session, name)} {can} {_password_clause(password)}")
    end_connections(session, name)
    return False


def end_connections(session: Session, name: str) -> int:
    """Terminate `name`'s backends on the whole server; return how many."""
    return len(
        session.scalars(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        ).all()
    )


def connected_role(session: Session | Connection) -> tuple[str, Role | None]:
    """The connected login and the app role its group memberships give (the highest),
    as the server sees them: what the program shows and checks."""
    row = session.execute(
        text(
            "SELECT session_user, pg_has_role(session_user, 'netraven_admin', 'MEMBER'), "
            "pg_has_role(session_user, 'netraven_operator', 'MEMBER'), "
            "pg_has_role(session_user, 'netraven_viewer', 'MEMBER')"
        )
    ).one()
    # Role lists the roles highest first.
    role = next((r for r, member in zip(Role, row[1:], strict=True) if member), None)
    return row[0], role


def require_admin_login(session: Session | Connection, doing: str) -> None:
    """`doing` needs a login in netraven_admin (superusers are in every group), as the
    server reports it, whatever the client says about itself. The caller decides that
    the database is a team's: the schema check cannot read settings through services."""
    name, role = connected_role(session)
    if role != Role.ADMIN:
        raise PermissionDeniedError(
            f"{doing} on a team database needs an admin login: {name} is "
            f"{role or 'in none of the team groups'} (connect with --user ADMIN)"
        )
