"""Configuration search: the trigram index against a full scan, measured in the same run.

    python -m tests.bench.search_bench [--configs 10000] [--pg URL] [--repeat 3]

Stores `--configs` generated configurations (8-50 KB each, from the simulator's
personalities, several platforms) as the latest snapshots of as many devices, through
`configs.put_blob` (the path a backup takes, which fills the index), on a throwaway
SQLite file and, when `--pg` or NETRAVEN_TEST_PG_URL names a server, in a throwaway
PostgreSQL database. Then times a few searches with `config_search.search` and, as the
baseline, the same search as a plain scan: read every latest blob, decompress it, match
line by line (what the search does without the index). Prints best-of-N times and the
ratio. A benchmark, not a test: it asserts nothing and pytest never collects it.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from netraven_desktop.core.crud import configs, devices
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import ConfigBlob
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.services import config_search
from netraven_desktop.sim.personalities import EXTRAS, Moment, Seed, build_image

PLATFORMS = ("cisco_ios", "arista_eos", "cisco_nxos", "juniper_junos")
RARE = "198.51.100.77"  # planted in a handful of configurations
SEARCHES = [  # (label, pattern, regex, ignore_case)
    ("common fixed", "interface", False, False),
    ("rare fixed", f"ip route {RARE}", False, False),
    ("rare, ignore case", f"IP ROUTE {RARE}", False, True),
    ("regex w/ literal", r"route 198\.51\.100\.[0-9]+ ", True, False),
    ("absent", "no-such-line-anywhere", False, False),
    ("short (scan)", "zq", False, False),
]


def generate(count: int, kb: int | None = None) -> list[str]:
    """`count` distinct configurations, 8-50 KB (or all `kb`), a few with the rare route."""
    moment = Moment(datetime(2026, 12, 1, tzinfo=UTC), 1, random.Random(0))
    texts = []
    for i in range(count):
        rng = random.Random(i)
        platform = PLATFORMS[i % len(PLATFORMS)]
        seed = Seed(f"dev{i:05d}", "admin", kb or rng.randint(8, 50), rng)
        image = build_image(platform, seed)
        lines = [
            line.render(moment) if not isinstance(line, str) else line
            for line in next(iter(image.outputs.values()))
            if line is not EXTRAS
        ]
        if i % 2000 == 7:
            lines.append(f"ip route {RARE} 255.255.255.255 10.0.0.{i % 250}")
        texts.append("\n".join(lines) + "\n")
    return texts


def load(db: Database, texts: list[str]) -> float:
    """Store each text as one device's only snapshot; returns seconds taken."""
    start = time.perf_counter()
    for first in range(0, len(texts), 500):
        with db.session() as s:
            for i, body in enumerate(texts[first : first + 500], first):
                device = devices.create_device(
                    s, name=f"dev{i:05d}", host="10.0.0.1", platform="cisco_ios"
                )
                blob = configs.put_blob(s, body)
                configs.create_snapshot(s, device_id=device.id, blob_sha256=blob.sha256)
    return time.perf_counter() - start


def scan(db: Database, pattern: str, regex: bool, ignore_case: bool) -> int:
    """The baseline: every latest configuration decompressed and matched line by line."""
    matcher = config_search.compile_pattern(pattern, regex=regex, ignore_case=ignore_case)
    hits = 0
    with db.read_session() as s:
        for data in s.scalars(select(ConfigBlob.data)).yield_per(200):
            text_ = zlib.decompress(data).decode("utf-8")
            hits += bool(config_search.matching_lines(text_, matcher))
    return hits


def indexed(db: Database, pattern: str, regex: bool, ignore_case: bool) -> int:
    with db.read_session() as s:
        result = config_search.search(s, pattern, regex=regex, ignore_case=ignore_case)
    return len(result.hits)


def best(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = fn()
        times.append(time.perf_counter() - start)
    return min(times), found


def index_size(db: Database) -> str:
    with db.sync_engine.connect() as conn:
        if db.url.is_sqlite:
            pages = conn.execute(
                text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'config_search%'")
            ).scalar()
        else:
            pages = conn.execute(text("SELECT pg_total_relation_size('config_search')")).scalar()
    return f"{(pages or 0) / 1e6:.0f} MB"


def run(label: str, db: Database, texts: list[str], repeat: int) -> None:
    upgrade(db)
    seconds = load(db, texts)
    print(
        f"\n{label}: stored {len(texts)} configurations in {seconds:.1f} s; index {index_size(db)}"
    )
    print(f"  {'search':<20} {'hits':>5} {'index':>9} {'scan':>9} {'scan/index':>10}")
    for name, pattern, regex, ignore_case in SEARCHES:
        fast, hits = best(lambda: indexed(db, pattern, regex, ignore_case), repeat)  # noqa: B023
        slow, baseline_hits = best(lambda: scan(db, pattern, regex, ignore_case), 1)  # noqa: B023
        assert hits == baseline_hits, (name, hits, baseline_hits)
        ms = f"{fast * 1000:>7.0f}ms {slow * 1000:>7.0f}ms"
        print(f"  {name:<20} {hits:>5} {ms} {slow / fast:>9.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("NETRAVEN_TEST_PG_URL"))
    args = parser.parse_args()
    start = time.perf_counter()
    texts = generate(args.configs)
    size = sum(map(len, texts))
    print(
        f"generated {len(texts)} configurations, {size / 1e6:.0f} MB "
        f"(mean {size / len(texts) / 1000:.0f} KB) in {time.perf_counter() - start:.0f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            run("SQLite (FTS5 trigram)", db, texts, args.repeat)
        finally:
            db.close()
    if not args.pg:
        print("\nPostgreSQL: skipped (no --pg URL and no NETRAVEN_TEST_PG_URL)")
        return
    admin = make_url(args.pg).set(drivername="postgresql+psycopg")
    name = f"netraven_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(admin, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(admin.set(drivername="postgresql", database=name).render_as_string(False))
    try:
        run("PostgreSQL (pg_trgm GIN)", db, texts, args.repeat)
    finally:
        db.close()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


if __name__ == "__main__":
    main()
