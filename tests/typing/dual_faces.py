"""Checked by mypy in scripts/test, never run: `@dual` keeps both faces of a service typed.

Each `assert_type` fails the type check if `dual` stops returning the function's own
result (sync) or an awaitable of it (async); each `type: ignore[...]` fails it
(warn_unused_ignores) if a wrong call stops being an error.
"""

from collections.abc import Awaitable
from typing import assert_type

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from netraven_desktop.core.db.models import Tag
from netraven_desktop.core.services.tags import add_tag, remove_tag


def sync_face(session: Session) -> None:
    assert_type(add_tag(session, "core", description="backbone"), Tag)
    add_tag(session, 42)  # type: ignore[call-overload]
    add_tag(session, "core", colour="red")  # type: ignore[call-overload]


async def async_face(session: AsyncSession) -> None:
    assert_type(add_tag(session, "core"), Awaitable[Tag])
    assert_type(await remove_tag(session, "core"), Tag)
    remove_tag(session)  # type: ignore[call-overload]
