"""Take the README's screenshots of the main views: `scripts/screenshots` runs this under
Xvfb with a throwaway keyring.

It starts the demo (simulated devices drifting every second), backs them all up twice
with the CLI so there are changes to show, then opens the real window on that database
and grabs each view. Nothing is faked: what you see is what the demo shows.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import qasync

from netraven_desktop.core.secrets import SecretStore
from netraven_desktop.core.services import devices
from netraven_desktop.ui.backup_process import engine_command
from netraven_desktop.ui.context import AppContext, FinishedRun
from netraven_desktop.ui.demo import start_demo
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.pages.audit import AuditPage
from netraven_desktop.ui.pages.credentials import CredentialsPage
from netraven_desktop.ui.pages.dashboard import DashboardPage
from netraven_desktop.ui.pages.devices import DevicesPage
from netraven_desktop.ui.pages.search import SearchPage
from netraven_desktop.ui.prefs import open_prefs
from netraven_desktop.ui.qt import QApplication, QtCore, QtGui

OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = QtCore.QSize(1280, 800)


def back_up_all(url: str) -> None:
    program, arguments = engine_command("backup", "run", "--all")
    subprocess.run(
        [program, *arguments],
        env=os.environ | {"NETRAVEN_DB_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def dark_palette() -> QtGui.QPalette:
    palette = QtGui.QPalette()
    role = QtGui.QPalette.ColorRole
    for name, color in (
        (role.Window, "#2b2b2b"),
        (role.WindowText, "#e0e0e0"),
        (role.Base, "#1e1e1e"),
        (role.AlternateBase, "#2b2b2b"),
        (role.Text, "#e0e0e0"),
        (role.Button, "#353535"),
        (role.ButtonText, "#e0e0e0"),
        (role.Highlight, "#3d6fb4"),
        (role.HighlightedText, "#ffffff"),
    ):
        palette.setColor(name, QtGui.QColor(color))
    return palette


async def settle(seconds: float = 0.5) -> None:
    """Let pending refreshes land and the window repaint."""
    await asyncio.sleep(seconds)
    QApplication.processEvents()


async def shoot(ctx: AppContext) -> None:
    window = MainWindow(ctx)
    window.resize(SIZE)
    window.show()
    await window.load()
    for page_type, name in (
        (DashboardPage, "dashboard"),
        (DevicesPage, "devices"),
        (CredentialsPage, "credentials"),
        (AuditPage, "audit"),
    ):
        window.show_page(page_type)
        await window.page(page_type).refresh()
        await settle()
        window.grab().save(str(OUT / f"{name}.png"))

    search = window.page(SearchPage)
    window.show_page(SearchPage)
    search.pattern.setText("snmp-server location")
    await search.search()
    await settle()
    window.grab().save(str(OUT / "search.png"))

    finished: asyncio.Future[FinishedRun] = asyncio.get_running_loop().create_future()
    ctx.events.run_finished.connect(lambda e: finished.done() or finished.set_result(e))
    async with ctx.db.async_read_session() as session:
        names = [d.name for d in await devices.list_devices(session)]
    ctx.events.backup_requested.emit(names)
    await asyncio.wait_for(finished, 120)
    await settle(1)
    window.grab().save(str(OUT / "jobs.png"))

    detail = window.open_device(names[0])
    detail.resize(SIZE)
    await detail.load()
    await settle()
    detail.tabs.setCurrentWidget(detail.diff)
    detail.diff.mode.setChecked(True)
    await settle()
    detail.grab().save(str(OUT / "device-diff.png"))
    QApplication.setPalette(dark_palette())  # what a desktop in dark mode hands the app
    await settle()
    detail.grab().save(str(OUT / "device-diff-dark.png"))
    window.show_page(DashboardPage)
    await settle()
    window.grab().save(str(OUT / "dashboard-dark.png"))
    detail.close()
    window.close()
    await window.shutdown()
    await ctx.db.aclose()


def main() -> int:
    OUT.mkdir(exist_ok=True)
    store = SecretStore()
    demo = start_demo(store, drift=0.5)
    try:
        url = demo.db.url.plain(hide_password=False)
        back_up_all(url)
        time.sleep(4)  # every device drifts meanwhile: the second backup finds changes
        back_up_all(url)
        app = QApplication.instance() or QApplication(sys.argv)
        app.setApplicationName("NetRaven Desktop")
        app.setStyle("Fusion")  # the same look on every machine that takes the pictures
        app.setQuitOnLastWindowClosed(False)  # shoot() ends the loop, not a closed window
        ctx = AppContext(db=demo.db, secrets=store, prefs=open_prefs(str(demo.folder / "p.ini")))
        qasync.run(shoot(ctx))
    finally:
        demo.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
