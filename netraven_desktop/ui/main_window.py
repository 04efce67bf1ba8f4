"""The main window: navigation on the left, one page per view, status bar at the bottom.

The window owns the scheduler (its runs show in the Jobs view) and the tray icon; the
pages own everything else. Pages
talk to each other only through `ctx.events`.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime
from pathlib import Path

from ..core import diagnostics, offline
from ..core.db import DatabaseURL
from ..core.db.models import Job
from ..core.db.schema import prepare_async
from ..core.errors import AuthenticationError, DatabaseUnavailableError, NetRavenError
from ..core.services import access
from ..core.services import sign_in as member_sign_in
from ..core.services.access import team_mode
from ..core.services.auth import end_session
from ..core.services.scheduler import Scheduler
from ..core.session_tokens import forget_password, forget_token
from . import offline as offline_ui
from . import prefs
from .connections import choose_database
from .context import AppContext
from .crash import open_log_folder
from .device_detail import DeviceDetail
from .export_dialog import ExportDialog
from .icons import icon
from .login import sign_in
from .ops import BusyIndicator
from .pages import Page
from .pages.audit import AuditPage
from .pages.collectors import CollectorsPage
from .pages.credentials import CredentialsPage
from .pages.dashboard import DashboardPage
from .pages.devices import DevicesPage
from .pages.jobs import JobsPage
from .pages.notifications import NotificationsPage
from .pages.search import SearchPage
from .pages.settings import SettingsPage
from .pages.users import UsersPage
from .qt import (
    QCloseEvent,
    QLabel,
    QMainWindow,
    Qt,
    QtCore,
    QtGui,
    QtWidgets,
    QVBoxLayout,
    Signal,
)
from .tray import Tray

PAGES: list[type[Page]] = [
    DashboardPage,
    DevicesPage,
    JobsPage,
    CollectorsPage,
    SearchPage,
    CredentialsPage,
    UsersPage,
    AuditPage,
    NotificationsPage,
    SettingsPage,
]


class MainWindow(QMainWindow):
    closed = Signal()
    # Close this window and open one on a DatabaseURL, or on a replica `Database` (offline).
    reopen = Signal(object)

    def __init__(self, ctx: AppContext, notice: str = "") -> None:
        """`notice`: what the previous window did last (a sync), shown once loaded."""
        super().__init__()
        self.ctx = ctx
        self.notice = notice
        self.handover = ""  # the notice for the window that replaces this one
        ctx.report = self._report
        self.setWindowTitle("NetRaven Desktop")
        self.setWindowIcon(icon("netraven-desktop"))
        self.resize(1200, 760)

        self.nav = QtWidgets.QListWidget()
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(QtCore.QSize(20, 20))
        self.nav.setFixedWidth(190)
        self.stack = QtWidgets.QStackedWidget()
        self.pages: dict[type[Page], Page] = {}
        central = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_page)

        team_url = ctx.db.replica_of
        self.database_label = QLabel(
            f"Database: offline copy of {team_url.display()}"
            if team_url
            else f"Database: {ctx.db.url.display()}"
        )
        self.database_label.setAccessibleName("Current database")
        self.user_label = QLabel()
        self.user_label.setAccessibleName("Signed-in user")
        self._describe_user()
        self.statusBar().addPermanentWidget(BusyIndicator(ctx.ops))
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.database_label)
        self._build_menus()

        self.tray = Tray(self, ctx)
        ctx.events.run_finished.connect(self.tray.run_finished)
        ctx.events.inventory_changed.connect(self._refresh_current)
        self.details: dict[str, DeviceDetail] = {}  # open detail windows by folded name
        ctx.events.device_opened.connect(self.open_device)
        ctx.events.backup_requested.connect(self._back_up)
        self._scheduler_task: asyncio.Future[None] | None = None  # started by load()
        self._refresh_task: asyncio.Future[None] | None = None  # the replica's, online
        self.offline_badge = offline_ui.OfflineBadge()
        self.offline_badge.hide()
        self.statusBar().insertPermanentWidget(0, self.offline_badge)
        self.conflicts_dialog: offline_ui.ConflictsDialog | None = None
        self.problem: QLabel | None = None  # why the database cannot be used
        self.offline_button: QtWidgets.QPushButton | None = None  # ... and its replica

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_action = file_menu.addAction("&Open database…")
        open_action.setShortcut(QtGui.QKeySequence.StandardKey.Open)
        open_action.triggered.connect(lambda: self.ctx.spawn(self.open_database()))
        export_action = file_menu.addAction("&Export configurations…")
        export_action.triggered.connect(self.export_configs)
        self.sign_out_action = file_menu.addAction("Sign &out")
        self.sign_out_action.setEnabled(False)
        self.sign_out_action.triggered.connect(lambda: self.ctx.spawn(self.sign_out()))
        file_menu.addSeparator()
        self.work_offline_action = file_menu.addAction("Work o&ffline")
        self.work_offline_action.setVisible(False)
        self.work_offline_action.triggered.connect(lambda: self.ctx.spawn(self.work_offline()))
        self.go_online_action = file_menu.addAction("&Go online and sync")
        self.go_online_action.setVisible(False)
        self.go_online_action.triggered.connect(lambda: self.ctx.spawn(self.go_online()))
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        view_menu = self.menuBar().addMenu("&View")
        refresh = view_menu.addAction("&Refresh")
        refresh.setShortcut(QtGui.QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self._refresh_current)
        help_menu = self.menuBar().addMenu("&Help")
        self.diagnostics_action = help_menu.addAction("Save &diagnostics…")
        self.diagnostics_action.triggered.connect(self.save_diagnostics)
        help_menu.addAction("Open &log folder").triggered.connect(open_log_folder)

    def save_diagnostics(self) -> None:
        """Ask where, then write the bug-report zip (core.diagnostics) in a worker."""
        suggested = Path.home() / f"netraven-diagnostics-{date.today():%Y%m%d}.zip"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save diagnostics", str(suggested), "Zip archives (*.zip)"
        )
        if path:
            self.ctx.spawn(self._save_diagnostics(Path(path)))

    async def _save_diagnostics(self, path: Path) -> None:
        keyring = await self.ctx.ops.blocking(diagnostics.keyring_name, self.ctx.secrets)
        team = self.ctx.db.replica_of
        await self.ctx.ops.read(
            diagnostics.write_diagnostics,
            path,
            database=f"offline copy of {team.display()}" if team else self.ctx.db.url.display(),
            keyring=keyring,
            extra={"qt": QtCore.qVersion(), "qt_platform": QtGui.QGuiApplication.platformName()},
        )
        self.statusBar().showMessage(f"Saved diagnostics to {path}", 15_000)

    async def open_database(self) -> None:
        url = await choose_database(self.ctx, self)
        if url is not None:
            self.reopen.emit(url)

    def export_configs(self) -> ExportDialog:
        dialog = ExportDialog(self.ctx, self)
        dialog.open()
        return dialog

    async def sign_out(self) -> None:
        """End the team session (here and for the CLI) and ask who signs in next."""
        user = self.ctx.user
        if user is None:
            return
        team = self.ctx.db.login_of
        if team is not None:  # a member's own login: audited, then forgotten here only
            with contextlib.suppress(NetRavenError):
                await self.ctx.ops.blocking(member_sign_in.sign_out, self.ctx.db)
            await self.ctx.ops.blocking(forget_password, self.ctx.secrets, team, user)
            self.reopen.emit(team)
            return
        await self.ctx.ops.blocking(end_session, self.ctx.db, user)
        await self.ctx.ops.blocking(forget_token, self.ctx.secrets, self.ctx.db, user)
        self.reopen.emit(self.ctx.db.url)

    def _report(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    async def load(self) -> None:
        """Open (and, for a personal file, migrate) the database, then build the pages.

        Every database call is awaited on the async engine: the window never blocks.
        """
        try:
            await prepare_async(self.ctx.db)
            async with self.ctx.db.async_read_session() as session:
                team = await session.run_sync(team_mode)
        except AuthenticationError:
            # The server wants a member's own login before anything: sign in first.
            team = not self.ctx.db.url.is_sqlite
            if not team:
                raise
        except DatabaseUnavailableError as exc:
            self._unavailable(str(exc), await offline_ui.replica_pulled_at(self.ctx.db.url))
            return
        except NetRavenError as exc:
            self._unavailable(str(exc))
            return
        replica = self.ctx.db.replica_of is not None
        if team and self.ctx.user is None:
            if replica and not await offline_ui.sign_in_offline(self.ctx):
                self._unavailable(
                    "Offline work on this team database is open to the user who last synced, "
                    "while their login session is kept on this computer."
                )
                return
            if not replica and not await sign_in(self.ctx, self):
                self._unavailable(
                    "This database is in team mode: sign in to use it (File → Open database…)."
                )
                return
            if self.ctx.db.login_of is not None:
                try:  # over the member's own login now
                    await prepare_async(self.ctx.db)
                except NetRavenError as exc:
                    self._unavailable(str(exc))
                    return
        self._describe_user()
        self.sign_out_action.setEnabled(self.ctx.user is not None)
        for page_type in PAGES:
            if page_type.admin_only and not access.may(self.ctx.role, "admin"):
                continue
            page = page_type(self.ctx)
            self.pages[page_type] = page
            self.stack.addWidget(page)
            item = QtWidgets.QListWidgetItem(icon(page.icon), page.title)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, page.title)
            self.nav.addItem(item)
            page.restore_state()
        self._restore_geometry()
        self.nav.setCurrentRow(0)
        if replica:
            await self._show_offline()
        elif not self.ctx.db.url.is_sqlite:
            self.work_offline_action.setVisible(True)
            if offline.replica_path(self.ctx.db.url).exists():
                self._refresh_task = asyncio.ensure_future(self._stay_in_touch())
        self.statusBar().showMessage(self.notice or "Ready")
        self.scheduler = Scheduler(self.ctx.db, self.run_job)
        self._scheduler_task = asyncio.ensure_future(self.scheduler.run_forever())

    def _unavailable(self, reason: str, copy_from: datetime | None = None) -> None:
        """Say why the database cannot be used; offer its replica when there is one."""
        message = QLabel(reason)
        message.setWordWrap(True)
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message.setAccessibleName("Database problem")
        problem = QtWidgets.QWidget()
        layout = QVBoxLayout(problem)
        layout.addStretch(1)
        layout.addWidget(message)
        if copy_from is not None:
            self.offline_button = QtWidgets.QPushButton(
                f"Work offline on the copy from {offline_ui.local_time(copy_from)}"
            )
            self.offline_button.clicked.connect(lambda: self.ctx.spawn(self.open_offline()))
            layout.addWidget(self.offline_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        self.problem = message
        self.stack.addWidget(problem)
        self.stack.setCurrentWidget(problem)
        self.statusBar().showMessage("Database unavailable")

    # --- offline work (core.offline) ---------------------------------------------------

    async def _stay_in_touch(self) -> None:
        """While online: refresh the replica now and then, and switch to it within
        seconds when the team database stops answering."""
        refreshing = asyncio.ensure_future(
            offline_ui.refresh_forever(self.ctx.db, offline_ui.REFRESH_SECONDS)
        )
        try:
            await offline_ui.wait_until_unreachable(self.ctx.db, offline_ui.WATCH_SECONDS)
        finally:
            refreshing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refreshing
        copy_from = await offline_ui.replica_pulled_at(self._team_url())
        self.handover = (
            "The team database stopped answering: working offline on the copy from "
            f"{offline_ui.local_time(copy_from)}"
        )
        await self.open_offline()

    async def open_offline(self) -> None:
        """Reopen the window on the team database's replica: edits are queued there."""
        self.reopen.emit(await offline_ui.open_replica(self._team_url()))

    async def work_offline(self) -> None:
        """Refresh the replica first (the team database answered at load), then use it."""
        self.statusBar().showMessage("Refreshing the offline copy…")
        await offline_ui.refresh(self.ctx.db)
        await self.open_offline()

    async def go_online(self) -> None:
        """Push what was queued offline; back to the team database once nothing conflicts.

        While the team database is out of reach the window stays offline and says why.
        """
        self.go_online_action.setEnabled(False)
        self.statusBar().showMessage("Syncing with the team database…")
        try:
            report = await offline_ui.sync(self.ctx)
        except DatabaseUnavailableError as exc:
            self._report(f"Still offline: {exc}")
            return
        finally:
            self.go_online_action.setEnabled(True)
        summary = f"Synced: {report.describe()}"
        self._report(summary)
        await self._update_badge()
        if report.conflicts:
            await self.show_conflicts()
            return
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.accept()
        self.handover = summary
        self.reopen.emit(self._team_url())

    async def show_conflicts(self) -> offline_ui.ConflictsDialog:
        """The dialog where each conflicting edit is settled (one dialog at a time)."""
        if self.conflicts_dialog is None:
            self.conflicts_dialog = offline_ui.ConflictsDialog(self.ctx, self.go_online, self)
            self.conflicts_dialog.finished.connect(self._conflicts_closed)
        await self.conflicts_dialog.load()
        self.conflicts_dialog.open()
        return self.conflicts_dialog

    def _conflicts_closed(self) -> None:
        self.conflicts_dialog = None
        self.ctx.spawn(self._update_badge())

    async def _show_offline(self) -> None:
        state = await self.ctx.ops.blocking(offline.replica_state, self.ctx.db)
        self.setWindowTitle(
            f"NetRaven Desktop — OFFLINE (copy from {offline_ui.local_time(state.pulled_at)})"
        )
        self.go_online_action.setVisible(True)
        self.offline_badge.show()
        self.ctx.events.inventory_changed.connect(lambda: self.ctx.spawn(self._update_badge()))
        await self._update_badge()

    async def _update_badge(self) -> None:
        status = await self.ctx.ops.blocking(offline.offline_status, self.ctx.db)
        self.offline_badge.show_status(status)

    def _team_url(self) -> DatabaseURL:
        return self.ctx.db.replica_of or self.ctx.db.login_of or self.ctx.db.url

    def _describe_user(self) -> None:
        who = self.ctx.user or "personal mode"
        self.user_label.setText(f"{who} ({self.ctx.role})" if self.ctx.user else who)

    def page(self, page_type: type[Page]) -> Page:
        """The open page of this type (for other views and tests)."""
        return self.pages[page_type]

    def show_page(self, page_type: type[Page]) -> None:
        self.nav.setCurrentRow(list(self.pages).index(page_type))

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        page = list(self.pages.values())[row]
        self.stack.setCurrentWidget(page)
        self.ctx.spawn(page.refresh())

    def _refresh_current(self) -> None:
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            self.ctx.spawn(page.refresh())

    def open_device(self, name: str) -> DeviceDetail:
        """Show the device's detail window: the one already open, or a new one."""
        key = name.casefold()
        window = self.details.get(key)
        if window is None:
            window = self.details[key] = DeviceDetail(self.ctx, name)
            window.closed.connect(lambda: self.details.pop(key, None))
            self.ctx.spawn(window.load())
        window.show()
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.raise_()
        window.activateWindow()
        return window

    def _back_up(self, names: list[str]) -> None:
        """Another view asked for these devices to be backed up: the Jobs view runs it."""
        page = self.pages.get(JobsPage)
        if isinstance(page, JobsPage):
            self.show_page(JobsPage)
            page.back_up(names)

    async def run_job(self, job: Job) -> None:
        """Run a scheduled job live in the Jobs view, after the run going there (if any);
        `--due` again in the child: a slot another app or collector ran is skipped."""
        page = self.pages[JobsPage]
        assert isinstance(page, JobsPage)
        await page.run_when_free(
            f"scheduled job {job.name}", ["job", "run", "--due", job.name], job=job.name
        )

    def _restore_geometry(self) -> None:
        state = self.ctx.prefs.value(prefs.key(self.ctx.user, "window/geometry"))
        if isinstance(state, QtCore.QByteArray):
            self.restoreGeometry(state)

    def _save_state(self) -> None:
        self.ctx.prefs.setValue(prefs.key(self.ctx.user, "window/geometry"), self.saveGeometry())
        for page in self.pages.values():
            page.save_state()
        self.ctx.prefs.sync()

    async def shutdown(self) -> None:
        """Stop the scheduler, the replica's refresh and every running view task; then
        the database can close."""
        for task in (self._scheduler_task, self._refresh_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.ctx.drain()

    def closeEvent(self, event: QCloseEvent) -> None:
        for window in list(self.details.values()):
            window.close()
        self._save_state()
        self.tray.hide()
        for task in (self._scheduler_task, self._refresh_task):
            if task is not None:
                task.cancel()
        super().closeEvent(event)
        self.closed.emit()
