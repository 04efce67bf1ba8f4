"""The run's single result writer over a real database: one failure never stops it."""

from __future__ import annotations

import asyncio
import contextlib
import threading

import pytest
from sqlalchemy import select

from netraven_desktop.core.db.models import Tag
from netraven_desktop.core.services.result_writer import ResultWriter


@pytest.mark.asyncio
async def test_a_failure_whose_submitter_was_cancelled_leaves_the_writer_working(db):
    """A device cancelled while its work was being committed (a host key being pinned
    when the user pressed Cancel), whose commit then fails: the writer goes on, or every
    later result of the run would wait for it for ever."""
    writer = ResultWriter(db)
    writer.start()
    release = threading.Event()

    def failing(session):
        release.wait()
        raise ValueError("the row was refused")

    submitter = asyncio.create_task(writer.submit(failing))
    await asyncio.sleep(0)  # one loop step: the work is queued, its submitter waits
    submitter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await submitter
    release.set()

    def add_tag(session):
        session.add(Tag(name="after-the-failure"))
        return "stored"

    async with asyncio.timeout(60):  # a hang guard: a dead writer never answers
        assert await writer.submit(add_tag) == "stored"
    await writer.close()
    with db.read_session() as s:
        assert s.scalars(select(Tag.name)).all() == ["after-the-failure"]
    await db.aclose()
