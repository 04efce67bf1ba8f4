"""`collector`: run due jobs from the shared queue until stopped; `collector list`."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import sys
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.db import Database
from ..core.db.base import utcnow
from ..core.db_logins import keep_password
from ..core.errors import InputError, PermissionDeniedError
from ..core.secrets import SecretStore
from ..core.services import collector_registry
from ..core.services.access import team_mode
from ..core.services.collector import Collector, CollectorOptions
from ..core.services.engine import EngineOptions
from ..core.services.events import (
    CollectorSilent,
    CollectorStarted,
    CollectorStopped,
    DeviceFinished,
    Event,
    RunEnqueued,
)
from ..core.validation import validate_label, validate_name
from .output import print_json, print_table
from .users import read_password

COLLECTOR_ROLES = ("netraven_collector", "netraven_operator")


def collector_run(db: Database, args: argparse.Namespace) -> int:
    """Run in the foreground; SIGTERM or SIGINT stops cleanly (a second one at once)."""
    labels = tuple(sorted({validate_label(label, "--label") or "" for label in args.labels}))
    for field, value, low in (
        ("--lease", args.lease, 3),
        ("--poll", args.poll, 0.1),
        ("--grace", args.grace, 0),
    ):
        if not low <= value <= 3600:
            raise InputError(field, value, f"must be from {low:g} to 3600 seconds")
    if not 1 <= args.batch <= 500:
        raise InputError("--batch", args.batch, "must be from 1 to 500")
    if args.concurrency is not None and not 1 <= args.concurrency <= 1000:
        raise InputError("--concurrency", args.concurrency, "must be from 1 to 1000")
    name = validate_name(args.name or socket.gethostname(), "--name")
    with db.session() as session:
        _act_as_collector(db, session, name)
        engine_options = EngineOptions.from_settings(session, concurrency=args.concurrency)
    options = CollectorOptions(
        name=name,
        labels=labels,
        lease=args.lease,
        poll=args.poll,
        batch=args.batch,
        grace=args.grace,
        silent_after=args.lease * 3,
    )
    emit = _print_json if args.json else _print_human
    asyncio.run(_serve(db, options, engine_options, emit))
    return 0


def _act_as_collector(db: Database, session: Session, name: str) -> None:
    """In team mode a collector signs in as no user: on PostgreSQL the login it connects
    as must be a collector (or operator) role, which the server enforces on every write.
    (A team-mode SQLite file protects nothing from whoever can open it.)"""
    if not team_mode(session):
        return
    if not db.url.is_sqlite:
        member = text("SELECT pg_has_role(current_user, :group, 'MEMBER')")
        if not any(session.scalar(member, {"group": g}) for g in COLLECTOR_ROLES):
            raise PermissionDeniedError(
                f"the database login is not a member of {' or '.join(COLLECTOR_ROLES)}: a "
                "collector connects as its own collector role (docs/collectors.md)"
            )
    db.act_as(f"collector:{name}", "operator")


async def _serve(
    db: Database, options: CollectorOptions, engine_options: EngineOptions, emit: object
) -> None:
    collector = Collector(db, SecretStore(), options, engine_options, emit)  # type: ignore[arg-type]
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, collector.stop)
        except NotImplementedError:  # Windows: Ctrl+C (a service wrapper's stop) only
            if signum == signal.SIGINT:
                signal.signal(signum, lambda *_: loop.call_soon_threadsafe(collector.stop))
    try:
        await collector.run()
    finally:
        await db.aclose()


def collector_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        statuses = collector_registry.list_collectors(session)
    silent_after = timedelta(seconds=args.silent_after)
    now = utcnow()
    rows = [
        s.to_dict() | {"silent": collector_registry.is_silent(s, silent_after, now)}
        for s in statuses
    ]
    if args.json:
        print_json(rows)
        return 0
    print_table(
        ("COLLECTOR", "VERSION", "LABELS", "LAST HEARTBEAT", "IN FLIGHT", "STATE"),
        [
            (
                r["name"],
                r["version"],
                ",".join(r["labels"]),
                r["heartbeat_at"][:19],
                str(r["in_flight"]),
                "stopped" if r["stopped_at"] else ("silent" if r["silent"] else "running"),
            )
            for r in rows
        ],
    )
    return 0


def collector_password(db: Database, args: argparse.Namespace) -> int:
    """Keep the database password of the URL's login role in the keyring."""
    if db.url.is_sqlite:
        raise InputError("--db", db.url.display(), "a SQLite file needs no password")
    keep_password(SecretStore(), db.url, read_password(args, "Database password: "))
    print(f"kept the password for {db.url.display()} in the keyring")
    return 0


def _print_json(event: Event) -> None:
    sys.stdout.write(json.dumps(event.to_json()) + "\n")
    sys.stdout.flush()


def _print_human(event: Event) -> None:
    match event:
        case DeviceFinished():
            detail = f"  {event.error_class}" if event.error_class else ""
            print(f"{event.device}: {event.status}{detail}", flush=True)
        case CollectorStarted() | CollectorStopped() | RunEnqueued() | CollectorSilent():
            print(" ".join(f"{k}={v}" for k, v in event.to_json().items()), flush=True)


COMMANDS = {
    ("collector", None): collector_run,
    ("collector", "list"): collector_list,
    ("collector", "password"): collector_password,
}
