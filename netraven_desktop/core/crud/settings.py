"""Stored setting values by (scope, key). Typing and defaults live in the settings service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Setting
from .common import apply_changes, delete_row, flush, get_or_raise

GLOBAL = "global"


def get_setting(session: Session, key: str, scope: str = GLOBAL) -> Setting:
    stmt = select(Setting).where(Setting.scope == scope, Setting.key == key)
    return get_or_raise(session, stmt, "setting", key, "key")


def find_setting(session: Session, key: str, scope: str = GLOBAL) -> Setting | None:
    return session.get(Setting, (scope, key))


def list_settings(session: Session, scope: str = GLOBAL) -> list[Setting]:
    stmt = select(Setting).where(Setting.scope == scope).order_by(Setting.key)
    return list(session.scalars(stmt))


def put_setting(
    session: Session, key: str, value: Any, scope: str = GLOBAL, expected_version: int | None = None
) -> Setting:
    """Create or overwrite one value (with a version check when the caller gives one)."""
    row = find_setting(session, key, scope)
    if row is None:
        row = Setting(scope=scope, key=key, value=value)
        session.add(row)
        flush(session, "setting", key)
        return row
    return apply_changes(
        session,
        row,
        {"value": value},
        expected_version=expected_version,
        entity="setting",
        key=key,
        allowed=("value",),
    )


def delete_setting(
    session: Session, key: str, scope: str = GLOBAL, expected_version: int | None = None
) -> None:
    """Drop the stored value, so the setting is back at its default."""
    row = get_setting(session, key, scope)
    delete_row(session, row, expected_version=expected_version, entity="setting", key=key)
