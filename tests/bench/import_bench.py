"""`device import` of a large CSV inventory, on SQLite and (given a server) PostgreSQL.

    scripts/bench import [--devices 100000] [--pg-url postgresql://USER@HOST:PORT/postgres]

(or `python -m tests.bench.import_bench`; `--pg-url` defaults to $NETRAVEN_TEST_PG_URL). A
benchmark, not a test: it asserts nothing and pytest never collects it.

Absolute times depend on the machine, so each figure is printed next to a baseline
measured in the same run, on the same backend: a raw Core bulk insert of the same
devices, tags and tag links into an empty database (no parsing, no validation, no
audit). The import is the real path: the CSV file parsed, every row validated, the
duplicate check, then the bulk writes and one audit event per device, in one
transaction. Each run starts from an empty, migrated database.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from netraven_desktop.core.db import Database
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import AuditEvent, Device, Tag, device_tags
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.importers import parse_file
from netraven_desktop.core.services import device_import

TARGETS_S = {"sqlite": 15.0, "postgresql": 30.0}
PLATFORMS = ("cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "fortinet")
ROLES = ("core", "distribution", "access", "firewall", "wan")


def write_csv(path: Path, count: int) -> None:
    """`count` realistic devices: a site, a role, two tags each (of ~520 distinct)."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("name", "host", "port", "platform", "site", "role", "description", "tags"))
        for i in range(count):
            role = ROLES[i % len(ROLES)]
            site = f"site{i % 500:03}"
            writer.writerow(
                (
                    f"{site}-{role}-{i:06}",
                    f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                    22 if i % 10 else 2222,
                    PLATFORMS[i % len(PLATFORMS)],
                    site,
                    role,
                    f"building {i % 97}, floor {i % 7}",
                    f"{site};tier-{i % 20}",
                )
            )


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def baseline(db: Database, path: Path) -> None:
    """Raw Core bulk inserts of the same rows, values taken as they are."""
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now, "version": 1}
    tags: dict[str, uuid.UUID] = {}
    devices, links = [], []
    with path.open(newline="") as source:
        for row in csv.DictReader(source):
            device_id = uuid.uuid4()
            names = row.pop("tags").split(";")
            devices.append(row | stamp | {"id": device_id, "port": int(row["port"])})
            for name in names:
                links.append(
                    {"device_id": device_id, "tag_id": tags.setdefault(name, uuid.uuid4())}
                )
    with db.sync_engine.begin() as conn:
        conn.execute(insert(Tag), [{"id": i, "name": n} | stamp for n, i in tags.items()])
        conn.execute(insert(Device), devices)
        conn.execute(insert(device_tags), links)


def import_file(db: Database, path: Path) -> None:
    """What `device import FILE` does."""
    _, parsed = parse_file(str(path))
    with db.session() as session:
        device_import.import_devices(session, parsed.rows, problems=parsed.problems)


def counts(db: Database) -> tuple[int, int]:
    with db.read_session() as session:
        return (
            session.scalar(select(func.count()).select_from(Device)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def sqlite_databases(tmp: Path) -> Callable[[], Database]:
    made = iter(range(1000))

    def fresh() -> Database:
        db = Database(f"sqlite:///{tmp}/bench-{next(made)}.db")
        upgrade(db)
        return db

    return fresh


def postgres_databases(admin_url: str, created: list[str]) -> Callable[[], Database]:
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")

    def fresh() -> Database:
        name = f"netraven_bench_{uuid.uuid4().hex[:10]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        created.append(name)
        db = Database(admin.set(drivername="postgresql", database=name).render_as_string(False))
        upgrade(db)
        return db

    return fresh


def drop_postgres(admin_url: str, names: list[str]) -> None:
    engine = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def run_backend(backend: str, fresh: Callable[[], Database], path: Path, count: int) -> None:
    base_db, import_db = fresh(), fresh()
    try:
        base_s = timed(lambda: baseline(base_db, path))
        import_s = timed(lambda: import_file(import_db, path))
        devices, events = counts(import_db)
    finally:
        base_db.close()
        import_db.close()
    target = TARGETS_S[backend]
    verdict = "meets" if import_s <= target else "MISSES"
    print(
        f"{backend:10}  baseline (raw Core insert) {base_s:6.2f} s   import {import_s:6.2f} s "
        f"({import_s / base_s:4.1f}x)   target < {target:.0f} s: {verdict}   "
        f"[{devices} devices, {events} audit events]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--pg-url", default=os.environ.get("NETRAVEN_TEST_PG_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="netraven-import-bench-") as tmp:
        path = Path(tmp) / "inventory.csv"
        write_csv(path, args.devices)
        print(f"importing {args.devices} devices from {path.stat().st_size / 1e6:.1f} MB of CSV")
        run_backend("sqlite", sqlite_databases(Path(tmp)), path, args.devices)
        if not args.pg_url:
            print("postgresql  skipped: give --pg-url or set NETRAVEN_TEST_PG_URL")
            return
        created: list[str] = []
        try:
            run_backend("postgresql", postgres_databases(args.pg_url, created), path, args.devices)
        finally:
            drop_postgres(args.pg_url, created)


if __name__ == "__main__":
    main()
