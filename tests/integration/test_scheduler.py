"""Scheduled jobs: due ones start once, running ones are not started again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import update

from netraven_desktop.core.crud import devices, jobs
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Job
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import credentials, post_run, runs
from netraven_desktop.core.services import jobs as job_service
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from netraven_desktop.core.services.events import RunEvent, RunSkipped, RunStarted
from netraven_desktop.core.services.scheduler import Scheduler
from netraven_desktop.sim import SimDevice, Simulator


@pytest_asyncio.fixture
async def scheduled(db, secret_store):
    """A device on the simulator and a nightly job that last ran (was created) long ago."""
    sim = Simulator()
    await sim.start([SimDevice(name="r1", platform="cisco_ios")])
    credential = credentials.add_credential(
        db,
        secret_store,
        name="lab",
        username="admin",
        secrets=Secrets(password="admin", enable="enable"),
    )
    with db.session() as s:
        devices.create_device(
            s, name="r1", host="127.0.0.1", port=sim.device("r1").port, platform="cisco_ios"
        )
        job = job_service.add_job(
            s, name="nightly", selection=runs.Selection(all=True), schedule="0 2 * * *"
        )
        s.execute(update(Job).values(created_at=utcnow() - timedelta(days=2)))
    yield db, job
    await sim.stop()
    await db.aclose()
    secret_store.delete(credential.keyring_ref)


@pytest.mark.asyncio
async def test_a_due_job_runs_once_and_is_then_not_due(scheduled, secret_store):
    db, job = scheduled
    gate = asyncio.Event()

    async def launch(due: Job) -> None:
        await gate.wait()  # still "running" while the scheduler ticks again
        engine = BackupEngine(db, secret_store, EngineOptions(retries=0))
        await engine.run(runs.Selection.from_target(due.target), job_id=due.id, trigger="schedule")

    scheduler = Scheduler(db, launch, poll=0.05)
    assert [j.name for j in await scheduler.tick()] == ["nightly"]
    assert await scheduler.tick() == []  # running: not started twice
    assert scheduler.running == {job.id}
    gate.set()
    await asyncio.wait_for(scheduler.wait_idle(), 60)
    assert scheduler.running == set()
    assert await scheduler.tick() == []  # ran: next time is tomorrow at 02:00
    with db.read_session() as s:
        [run] = jobs.list_runs(s, job_id=job.id)
        statuses = job_service.job_statuses(s)
    assert (run.status, run.trigger, run.changed) == ("succeeded", "schedule", 1)
    assert statuses[0].next_run_at > utcnow()


@pytest.mark.asyncio
async def test_a_slot_two_runners_found_due_runs_once(scheduled, secret_store):
    """A laptop's cron and a window (or a collector) read the same due slot before either
    started it: the second start is refused by the database and skipped, nothing written."""
    db, job = scheduled
    with db.read_session() as s:
        [due] = job_service.due_runs(s)
    work = post_run.Work(
        runs.Selection.from_target(job.target), job.id, "schedule", job.name, due.slot
    )
    events: list[RunEvent] = []
    for _runner in range(2):
        await post_run.run_with_after_steps(
            db, secret_store, EngineOptions(retries=0), [work], events.append
        )
    with db.read_session() as s:
        [run] = jobs.list_runs(s, job_id=job.id)
    assert (run.status, run.scheduled_for) == ("succeeded", due.slot)
    [skipped] = [e for e in events if isinstance(e, RunSkipped)]
    assert skipped.job == "nightly"
    assert "was started by another collector or app" in skipped.reason
    assert sum(isinstance(e, RunStarted) for e in events) == 1
