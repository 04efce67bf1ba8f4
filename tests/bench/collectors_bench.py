"""One scheduled run of many slow devices, backed up by 1, 2 and 3 collector processes.

    scripts/bench collectors [--devices 1000] [--delay 0.2] [--collectors 1 2 3]
                             [--concurrency 50] [--pg-url postgresql://USER@HOST:PORT/postgres]

(or `python -m tests.bench.collectors_bench` inside a keyring session; `--pg-url`
defaults to $NETRAVEN_TEST_PG_URL, `scripts/bench collectors` starts a throwaway server).
A benchmark, not a test: it asserts nothing and pytest never collects it.

The simulator (its own process) answers every command after `--delay` seconds, so one
device costs about a second of waiting and a run is bound by waiting, as on a real
network, not by this machine's CPU. Each variant starts from an empty, migrated database
with the same inventory and a due job, starts N `netraven-desktop collector` processes
and measures the run from its first claim to its close (the run's own timestamps) and
the wall time from starting the collectors until the run is closed. The baseline is the
one-collector variant of the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from netraven_desktop.core.crud import devices as device_rows
from netraven_desktop.core.crud import tags as tag_rows
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Job, JobRun, WorkItem
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.secrets import Secrets, SecretStore
from netraven_desktop.core.services import credentials, jobs, runs
from tests.sim import SIM_ENABLE, SIM_PASSWORD, running_sim


def prepare(admin_url: str, fleet: list[tuple[str, str, int]], store: SecretStore) -> str:
    """A fresh database with the fleet, the simulator's credential and a due nightly job."""
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"netraven_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = admin.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db)
    credentials.add_credential(
        db,
        store,
        name="lab",
        username="admin",
        secrets=Secrets(password=SIM_PASSWORD, enable=SIM_ENABLE),
    )
    with db.session() as s:
        tag = tag_rows.create_tag(s, "sim")
        for device, platform, port in fleet:
            device_rows.create_device(
                s, name=device, host="127.0.0.1", port=port, platform=platform, tags=[tag]
            )
        jobs.add_job(s, name="nightly", selection=runs.Selection(tags=("sim",)), schedule="@daily")
        s.execute(update(Job).values(created_at=utcnow() - timedelta(days=2)))
    db.close()
    return url


def drop(admin_url: str, url: str) -> None:
    engine = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def one_run(url: str, collectors: int, concurrency: int) -> dict[str, float | int]:
    """Start `collectors` processes, wait for the run to close, stop them."""
    db = Database(url)
    argv = [sys.executable, "-m", "netraven_desktop", "--db", url, "collector"]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*argv, "--name", f"c{i + 1}", "--poll", "0.5", "--concurrency", str(concurrency)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for i in range(collectors)
    ]
    try:
        while True:
            with db.read_session() as s:
                run = s.scalar(select(JobRun))
                if run is not None and run.status != "running":
                    break
            if any(p.poll() is not None for p in procs):
                errors = [p.stderr.read() for p in procs if p.poll() is not None]
                raise SystemExit(f"a collector exited early: {errors}")
            time.sleep(0.2)
        wall = time.perf_counter() - start
        with db.read_session() as s:
            per_collector = dict(
                s.execute(
                    select(WorkItem.collector, func.count()).group_by(WorkItem.collector)
                ).all()
            )
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.communicate(timeout=120)
        db.close()
    return {
        "wall": wall,
        "run": (run.finished_at - run.started_at).total_seconds(),
        "succeeded": run.succeeded,
        "failed": run.failed,
        "spread": "/".join(str(per_collector[k]) for k in sorted(per_collector)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per command")
    parser.add_argument("--collectors", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--concurrency", type=int, default=50, help="per collector")
    parser.add_argument("--pg-url", default=os.environ.get("NETRAVEN_TEST_PG_URL"))
    args = parser.parse_args()
    if not args.pg_url:
        raise SystemExit("no --pg-url and no NETRAVEN_TEST_PG_URL (scripts/bench starts one)")
    store = SecretStore()
    print(
        f"{args.devices} devices answering each command after {args.delay:g} s; "
        f"concurrency {args.concurrency} per collector; {os.cpu_count()} CPUs"
    )
    print("| collectors | wall s | run s | devices/s | ok | failed | items per collector "
          "| run / 1 collector |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    with running_sim(
        None, count=args.devices, platforms=("cisco_ios",), command_delay=args.delay
    ) as fleet:
        base = None
        for count in args.collectors:
            url = prepare(args.pg_url, fleet, store)
            try:
                figures = one_run(url, count, args.concurrency)
            finally:
                drop(args.pg_url, url)
            base = base or figures["run"]
            print(
                f"| {count} | {figures['wall']:.1f} | {figures['run']:.1f} "
                f"| {args.devices / figures['run']:.0f} | {figures['succeeded']} "
                f"| {figures['failed']} | {figures['spread']} | {figures['run'] / base:.2f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
