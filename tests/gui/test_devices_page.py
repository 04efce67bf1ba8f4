"""The Devices view over a real database (SQLite and PostgreSQL), driven like a user.

Only the delete confirmation is stubbed (`page.confirm`): QMessageBox.question is a
native modal with its own event loop that cannot be clicked headless. Everything else
goes through the real widgets, dialogs, model and services.
"""

from __future__ import annotations

import uuid

import pytest

from netraven_desktop.core.crud import credentials as credential_rows
from netraven_desktop.core.crud import devices as device_rows
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.services import devices
from netraven_desktop.ui.device_dialog import DeviceDialog, TagDialog
from netraven_desktop.ui.device_model import (
    COL_HOST,
    COL_NAME,
    COL_SITE,
    COL_TAGS,
    NAME_ROLE,
    PAGE_SIZE,
    DeviceModel,
)
from netraven_desktop.ui.pages.devices import DevicesPage
from netraven_desktop.ui.qt import Qt, QtCore

PLATFORMS = ("cisco_ios", "arista_eos", "juniper_junos")


def _seed(db, count=30):
    with db.session() as s:
        for i in range(count):
            devices.add_device(
                s,
                name=f"sw-{i:03}",
                host=f"10.{i % 7}.0.{i + 1}",
                platform=PLATFORMS[i % 3],
                site=("dc1", "dc2")[i % 2],
                description="core switch" if i in (4, 17) else None,
                tags=["core"] if i % 10 == 0 else [],
            )


@pytest.fixture
def messages(app_ctx):
    shown: list[str] = []
    app_ctx.report = shown.append
    return shown


@pytest.fixture
def page(app_ctx, qtbot, run_async, messages):
    _seed(app_ctx.db)
    view = DevicesPage(app_ctx)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    run_async(view.refresh())
    return view


def shown(page):
    model = page.model
    return [model.index(row, COL_NAME).data() for row in range(model.rowCount())]


def select(page, *names):
    selection = page.table.selectionModel()
    selection.clear()
    for row, name in enumerate(shown(page)):
        if name in names:
            selection.select(
                page.model.index(row, 0),
                QtCore.QItemSelectionModel.SelectionFlag.Select
                | QtCore.QItemSelectionModel.SelectionFlag.Rows,
            )


def open_dialog(page, qtbot, trigger):
    trigger()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    return page.dialog


def live_names(db, **filters):
    with db.read_session() as s:
        return [d.name for d in devices.list_devices(s, **filters)]


def test_the_table_shows_the_inventory_with_a_count(page):
    assert shown(page)[:3] == ["sw-000", "sw-001", "sw-002"]
    assert page.count_label.text() == "30 devices"
    assert page.model.index(0, COL_TAGS).data() == "core"
    assert page.title == "Devices"


def test_add_a_device_through_the_dialog(page, qtbot, app_ctx, messages):
    with app_ctx.db.session() as s:
        credential_rows.create_credential(
            s, name="lab", username="admin", keyring_ref="netraven/credential/test-lab"
        )
    dialog = open_dialog(page, qtbot, page.add_action.trigger)
    assert isinstance(dialog, DeviceDialog)
    qtbot.keyClicks(dialog.name, "edge-rtr1")
    qtbot.keyClicks(dialog.host, "192.0.2.10")
    dialog.port.setValue(2222)
    dialog.platform.setCurrentIndex(dialog.platform.findData("juniper_junos"))
    qtbot.keyClicks(dialog.site, "branch")
    dialog.credential.setCurrentIndex(dialog.credential.findText("lab"))
    qtbot.keyClicks(dialog.new_tag, "edge")
    qtbot.keyClick(dialog.new_tag, Qt.Key.Key_Return)
    dialog.timeout.setValue(45)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "edge-rtr1" in shown(page))
    assert page.dialog is None  # closed (and deleted) after the save
    assert messages[-1] == "Added edge-rtr1"
    assert page.count_label.text() == "31 devices"
    with app_ctx.db.read_session() as s:
        device = devices.show_device(s, "edge-rtr1")
        assert (device.host, device.port, device.platform, device.site) == (
            "192.0.2.10",
            2222,
            "juniper_junos",
            "branch",
        )
        assert (device.credential.name, [t.name for t in device.tags]) == ("lab", ["edge"])
        assert device.connect_timeout == 45


def test_a_user_platform_is_offered_and_saved(page, qtbot, app_ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path))
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "lab_sw.toml").write_text(
        "extends = 'cisco_ios'\nname = 'Acme lab switch'\n"
    )
    dialog = open_dialog(page, qtbot, page.add_action.trigger)
    index = dialog.platform.findData("lab_sw")
    assert dialog.platform.itemText(index) == "Acme lab switch (lab_sw, your file)"
    qtbot.keyClicks(dialog.name, "lab-sw1")
    qtbot.keyClicks(dialog.host, "192.0.2.20")
    dialog.platform.setCurrentIndex(index)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "lab-sw1" in shown(page))
    with app_ctx.db.read_session() as s:
        assert devices.show_device(s, "lab-sw1").platform == "lab_sw"


def test_bad_fields_are_shown_at_the_field_and_nothing_is_written(page, qtbot, app_ctx):
    dialog = open_dialog(page, qtbot, page.add_action.trigger)
    qtbot.keyClicks(dialog.host, "10.0.0.300")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.form.error_text("name") == "must not be empty"
    assert dialog.form.error_text("host") == "is neither a valid IP address nor a valid DNS name"
    assert dialog.form.error_text("port") == ""

    # A rule only the database can check (a duplicate name) lands at its field too.
    qtbot.keyClicks(dialog.name, "SW-001")
    dialog.host.setText("10.0.0.30")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.form.error_text("name") != "")
    assert dialog.form.error_text("name") == "a device with this name already exists"
    assert dialog.form.error_text("host") == ""
    assert dialog.isVisible()
    assert dialog.ok_button.isEnabled()
    assert len(live_names(app_ctx.db)) == 30


def test_edit_saves_and_a_concurrent_edit_is_a_conflict(page, qtbot, app_ctx, messages):
    select(page, "sw-002")
    page.table.setFocus()
    dialog = open_dialog(page, qtbot, page.edit_action.trigger)
    assert (dialog.name.text(), dialog.host.text()) == ("sw-002", "10.2.0.3")
    with app_ctx.db.session() as s:  # someone else saves first
        devices.edit_device(s, "sw-002", role="spine")
    dialog.site.setText("dc9")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.problem.isVisible())
    assert "was changed by someone else" in dialog.problem.text()
    assert dialog.isVisible()
    assert live_names(app_ctx.db, site="dc9") == []

    dialog.reject()
    select(page, "sw-002")
    dialog = open_dialog(page, qtbot, page.edit_action.trigger)
    dialog.site.setText("dc9")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: messages[-1:] == ["Saved sw-002"])
    assert live_names(app_ctx.db, site="dc9") == ["sw-002"]


def test_only_an_admin_can_untick_masking(page, qtbot, app_ctx):
    with app_ctx.db.session() as s:
        devices.edit_device(s, "sw-003", mask_secrets=False)
    app_ctx.role = "operator"
    for name, can_change in (("sw-002", False), ("sw-003", True)):  # off: may turn it on
        select(page, name)
        dialog = open_dialog(page, qtbot, page.edit_action.trigger)
        assert dialog.mask.isEnabled() is can_change
        dialog.reject()
    dialog = open_dialog(page, qtbot, page.add_action.trigger)
    assert dialog.mask.isChecked()
    assert not dialog.mask.isEnabled()
    assert dialog.mask.toolTip() == "Only an admin may turn secret masking off"
    dialog.reject()
    app_ctx.role = "admin"
    select(page, "sw-002")
    dialog = open_dialog(page, qtbot, page.edit_action.trigger)
    assert dialog.mask.isEnabled()


def test_search_as_you_type_narrows_the_table(page, qtbot):
    qtbot.keyClicks(page.search, "CORE")
    qtbot.waitUntil(lambda: shown(page) == ["sw-004", "sw-017"])
    assert page.count_label.text() == "2 of 30 devices"
    page.search.clear()
    qtbot.keyClicks(page.search, "10.3.0")
    qtbot.waitUntil(lambda: shown(page) == ["sw-003", "sw-010", "sw-017", "sw-024"])


def test_filters_narrow_the_table(page, qtbot):
    platform = page.platform_filter
    assert [platform.itemText(i) for i in range(platform.count())] == [
        "All platforms",
        *sorted(PLATFORMS),
    ]
    platform.setCurrentIndex(platform.findData("juniper_junos"))
    platform.activated.emit(platform.currentIndex())
    qtbot.waitUntil(lambda: len(shown(page)) == 10)
    assert shown(page)[:2] == ["sw-002", "sw-005"]
    page.tag_filter.setCurrentIndex(page.tag_filter.findData("core"))
    page.tag_filter.activated.emit(page.tag_filter.currentIndex())
    qtbot.waitUntil(lambda: shown(page) == ["sw-020"])
    assert page.count_label.text() == "1 of 30 devices"


def click_header(page, qtbot, column):
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QtCore.QPoint(x, 5))


def test_clicking_a_header_sorts_in_the_database(page, qtbot, app_ctx):
    def hosts():
        return [page.model.index(r, COL_HOST).data() for r in range(3)]

    click_header(page, qtbot, COL_HOST)
    qtbot.waitUntil(lambda: hosts() == ["10.0.0.1", "10.0.0.15", "10.0.0.22"])
    click_header(page, qtbot, COL_HOST)
    qtbot.waitUntil(lambda: hosts() == ["10.6.0.7", "10.6.0.28", "10.6.0.21"])
    click_header(page, qtbot, COL_TAGS)  # not sortable: the order and indicator stay
    assert page.table.horizontalHeader().sortIndicatorSection() == COL_HOST
    assert hosts() == ["10.6.0.7", "10.6.0.28", "10.6.0.21"]

    page.save_state()
    again = DevicesPage(app_ctx)
    qtbot.addWidget(again)
    again.restore_state()
    assert (again.model.query.sort, again.model.query.descending) == ("host", True)


def test_delete_asks_then_moves_to_the_trash_and_undo_restores(
    page, qtbot, app_ctx, messages, monkeypatch
):
    questions = []
    answer = False
    monkeypatch.setattr(page, "confirm", lambda q: questions.append(q) or answer)
    select(page, "sw-001", "sw-003")
    page.delete_action.trigger()
    assert questions[0].startswith("Move 2 devices to the trash?")
    assert len(live_names(app_ctx.db)) == 30  # declined: nothing happened

    answer = True
    page.delete_action.trigger()
    qtbot.waitUntil(lambda: "sw-001" not in shown(page))
    assert "sw-003" not in shown(page)
    assert messages[-1].startswith("Moved 2 devices to the trash")
    assert "netraven-desktop device restore" in messages[-1]
    with app_ctx.db.read_session() as s:
        assert sorted(d.name for d in devices.list_trash(s)) == ["sw-001", "sw-003"]

    assert page.undo_action.isEnabled()
    page.undo_action.trigger()
    qtbot.waitUntil(lambda: "sw-001" in shown(page))
    assert messages[-1] == "Restored 2 devices from the trash"
    assert len(live_names(app_ctx.db)) == 30


def test_tag_several_devices_at_once(page, qtbot, app_ctx, messages):
    select(page, "sw-001", "sw-002", "sw-010")
    dialog = open_dialog(page, qtbot, page.tag_action.trigger)
    assert isinstance(dialog, TagDialog)
    assert dialog.windowTitle() == "Tag 3 devices"
    qtbot.keyClicks(dialog.tag.lineEdit(), "lab")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: messages[-1:] == ["Tagged 3 devices with lab"])
    qtbot.waitUntil(lambda: page.model.index(10, COL_TAGS).data() == "core, lab")
    assert live_names(app_ctx.db, tag="lab") == ["sw-001", "sw-002", "sw-010"]

    select(page, "sw-010")
    dialog = open_dialog(page, qtbot, page.tag_action.trigger)
    dialog.tag.setCurrentText("core")
    dialog.remove.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: messages[-1:] == ["Untagged 1 device with core"])
    assert live_names(app_ctx.db, tag="core") == ["sw-000", "sw-020"]


def test_keyboard_and_double_click(page, qtbot, app_ctx, monkeypatch):
    requested, opened, asked = [], [], []
    monkeypatch.setattr(page, "confirm", lambda q: asked.append(q) or False)
    app_ctx.events.backup_requested.connect(requested.append)
    app_ctx.events.device_opened.connect(opened.append)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    select(page, "sw-005", "sw-006")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert requested == [["sw-005", "sw-006"]]
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Delete)  # text editing, not "delete devices"
    assert asked == []
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert asked == [
        "Move 2 devices to the trash?\n\nIts backup history is kept and it can be restored."
    ]

    select(page, "sw-005")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None)
    assert page.dialog.name.text() == "sw-005"
    page.dialog.reject()

    rect = page.table.visualRect(page.model.index(7, COL_HOST))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == ["sw-007"]


def test_rows_load_a_page_at_a_time_as_the_user_scrolls(app_ctx, qtbot, run_async):
    _seed(app_ctx.db, PAGE_SIZE + 50)
    page = DevicesPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    run_async(page.refresh())
    assert page.model.rowCount() == PAGE_SIZE + 50  # the scrollbar spans every match
    assert list(page.model.pages) == [0]
    assert page.count_label.text() == f"{PAGE_SIZE + 50} devices"
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: shown(page)[-1] == f"sw-{PAGE_SIZE + 49:03}")
    assert shown(page) == [f"sw-{i:03}" for i in range(PAGE_SIZE + 50)]


@pytest.mark.parametrize(("column", "descending"), [(COL_NAME, True), (COL_SITE, False)])
def test_ctrl_end_shows_the_last_device_without_loading_the_pages_between(
    app_ctx, qtbot, run_async, column, descending
):
    pages = 5
    count = pages * PAGE_SIZE + 100  # the last page fills the window: no other page shows
    now = utcnow()
    fixed = {"port": 22, "platform": "cisco_ios", "enabled": True, "version": 1}
    fixed |= {"ssh_legacy_algorithms": False, "mask_secrets": True, "last_backup_status": "never"}
    with app_ctx.db.session() as s:  # in bulk, as an import does (one by one is slow)
        device_rows.insert_devices(
            s,
            [
                fixed
                | {
                    "id": uuid.uuid4(),
                    "name": f"sw-{i:04}",
                    "host": f"10.0.{i // 250}.{i % 250 + 1}",
                    "site": None if i % 3 == 0 else f"dc{i % 4}",  # empty keys sort last
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(count)
            ],
        )
    page = DevicesPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    run_async(page.refresh())
    order = (
        QtCore.Qt.SortOrder.DescendingOrder if descending else QtCore.Qt.SortOrder.AscendingOrder
    )
    with qtbot.waitSignal(page.model.loaded):
        page.table.sortByColumn(column, order)
    sort = page.model.query.sort
    with app_ctx.db.read_session() as s:  # the whole listing in one query, to compare
        expected = [r.name for r in devices.list_device_rows(s, sort=sort, descending=descending)]
    fetched: list[int] = []
    page.model.page_loaded.connect(fetched.append)

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)

    last = page.model.index(count - 1, COL_NAME)
    qtbot.waitUntil(lambda: last.data() == expected[-1])
    assert fetched == [pages]  # the last page alone, none of the four between
    assert page.table.currentIndex().row() == count - 1
    # The page before it is read when it comes into view: by offset, the same rows.
    shown_rows = range((pages - 1) * PAGE_SIZE, pages * PAGE_SIZE)
    page.table.scrollTo(page.model.index(shown_rows[0], COL_NAME))
    qtbot.waitUntil(lambda: pages - 1 in page.model.pages)
    assert [page.model.index(r, COL_NAME).data() for r in shown_rows] == [
        expected[r] for r in shown_rows
    ]
    assert [page.model.index(r, COL_NAME).data() for r in range(count - 7, count)] == expected[-7:]


def test_the_model_passes_qt_model_tester(app_ctx, qtmodeltester, run_async):
    _seed(app_ctx.db)
    model = DeviceModel(app_ctx)
    run_async(model.reload())
    assert model.rowCount() == 30
    assert model.index(3, COL_NAME).data(NAME_ROLE) == "sw-003"
    qtmodeltester.check(model)


def test_a_viewer_gets_no_editing_or_backup_actions(page, qtbot, app_ctx):
    """The window's courtesy: the same role table the services enforce."""
    for role, can_edit in (("viewer", False), ("operator", True)):
        app_ctx.role = role
        select(page, "sw-002")
        actions = (
            page.add_action,
            page.import_action,
            page.edit_action,
            page.tag_action,
            page.delete_action,
            page.backup_action,
        )
        assert [action.isEnabled() for action in actions] == [can_edit] * len(actions), role
