"""The device detail window over a real database (SQLite and PostgreSQL).

Snapshots are stored through `backups.store_capture`, as a backup run stores them.
"""

from __future__ import annotations

import os
import stat

import pytest

from netraven_desktop.core.crud import devices
from netraven_desktop.core.diffing import SECRET_CHANGED
from netraven_desktop.core.drivers.filters import clean
from netraven_desktop.core.platforms import profile_for
from netraven_desktop.core.secret_fingerprints import MaskKey, fingerprints
from netraven_desktop.core.services import backups
from netraven_desktop.ui.config_highlighter import span_formats
from netraven_desktop.ui.device_detail import SNAPSHOT_ROLE, DeviceDetail, HistoryModel
from netraven_desktop.ui.diff_view import DiffView
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.qt import Qt, QtCore, QtGui, QtWidgets
from netraven_desktop.ui.text_view import TextView
from tests.snapshots import device_with_configs

V1 = """hostname r1
!
vlan 10
 name users
vlan 20
 name voice
!
interface Gi0/1
 description uplink
 ip address 10.0.0.1 255.255.255.252
 shutdown
!
snmp-server community <removed> RO
end
"""
V2 = V1.replace(" shutdown\n", " no shutdown\n")
V3 = V2.replace("vlan 20\n name voice\n", "").replace("end\n", "ntp server 192.0.2.10\nend\n")
FACTS = {"vendor": "Cisco", "model": "C9300-48P", "serial": "FOC1234X0AB", "os_version": "17.9.4"}


def open_detail(qtbot, run_async, ctx, name: str = "r1") -> DeviceDetail:
    window = DeviceDetail(ctx, name)
    qtbot.addWidget(window)
    window.show()
    run_async(window.load())
    return window


def wait_for_comparison(qtbot, window: DeviceDetail, older, newer) -> None:
    def shown() -> bool:
        comparison = window.diff.comparison
        return comparison is not None and (comparison.older.id, comparison.newer.id) == (
            older.id,
            newer.id,
        )

    qtbot.waitUntil(shown)


def select_rows(window: DeviceDetail, *rows: int) -> None:
    """What Ctrl+click on each row does."""
    flags = QtCore.QItemSelectionModel.SelectionFlag
    selection = window.history.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(window.model.index(row, 0), flags.Select | flags.Rows)
    selection.setCurrentIndex(window.model.index(rows[0], 0), flags.NoUpdate)


def block_formats(view, number: int) -> dict[str, QtGui.QTextCharFormat]:
    """The highlighter's formats on one line, by the text they cover."""
    block = view.document().findBlockByNumber(number)
    return {
        block.text()[r.start : r.start + r.length]: QtGui.QTextCharFormat(r.format)  # a copy
        for r in block.layout().formats()
    }


def line_backgrounds(view) -> dict[int, str]:
    """Block number -> background colour of the diff's line colouring."""
    return {
        s.cursor.blockNumber(): s.format.background().color().name() for s in view.extraSelections()
    }


def test_history_model_passes_the_model_tester(qtmodeltester, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V2, V3], job="nightly")
    with app_ctx.db.read_session() as s:
        entries = backups.history_entries(s, "r1")
    model = HistoryModel()
    model.set_rows(entries)
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    newest = model.index(0, HistoryModel.COL_LINES)
    assert newest.data() == "+1 -2"
    assert model.index(2, HistoryModel.COL_LINES).data() == f"+{len(V1.splitlines())} -0"
    assert model.index(0, HistoryModel.COL_SIZE).data() == f"{len(V3)} B"
    assert model.index(0, HistoryModel.COL_RUN).data() == "job nightly"
    assert newest.data(SNAPSHOT_ROLE).id == entries[0].snapshot.id


def test_a_snapshot_stored_with_secrets_in_clear_is_flagged(qtbot, run_async, app_ctx):
    clear = V2.replace("community <removed> RO", "community s3cretComm RO")
    device_with_configs(app_ctx.db, "r1", [V1, clear, V3], clear=(1,))
    window = open_detail(qtbot, run_async, app_ctx)
    model = window.model
    flagged = [
        row
        for row in range(model.rowCount())
        if model.index(row, HistoryModel.COL_RUN).data(Qt.ItemDataRole.ToolTipRole)
        == "stored with secrets in clear"
    ]
    assert flagged == [1]  # newest first: the middle one
    marker = model.index(1, HistoryModel.COL_CAPTURED).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(marker, QtGui.QIcon)
    assert not marker.isNull()
    assert model.index(0, HistoryModel.COL_CAPTURED).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(0, HistoryModel.COL_RUN).data(Qt.ItemDataRole.ToolTipRole) == "cli"


def test_the_window_shows_the_device_and_its_newest_configuration(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V2, V3], **FACTS)
    window = open_detail(qtbot, run_async, app_ctx)
    values = {field: label.text() for field, label in window.header.values.items()}
    assert window.header.title.text() == "r1"
    assert values["Host"] == "10.0.0.1:22"
    assert values["Platform"] == "cisco_ios"
    assert (values["Vendor"], values["Model"], values["Serial"], values["OS version"]) == (
        "Cisco",
        "C9300-48P",
        "FOC1234X0AB",
        "17.9.4",
    )
    assert values["Last backup"].startswith("changed at ")
    assert window.model.rowCount() == 3
    assert window.statusBar().currentMessage() == "3 snapshots"
    qtbot.waitUntil(lambda: window.viewer.toPlainText() == V3)

    # An older snapshot: its own text.
    window.history.selectRow(2)
    qtbot.waitUntil(lambda: window.viewer.toPlainText() == V1)


def test_the_configuration_is_highlighted_for_the_palette(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1])
    window = open_detail(qtbot, run_async, app_ctx)
    qtbot.waitUntil(lambda: window.viewer.toPlainText() == V1)
    light = span_formats(window.viewer.palette())
    interface = block_formats(window.viewer, V1.splitlines().index("interface Gi0/1"))
    assert interface["interface"].foreground().color() == light["section"].foreground().color()
    assert interface["interface"].fontWeight() == QtGui.QFont.Weight.Bold
    address = block_formats(
        window.viewer, V1.splitlines().index(" ip address 10.0.0.1 255.255.255.252")
    )
    assert set(address) == {"10.0.0.1", "255.255.255.252"}
    assert address["10.0.0.1"].foreground().color() == light["ip"].foreground().color()
    secret = block_formats(
        window.viewer, V1.splitlines().index("snmp-server community <removed> RO")
    )
    assert secret["<removed>"].foreground().color() == light["secret"].foreground().color()
    assert block_formats(window.viewer, 1)["!"].fontItalic()  # a comment
    assert light["section"].foreground().color().lightness() < 128  # dark text on white

    dark = QtGui.QPalette(window.viewer.palette())
    dark.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor("#1e1e1e"))
    dark.setColor(QtGui.QPalette.ColorRole.Text, QtGui.QColor("#e0e0e0"))
    window.viewer.setPalette(dark)
    interface = block_formats(window.viewer, V1.splitlines().index("interface Gi0/1"))
    assert interface["interface"].foreground().color().lightness() > 128  # light on dark


def test_one_snapshot_is_compared_with_the_one_before_it(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V2, V3])
    window = open_detail(qtbot, run_async, app_ctx)
    newest, middle, _ = (e.snapshot for e in window.model.rows)
    wait_for_comparison(qtbot, window, middle, newest)
    diff = window.diff
    assert diff.position.text() == "change 1 of 2"
    # Side by side: the removed VLAN faces a gap, the new NTP server faces one on the left.
    old_lines = diff.old_view.toPlainText().split("\n")
    new_lines = diff.new_view.toPlainText().split("\n")
    removed = old_lines.index("vlan 20")
    assert new_lines[removed] == ""
    added = new_lines.index("ntp server 192.0.2.10")
    assert old_lines[added] == ""
    old_colours, new_colours = line_backgrounds(diff.old_view), line_backgrounds(diff.new_view)
    assert old_colours[removed] != new_colours[removed]  # removed vs gap
    assert set(old_colours) == {removed, removed + 1, added}
    assert set(new_colours) == {removed, removed + 1, added}

    # The oldest snapshot has nothing before it.
    window.history.selectRow(2)
    qtbot.waitUntil(lambda: diff.comparison is None and window.viewer.toPlainText() == V1)
    assert diff.caption.text() == "The first snapshot: nothing earlier to compare."
    assert diff.position.text() == ""


def test_any_two_snapshots_compare_in_both_modes(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V2, V3])
    window = open_detail(qtbot, run_async, app_ctx)
    newest, _, oldest = (e.snapshot for e in window.model.rows)
    select_rows(window, 2, 0)
    wait_for_comparison(qtbot, window, oldest, newest)
    diff = window.diff
    assert diff.position.text() == "change 1 of 3"
    old_lines = diff.old_view.toPlainText().split("\n")
    new_lines = diff.new_view.toPlainText().split("\n")
    changed = old_lines.index(" shutdown")
    assert new_lines[changed] == " no shutdown"

    window.tabs.setCurrentWidget(diff)
    qtbot.mouseClick(diff.mode, Qt.MouseButton.LeftButton)
    assert diff.stack.currentWidget() is diff.unified_view
    unified = diff.unified_view.toPlainText().split("\n")
    for line in (
        "-vlan 20",
        "- name voice",
        "- shutdown",
        "+ no shutdown",
        "+ntp server 192.0.2.10",
    ):
        assert line in unified
    colours = line_backgrounds(diff.unified_view)
    assert colours[unified.index("- shutdown")] != colours[unified.index("+ no shutdown")]
    assert unified.index("  name users") not in colours  # context is not coloured
    assert diff.position.text() == "change 1 of 3"


def test_a_secret_only_change_is_marked_not_shown(qtbot, run_async, app_ctx):
    key = MaskKey(b"\7" * 32)
    raw = V1.replace("community <removed> RO", "community {} RO")
    cleaned = [clean(raw.format(c), profile_for("cisco_ios")) for c in ("Comm-A-1", "Comm-B-2")]
    assert cleaned[0].text == cleaned[1].text == V1
    device_with_configs(
        app_ctx.db, "r1", [c.text for c in cleaned], prints=[fingerprints(c, key) for c in cleaned]
    )
    window = open_detail(qtbot, run_async, app_ctx)
    newest, oldest = (e.snapshot for e in window.model.rows)
    wait_for_comparison(qtbot, window, oldest, newest)
    diff = window.diff
    assert diff.position.text() == "change 1 of 1"
    line = "snmp-server community <removed> RO"
    old_lines = diff.old_view.toPlainText().split("\n")
    new_lines = diff.new_view.toPlainText().split("\n")
    number = old_lines.index(line)
    assert new_lines[number] == line + SECRET_CHANGED
    old_colours, new_colours = line_backgrounds(diff.old_view), line_backgrounds(diff.new_view)
    assert old_colours == new_colours == {number: old_colours[number]}

    diff.set_side_by_side(False)
    unified = diff.unified_view.toPlainText().split("\n")
    assert f"-{line}" in unified
    assert f"+{line}{SECRET_CHANGED}" in unified
    assert "Comm-" not in diff.unified_text() + diff.new_view.toPlainText()


def test_next_and_previous_move_between_changes(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V3])
    window = open_detail(qtbot, run_async, app_ctx)
    newest, oldest = (e.snapshot for e in window.model.rows)
    wait_for_comparison(qtbot, window, oldest, newest)
    window.activateWindow()
    qtbot.waitActive(window)
    diff = window.diff
    stops = diff.alignment.changes
    assert len(stops) == 3
    assert window.tabs.currentWidget() is window.viewer
    qtbot.keyClick(window.history, Qt.Key.Key_F7)  # from anywhere in the window
    assert window.tabs.currentWidget() is diff
    assert diff.new_view.textCursor().blockNumber() == stops[1]
    assert diff.position.text() == "change 2 of 3"
    qtbot.keyClick(window.history, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert diff.new_view.textCursor().blockNumber() == stops[2]
    assert diff.old_view.textCursor().blockNumber() == stops[2]
    assert not diff.next_action.isEnabled()  # the last change
    qtbot.keyClick(window.history, Qt.Key.Key_F7, Qt.KeyboardModifier.ShiftModifier)
    assert diff.new_view.textCursor().blockNumber() == stops[1]

    diff.set_side_by_side(False)
    unified = diff.unified_view.toPlainText().split("\n")
    assert unified[diff.unified_view.textCursor().blockNumber()] == "- shutdown"
    qtbot.mouseClick(_button(diff, "Previous change"), Qt.MouseButton.LeftButton)
    assert unified[diff.unified_view.textCursor().blockNumber()] == "-vlan 20"
    assert diff.position.text() == "change 1 of 3"
    assert not diff.previous_action.isEnabled()


def _button(widget: QtWidgets.QWidget, name: str) -> QtWidgets.QToolButton:
    (button,) = [
        b for b in widget.findChildren(QtWidgets.QToolButton) if b.accessibleName() == name
    ]
    return button


def test_copy_and_save_take_the_shown_config_or_the_unified_diff(
    qtbot, run_async, app_ctx, tmp_path, monkeypatch
):
    # A non-breaking space, which the text editor shows as a plain one: saved as stored.
    newer = V2.replace("description uplink", "description uplink\u00a0to core")
    device_with_configs(app_ctx.db, "r1", [V1, newer])
    window = open_detail(qtbot, run_async, app_ctx)
    newest, oldest = (e.snapshot for e in window.model.rows)
    wait_for_comparison(qtbot, window, oldest, newest)
    qtbot.waitUntil(lambda: "uplink to core" in window.viewer.toPlainText())
    # The native save dialog is modal and cannot be driven headless: answer it here.
    asked = []
    target = tmp_path / "out" / "saved.txt"
    target.parent.mkdir()

    def answer(parent, caption, suggested, filters):
        asked.append(suggested)
        return str(target), filters.split(";;")[0]

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", answer)
    window.save_action.trigger()
    assert target.read_bytes() == newer.encode()
    if os.name == "posix":  # a configuration is its owner's to read
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert asked[0].startswith("r1-")
    assert asked[0].endswith(".cfg")
    assert window.statusBar().currentMessage() == f"Saved the configuration to {target}"
    window.copy_action.trigger()
    assert QtWidgets.QApplication.clipboard().text() == newer

    window.tabs.setCurrentWidget(window.diff)
    window.save_action.trigger()
    with app_ctx.db.read_session() as s:
        expected = backups.diff(s, "r1")
    assert target.read_text(encoding="utf-8") == expected
    assert "+ no shutdown\n" in expected
    assert asked[1].endswith(".diff")
    window.copy_action.trigger()
    assert QtWidgets.QApplication.clipboard().text() == expected


def test_splitters_history_columns_and_mode_persist(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V2])
    first = open_detail(qtbot, run_async, app_ctx)
    first.splitter.setSizes([300, 800])
    first.history.setColumnWidth(HistoryModel.COL_RUN, 222)
    first.diff.mode.setChecked(False)
    sizes = first.splitter.sizes()
    first.close()

    again = open_detail(qtbot, run_async, app_ctx)
    assert again.splitter.sizes() == sizes
    assert again.history.columnWidth(HistoryModel.COL_RUN) == 222
    assert again.diff.stack.currentWidget() is again.diff.unified_view


def test_a_device_without_backups_says_so(qtbot, run_async, app_ctx):
    with app_ctx.db.session() as s:
        devices.create_device(s, name="new1", host="10.0.0.9", platform="juniper_junos")
    window = open_detail(qtbot, run_async, app_ctx, "new1")
    assert window.model.rowCount() == 0
    assert window.header.values["Last backup"].text() == "never"
    assert window.diff.caption.text() == "No backup of this device yet."


# The offscreen platform cannot stack windows; raising the open one is harmless there.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_device_opened_opens_one_window_per_device(qtbot, run_async, app_ctx):
    device_with_configs(app_ctx.db, "r1", [V1, V2])
    device_with_configs(app_ctx.db, "r2", [V1])
    main = MainWindow(app_ctx)
    qtbot.addWidget(main)
    run_async(main.load())
    try:
        app_ctx.events.device_opened.emit("r1")
        detail = main.details["r1"]
        qtbot.addWidget(detail)
        assert detail.isVisible()
        qtbot.waitUntil(lambda: detail.viewer.toPlainText() == V2)
        app_ctx.events.device_opened.emit("R1")  # the same device: raised, not opened twice
        app_ctx.events.device_opened.emit("r2")
        qtbot.addWidget(main.details["r2"])
        assert main.details["r1"] is detail
        assert sorted(main.details) == ["r1", "r2"]
        qtbot.waitUntil(lambda: main.details["r2"].viewer.toPlainText() == V1)
        detail.close()
        assert sorted(main.details) == ["r2"]
        app_ctx.events.device_opened.emit("r1")
        assert main.details["r1"] is not detail  # a closed window is opened afresh
        qtbot.addWidget(main.details["r1"])
        main.close()
        assert main.details == {}  # the main window closes its detail windows
    finally:
        run_async(main.shutdown())


def test_a_selection_changed_while_its_text_arrives_never_draws_its_diff(
    qtbot, run_async, app_ctx, monkeypatch
):
    """A configuration arrives over several turns of the loop; a snapshot picked meanwhile
    wins, and the superseded one's diff (three more documents) is never drawn."""
    padding = "".join(f"interface Gi1/0/{n}\n description port {n}\n" for n in range(400))
    texts = [padding + V1, padding + V2, padding + V3]
    device_with_configs(app_ctx.db, "r1", texts)
    window = open_detail(qtbot, run_async, app_ctx)
    newest, middle, _ = (e.snapshot for e in window.model.rows)
    wait_for_comparison(qtbot, window, middle, newest)
    window.history.selectRow(2)
    qtbot.waitUntil(lambda: window.diff.comparison is None)

    drawn = []
    show, steps = DiffView.show, TextView.text_steps

    async def recorded_show(diff, prepared, note=""):
        drawn.append(prepared.comparison.newer.id if prepared else None)
        await show(diff, prepared, note)

    def picking_the_newest_midway(view, text, *args, **kwargs):
        for number, step in enumerate(steps(view, text, *args, **kwargs)):
            if view is window.viewer and text == texts[1] and number == 0:
                window.history.selectRow(0)  # the user picks another snapshot meanwhile
            yield step

    monkeypatch.setattr(DiffView, "show", recorded_show)
    monkeypatch.setattr(TextView, "text_steps", picking_the_newest_midway)
    window.history.selectRow(1)
    wait_for_comparison(qtbot, window, middle, newest)
    qtbot.waitUntil(lambda: window.viewer.toPlainText() == texts[2])

    assert drawn == [newest.id]
