"""The main window over a real database, and the program opening it with no sub-command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from PySide6.QtCore import QTimer
from sqlalchemy import text, update

from netraven_desktop.core.crud import devices, jobs
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Job
from netraven_desktop.core.secrets import SecretStore
from netraven_desktop.core.services import jobs as job_service
from netraven_desktop.core.services import runs
from netraven_desktop.ui.context import AppContext
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.pages.dashboard import DashboardPage
from netraven_desktop.ui.pages.jobs import JobsPage
from netraven_desktop.ui.prefs import open_prefs
from tests.sim import add_sim_credential


def test_window_opens_on_the_dashboard_with_the_database_shown(qtbot, run_async, app_ctx):
    db = app_ctx.db
    with db.session() as s:
        for i in range(3):
            devices.create_device(s, name=f"sw{i}", host=f"10.0.0.{i + 1}", platform="cisco_ios")
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    assert db.url.display() in window.database_label.text()
    assert window.user_label.text() == "personal mode"
    run_async(window.load())
    dashboard = window.page(DashboardPage)
    assert window.stack.currentWidget() is dashboard
    qtbot.waitUntil(lambda: dashboard.devices.value.text() == "3")
    assert window.statusBar().currentMessage() == "Ready"
    # A team (PostgreSQL) database can be worked on offline, a personal file is local.
    assert window.work_offline_action.isVisible() == (not db.url.is_sqlite)
    assert not window.offline_badge.isVisible()
    run_async(window.shutdown())


def test_window_explains_a_database_it_cannot_use(qtbot, run_async, make_db, tmp_path):
    db = make_db("sqlite")
    with db.sync_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    ctx = AppContext(db=db, secrets=SecretStore(), prefs=open_prefs(str(tmp_path / "p.ini")))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    run_async(window.load())
    problem = window.problem
    assert "newer than this NetRaven Desktop knows" in problem.text()
    assert window.statusBar().currentMessage() == "Database unavailable"
    assert window.nav.count() == 0
    run_async(db.aclose())


def test_no_subcommand_opens_the_window_on_the_embedded_database(tmp_path):
    """`netraven-desktop` alone starts the GUI, which creates the embedded database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETRAVEN_")}
    env |= {"NETRAVEN_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "netraven_desktop"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    database = tmp_path / "netraven.db"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if database.exists() and _has_schema(database):
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1]
        assert _has_schema(database)
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr


def _has_schema(path) -> bool:
    db = Database(f"sqlite:///{path}")
    try:
        with db.sync_engine.connect() as conn:
            return (
                conn.execute(
                    text("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'")
                ).scalar()
                == 1
            )
    finally:
        db.close()


def simulated_lab(db, secret_store, sim_devices, schedule=None):
    """The simulated devices, their credential in the keyring and a job "nightly" of all."""
    credential = add_sim_credential(db, secret_store, "lab")
    with db.session() as s:
        for name, platform, port in sim_devices:
            devices.create_device(s, name=name, host="127.0.0.1", port=port, platform=platform)
        job_service.add_job(
            s, name="nightly", selection=runs.Selection(all=True), schedule=schedule
        )
    return credential


def test_the_window_runs_a_due_job_live_in_the_jobs_view(
    qtbot, run_async, app_ctx, sim_devices, secret_store
):
    db = app_ctx.db
    credential = simulated_lab(db, secret_store, sim_devices, schedule="@daily")
    with db.session() as s:
        s.execute(update(Job).values(created_at=utcnow() - timedelta(days=2)))
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    finished = []
    app_ctx.events.run_finished.connect(finished.append)
    try:
        run_async(window.load())
        qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
        panel = window.page(JobsPage).panel
        assert panel.heading.text().startswith("Backing up scheduled job nightly")
        assert (panel.progress.value(), panel.progress.maximum()) == (3, 3)
        assert {row.status for row in panel.model.rows} == {"changed"}
        assert window.statusBar().currentMessage() == (
            "Succeeded: 3 devices, 3 changed, 0 unchanged, 0 failed"
        )
        with db.read_session() as s:
            [run] = jobs.list_runs(s)
            nightly = job_service.get_job(s, "nightly")
        assert (run.status, run.trigger) == ("succeeded", "schedule")
        assert run.scheduled_for is not None  # the slot: no other app or collector runs it
        assert [(e.job, e.summary.changed) for e in finished] == [("nightly", 3)]
        assert window.tray.notices[0][0] == "Job nightly: 3 configurations changed"
        # Found due here while another app ran it meanwhile: the child runs nothing.
        run_async(window.run_job(nightly), timeout_ms=60_000)
        assert panel.summary.text() == "Nothing ran: the job is not due any more"
        with db.read_session() as s:
            assert len(jobs.list_runs(s)) == 1
    finally:
        window.close()
        run_async(window.shutdown())
        secret_store.delete(credential.keyring_ref)


def test_closing_the_window_ends_the_app_cleanly(qapp, qtbot, run_async, app_ctx):
    """run_gui's coroutine returns when the window closes, with the database released."""
    from netraven_desktop.ui.app import show_window
    from netraven_desktop.ui.main_window import MainWindow as Window

    qapp.setQuitOnLastWindowClosed(False)

    def close_it() -> None:
        for widget in qapp.topLevelWidgets():
            if isinstance(widget, Window) and widget.isVisible():
                widget.close()

    QTimer.singleShot(300, close_it)
    run_async(show_window(app_ctx), timeout_ms=20_000)  # fails if the coroutine never returns


def test_the_window_comes_back_at_the_size_it_was_closed(qtbot, run_async, app_ctx):
    first = MainWindow(app_ctx)
    qtbot.addWidget(first)
    first.show()
    run_async(first.load())
    # The offscreen screen is 800x600 and restoring clamps a window to its screen, while the
    # pages need about 840 pixels of width: the height is what can be compared here.
    first.resize(first.width(), 520)
    first.close()
    run_async(first.shutdown())

    second = MainWindow(app_ctx)
    qtbot.addWidget(second)
    run_async(second.load())
    assert second.height() == 520
    run_async(second.shutdown())


def test_a_due_job_waits_for_the_run_already_going(
    qtbot, run_async, app_ctx, sim_devices, secret_store
):
    db = app_ctx.db
    credential = simulated_lab(db, secret_store, sim_devices)
    page = JobsPage(app_ctx)
    qtbot.addWidget(page)
    try:
        by_hand = page.start("every device", ["backup", "run", "--all"], job=None)
        run_async(
            page.run_when_free("scheduled job nightly", ["job", "run", "nightly"], job="nightly"),
            timeout_ms=90_000,
        )
        assert by_hand.done()
        with db.read_session() as s:
            done = sorted(jobs.list_runs(s), key=lambda r: r.started_at)
        assert [r.job_id is not None for r in done] == [False, True]
        assert done[0].finished_at <= done[1].started_at
    finally:
        secret_store.delete(credential.keyring_ref)
