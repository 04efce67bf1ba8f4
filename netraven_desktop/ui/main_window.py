"""The main window: navigation on the left, one page per view, status bar at the bottom.

The window owns the scheduler (its runs show in the Jobs view) and the tray icon; the
pages own everything else. Pages
talk to each other only through `ctx.events`.
"""

from __future__ import annotations

import asyncio
import contextlib

from ..core.db.models import Job
from ..core.db.schema import prepare_async
from ..core.errors import NetRavenError
from ..core.services.access import team_mode
from ..core.services.auth import end_session
from ..core.services.scheduler import Scheduler
from ..core.session_tokens import forget_token
from . import prefs
from .connections import choose_database
from .context import AppContext
from .device_detail import DeviceDetail
from .export_dialog import ExportDialog
from .icons import icon
from .login import sign_in
from .pages import Page
from .pages.audit import AuditPage
from .pages.credentials import CredentialsPage
from .pages.dashboard import DashboardPage
from .pages.devices import DevicesPage
from .pages.jobs import JobsPage
from .pages.notifications import NotificationsPage
from .pages.search import SearchPage
from .pages.settings import SettingsPage
from .pages.users import UsersPage
from .qt import QCloseEvent, QLabel, QMainWindow, Qt, QtCore, QtGui, QtWidgets, Signal
from .tray import Tray

PAGES: list[type[Page]] = [
    DashboardPage,
    DevicesPage,
    JobsPage,
    SearchPage,
    CredentialsPage,
    UsersPage,
    AuditPage,
    NotificationsPage,
    SettingsPage,
]


class MainWindow(QMainWindow):
    closed = Signal()
    reopen = Signal(object)  # a DatabaseURL: close this window and open one on it

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
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

        self.database_label = QLabel(f"Database: {ctx.db.url.display()}")
        self.database_label.setAccessibleName("Current database")
        self.user_label = QLabel()
        self.user_label.setAccessibleName("Signed-in user")
        self._describe_user()
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
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        view_menu = self.menuBar().addMenu("&View")
        refresh = view_menu.addAction("&Refresh")
        refresh.setShortcut(QtGui.QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self._refresh_current)

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
        await asyncio.to_thread(end_session, self.ctx.db, user)
        await asyncio.to_thread(forget_token, self.ctx.secrets, self.ctx.db, user)
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
        except NetRavenError as exc:
            self._unavailable(str(exc))
            return
        if team and self.ctx.user is None and not await sign_in(self.ctx, self):
            self._unavailable(
                "This database is in team mode: sign in to use it (File → Open database…)."
            )
            return
        self._describe_user()
        self.sign_out_action.setEnabled(self.ctx.user is not None)
        for page_type in PAGES:
            if page_type.admin_only and self.ctx.role != "admin":
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
        self.statusBar().showMessage("Ready")
        self.scheduler = Scheduler(self.ctx.db, self.run_job)
        self._scheduler_task = asyncio.ensure_future(self.scheduler.run_forever())

    def _unavailable(self, reason: str) -> None:
        message = QLabel(reason)
        message.setWordWrap(True)
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message.setAccessibleName("Database problem")
        self.stack.addWidget(message)
        self.stack.setCurrentWidget(message)
        self.statusBar().showMessage("Database unavailable")

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
        """Run a scheduled job live in the Jobs view, after the run going there (if any)."""
        page = self.pages[JobsPage]
        assert isinstance(page, JobsPage)
        await page.run_when_free(
            f"scheduled job {job.name}", ["job", "run", job.name], job=job.name
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
        """Stop the scheduler and every running view task; then the database can close."""
        task = self._scheduler_task
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
        task = self._scheduler_task
        if task is not None:
            task.cancel()
        super().closeEvent(event)
        self.closed.emit()
