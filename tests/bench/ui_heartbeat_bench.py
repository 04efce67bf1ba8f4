"""Does the window stay responsive while it computes or backs up?

    scripts/bench ui-heartbeat [--quick] [--scenarios idle,search,history,audit,import,run]
        [--configs 1000] [--snapshots 500] [--events 100000] [--rows 100000]
        [--devices 500] [--idle-seconds 5]

A 10 ms QTimer heartbeat on the window's thread measures how late Qt gets to it while
the window does one thing at a time, each on its own throwaway SQLite database, offscreen:

- idle: a view open, nothing to do (the baseline, same machine, same run);
- search: the Search view finds a pattern present in each of `--configs` stored 50 KB
  configurations (every one decompressed and scanned, ~100,000 matching lines shown);
- history: a device's history window opens on `--snapshots` snapshots of a 50 KB
  configuration (the newest shown and diffed against the one before), then the oldest and
  newest are selected together and diffed;
- audit: "Verify chain" re-hashes an audit log of `--events` events;
- import: the import dialog previews a CSV of `--rows` devices;
- run: the Jobs view backs up `--devices` simulated devices (its engine is a child
  process; the simulator runs as its own process and the credential is read from the
  real keyring: `scripts/with-keyring`, which `scripts/bench` provides).

Printed per scenario: beats, the work's wall time, max and 99th percentile lateness, their
ratio to idle, and the verdict against the targets (max < 100 ms, p99 < 20 ms).
`--quick` divides every size by 10. A benchmark, not a test: it asserts nothing and pytest
never collects it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync

from netraven_desktop.core.crud import configs, devices
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.secrets import SecretStore
from netraven_desktop.core.services import audit
from netraven_desktop.ui.context import AppContext
from netraven_desktop.ui.device_detail import DeviceDetail
from netraven_desktop.ui.device_detail import warm_up as warm_up_history
from netraven_desktop.ui.dialogs.device_import import ImportDialog
from netraven_desktop.ui.ops import put_the_window_first
from netraven_desktop.ui.pages.audit import AuditPage
from netraven_desktop.ui.pages.jobs import TARGETS, JobsPage
from netraven_desktop.ui.pages.search import SearchPage
from netraven_desktop.ui.prefs import open_prefs
from netraven_desktop.ui.qt import QApplication, QtCore
from tests.bench.import_bench import write_csv
from tests.bench.search_bench import generate
from tests.sim import add_sim_credential, running_sim

BEAT_MS = 10
TARGET_MAX_MS = 100.0
TARGET_P99_MS = 20.0


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class Heartbeat:
    """A 10 ms timer that records how late each beat arrives (ms)."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._last = 0.0
        self._timer = QtCore.QTimer()
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.setInterval(BEAT_MS)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.late = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.late

    def _beat(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self._last) * 1000 - BEAT_MS))
        self._last = now


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


CONFIG_KB = 50
SEARCHED = "interface"  # in every generated configuration, many times
SCENARIOS = ("idle", "search", "history", "audit", "import", "run")


@dataclass
class Outcome:
    name: str
    what: str
    late: list[float] = field(default_factory=list)
    seconds: float = 0.0
    result: str = ""


async def wait_for(condition: Callable[[], bool], timeout_s: float = 1800) -> None:
    """Let the loop run until `condition()` holds (checked every few ms)."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window never finished the scenario's work")
        await asyncio.sleep(0.005)


Work = Callable[[AppContext, Callable[[], None]], Awaitable[str]]


async def timed(ctx: AppContext, outcome: Outcome, work: Work) -> Outcome:
    """Run `work`, which calls `begin()` once its view is open and the user acts; record
    the heartbeat's lateness and the wall time from then on, and the work's summary."""
    heartbeat, started = Heartbeat(), 0.0

    def begin() -> None:
        nonlocal started
        heartbeat.start()
        started = time.perf_counter()

    outcome.result = await work(ctx, begin)
    outcome.seconds = time.perf_counter() - started
    outcome.late = heartbeat.stop()
    log(f"{outcome.name}: {outcome.seconds:.1f} s, {outcome.result}")
    return outcome


# ---------------------------------------------------------------- data, stored as a user's


def store_configs(db: Database, count: int) -> None:
    """`count` devices, each with one stored 50 KB configuration (the search index too)."""
    texts = generate(count, CONFIG_KB)
    for first in range(0, count, 200):
        with db.session() as s:
            for i, body in enumerate(texts[first : first + 200], first):
                device = devices.create_device(
                    s, name=f"dev{i:05d}", host="10.0.0.1", platform="cisco_ios"
                )
                blob = configs.put_blob(s, body)
                configs.create_snapshot(s, device_id=device.id, blob_sha256=blob.sha256)


def store_history(db: Database, count: int) -> None:
    """One device with `count` snapshots of a 50 KB configuration; each revision edits
    every 25th line (a different set each time), so the oldest and newest differ a lot."""
    lines = generate(1, CONFIG_KB)[0].splitlines()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with db.session() as s:
        device = devices.create_device(s, name="hist", host="10.0.0.1", platform="cisco_ios")
    for first in range(0, count, 100):
        with db.session() as s:
            for k in range(first, min(count, first + 100)):
                text = "\n".join(
                    f"{line} ! r{k}" if j % 25 == k % 25 else line for j, line in enumerate(lines)
                )
                blob = configs.put_blob(s, text + "\n")
                configs.create_snapshot(
                    s,
                    device_id=device.id,
                    blob_sha256=blob.sha256,
                    captured_at=start + timedelta(hours=k),
                    lines_added=len(lines) // 25,
                    lines_removed=len(lines) // 25,
                )


def store_audit(db: Database, count: int) -> None:
    """An audit chain of `count` events, written the way an import writes them."""
    for first in range(0, count, 10_000):
        events = [
            {
                "action": "device.update",
                "entity_type": "device",
                "entity_id": f"dev{i:06}",
                "before": {"description": f"rack {i % 40}"},
                "after": {"description": f"rack {i % 40 + 1}"},
            }
            for i in range(first, min(count, first + 10_000))
        ]
        with db.session() as s:
            audit.record_many(s, events)


# ---------------------------------------------------------------- what the user does


async def idle(ctx: AppContext, begin: Callable[[], None], seconds: float) -> str:
    page = SearchPage(ctx)
    page.show()
    await page.refresh()
    begin()
    await asyncio.sleep(seconds)
    page.close()
    return "nothing to do"


async def search(ctx: AppContext, begin: Callable[[], None]) -> str:
    page = SearchPage(ctx)
    page.resize(1100, 700)
    page.show()
    await page.refresh()
    page.pattern.setText(SEARCHED)
    begin()
    task = ctx.spawn(page.search())
    await wait_for(task.done)
    task.result()
    page.close()
    return page.summary.text()


async def history(ctx: AppContext, begin: Callable[[], None]) -> str:
    begin()  # opening the window is part of it
    window = DeviceDetail(ctx, "hist")
    window.show()
    ctx.spawn(window.load())
    await wait_for(lambda: window.diff.comparison is not None)
    rows = window.model.rows
    newest, oldest = rows[0].snapshot, rows[-1].snapshot
    selection = window.history.selectionModel()
    flags = QtCore.QItemSelectionModel.SelectionFlag
    selection.clearSelection()
    for row in (0, len(rows) - 1):
        selection.select(window.model.index(row, 0), flags.Select | flags.Rows)

    def compared() -> bool:
        comparison = window.diff.comparison
        return comparison is not None and (comparison.older.id, comparison.newer.id) == (
            oldest.id,
            newest.id,
        )

    await wait_for(compared)
    window.close()
    return f"{len(rows)} snapshots listed; oldest vs newest: {window.diff.change_count} changes"


async def verify(ctx: AppContext, begin: Callable[[], None]) -> str:
    page = AuditPage(ctx)
    page.resize(1100, 700)
    page.show()
    await page.refresh()
    begin()
    page.verify()
    await wait_for(lambda: not page.verdict.text().startswith("Checking"))
    page.close()
    return page.verdict.text()


async def preview(ctx: AppContext, begin: Callable[[], None], path: Path) -> str:
    dialog = ImportDialog(ctx)
    dialog.show()
    dialog.path.setText(str(path))
    begin()
    dialog.start_preview()
    await wait_for(lambda: dialog.preview_button.isEnabled())
    dialog.close()
    return dialog.summary.text()


async def back_up(ctx: AppContext, begin: Callable[[], None]) -> str:
    page = JobsPage(ctx)
    page.resize(1100, 700)
    page.show()
    await page.refresh()
    page.target_kind.setCurrentIndex(TARGETS.index("All devices"))
    begin()
    task = page.back_up_chosen()
    assert task is not None
    await asyncio.wait([task])
    page.close()
    return page.panel.summary.text()


# ---------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.ui_heartbeat_bench")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--configs", type=int, default=1000)
    parser.add_argument("--snapshots", type=int, default=500)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--quick", action="store_true", help="every size divided by 10")
    args = parser.parse_args(argv)
    chosen = args.scenarios.split(",")
    if unknown := set(chosen) - set(SCENARIOS):
        parser.error(f"--scenarios: unknown {', '.join(sorted(unknown))}")
    if args.quick:
        for size in ("configs", "snapshots", "events", "rows", "devices"):
            setattr(args, size, max(2, getattr(args, size) // 10))
    app = QApplication.instance() or QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)  # closing a view must not stop the loop
    store = SecretStore()

    async def run_all(tmp: Path) -> list[Outcome]:
        """One loop for the whole run (data is prepared while no heartbeat runs)."""
        outcomes = []
        for name in [n for n in SCENARIOS if n in chosen]:
            db = Database(f"sqlite:///{tmp / f'{name}.db'}")
            upgrade(db)
            log(f"{name}: preparing")
            outcomes.append(await run_scenario(name, args, db, store, tmp))
        return outcomes

    with tempfile.TemporaryDirectory() as tmp:
        report(qasync.run(run_all(Path(tmp))))
    return 0


async def run_scenario(
    name: str, args: argparse.Namespace, db: Database, store: SecretStore, tmp: Path
) -> Outcome:
    """Prepare the scenario's data, then measure the heartbeat while the window works."""
    csv_path = tmp / "inventory.csv"
    work: Work
    if name == "idle":
        what = f"a view open, {args.idle_seconds:g} s"
        work = lambda ctx, begin: idle(ctx, begin, args.idle_seconds)  # noqa: E731
    elif name == "search":
        what = f"searching {args.configs:,} stored {CONFIG_KB} KB configurations"
        store_configs(db, args.configs)
        work = search
    elif name == "history":
        what = f"history of {args.snapshots:,} snapshots, diff of two {CONFIG_KB} KB configs"
        store_history(db, args.snapshots)
        work = history
    elif name == "audit":
        what = f"verifying a {args.events:,}-event audit chain"
        store_audit(db, args.events)
        work = verify
    elif name == "import":
        what = f"previewing a {args.rows:,}-row import"
        write_csv(csv_path, args.rows)
        work = lambda ctx, begin: preview(ctx, begin, csv_path)  # noqa: E731
    else:
        what = f"Jobs view backing up {args.devices:,} simulated devices"
        return await measure_run(args.devices, db, store, tmp, what)
    db.close()  # the window opens its own engines
    return await measure(name, what, db, store, tmp, work)


async def measure(
    name: str,
    what: str,
    db: Database,
    store: SecretStore,
    tmp: Path,
    work: Work,
) -> Outcome:
    ctx = AppContext(db=db, secrets=store, prefs=open_prefs(str(tmp / f"{name}.ini")), report=log)

    warm_up_history(ctx)  # as the window does once loaded
    put_the_window_first()
    try:
        return await timed(ctx, Outcome(name, what), work)
    finally:
        await ctx.drain()
        await db.aclose()


async def measure_run(
    count: int, db: Database, store: SecretStore, tmp: Path, what: str
) -> Outcome:
    simulator = running_sim(None, count=count, platforms=("cisco_ios",), config_kb=8)
    with simulator as fleet:
        credential = add_sim_credential(db, store, "bench")
        try:
            with db.session() as s:
                for name, platform, port in fleet:
                    devices.create_device(
                        s, name=name, host="127.0.0.1", port=port, platform=platform
                    )
            db.close()
            return await measure("run", what, db, store, tmp, back_up)
        finally:
            store.delete(credential.keyring_ref)


def report(outcomes: list[Outcome]) -> None:
    print(f"UI heartbeat ({BEAT_MS} ms timer), one throwaway SQLite database per scenario")
    idle_late = next((o.late for o in outcomes if o.name == "idle"), None)
    print(f"{'scenario':10}{'beats':>7}{'work s':>8}{'max ms':>9}{'p99 ms':>9}  vs idle  verdict")
    for o in outcomes:
        top, p99 = max(o.late, default=0.0), percentile(o.late, 0.99) if o.late else 0.0
        ratio = ""
        if idle_late and o.name != "idle":
            ratio = f"{p99 / max(percentile(idle_late, 0.99), 0.01):.1f}x p99"
        verdict = "meets" if top < TARGET_MAX_MS and p99 < TARGET_P99_MS else "MISSES"
        figures = f"{len(o.late):>7}{o.seconds:>8.1f}{top:>9.1f}{p99:>9.1f}"
        print(f"{o.name:10}{figures}  {ratio:8} {verdict}")
        print(f"{'':10}{o.what}: {o.result}")
    print(f"targets: max < {TARGET_MAX_MS:g} ms and p99 < {TARGET_P99_MS:g} ms in every scenario")


if __name__ == "__main__":
    raise SystemExit(main())
