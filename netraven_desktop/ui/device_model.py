"""The device table's model: pages rows from the database, so 100,000 devices stay instant.

Search, filters and sorting run in the database. The model knows how many rows match and
tells Qt that many, but holds only the pages of rows Qt has asked to show: a row not yet
loaded shows blank while its page loads. So Ctrl+End or dragging the scrollbar to the end
loads the last page alone, not every page before it. A page right after a loaded one
continues from that page's last row (a keyset query); any other is read by offset. Every
load carries a generation number: rows of a query the user has since changed are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.services import devices
from ..core.services.devices import DeviceFilters, DeviceRow
from .context import AppContext
from .qt import QtCore, QtGui, Signal
from .table_model import RowsModel

NAME_ROLE = QtCore.Qt.ItemDataRole.UserRole + 10  # the device name of a row
ID_ROLE = QtCore.Qt.ItemDataRole.UserRole + 11  # the device id (uuid.UUID) of a row

PAGE_SIZE = 200
FAILED_COLOR = QtGui.QColor("#c62828")


@dataclass(frozen=True)
class DeviceQuery:
    """What the table shows: a search text, exact filters and a sort order."""

    search: str = ""
    filters: DeviceFilters = field(default_factory=lambda: DeviceFilters())
    sort: str = "name"
    descending: bool = False

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for `services.devices.list_device_rows` / `count_devices`."""
        return {"search": self.search or None, **self.filters}


def _when(row: DeviceRow) -> str:
    return "" if row.last_backup_at is None else f"{row.last_backup_at.astimezone():%Y-%m-%d %H:%M}"


# (header, cell text) and, column by column, its sort key in crud.devices.SORTABLE or None
COLUMNS: tuple[tuple[str, Callable[[DeviceRow], str]], ...] = (
    ("Name", lambda r: r.name),
    ("Host", lambda r: r.host if r.port == 22 else f"{r.host}:{r.port}"),
    ("Platform", lambda r: r.platform),
    ("Site", lambda r: r.site or ""),
    ("Role", lambda r: r.role or ""),
    ("Tags", lambda r: ", ".join(r.tags)),
    ("Last backup", lambda r: r.last_backup_status),
    ("Backed up at", _when),
)
SORT_KEYS: tuple[str | None, ...] = (
    "name",
    "host",
    "platform",
    "site",
    "role",
    None,
    "last_backup_status",
    "last_backup_at",
)
(
    COL_NAME,
    COL_HOST,
    COL_PLATFORM,
    COL_SITE,
    COL_ROLE,
    COL_TAGS,
    COL_STATUS,
    COL_BACKED_UP_AT,
) = range(len(COLUMNS))


class DeviceModel(RowsModel[DeviceRow]):
    """Rows of live devices matching `query`, loaded a page at a time as they are shown
    (`pages`, by number; `RowsModel.rows` stays unused)."""

    COLUMNS = COLUMNS  # the module's, for RowsModel's headers and cells
    loaded = Signal()  # a new query's first page is in (the count labels may change)
    page_loaded = Signal(int)  # a page (by number) of the current query is in

    def __init__(self, ctx: AppContext, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.query = DeviceQuery()
        self.matching = 0  # devices matching the query
        self.inventory = 0  # live devices in all
        self.pages: dict[int, list[DeviceRow]] = {}
        self._loading: set[int] = set()  # page numbers being read
        self._generation = 0  # of the latest query asked for
        self._shown = 0  # of the query whose rows the model holds

    # --- loading ---------------------------------------------------------------------

    async def set_query(self, query: DeviceQuery) -> None:
        """Show `query`'s first page (a later call wins over one still running)."""
        self.query = query
        await self.reload()

    async def reload(self) -> None:
        """Reload the first page of the current query (after an edit, or on show)."""
        self._generation += 1
        generation, query = self._generation, self.query
        async with self.ctx.db.async_read_session() as session:
            matching = await devices.count_devices(session, **query.arguments())
            filtered = any(value is not None for value in query.arguments().values())
            inventory = await devices.count_devices(session) if filtered else matching
            rows = await devices.list_device_rows(
                session,
                sort=query.sort,
                descending=query.descending,
                limit=PAGE_SIZE,
                **query.arguments(),
            )
        if generation != self._generation:
            return
        self.beginResetModel()
        self.pages = {0: rows}
        # Rows past the first page exist only if the first page is full: a count taken
        # before a concurrent delete must not promise rows that never arrive.
        self.matching = matching if len(rows) == PAGE_SIZE else len(rows)
        self.inventory = inventory
        self._loading, self._shown = set(), generation
        self.endResetModel()
        self.loaded.emit()

    def _want(self, number: int) -> None:
        """Start loading page `number` unless it is loaded or on its way, or a new query
        is loading (its first page resets the model and what is shown asks again)."""
        if number in self.pages or number in self._loading or self._shown != self._generation:
            return
        self._loading.add(number)
        self.ctx.spawn(self._fetch_page(self._generation, number))

    async def _fetch_page(self, generation: int, number: int) -> None:
        """Load page `number`: after the page before it if that is in, else by offset."""
        query = self.query
        before = self.pages.get(number - 1)
        position: dict[str, Any] = (
            {"after": before[-1].id}
            if before and len(before) == PAGE_SIZE
            else {"offset": number * PAGE_SIZE}
        )
        try:
            async with self.ctx.db.async_read_session() as session:
                rows = await devices.list_device_rows(
                    session,
                    sort=query.sort,
                    descending=query.descending,
                    limit=PAGE_SIZE,
                    **position,
                    **query.arguments(),
                )
        finally:
            if generation == self._generation:
                self._loading.discard(number)
        if generation != self._generation:
            return
        self.pages[number] = rows
        first = number * PAGE_SIZE
        last = min(first + PAGE_SIZE, self.matching) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(number)

    async def fetch_all(self) -> None:
        """Load every matching row: the worst case for memory (see tests/bench)."""
        generation = self._generation
        for number in range(1, -(-self.matching // PAGE_SIZE)):
            if number not in self.pages:
                await self._fetch_page(generation, number)

    # --- Qt's model interface ---------------------------------------------------------

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.matching

    def row_at(self, index: QtCore.QModelIndex) -> DeviceRow | None:
        """The row behind `index`, or None while its page loads (which this starts)."""
        if not index.isValid() or not 0 <= index.row() < self.matching:
            return None
        number, within = divmod(index.row(), PAGE_SIZE)
        page = self.pages.get(number)
        if page is None:
            self._want(number)
            return None
        return page[within] if within < len(page) else None

    def data(
        self, index: QtCore.QModelIndex, role: int = QtCore.Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The rows' text as `RowsModel` gives it, with the device's own roles and colours."""
        row = self.row_at(index)
        if row is None:
            return None
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and index.column() == COL_NAME:
            return row.description or row.name
        if role == QtCore.Qt.ItemDataRole.ForegroundRole and not row.enabled:
            return QtGui.QColor(QtCore.Qt.GlobalColor.gray)
        if (
            role == QtCore.Qt.ItemDataRole.ForegroundRole
            and index.column() == COL_STATUS
            and row.last_backup_status == "failed"
        ):
            return FAILED_COLOR
        if role == NAME_ROLE:
            return row.name
        if role == ID_ROLE:
            return row.id
        return super().data(index, role)

    def sort(
        self, column: int, order: QtCore.Qt.SortOrder = QtCore.Qt.SortOrder.AscendingOrder
    ) -> None:
        """Sort in the database; a column without a sort key (Tags) keeps the order."""
        if not 0 <= column < len(SORT_KEYS) or SORT_KEYS[column] is None:
            return
        query = replace(
            self.query,
            sort=SORT_KEYS[column],
            descending=order == QtCore.Qt.SortOrder.DescendingOrder,
        )
        if query != self.query:
            self.ctx.spawn(self.set_query(query))
