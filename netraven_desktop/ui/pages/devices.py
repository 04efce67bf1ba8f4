"""The Devices view: the inventory table with search, filters and the device actions.

Search, filters and sorting run in the database (see `device_model`), so the view stays
instant at 100,000 devices. Return or F2 edits the current device; a double-click opens
its history (another view listens to `device_opened`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.orm import Session

from ...core.db.models import BACKUP_STATUSES
from ...core.services import access, devices
from .. import prefs
from ..context import AppContext
from ..device_dialog import device_dialog, tag_dialog
from ..device_model import COL_HOST, COL_NAME, NAME_ROLE, SORT_KEYS, DeviceModel, DeviceQuery
from ..dialogs.device_import import ImportDialog
from ..qt import QMessageBox, Qt, QtCore, QtGui, QtWidgets
from ..wording import plural
from .base import Page

SEARCH_DELAY_MS = 150  # search-as-you-type waits for a pause this long
PREFS_NAME = "devices"


def _plural(count: int) -> str:
    return plural(count, "device")


async def _ready(dialog: QtWidgets.QDialog) -> QtWidgets.QDialog:
    """A dialog that needs nothing loaded first, for `_show_dialog`."""
    return dialog


class DevicesPage(Page):
    title = "Devices"
    icon = "devices"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.model = DeviceModel(ctx, self)
        self.model.loaded.connect(self._show_count)
        self.dialog: QtWidgets.QDialog | None = None  # the open add/edit/tag/import dialog
        self._trashed: list[str] = []  # what the last delete moved to the trash

        self.table = QtWidgets.QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Devices")
        self.table.setToolTip("Return or F2: edit the device. Double-click: open its history.")
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8
        )  # uniform rows: no per-row size hint at 100,000 rows
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(100)
        for column, width in ((COL_NAME, 200), (COL_HOST, 150)):  # until the user resizes
            header.resizeSection(column, width)
        header.setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._keep_sortable_indicator)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._open_history)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("Search name, host, site, role, description")
        self.search.setAccessibleName("Search devices")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QtCore.QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_query)
        self.search.textChanged.connect(self._search_timer.start)
        self.tag_filter = self._filter_combo("Tag filter", "All tags")
        self.platform_filter = self._filter_combo("Platform filter", "All platforms")
        self.site_filter = self._filter_combo("Site filter", "All sites")
        self.status_filter = self._filter_combo("Last backup filter", "Any last backup")
        self._set_choices(self.status_filter, list(BACKUP_STATUSES))
        self.count_label = QtWidgets.QLabel()
        self.count_label.setAccessibleName("Device count")

        self.toolbar = QtWidgets.QToolBar("Device actions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_action = self._action("&Add…", self.add_device, QtGui.QKeySequence.StandardKey.New)
        self.edit_action = self._action("&Edit…", self.edit_device, "F2", "Return", "Enter")
        self.backup_action = self._action("&Back up now", self.back_up, "Ctrl+B")
        self.tag_action = self._action("&Tag…", self.tag_devices)
        self.delete_action = self._action(
            "&Delete…", self.delete_devices, QtGui.QKeySequence.StandardKey.Delete
        )
        self.undo_action = self._action("&Undo delete", self.undo_delete)
        self.undo_action.setEnabled(False)
        self.import_action = self._action("&Import…", self.import_devices)
        # Return and Delete belong to the table: in the search box they edit the text.
        for action in (self.edit_action, self.delete_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        focus_search = QtGui.QAction("Find", self)
        focus_search.setShortcut(QtGui.QKeySequence.StandardKey.Find)
        focus_search.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        focus_search.triggered.connect(self._focus_search)
        self.addAction(focus_search)

        filters = QtWidgets.QHBoxLayout()
        filters.addWidget(self.search, 3)
        for combo in (self.tag_filter, self.platform_filter, self.site_filter, self.status_filter):
            filters.addWidget(combo, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        layout.addWidget(self.count_label)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self._update_actions()

    # --- building ------------------------------------------------------------------

    def _action(
        self, text: str, slot: Callable[[], None], *keys: QtGui.QKeySequence.StandardKey | str
    ) -> QtGui.QAction:
        """A toolbar button that is also in the table's context menu, with its shortcuts."""
        action = QtGui.QAction(text, self)
        action.setShortcuts([QtGui.QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if keys:
            shown = QtGui.QKeySequence(keys[0]).toString(
                QtGui.QKeySequence.SequenceFormat.NativeText
            )
            action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({shown})")
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.table.addAction(action)
        return action

    def _filter_combo(self, name: str, everything: str) -> QtWidgets.QComboBox:
        combo = QtWidgets.QComboBox()
        combo.setAccessibleName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.activated.connect(self.apply_query)
        return combo

    @staticmethod
    def _set_choices(combo: QtWidgets.QComboBox, values: list[str]) -> None:
        """Offer `values`, keeping the current choice (listed even if no device has it)."""
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value in values if current is None or current in values else [*values, current]:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    # --- the query -----------------------------------------------------------------

    def current_query(self) -> DeviceQuery:
        return DeviceQuery(
            search=self.search.text().strip(),
            filters={
                "tag": self.tag_filter.currentData(),
                "platform": self.platform_filter.currentData(),
                "site": self.site_filter.currentData(),
                "status": self.status_filter.currentData(),
            },
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )

    def apply_query(self) -> None:
        self._search_timer.stop()
        self.ctx.spawn(self.model.set_query(self.current_query()))

    async def refresh(self) -> None:
        facets = await self.ctx.ops.read(devices.device_facets, kind=(self, "facets"))
        self._set_choices(self.tag_filter, facets.tags)
        self._set_choices(self.platform_filter, facets.platforms)
        self._set_choices(self.site_filter, facets.sites)
        await self.model.set_query(self.current_query())

    def _show_count(self) -> None:
        model = self.model
        if model.matching == model.inventory:
            self.count_label.setText(_plural(model.inventory))
        else:
            self.count_label.setText(f"{model.matching:,} of {_plural(model.inventory)}")

    def _keep_sortable_indicator(self, column: int, _order: Qt.SortOrder) -> None:
        """Tags cannot be sorted in the database: put the indicator back where it was."""
        if SORT_KEYS[column] is not None:
            return
        query = self.model.query
        current = SORT_KEYS.index(query.sort)
        order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(current, order)
        header.blockSignals(False)

    # --- selection -----------------------------------------------------------------

    def selected_names(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        names = (self.model.index(row, COL_NAME).data(NAME_ROLE) for row in rows)
        return [name for name in names if name is not None]  # None: a row still loading

    def _update_actions(self) -> None:
        count = len(self.table.selectionModel().selectedRows())
        can_edit = access.may(self.ctx.role, "edit")  # the services check it again
        self.add_action.setEnabled(can_edit)
        self.import_action.setEnabled(can_edit)
        self.edit_action.setEnabled(can_edit and count == 1)
        self.tag_action.setEnabled(can_edit and count > 0)
        self.delete_action.setEnabled(can_edit and count > 0)
        self.backup_action.setEnabled(access.may(self.ctx.role, "backup") and count > 0)

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- actions -------------------------------------------------------------------

    def add_device(self) -> None:
        self.ctx.spawn(self._show_dialog(device_dialog(self.ctx, None, self)))

    def edit_device(self) -> None:
        names = self.selected_names()
        if len(names) == 1:
            self.ctx.spawn(self._show_dialog(device_dialog(self.ctx, names[0], self)))

    def tag_devices(self) -> None:
        names = self.selected_names()
        if names:
            self.ctx.spawn(self._show_dialog(tag_dialog(self.ctx, names, self)))

    def import_devices(self) -> None:
        self.ctx.spawn(self._show_dialog(_ready(ImportDialog(self.ctx, self))))

    async def _show_dialog(self, building: Awaitable[QtWidgets.QDialog]) -> None:
        """Open a dialog window-modally without a nested event loop (no exec())."""
        dialog = await building
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._changed)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _changed(self) -> None:
        """The inventory changed here: tell the other views and reload."""
        self.ctx.events.inventory_changed.emit()
        self.ctx.spawn(self.refresh())

    def back_up(self) -> None:
        names = self.selected_names()
        if names:
            self.ctx.events.backup_requested.emit(names)
            self.ctx.report(f"Backup requested for {_plural(len(names))}")

    def confirm(self, question: str) -> bool:
        """Ask yes/no in a modal box (tests stub this: a modal cannot be clicked headless)."""
        answer = QMessageBox.question(
            self, "Delete devices", question, defaultButton=QMessageBox.StandardButton.No
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete_devices(self) -> None:
        names = self.selected_names()
        if not names:
            return
        what = names[0] if len(names) == 1 else _plural(len(names))
        if self.confirm(
            f"Move {what} to the trash?\n\nIts backup history is kept and it can be restored."
        ):
            self.ctx.spawn(self._trash(names))

    async def _trash(self, names: list[str]) -> None:
        await self.ctx.ops.write(_each, devices.remove_device, names)  # all or nothing
        self._trashed = names
        self.undo_action.setEnabled(True)
        example = names[0] if len(names) == 1 else "NAME"
        self.ctx.report(
            f"Moved {_plural(len(names))} to the trash — Undo delete, or "
            f"`netraven-desktop device restore {example}`"
        )
        self._changed()

    def undo_delete(self) -> None:
        if self._trashed:
            self.ctx.spawn(self._restore(self._trashed))

    async def _restore(self, names: list[str]) -> None:
        await self.ctx.ops.write(_each, devices.restore_device, names)
        self._trashed = []
        self.undo_action.setEnabled(False)
        self.ctx.report(f"Restored {_plural(len(names))} from the trash")
        self._changed()

    def _open_history(self, index: QtCore.QModelIndex) -> None:
        name = index.siblingAtColumn(COL_NAME).data(NAME_ROLE)
        if name is not None:
            self.ctx.events.device_opened.emit(name)

    # --- preferences ---------------------------------------------------------------

    def save_state(self) -> None:
        prefs.save_header(self.ctx.prefs, self.ctx.user, PREFS_NAME, self.table)

    def restore_state(self) -> None:
        prefs.restore_header(self.ctx.prefs, self.ctx.user, PREFS_NAME, self.table)
        header = self.table.horizontalHeader()
        column = header.sortIndicatorSection()
        if 0 <= column < len(SORT_KEYS) and SORT_KEYS[column] is not None:
            descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
            self.model.query = DeviceQuery(sort=SORT_KEYS[column], descending=descending)


def _each(session: Session, change: Callable[[Session, str], object], names: list[str]) -> None:
    """`change` every device of `names` in the caller's one transaction."""
    for name in names:
        change(session, name)
