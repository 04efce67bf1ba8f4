"""The main window over a real database, and the program opening it with no sub-command."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import text

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db import Database
from netraven_desktop.ui.main_window import MainWindow


def test_window_shows_the_database_and_its_device_count(qtbot, run_async, make_db):
    db = make_db("sqlite")
    with db.session() as s:
        for i in range(3):
            devices.create_device(s, name=f"sw{i}", host=f"10.0.0.{i + 1}", platform="cisco_ios")
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    assert db.url.display() in window.database_label.text()
    run_async(window.load())
    assert window.summary.text() == "3 devices in the inventory"
    assert window.statusBar().currentMessage() == "Ready"
    run_async(db.aclose())


def test_window_explains_a_database_it_cannot_use(qtbot, run_async, make_db):
    db = make_db("sqlite")
    with db.sync_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    window = MainWindow(db)
    qtbot.addWidget(window)
    run_async(window.load())
    assert "newer than this NetRaven Desktop knows" in window.summary.text()
    assert window.statusBar().currentMessage() == "Database unavailable"
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
