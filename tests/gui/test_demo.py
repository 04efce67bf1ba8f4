"""`--demo`: simulated devices of several platforms, backed up from the window within a
minute, on a machine without an OS keyring, and nothing left behind (simulator,
database, secrets) afterwards."""

from __future__ import annotations

import os

from netraven_desktop.core.db.models import Device
from netraven_desktop.ui.app import run_gui
from netraven_desktop.ui.context import AppContext
from netraven_desktop.ui.demo import PLATFORMS, start_demo
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.prefs import open_prefs


def test_demo_backs_up_its_devices_then_leaves_nothing_behind(qtbot, run_async, monkeypatch):
    # No D-Bus session: the backup runs (child processes) reach no Secret Service.
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    before = dict(os.environ)
    demo = start_demo(drift=1)
    try:
        with demo.db.read_session() as s:
            platforms = {d.platform for d in s.query(Device)}
        assert platforms == set(PLATFORMS)
        ctx = AppContext(
            db=demo.db, secrets=demo.store, prefs=open_prefs(str(demo.folder / "p.ini"))
        )
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        finished = []
        ctx.events.run_finished.connect(finished.append)
        run_async(window.load())
        qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
        assert (finished[0].job, finished[0].summary.changed) == ("demo", 6)
        window.close()
        run_async(window.shutdown())
        run_async(demo.db.aclose())
    finally:
        demo.close()
    assert not demo.folder.exists()
    assert demo.simulator.poll() is not None
    assert dict(os.environ) == before  # the secrets file's settings are undone


def test_demo_refuses_another_database(capsys):
    assert run_gui("other.db", demo=True) == 2
    assert capsys.readouterr().err.strip() == (
        "netraven-desktop: --db: --demo opens its own throwaway database (got 'other.db')"
    )
