"""What the main window needs from a view: a title, an icon and an async refresh."""

from __future__ import annotations

from typing import ClassVar

from ..context import AppContext
from ..qt import QtWidgets


class Page(QtWidgets.QWidget):
    """One entry of the navigation list. `refresh()` reloads it from the services.

    The window calls `refresh()` when the page is shown and when the inventory changes;
    it must never block (await the services) and may be called while a previous refresh
    is still running (the later one wins).
    """

    title: ClassVar[str]
    icon: ClassVar[str] = "netraven-desktop"  # a name in resources/icons (without .svg)
    admin_only: ClassVar[bool] = False  # hidden from non-admins in team mode

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName(self.title)

    async def refresh(self) -> None:
        """Reload what the page shows."""

    def save_state(self) -> None:
        """Remember column widths, splitters and filters (see `ui.prefs`)."""

    def restore_state(self) -> None:
        """Put back what `save_state` remembered."""
