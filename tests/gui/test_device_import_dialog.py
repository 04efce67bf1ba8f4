"""The Devices view's Import… dialog over a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from netraven_desktop.core.db.models import Device
from netraven_desktop.core.services import devices
from netraven_desktop.ui.dialogs.device_import import ImportDialog
from netraven_desktop.ui.pages.devices import DevicesPage
from netraven_desktop.ui.qt import Qt

DATA = Path(__file__).parent.parent / "data" / "import"


@pytest.fixture
def page(app_ctx, qtbot, run_async):
    with app_ctx.db.session() as s:
        devices.add_device(s, name="core-sw1", host="10.9.9.9", platform="cisco_ios")
    page = DevicesPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    run_async(page.refresh())
    page.import_action.trigger()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    assert isinstance(page.dialog, ImportDialog)
    return page


@pytest.fixture
def dialog(page):
    return page.dialog


@pytest.fixture
def messages(app_ctx):
    shown: list[str] = []
    app_ctx.report = shown.append
    return shown


def _table(dialog):
    model = dialog.preview.model()
    return [
        tuple(model.index(row, column).data() for column in range(3))
        for row in range(model.rowCount())
    ]


def _device_count(db):
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Device))


def _preview(dialog, qtbot):
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.preview_button.isEnabled)


def test_preview_then_import(page, dialog, qtbot, app_ctx, messages):
    dialog.path.setText(str(DATA / "devices.csv"))
    dialog.on_conflict.setCurrentIndex(dialog.on_conflict.findData("update"))
    _preview(dialog, qtbot)
    assert _table(dialog) == [
        ("line 2", "core-sw1", "update"),
        ("line 3", "core-sw2", "create"),
        ("line 4", "edge-fw1", "create"),
        ("line 5", "branch-rtr1", "create"),
    ]
    assert "csv: would create 3, update 1, skip 0" in dialog.summary.text()
    assert _device_count(app_ctx.db) == 1  # the preview wrote nothing
    assert dialog.import_button.isEnabled()

    dialog.on_conflict.setCurrentIndex(dialog.on_conflict.findData("skip"))
    assert not dialog.import_button.isEnabled()  # a changed choice needs a new preview
    _preview(dialog, qtbot)
    assert _table(dialog)[0] == ("line 2", "core-sw1", "skip (exists)")

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    assert _device_count(app_ctx.db) == 4
    assert messages == [
        f"Imported devices from {DATA / 'devices.csv'}: 3 created, 0 updated, 1 skipped"
    ]
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)  # the view reloaded
    with app_ctx.db.read_session() as s:
        assert devices.show_device(s, "core-sw1").host == "10.9.9.9"  # skipped


def test_problems_are_listed_and_nothing_can_be_imported(dialog, qtbot, app_ctx):
    dialog.path.setText(str(DATA / "router-malformed.db"))
    _preview(dialog, qtbot)
    rows = _table(dialog)
    assert [(where, column) for where, column, _ in rows] == [
        ("line 2", "row"),
        ("line 3", "platform"),
        ("line 4", "host"),
    ]
    assert "unknown platform" in rows[1][2]
    assert "(got 'sonicwall')" in rows[1][2]
    assert "3 problems; nothing was written" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    assert _device_count(app_ctx.db) == 1


def test_a_missing_file_is_shown_at_the_file_field(dialog, qtbot):
    dialog.path.setText(str(DATA / "no-such-file.csv"))
    _preview(dialog, qtbot)
    assert dialog.form.error_text("file") == "no such file"
    assert not dialog.import_button.isEnabled()
