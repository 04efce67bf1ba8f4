"""The one place where sync and async meet.

A service is written once as a sync function over a `Session`. Decorated with `@dual`,
it returns its value when called with a `Session` and an awaitable when called with an
`AsyncSession`, which runs the very same function through `AsyncSession.run_sync`.
The `Dual` protocol keeps both faces typed: a type checker sees `R` from the sync call
and `Awaitable[R]` from the async one, with the function's own parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Dual(Protocol, Generic[P, R_co]):
    """A service callable with either kind of session (see module doc)."""

    @overload
    def __call__(self, session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R_co: ...

    @overload
    def __call__(
        self, session: AsyncSession, /, *args: P.args, **kwargs: P.kwargs
    ) -> Awaitable[R_co]: ...


def dual(fn: Callable[Concatenate[Session, P], R]) -> Dual[P, R]:
    """Make `fn(session, ...)` accept a sync or an async session (see module doc)."""

    @functools.wraps(fn)
    def call(
        session: Session | AsyncSession, /, *args: P.args, **kwargs: P.kwargs
    ) -> R | Awaitable[R]:
        if isinstance(session, AsyncSession):
            return session.run_sync(fn, *args, **kwargs)
        return fn(session, *args, **kwargs)

    return cast(Dual[P, R], call)
