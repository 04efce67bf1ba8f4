"""`Database`: one object per open database, handing out sync and async sessions.

A session is a unit of work: `with db.session() as s:` commits when the block ends and
rolls back on any error, so a failed operation leaves nothing half-written.

On SQLite a unit of work takes the write lock when it starts (BEGIN IMMEDIATE): a
transaction that read first and wrote later would fail with "database is locked" if
another writer committed in between. Pure reads (`read_session`) do not take it, so
long reads never hold up writers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from functools import cached_property

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from ..errors import (
    AuthenticationError,
    DatabaseUnavailableError,
    NetRavenError,
    PermissionDeniedError,
)
from .engines import SQLITE_BEGIN, make_async_engine, make_sync_engine
from .url import DatabaseURL, parse_database_url

# PostgreSQL's SQLSTATE for "permission denied".
INSUFFICIENT_PRIVILEGE = "42501"


class Database:
    """Engines are created on first use and disposed by `close()` / `aclose()`."""

    def __init__(
        self,
        url: DatabaseURL | str,
        *,
        replica_of: DatabaseURL | None = None,
        login_of: DatabaseURL | None = None,
    ) -> None:
        self.url = parse_database_url(url) if isinstance(url, str) else url
        # Set on a team database's local replica (core.offline): every audited edit in
        # its units of work is also queued in the outbox, to be pushed on reconnect.
        self.replica_of = replica_of
        # Set when `url` is a member's own login to a team database (`services.sign_in`):
        # the URL the team shares, without the member's name and password.
        self.login_of = login_of
        # Who every unit of work runs as (team mode); set by `act_as` after a login.
        self.actor: str | None = None
        self.role: str | None = None

    def act_as(self, actor: str, role: str) -> None:
        """Run every later unit of work as this authenticated user and role."""
        self.actor, self.role = actor, role

    def _info(self, actor: str | None) -> dict[str, object]:
        return {"actor": actor or self.actor, "role": self.role, "replica": bool(self.replica_of)}

    @cached_property
    def sync_engine(self) -> Engine:
        return make_sync_engine(self.url)

    @cached_property
    def async_engine(self) -> AsyncEngine:
        return make_async_engine(self.url)

    @cached_property
    def _sync_sessions(self) -> dict[bool, sessionmaker[Session]]:
        return {
            write: sessionmaker(
                self.sync_engine.execution_options(**{SQLITE_BEGIN: _begin(write)}),
                expire_on_commit=False,
            )
            for write in (True, False)
        }

    @cached_property
    def _async_sessions(self) -> dict[bool, async_sessionmaker[AsyncSession]]:
        return {
            write: async_sessionmaker(
                self.async_engine.execution_options(**{SQLITE_BEGIN: _begin(write)}),
                expire_on_commit=False,
            )
            for write in (True, False)
        }

    @contextmanager
    def session(self, *, write: bool = True, actor: str | None = None) -> Iterator[Session]:
        """A sync session inside one transaction: commit on success, rollback on error.

        `actor` names who the audit log records for this unit of work (default: the OS
        user, which is right in personal mode).
        """
        with (
            self.unavailable_as_error(),
            self.refusal_as_error(),
            self._sync_sessions[write](info=self._info(actor)) as session,
            session.begin(),
        ):
            yield session

    def read_session(self) -> AbstractContextManager[Session]:
        """A session for reading only: no write lock on SQLite."""
        return self.session(write=False)

    @asynccontextmanager
    async def async_session(
        self, *, write: bool = True, actor: str | None = None
    ) -> AsyncIterator[AsyncSession]:
        """The async twin of `session()`; never share the session between tasks."""
        with self.unavailable_as_error(), self.refusal_as_error():
            async with (
                self._async_sessions[write](info=self._info(actor)) as session,
                session.begin(),
            ):
                yield session

    def async_read_session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """The async twin of `read_session()`."""
        return self.async_session(write=False)

    @contextmanager
    def unavailable_as_error(self) -> Iterator[None]:
        """Turn "cannot connect" into one clear line; other database errors pass through."""
        try:
            yield
        except DBAPIError as exc:
            if _is_refused_login(exc.orig):
                user = self.url.sync_url.username
                reason = (
                    "wrong user name or password, or the login is disabled"
                    if self.url.sync_url.password
                    else f"no password kept or given (`netraven-desktop --user {user} login` "
                    "keeps one)"
                )
                raise AuthenticationError(
                    f"login refused for {user} on {self.url.display()}: {reason}"
                ) from None
            if not isinstance(exc, OperationalError):
                raise
            if exc.connection_invalidated or _is_connect_failure(exc.orig):
                raise DatabaseUnavailableError(
                    f"database {self.url} is not reachable: {_first_line(exc.orig)}"
                ) from exc
            raise
        except OSError as exc:  # asyncpg raises socket errors unwrapped
            raise DatabaseUnavailableError(
                f"database {self.url} is not reachable: {_first_line(exc)}"
            ) from exc

    @contextmanager
    def refusal_as_error(self) -> Iterator[None]:
        """A PostgreSQL privilege refusal (the member's group role does not allow it) as
        one clear line; the transaction was rolled back, so nothing was written."""
        try:
            yield
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
                raise
            raise PermissionDeniedError(
                f"the database refused {self.url.sync_url.username}: {_first_line(exc.orig)}"
            ) from exc

    async def answers(self, within: float) -> bool:
        """Whether the database answers a trivial query within `within` seconds: how the
        window notices that its team database went away."""
        try:
            async with asyncio.timeout(within), self.async_read_session() as session:
                await session.execute(text("SELECT 1"))
        except (TimeoutError, OSError, SQLAlchemyError, NetRavenError):
            return False
        return True

    def close(self) -> None:
        if "sync_engine" in self.__dict__:
            self.sync_engine.dispose()

    async def aclose(self) -> None:
        if "async_engine" in self.__dict__:
            await self.async_engine.dispose()
        self.close()


def _is_refused_login(error: object) -> bool:
    """PostgreSQL refused who connects (the server logs the reason; the client is told
    only that it failed): a wrong password, or a role that may not log in."""
    text = str(error).lower()
    return any(
        marker in text
        for marker in (
            "password authentication failed",
            "is not permitted to log in",
            "no password supplied",
        )
    )


def _is_connect_failure(error: object) -> bool:
    text = str(error).lower()
    return any(
        marker in text
        for marker in (
            "unable to open database",
            "connection refused",
            "could not connect",
            "connection failed",
            "could not translate host name",
            "name or service not known",
            "does not exist",
            "timeout expired",
        )
    )


def _first_line(error: object) -> str:
    """The message's first line, without the "<class '...'>: " SQLAlchemy puts before an
    asyncpg error's text."""
    text = str(error).strip()
    if not text:
        return type(error).__name__
    line = text.splitlines()[0]
    return line.split(">: ", 1)[1] if line.startswith("<class ") and ">: " in line else line


def _begin(write: bool) -> str:
    return "IMMEDIATE" if write else "DEFERRED"
