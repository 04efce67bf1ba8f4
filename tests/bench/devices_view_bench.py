"""The Devices view at 10,000 and 100,000 devices: open, search-as-you-type, deep pages,
reaching the last row, memory.

    scripts/bench devices-view [--devices 10000 100000] [--million] [--keystrokes "access-01234"]

(or `QT_QPA_PLATFORM=offscreen python -m tests.bench.devices_view_bench`). A benchmark,
not a test: it asserts nothing and pytest never collects it.

Absolute times depend on the machine, so each figure is printed next to a baseline
measured in the same run: the raw indexed SQL the view needs for the same work (through
the sqlite3 module, no ORM, no Qt): for open and a keystroke the count and the first 200
rows (a search of 3+ characters narrowed by the FTS5 trigram index, as the view does);
for a page the keyset query from its anchor. The inventory is bulk-inserted with Core
inserts into a throwaway SQLite file, once per size.

* open      constructing the page, its first refresh (filter choices, counts, first page)
            and the first paint of the table;
* keystroke one character typed into the search box to the table showing the new rows.
            The view waits SEARCH_DELAY_MS for a pause in typing first; that wait is
            printed separately, since it is a chosen delay, not work;
* page      200 rows of the table's query at row 0 and ~200 rows from the end, by name
            and by platform descending (large groups of equal keys), continuing from
            the row before (keyset) and by offset (a page reached by dragging the
            scrollbar, the rows before it never loaded);
* last row  Ctrl+End in the table until the last device is shown (the view loads the
            last page alone, by offset); the baseline is that page as raw SQL;
* RSS       the process after the view is open and searched, and after loading every
            page (every row in memory; up to 100,000), against the process before the
            view existed.

--million adds a 1,000,000-device inventory (building it takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_OPEN_S = 0.5
TARGET_KEYSTROKE_S = 0.150
TARGET_RSS_MB = 400
TARGET_PAGE_S = 0.010
TARGET_LAST_ROW_S = 2.0
PAGE = 200
EVERY_ROW_LIMIT = 100_000  # loading every row of a larger inventory measures nothing new
ROW_COLUMNS = (
    "id, name, host, port, platform, site, role, description, enabled, "
    "last_backup_status, last_backup_at, version"
)
# (sort key as SQL, descending) for the page figures: the view's default, and a key with
# 20,000 equal values per group at 100,000 devices.
PAGE_SORTS = (("lower(name)", False, "name"), ("platform", True, "platform"))
PLATFORMS = ("cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "fortinet")
ROLES = ("core", "distribution", "access", "firewall", "wan")
STATUSES = ("never", "changed", "unchanged", "failed")
TAGS = [f"tag-{n}" for n in range(20)]


def rss_mb() -> float:
    """The current resident set size (not the peak), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_inventory(path: Path, count: int) -> None:
    """A migrated SQLite file with `count` devices, a fifth of them tagged."""
    from sqlalchemy import insert

    from netraven_desktop.core.db import Database
    from netraven_desktop.core.db.base import utcnow
    from netraven_desktop.core.db.models import Device, Tag, device_tags
    from netraven_desktop.core.db.schema import upgrade

    rng = random.Random(7)
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    now = utcnow()
    tag_ids = [uuid.uuid4() for _ in TAGS]
    devices, links = [], []
    for i in range(count):
        device_id = uuid.uuid4()
        role = ROLES[i % len(ROLES)]
        devices.append(
            {
                "id": device_id,
                "name": f"site{i % 500:03}-{role}-{i:06}",
                "host": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                "port": 22,
                "platform": PLATFORMS[i % len(PLATFORMS)],
                "description": f"building {i % 97}, floor {i % 7}",
                "site": f"site{i % 500:03}",
                "role": role,
                "enabled": True,
                "ssh_legacy_algorithms": False,
                "mask_secrets": True,
                "last_backup_status": rng.choice(STATUSES),
                "last_backup_at": None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        if i % 5 == 0:
            links.append({"device_id": device_id, "tag_id": tag_ids[i % len(TAGS)]})
    with db.sync_engine.begin() as conn:
        conn.execute(
            insert(Tag),
            [
                {"id": tid, "name": name, "created_at": now, "updated_at": now, "version": 1}
                for tid, name in zip(tag_ids, TAGS, strict=True)
            ],
        )
        conn.execute(insert(Device), devices)
        conn.execute(insert(device_tags), links)
    db.close()


def raw_page_seconds(path: Path, search: str | None) -> float:
    """The baseline: the view's count and first page as raw indexed SQL through sqlite3.

    The SQL the view's queries compile to (SQLite's LIKE ignores ASCII case), a search of
    3+ characters narrowed by the trigram index first.
    """
    where = "deleted_at IS NULL"
    params: list[str] = []
    if search:
        columns = ("name", "host", "site", "role", "description")
        where += " AND (" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")"
        params = [f"%{search}%"] * len(columns)
        if len(search) >= 3:
            where += " AND rowid IN (SELECT rowid FROM device_search WHERE device_search MATCH ?)"
            params.append('"' + search.replace('"', '""') + '"')
    conn = sqlite3.connect(path)
    try:
        start = time.perf_counter()
        conn.execute(f"SELECT count(*) FROM devices WHERE {where}", params).fetchone()
        conn.execute(
            f"SELECT {ROW_COLUMNS} FROM devices WHERE {where} ORDER BY lower(name), id LIMIT 200",
            params,
        ).fetchall()
        return time.perf_counter() - start
    finally:
        conn.close()


def raw_keyset_page(
    conn: sqlite3.Connection, key: str, descending: bool, anchor: Any, offset: int = 0
) -> list:
    """The baseline for a page: the keyset query from `anchor` ((key, id) or None), or
    `offset` rows in."""
    way, past = ("DESC", "<") if descending else ("ASC", ">")
    where, params = "deleted_at IS NULL", []
    if anchor is not None:
        where += f" AND ({key}, id) {past} (?, ?)"
        params = list(anchor)
        if key.startswith("lower("):  # as crud.devices does for an expression index
            where += f" AND {key} {past}= ?"
            params.append(anchor[0])
    return conn.execute(
        f"SELECT {key}, {ROW_COLUMNS} FROM devices WHERE {where} "
        f"ORDER BY {key} {way}, id {way} LIMIT {PAGE} OFFSET {offset}",
        params,
    ).fetchall()


def median_seconds(action: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_pages(path: Path, count: int) -> None:
    """200 rows at row 0 and ~200 rows from the end, through `list_device_rows` (a sync
    session, as the CLI and the view's worker use) and as raw keyset SQL."""
    from netraven_desktop.core.crud.devices import list_device_rows
    from netraven_desktop.core.db import Database

    db = Database(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    depth = max(count - PAGE - 1, 0)
    print(f"A page of {PAGE} rows, at row 0 and at row {depth + 1:,}:")
    try:
        for key, descending, sort in PAGE_SORTS:
            way = "DESC" if descending else "ASC"
            anchor = conn.execute(
                f"SELECT {key}, id FROM devices WHERE deleted_at IS NULL "
                f"ORDER BY {key} {way}, id {way} LIMIT 1 OFFSET {depth}"
            ).fetchone()
            anchor_id = uuid.UUID(hex=anchor[1])
            query = {"sort": sort, "descending": descending, "limit": PAGE}
            for label, after, raw_anchor in (("row 0", None, None), ("deep", anchor_id, anchor)):
                with db.read_session() as session:
                    page = partial(list_device_rows, session, after=after, **query)
                    assert len(page()) == PAGE
                    took = median_seconds(page)
                base = median_seconds(partial(raw_keyset_page, conn, key, descending, raw_anchor))
                order = f"{sort}{' desc' if descending else ''}"
                line(f"{order}, {label}", took, "ms", TARGET_PAGE_S, base)
            with db.read_session() as session:
                page = partial(list_device_rows, session, offset=depth + 1, **query)
                took = median_seconds(page)
            base = median_seconds(partial(raw_keyset_page, conn, key, descending, None, depth + 1))
            line(f"{order}, deep by offset", took, "ms", TARGET_PAGE_S, base)
    finally:
        conn.close()
        db.close()


def raw_last_page_seconds(path: Path, count: int) -> float:
    """The baseline for reaching the last row: the last page by name as raw SQL."""
    conn = sqlite3.connect(path)
    try:
        start = time.perf_counter()
        raw_keyset_page(conn, "lower(name)", False, None, (count - 1) // PAGE * PAGE)
        return time.perf_counter() - start
    finally:
        conn.close()


async def jump_to_end(page: Any) -> float:
    """Ctrl+End in the table until its last row is loaded and painted; the seconds taken."""
    from netraven_desktop.ui.device_model import COL_NAME
    from netraven_desktop.ui.qt import QtCore, QtGui, QtWidgets

    model = page.model
    last = model.index(model.rowCount() - 1, COL_NAME)
    page.table.setFocus()
    start = time.perf_counter()
    QtWidgets.QApplication.sendEvent(
        page.table,
        QtGui.QKeyEvent(
            QtCore.QEvent.Type.KeyPress,
            QtCore.Qt.Key.Key_End,
            QtCore.Qt.KeyboardModifier.ControlModifier,
        ),
    )
    while last.data() is None:  # the paint asks for the rows it shows, the last page among them
        await wait_for(model.page_loaded, lambda: None)
    page.table.viewport().repaint()
    return time.perf_counter() - start


def line(label: str, value: float, unit: str, target: float, baseline: float | None) -> None:
    """One figure with its target and, for times, its ratio to the baseline."""
    scale = 1000 if unit == "ms" else 1
    verdict = "ok" if value <= target else "OVER"
    ratio = (
        f"  {value / baseline:5.1f}x the baseline ({baseline * scale:.1f} {unit})"
        if (baseline)
        else ""
    )
    print(
        f"  {label:<34} {value * scale:8.1f} {unit}  target < {target * scale:.0f} {unit} "
        f"[{verdict}]{ratio}"
    )


async def wait_for(signal: Any, action: Callable[[], None]) -> None:
    """Run `action` and wait until `signal` fires."""
    done = asyncio.get_running_loop().create_future()

    def fired(*_args: Any) -> None:
        if not done.done():
            done.set_result(None)

    signal.connect(fired)
    try:
        action()
        await done
    finally:
        signal.disconnect(fired)


async def measure(path: Path, keystrokes: str) -> float:
    """The view's figures for one inventory; returns the median keystroke's work."""
    from netraven_desktop.core.db import Database
    from netraven_desktop.core.secrets import SecretStore
    from netraven_desktop.ui.context import AppContext
    from netraven_desktop.ui.pages.devices import SEARCH_DELAY_MS, DevicesPage
    from netraven_desktop.ui.prefs import open_prefs

    base_rss = rss_mb()
    db = Database(f"sqlite:///{path}")
    prefs = open_prefs(str(path.with_suffix(".ini")))
    ctx = AppContext(db=db, secrets=SecretStore(), prefs=prefs, report=lambda _m: None)
    async with db.async_read_session() as session:  # the window opened the engine already
        await session.run_sync(lambda s: s.connection())

    opens = []
    for _ in range(3):
        start = time.perf_counter()
        page = DevicesPage(ctx)
        page.resize(1200, 700)
        page.show()
        await page.refresh()
        page.table.viewport().repaint()
        opens.append(time.perf_counter() - start)
        assert page.model.rowCount() > 0
        if len(opens) < 3:
            page.close()
            page.deleteLater()
    base_open = statistics.median(raw_page_seconds(path, None) for _ in range(3))
    print(f"Open the Devices view ({page.model.inventory:,} devices):")
    line("first open", opens[0], "ms", TARGET_OPEN_S, base_open)
    line("median of 3 opens", statistics.median(opens), "ms", TARGET_OPEN_S, base_open)

    work, typed = [], []
    for n in range(1, len(keystrokes) + 1):
        text = keystrokes[:n]
        start = time.perf_counter()
        await wait_for(page.model.loaded, lambda t=text: page.search.setText(t))
        page.table.viewport().repaint()
        typed.append(time.perf_counter() - start)
        # The same keystroke again with the pause skipped: the work alone.
        page.search.blockSignals(True)
        page.search.setText(text[:-1])
        page.search.blockSignals(False)
        await wait_for(page.model.loaded, page.apply_query)
        page.search.blockSignals(True)
        page.search.setText(text)
        page.search.blockSignals(False)
        start = time.perf_counter()
        await wait_for(page.model.loaded, page.apply_query)
        page.table.viewport().repaint()
        work.append(time.perf_counter() - start)
    raw = [raw_page_seconds(path, keystrokes[: n + 1]) for n in range(len(keystrokes))]
    base = statistics.median(raw)
    print(
        f"Search-as-you-type, {len(keystrokes)} keystrokes of {keystrokes!r} "
        f"(last: {page.model.matching:,} matches):"
    )
    line("keystroke -> table, median", statistics.median(work), "ms", TARGET_KEYSTROKE_S, base)
    line("keystroke -> table, worst", max(work), "ms", TARGET_KEYSTROKE_S, max(raw))
    print(
        f"  with the {SEARCH_DELAY_MS} ms typing pause: median "
        f"{statistics.median(typed) * 1000:.1f} ms, worst {max(typed) * 1000:.1f} ms"
    )

    print("Memory (RSS):")
    print(f"  {'before the view':<34} {base_rss:8.1f} MB  (the baseline)")
    searched = rss_mb()
    line("view open and searched", searched, "MB", TARGET_RSS_MB, None)
    page.search.setText("")
    await wait_for(page.model.loaded, page.apply_query)
    jumps = []
    for _ in range(3):
        jumps.append(await jump_to_end(page))
        fetched = sorted(page.model.pages)
        await wait_for(page.model.loaded, page.apply_query)  # back to the first page only
    base_jump = statistics.median(
        raw_last_page_seconds(path, page.model.matching) for _ in range(3)
    )
    if page.model.matching <= EVERY_ROW_LIMIT:
        await page.model.fetch_all()
        everything = rss_mb()
        line(f"all {page.model.rowCount():,} rows loaded", everything, "MB", TARGET_RSS_MB, None)
        print(f"  the view adds {everything - base_rss:.1f} MB over the baseline")
    print("Reaching the last row (Ctrl+End; the view loads the last page alone):")
    line("first jump", jumps[0], "ms", TARGET_LAST_ROW_S, base_jump)
    line("median of 3 jumps", statistics.median(jumps), "ms", TARGET_LAST_ROW_S, base_jump)
    print(f"  pages loaded after a jump: {fetched} of {-(-page.model.matching // PAGE):,}")
    page.close()
    await ctx.drain()
    await db.aclose()
    return statistics.median(work)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--million", action="store_true", help="also 1,000,000 devices (minutes to build)"
    )
    parser.add_argument("--keystrokes", default="access-01234")
    args = parser.parse_args(argv)

    import qasync

    from netraven_desktop.ui.qt import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    keystroke: dict[int, tuple[float, float]] = {}
    with loop, tempfile.TemporaryDirectory(prefix="netraven-view-bench-") as tmp:
        for count in args.devices + [1_000_000] * args.million:
            path = Path(tmp) / f"inventory-{count}.db"
            start = time.perf_counter()
            build_inventory(path, count)
            print(f"\n== {count:,} devices, built in {time.perf_counter() - start:.1f} s ({path})")
            measure_pages(path, count)
            work = loop.run_until_complete(measure(path, args.keystrokes))
            raw = [raw_page_seconds(path, args.keystrokes[: n + 1]) for n in range(3)]
            keystroke[count] = (work, statistics.median(raw))
            path.unlink()
    print("\nKeystroke -> table (median) by inventory size:")
    for count, (work, raw) in keystroke.items():
        print(f"  {count:>9,} devices {work * 1000:8.1f} ms  {work / raw:5.1f}x the raw query")
    return 0


if __name__ == "__main__":
    sys.exit(main())
