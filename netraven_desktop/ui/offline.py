"""Offline work in the window: the replica of a team database, its badge, sync, conflicts.

The core does the work (`core.offline`); it is synchronous, so every call runs off the UI
thread. A window on a replica is an ordinary window whose `Database` has `replica_of`
set: the views edit it as usual and each edit is queued there automatically.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from ..core import offline
from ..core.db import Database, DatabaseURL
from ..core.services import auth
from .context import AppContext
from .login import signed_in
from .qt import QLabel, QtWidgets

log = logging.getLogger(__name__)

REFRESH_SECONDS = 300  # how often an online window refreshes its team database's replica
WATCH_SECONDS = 5.0  # how soon an online window notices that its team database went away


def local_time(moment: datetime | None) -> str:
    return "never" if moment is None else f"{moment.astimezone():%Y-%m-%d %H:%M}"


def _pulled_at(team: DatabaseURL) -> datetime | None:
    """When the replica of `team` was last refreshed; None when there is none to work on."""
    if team.is_sqlite or not offline.replica_path(team).exists():
        return None
    replica = offline.open_replica(team)
    try:
        return offline.replica_state(replica).pulled_at
    finally:
        replica.close()


async def replica_pulled_at(team: DatabaseURL) -> datetime | None:
    return await asyncio.to_thread(_pulled_at, team)


async def open_replica(team: DatabaseURL) -> Database:
    """The replica to reopen the window on (the caller's window closes the team one)."""
    return await asyncio.to_thread(offline.open_replica, team)


async def refresh(team: Database) -> offline.PullReport:
    """Pull the team database into its replica (created on first use)."""

    def pull() -> offline.PullReport:
        replica = offline.open_replica(team.url)
        try:
            return offline.pull(team, replica)
        finally:
            replica.close()

    pulling = asyncio.ensure_future(asyncio.to_thread(pull))
    try:
        return await asyncio.shield(pulling)
    except asyncio.CancelledError:
        # The window is closing: let the pull end, so its connections are back in the
        # pool before the team database's engine is disposed.
        await asyncio.wait({pulling})
        raise


async def refresh_forever(team: Database, every: float) -> None:
    """Keep the replica fresh while online, so going offline loses little; a failed
    refresh is logged and retried next time (the user is not working on the replica)."""
    while True:
        try:
            report = await refresh(team)
            log.info("replica of %s refreshed: %d rows", team.url.display(), report.total)
        except Exception:
            log.warning("replica refresh of %s failed", team.url.display(), exc_info=True)
        await asyncio.sleep(every)


async def wait_until_unreachable(team: Database, every: float) -> None:
    """Return once the team database fails to answer a trivial query within `every`
    seconds; asked every `every` seconds."""
    while True:
        if not await team.answers(every):
            return
        await asyncio.sleep(every)


async def sign_in_offline(ctx: AppContext) -> bool:
    """Offline work in team mode is open to the user who last synced, while their
    sign-in is kept in this keyring (`offline.may_work_offline`, as the CLI's `--offline`)."""
    assert ctx.db.replica_of is not None
    state = await asyncio.to_thread(offline.replica_state, ctx.db)
    if state.actor is None:
        return True
    team = Database(ctx.db.replica_of)
    if not await asyncio.to_thread(offline.may_work_offline, state, team, ctx.secrets):
        return False
    signed_in(ctx, state.actor, state.role or "viewer")
    return True


async def sync(ctx: AppContext) -> offline.SyncReport:
    """Push the replica's queued edits to the team database and pull it back.

    Raises DatabaseUnavailableError while the team database is still out of reach.
    """
    replica = ctx.db
    assert replica.replica_of is not None
    team = Database(replica.replica_of)
    try:
        if ctx.user is not None:
            user = await asyncio.to_thread(auth.resume_kept_session, team, ctx.secrets, ctx.user)
            if user is None:
                raise auth.no_open_session(ctx.user)
            team.act_as(user.username, user.role)
        return await asyncio.to_thread(offline.sync, team, replica)
    finally:
        await team.aclose()


class OfflineBadge(QLabel):
    """The status bar's unmistakable sign that edits go to the replica, not the team."""

    STYLE = "background: %s; color: #000; font-weight: bold; padding: 2px 8px"

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Offline status")

    def show_status(self, status: offline.OfflineStatus) -> None:
        """Amber while edits just wait; red while some need a choice (a conflict)."""
        text = f"OFFLINE — changes are queued ({status.queued})"
        if status.conflicts:
            text += f", {status.conflicts} in conflict"
        self.setText(text)
        self.setStyleSheet(self.STYLE % ("#e05050" if status.conflicts else "#f0a020"))


class ConflictsDialog(QtWidgets.QDialog):
    """Edits the team database could not take as they are: pick mine or theirs, per edit.

    A choice is recorded in the replica's outbox (`offline.resolve`); "Sync again" pushes
    it. The window owns syncing, so the dialog only asks for it (`sync_again`).
    """

    def __init__(
        self,
        ctx: AppContext,
        sync_again: Callable[[], Awaitable[None]],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._sync_again = sync_again
        self.conflicts: list[offline.Conflict] = []
        self.setWindowTitle("Offline edits in conflict")
        self.resize(760, 480)
        self.list = self._table("Conflicts", ["Row", "Edit", "By", "Reason"])
        self.list.itemSelectionChanged.connect(self._show_fields)
        self.fields = self._table("Conflicting fields", ["Field", "Base", "Mine", "Theirs"])
        self.keep_mine = QtWidgets.QPushButton("Keep &mine")
        self.take_theirs = QtWidgets.QPushButton("Take &theirs")
        self.sync_button = QtWidgets.QPushButton("&Sync again")
        close = QtWidgets.QPushButton("Close")
        self.keep_mine.clicked.connect(lambda: ctx.spawn(self.choose("mine")))
        self.take_theirs.clicked.connect(lambda: ctx.spawn(self.choose("theirs")))
        self.sync_button.clicked.connect(lambda: ctx.spawn(self._sync_again()))
        close.clicked.connect(self.reject)
        self.message = QLabel()
        self.message.setAccessibleName("Conflict status")
        self.message.setWordWrap(True)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.keep_mine, self.take_theirs):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "These offline edits met other changes on the team database, or the team "
                "refused them (the reason says why). Choose:"
            )
        )
        layout.addWidget(self.list, 1)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._enable()

    @staticmethod
    def _table(name: str, headers: list[str]) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(headers))
        table.setAccessibleName(name)
        table.setHorizontalHeaderLabels(headers)
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        return table

    @staticmethod
    def _fill(table: QtWidgets.QTableWidget, rows: list[list[Any]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                text = "" if value is None else str(value)
                table.setItem(r, c, QtWidgets.QTableWidgetItem(text))
        table.resizeColumnsToContents()

    async def load(self) -> None:
        """Show the conflicts still in the replica's outbox, the first one selected."""
        self.conflicts = await asyncio.to_thread(offline.conflicts, self.ctx.db)
        labels = await asyncio.to_thread(offline.conflict_labels, self.ctx.db, self.conflicts)
        self._fill(
            self.list,
            [[labels[c.edit_id], c.action, c.actor, c.reason] for c in self.conflicts],
        )
        if self.conflicts:
            self.list.selectRow(0)
        else:
            self._show_fields()

    def selected(self) -> offline.Conflict | None:
        rows = self.list.selectionModel().selectedRows()
        return self.conflicts[rows[0].row()] if rows else None

    def _show_fields(self) -> None:
        conflict = self.selected()
        fields = conflict.fields if conflict else {}
        self._fill(
            self.fields,
            [[name, v.get("base"), v.get("mine"), v.get("theirs")] for name, v in fields.items()],
        )
        self._enable()

    def _enable(self) -> None:
        chosen = self.selected() is not None
        self.keep_mine.setEnabled(chosen)
        self.take_theirs.setEnabled(chosen)

    async def choose(self, choice: str) -> None:
        """Settle the selected conflict; the next sync applies the choice."""
        conflict = self.selected()
        if conflict is None:
            return
        await asyncio.to_thread(offline.resolve, self.ctx.db, conflict.edit_id, choice)
        side = "your value" if choice == "mine" else "the server's value"
        self.message.setText(f"{conflict.action}: {side} wins; Sync again to apply it.")
        await self.load()
