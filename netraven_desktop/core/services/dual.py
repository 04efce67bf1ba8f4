"""The one place where sync and async meet.

A service is written once as a sync function over a `Session`. Decorated with `@dual`,
it returns its value when called with a `Session` and an awaitable when called with an
`AsyncSession`, which runs the very same function through `AsyncSession.run_sync`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def dual(fn: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Any, P], Any]:
    """Make `fn(session, ...)` accept a sync or an async session (see module doc)."""

    @functools.wraps(fn)
    def call(session: Session | AsyncSession, *args: P.args, **kwargs: P.kwargs) -> Any:
        if isinstance(session, AsyncSession):
            return session.run_sync(fn, *args, **kwargs)
        return fn(session, *args, **kwargs)

    return call
