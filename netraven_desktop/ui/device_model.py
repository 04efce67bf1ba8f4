"""The device table's model: pages rows from the database, so 100,000 devices stay instant.

Search, filters and sorting run in the database; the model holds only the rows scrolled
into view so far. Qt asks for more rows through `fetchMore`, which is synchronous, so it
schedules the page load and inserts the rows when they arrive. Every load carries a
generation number: rows of a query the user has since changed are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.crud.devices import DeviceFilters, DeviceRow
from ..core.services import devices
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
    """Rows of live devices matching `query`, loaded a page at a time."""

    COLUMNS = COLUMNS  # the module's, for RowsModel's headers and cells
    loaded = Signal()  # a new query's first page is in (the count labels may change)

    def __init__(self, ctx: AppContext, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.query = DeviceQuery()
        self.matching = 0  # devices matching the query
        self.inventory = 0  # live devices in all
        self._generation = 0
        self._fetching = False

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
        self.rows, self.matching, self.inventory = rows, matching, inventory
        self._fetching = False
        self.endResetModel()
        self.loaded.emit()

    def canFetchMore(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and len(self.rows) < self.matching

    def fetchMore(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        self.ctx.spawn(self._fetch_page(self._generation, len(self.rows)))

    async def _fetch_page(self, generation: int, offset: int) -> None:
        """Load the page after row `offset - 1` (continuing after it, not by offset)."""
        query = self.query
        try:
            async with self.ctx.db.async_read_session() as session:
                rows = await devices.list_device_rows(
                    session,
                    sort=query.sort,
                    descending=query.descending,
                    limit=PAGE_SIZE,
                    after=self.rows[offset - 1].id,
                    **query.arguments(),
                )
        finally:
            if generation == self._generation:
                self._fetching = False
        if generation != self._generation or offset != len(self.rows) or not rows:
            return
        self.beginInsertRows(QtCore.QModelIndex(), offset, offset + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    async def fetch_all(self) -> None:
        """Load every matching row: the worst case for memory (see tests/bench)."""
        while len(self.rows) < self.matching:
            before = len(self.rows)
            await self._fetch_page(self._generation, before)
            if len(self.rows) == before:
                return

    # --- Qt's model interface ---------------------------------------------------------

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
