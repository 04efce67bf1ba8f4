"""Who may do what: the role check every service makes before it reads or writes.

Personal mode (the default) checks nothing: the laptop's user owns everything. In team
mode every unit of work carries an authenticated user's role (`Database.act_as`), and a
call the role does not allow fails here, in the service layer, so no front end can skip it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..crud import settings as setting_rows
from ..errors import PermissionDeniedError

MODE_SCOPE, MODE_KEY = "system", "mode"
# What each role may do; each role includes the one before it.
PERMISSIONS = {
    "viewer": {"read"},
    "operator": {"read", "edit", "backup"},
    "admin": {"read", "edit", "backup", "admin"},
}
VERBS = {
    "read": "read the inventory",
    "edit": "change the inventory",
    "backup": "run backups",
    "admin": "manage users, credentials, settings and channels",
}


def team_mode(session: Session) -> bool:
    row = setting_rows.find_setting(session, MODE_KEY, MODE_SCOPE)
    return row is not None and row.value == "team"


def may(role: str, permission: str) -> bool:
    """Whether `role` allows `permission`: the one table behind every service's check and
    every control the window enables (the window's is a courtesy; the service decides)."""
    return permission in PERMISSIONS.get(role, ())


def authorize(session: Session, permission: str, doing: str | None = None) -> None:
    """Raise PermissionDeniedError unless the unit of work's user may do `permission`;
    `doing` names the refused action when it is narrower than the permission's verb."""
    if not team_mode(session):
        return
    role = session.info.get("role")
    if role is None:
        raise PermissionDeniedError("this database is in team mode: log in first (--user NAME)")
    if not may(role, permission):
        raise PermissionDeniedError(
            f"{session.info.get('actor')} is {role} and may not {doing or VERBS[permission]}"
        )
