"""Offline work in the window: the team database is the suite's real PostgreSQL (or one
on a closed port, unreachable), the replica a real SQLite file under a private home.

The conflicts dialog is opened with open(), which needs no stubbing headless.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import time

import pytest
from PySide6.QtCore import QTimer

from netraven_desktop.core import offline
from netraven_desktop.core.db import Database, DatabaseURL
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.db.url import parse_database_url
from netraven_desktop.core.secrets import SecretStore
from netraven_desktop.core.services import devices
from netraven_desktop.ui import offline as offline_ui
from netraven_desktop.ui.app import show_window
from netraven_desktop.ui.backup_process import BackupProcess
from netraven_desktop.ui.context import AppContext
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.prefs import open_prefs
from netraven_desktop.ui.qt import Qt
from tests.own_server import OwnServer


@pytest.fixture
def team(make_db, tmp_path, monkeypatch) -> Database:
    """A team database with one device, and a home of its own for the replica."""
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path / "home"))
    db = make_db("postgresql")
    with db.session() as s:
        devices.add_device(s, name="core-1", host="10.0.0.1", platform="cisco_ios", site="dc1")
    return db


def make_replica(team: Database, url: DatabaseURL | None = None) -> None:
    """Pull `team` into the replica kept for `url` (default: the team's own URL)."""
    replica = offline.open_replica(url or team.url)
    try:
        offline.pull(team, replica)
    finally:
        replica.close()


def site(db: Database, name: str = "core-1") -> str | None:
    with db.read_session() as s:
        return devices.show_device(s, name).site


def edit_site(db: Database, value: str) -> None:
    with db.session(actor="bob") as s:
        devices.edit_device(s, "core-1", site=value)


@pytest.fixture
def open_window(qtbot, run_async, tmp_path):
    """A loaded window on a database; shut down and its database closed after the test."""
    opened: list[MainWindow] = []

    def open_on(db: Database, notice: str = "") -> MainWindow:
        prefs = open_prefs(str(tmp_path / "prefs.ini"))
        window = MainWindow(AppContext(db=db, secrets=SecretStore(), prefs=prefs), notice)
        qtbot.addWidget(window)
        window.show()
        opened.append(window)
        run_async(window.load())
        return window

    yield open_on
    for window in opened:
        run_async(window.shutdown())
        run_async(window.ctx.db.aclose())


def closed_port_url(team: Database) -> DatabaseURL:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = team.url.sync_url.set(host="127.0.0.1", port=port)
    return parse_database_url(url.render_as_string(hide_password=False))


def reopened_on(qtbot, window: MainWindow) -> Database | DatabaseURL:
    targets: list[Database | DatabaseURL] = []
    window.reopen.connect(targets.append)
    qtbot.waitUntil(lambda: bool(targets), timeout=20_000)
    return targets[0]


def test_unreachable_team_database_offers_the_replica_and_queues_edits(
    qtbot, run_async, team, open_window
):
    unreachable = closed_port_url(team)
    make_replica(team, unreachable)  # synced earlier, while the server answered
    window = open_window(Database(unreachable))
    assert window.statusBar().currentMessage() == "Database unavailable"
    assert window.offline_button.text().startswith("Work offline on the copy from 20")
    qtbot.mouseClick(window.offline_button, Qt.MouseButton.LeftButton)
    replica = reopened_on(qtbot, window)
    assert isinstance(replica, Database)
    assert replica.replica_of == unreachable

    offline_window = open_window(replica)
    assert "OFFLINE" in offline_window.windowTitle()
    assert offline_window.go_online_action.isVisible()
    badge = offline_window.offline_badge
    assert badge.isVisible()
    assert badge.text() == "OFFLINE — changes are queued (0)"
    assert badge.accessibleName() == "Offline status"
    edit_site(replica, "dc2")
    offline_window.ctx.events.inventory_changed.emit()  # what a view does after an edit
    qtbot.waitUntil(lambda: badge.text() == "OFFLINE — changes are queued (1)")

    run_async(offline_window.go_online())  # the server is still out of reach
    assert offline_window.statusBar().currentMessage().startswith("Still offline: ")
    assert badge.text() == "OFFLINE — changes are queued (1)"


def test_backups_started_offline_run_on_the_replica_through_the_cli(run_async, team, tmp_path):
    make_replica(team)
    replica = run_async(offline_ui.open_replica(team.url))
    ctx = AppContext(db=replica, secrets=SecretStore(), prefs=open_prefs(str(tmp_path / "p.ini")))
    try:
        process = BackupProcess(ctx, "backup", "run", "core-1", "--json")._process
        assert process.arguments()[2:5] == ["--offline", "backup", "run"]
        url = process.processEnvironment().value("NETRAVEN_DB_URL")
        assert url == team.url.plain(hide_password=False)
    finally:
        run_async(replica.aclose())


def test_go_online_pushes_the_queued_edit_and_reopens_on_the_team(
    qtbot, run_async, team, open_window
):
    make_replica(team)
    window = open_window(run_async(offline_ui.open_replica(team.url)))
    edit_site(window.ctx.db, "dc2")
    targets: list[object] = []
    window.reopen.connect(targets.append)
    run_async(window.go_online())
    assert site(team) == "dc2"
    assert window.statusBar().currentMessage().startswith("Synced: pushed 1, merged 0")
    assert targets == [team.url]

    online = open_window(team, window.handover)
    assert online.statusBar().currentMessage() == window.handover
    assert online.work_offline_action.isVisible()
    assert not online.offline_badge.isVisible()


def test_a_conflict_is_settled_in_the_dialog_keep_mine_then_sync(
    qtbot, run_async, team, open_window
):
    make_replica(team)
    window = open_window(run_async(offline_ui.open_replica(team.url)))
    edit_site(window.ctx.db, "mine")
    edit_site(team, "theirs")
    targets: list[object] = []
    window.reopen.connect(targets.append)
    run_async(window.go_online())
    dialog = window.conflicts_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "1 conflicts" in window.statusBar().currentMessage()
    rows = [[dialog.list.item(0, c).text() for c in range(4)]]
    assert rows == [["device core-1", "device.update", "bob", "changed on the server too"]]
    fields = [dialog.fields.item(0, c).text() for c in range(4)]
    assert fields == ["site", "dc1", "mine", "theirs"]
    assert "in conflict" in window.offline_badge.text()

    qtbot.mouseClick(dialog.keep_mine, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.rowCount() == 0)
    assert "your value wins" in dialog.message.text()
    qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(targets), timeout=20_000)
    assert targets == [team.url]
    assert site(team) == "mine"
    assert not dialog.isVisible()


def test_an_edit_the_team_refuses_is_shown_in_the_dialog_and_can_be_dropped(
    qtbot, run_async, team, open_window
):
    make_replica(team)
    window = open_window(run_async(offline_ui.open_replica(team.url)))
    edit_site(window.ctx.db, "dc2")
    # The queue is a plain file: a value no command would accept, written into it by hand.
    with contextlib.closing(sqlite3.connect(offline.replica_path(team.url))) as conn, conn:
        conn.execute("UPDATE outbox SET after = json_set(after, '$.port', 0)")
    targets: list[object] = []
    window.reopen.connect(targets.append)
    run_async(window.go_online())
    dialog = window.conflicts_dialog
    assert dialog is not None
    assert dialog.isVisible()
    (action, reason) = (dialog.list.item(0, c).text() for c in (1, 3))
    assert action == "device.update"
    assert reason.startswith("the team database refused it: port:")
    assert "(got 0)" in reason
    assert [dialog.fields.item(0, c).text() for c in range(4)] == ["port", "", "0", ""]
    assert site(team) == "dc1"  # nothing of the refused edit was written

    qtbot.mouseClick(dialog.take_theirs, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.rowCount() == 0)
    qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(targets), timeout=20_000)
    assert targets == [team.url]
    assert site(team) == "dc1"


def test_online_window_refreshes_the_replica_in_the_background(
    qtbot, run_async, team, open_window, monkeypatch
):
    monkeypatch.setattr(offline_ui, "REFRESH_SECONDS", 0.2)
    make_replica(team)
    reader = offline.open_replica(team.url)
    try:
        window = open_window(team)
        assert window.work_offline_action.isVisible()
        edit_site(team, "dc7")
        qtbot.waitUntil(lambda: site(reader) == "dc7", timeout=10_000)
    finally:
        reader.close()
    run_async(window.shutdown())
    assert window._refresh_task is not None
    assert window._refresh_task.done()


def test_the_app_replaces_the_unreachable_window_with_one_on_the_replica(
    qapp, run_async, team, tmp_path
):
    """run_gui's loop takes the replica the window hands over and opens a window on it."""
    unreachable = closed_port_url(team)
    make_replica(team, unreachable)
    prefs = open_prefs(str(tmp_path / "prefs.ini"))
    ctx = AppContext(db=Database(unreachable), secrets=SecretStore(), prefs=prefs)
    clicked: set[int] = set()
    titles: list[str] = []

    def step() -> None:
        for window in qapp.topLevelWidgets():
            if not isinstance(window, MainWindow) or not window.isVisible():
                continue
            if window.offline_button is not None and id(window) not in clicked:
                clicked.add(id(window))
                window.offline_button.click()
            elif window.ctx.db.replica_of is not None and window._scheduler_task is not None:
                # load() has finished (its last step starts the scheduler): the pages
                # appear before the offline title is set, so they are no sign of it.
                titles.append(window.windowTitle())
                window.close()
                return
        QTimer.singleShot(100, step)

    QTimer.singleShot(100, step)
    run_async(show_window(ctx))
    assert titles[0].startswith("NetRaven Desktop — OFFLINE (copy from ")


def test_an_online_window_switches_to_the_replica_when_the_server_stops(
    qtbot, run_async, open_window, monkeypatch, tmp_path
):
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(offline_ui, "WATCH_SECONDS", 0.5)
    server = OwnServer()
    try:
        team = Database(server.url)
        upgrade(team)
        with team.session() as s:
            devices.add_device(s, name="core-1", host="10.0.0.1", platform="cisco_ios")
        make_replica(team)
        window = open_window(team)
        server.stop()
        stopped = time.monotonic()
        target = reopened_on(qtbot, window)
        assert time.monotonic() - stopped < 10  # "within seconds"
        assert isinstance(target, Database)
        assert target.replica_of == team.url
        assert window.handover.startswith("The team database stopped answering")
        target.close()
    finally:
        server.remove()
