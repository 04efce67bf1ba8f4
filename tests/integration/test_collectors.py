"""Collectors as a team runs them: real `netraven-desktop collector` processes, each
connecting to a real PostgreSQL as its own login role (its password kept in the keyring,
never on the command line), sharing one queue, backing up the simulator whose devices
answer every command after 200 ms (so the run is bound by waiting, as on a network)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from netraven_desktop.core.crud import configs, devices, tags
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Collector, Job, JobRun, JobRunResult, WorkItem
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import credentials
from tests.clitools import Cli, one_line_error
from tests.sim import SIM_ENABLE, SIM_PASSWORD, running_sim

DEVICES = 18
DELAY = 0.2
LEASE = "3"  # seconds: a killed collector's items are free again soon after


def _until(condition: Callable[[], object], what: str, limit: float = 300) -> object:
    """Poll `condition` until it is true (the machine may be slow: the limit is a hang
    guard, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not (value := condition()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)
    return value


@pytest.fixture
def team(make_db, env, secret_store) -> Iterator[tuple]:
    """A PostgreSQL database with the simulated fleet in its inventory, a nightly job
    that is due, and a factory for collector processes with login roles of their own."""
    db = make_db("postgresql")
    admin_url = db.url.plain(hide_password=False)
    admin = Cli(admin_url, env)
    roles: list[str] = []
    procs: list[subprocess.Popen[str]] = []
    with running_sim(env, count=DEVICES, platforms=("cisco_ios",), command_delay=DELAY) as fleet:
        credential = credentials.add_credential(
            db,
            secret_store,
            name="lab",
            username="admin",
            secrets=Secrets(password=SIM_PASSWORD, enable=SIM_ENABLE),
        )
        with db.session() as s:  # in-process: a CLI process per device costs seconds here
            sim_tag = tags.create_tag(s, "sim")
            for device, platform, port in fleet:
                devices.create_device(
                    s, name=device, host="127.0.0.1", port=port, platform=platform, tags=[sim_tag]
                )
        admin.ok(
            "job", "add", "nightly", "--tag", "sim", "--schedule", "0 2 * * *",
            "--timezone", "Europe/Berlin",
        )  # fmt: skip
        with db.session() as s:  # made two days ago: last night's run is due now
            s.execute(update(Job).values(created_at=utcnow() - timedelta(days=2)))

        def start(name: str, *options: str) -> subprocess.Popen[str]:
            role = f"collector_{name}_{uuid.uuid4().hex[:6]}"
            password = uuid.uuid4().hex
            with db.sync_engine.begin() as conn:
                conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
                conn.execute(text(f"GRANT netraven_collector TO {role}"))
            roles.append(role)
            url = make_url(admin_url).set(username=role, password=None)
            own = Cli(url.render_as_string(hide_password=False), env)
            own.ok("collector", "password", "--password-stdin", stdin=password + "\n")
            proc = subprocess.Popen(
                [
                    *own.argv(),
                    "collector",
                    "--name", name,
                    "--lease", LEASE,
                    "--poll", "0.2",
                    "--batch", "2",
                    "--concurrency", "4",
                    "--json",
                    *options,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                env=env,
            )  # fmt: skip
            procs.append(proc)
            return proc

        try:
            yield db, admin, fleet, start
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                proc.communicate(timeout=60)
            secret_store.delete(credential.keyring_ref)
            with db.sync_engine.begin() as conn:
                for role in roles:
                    conn.execute(text(f"DROP OWNED BY {role}"))
                    conn.execute(text(f"DROP ROLE {role}"))


def _the_run(db) -> JobRun | None:
    with db.read_session() as s:
        return s.scalar(select(JobRun))


def _finished(db) -> bool:
    run = _the_run(db)
    return run is not None and run.status != "running"


def _results(db, run_id) -> list[JobRunResult]:
    with db.read_session() as s:
        return list(s.scalars(select(JobRunResult).where(JobRunResult.run_id == run_id)))


def _registered(db, name: str) -> bool:
    with db.read_session() as s:
        return s.scalar(select(Collector).where(Collector.name == name)) is not None


def _stop(db, proc: subprocess.Popen[str], name: str) -> list[dict]:
    """SIGTERM once the collector runs (it registers after installing its handlers)."""
    _until(lambda: _registered(db, name) or proc.poll() is not None, f"{name} to start")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_three_collectors_back_up_every_device_exactly_once_and_honour_labels(team):
    db, admin, fleet, start = team
    pinned = fleet[0][0]
    admin.ok("device", "edit", pinned, "--collector-label", "site-a")
    collectors = [start("a", "--label", "site-a"), start("b"), start("c")]

    _until(lambda: _finished(db), "the run to finish")
    run = _the_run(db)
    results = _results(db, run.id)
    assert sorted(r.device_name for r in results) == sorted(name for name, _, _ in fleet)
    assert {r.status for r in results} == {"changed"}
    assert (run.status, run.trigger, run.succeeded) == ("succeeded", "schedule", DEVICES)
    with db.read_session() as s:
        items = list(s.scalars(select(WorkItem)))
        assert s.scalar(select(func.count()).select_from(JobRun)) == 1  # one slot, one run
    assert {i.state for i in items} == {"done"}
    done_by = {i.device_name: i.collector for i in items}
    assert done_by[pinned] == "a"
    assert set(done_by.values()) <= {"a", "b", "c"}

    events = [_stop(db, proc, name) for proc, name in zip(collectors, "abc", strict=True)]
    assert all(e[-1]["event"] == "collector_stopped" for e in events)
    listed = admin.json("collector", "list")
    assert [(c["name"], c["labels"], c["in_flight"]) for c in listed] == [
        ("a", ["site-a"], 0),
        ("b", [], 0),
        ("c", [], 0),
    ]
    assert all(c["stopped_at"] for c in listed)
    assert admin.json("collector", "list")  # a viewer of the list changes nothing


def test_a_killed_collector_leaves_no_device_unbacked_once_its_leases_lapse(team):
    db, admin, fleet, start = team
    victim = start("victim")

    def held_by_victim() -> list[WorkItem]:
        with db.read_session() as s:
            return list(
                s.scalars(
                    select(WorkItem).where(
                        WorkItem.collector == "victim", WorkItem.state == "leased"
                    )
                )
            )

    _until(held_by_victim, "the victim to hold items")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=60)
    orphaned = {item.device_name for item in held_by_victim()}
    assert orphaned  # dead with devices in flight

    survivors = [start("b"), start("c")]
    _until(lambda: _finished(db), "the run to finish without the victim")
    run = _the_run(db)
    results = _results(db, run.id)
    assert sorted(r.device_name for r in results) == sorted(name for name, _, _ in fleet)
    assert run.status == "succeeded"
    with db.read_session() as s:
        items = {i.device_name: i for i in s.scalars(select(WorkItem))}
    for name in orphaned:
        assert items[name].collector in ("b", "c")
        assert items[name].attempts >= 2
    for proc, name in zip(survivors, ("b", "c"), strict=True):
        _stop(db, proc, name)
    listed = {c["name"]: c for c in admin.json("collector", "list")}
    assert listed["victim"]["stopped_at"] is None  # it never said goodbye
    assert listed["b"]["stopped_at"]
    assert listed["c"]["stopped_at"]


def test_sigterm_lets_in_flight_devices_finish_and_claims_nothing_more(team):
    db, _admin, _fleet, start = team
    proc = start("solo", "--grace", "600")

    def working() -> bool:
        with db.read_session() as s:
            return bool(
                s.scalar(select(func.count()).where(WorkItem.state == "done"))
                and s.scalar(select(func.count()).where(WorkItem.state == "leased"))
            )

    _until(working, "the collector to be mid-run")
    events = _stop(db, proc, "solo")
    with db.read_session() as s:
        items = list(s.scalars(select(WorkItem)))
    done = {i.device_name for i in items if i.state == "done"}
    assert {i.state for i in items} <= {"done", "queued"}  # nothing left leased
    assert done
    assert len(done) < DEVICES
    recorded = {r.device_name for r in _results(db, _the_run(db).id)}
    assert recorded == done  # what it took on, it finished and recorded
    assert events[-1] == {"event": "collector_stopped", "name": "solo", "released": 0}


def test_in_team_mode_a_login_that_is_no_collector_is_refused(team, env):
    db, admin, _fleet, start = team
    admin.ok("db", "mode", "team", "--admin", "root", "--password-stdin", stdin="Root-pass-1\n")
    role, password = f"viewer_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    with db.sync_engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        conn.execute(text(f"GRANT netraven_viewer TO {role}"))
    try:
        url = make_url(db.url.plain(hide_password=False)).set(username=role, password=None)
        viewer = Cli(url.render_as_string(hide_password=False), env)
        viewer.ok("collector", "password", "--password-stdin", stdin=password + "\n")
        refused = viewer("collector", "--name", "sneaky")
        assert refused.returncode == 5
        one_line_error(refused, "netraven_collector or netraven_operator")
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(Collector)) == 0
            assert s.scalar(select(func.count()).select_from(JobRun)) == 0
        # A collector role is let in, and everything it writes the server allows.
        proc = start("a")
        _until(lambda: _finished(db), "the team-mode run to finish")
        assert _the_run(db).status == "succeeded"
        assert _stop(db, proc, "a")[-1]["event"] == "collector_stopped"
    finally:
        with db.sync_engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def test_a_collector_applies_retention_once_its_run_is_closed(team):
    db, admin, fleet, start = team
    admin.ok("settings", "set", "retention.keep_last", "1")
    name = fleet[0][0]
    older = ("hostname oldest\n", "hostname older\n")
    with db.session() as s:  # two older configurations of one device
        device = devices.get_device_by_name(s, name)
        for age, config in zip((2, 1), older, strict=True):
            blob = configs.put_blob(s, config)
            captured_at = utcnow() - timedelta(days=age)
            configs.create_snapshot(
                s, device_id=device.id, blob_sha256=blob.sha256, captured_at=captured_at
            )
    proc = start("a")
    _until(lambda: _finished(db), "the run to finish")
    _stop(db, proc, "a")  # the run was closed before this clean exit, so retention ran

    with db.read_session() as s:
        kept = configs.list_snapshots(s, devices.get_device_by_name(s, name).id)
        texts = [configs.blob_text(configs.get_blob(s, k.blob_sha256)) for k in kept]
    assert len(texts) == 1  # keep_last 1: only the run's own snapshot is left
    assert texts[0] not in older
