"""Connection profiles: other SQLite files and team PostgreSQL servers, one click away.

A profile is a name and a URL without its password (kept in the preferences); a
PostgreSQL password lives in the keyring under `connection/NAME`. "This computer" is
always there: the embedded SQLite database.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from ..core.db import DatabaseURL
from ..core.db.url import DB_FILENAME, data_dir, parse_database_url
from ..core.errors import InputError, NetRavenError
from ..core.secrets import Secrets, SecretStore
from ..core.validation import validate_name
from .context import AppContext
from .qt import QSettings, QtWidgets

PROFILES_KEY = "connections/profiles"
EMBEDDED = "This computer"


@dataclass(frozen=True)
class Profile:
    name: str
    url: str  # never with a password

    @property
    def secret_ref(self) -> str:
        return f"connection/{self.name.lower()}"


def load_profiles(prefs: QSettings) -> list[Profile]:
    raw = prefs.value(PROFILES_KEY, "[]")
    return [Profile(**entry) for entry in json.loads(str(raw))]


def save_profiles(prefs: QSettings, profiles: list[Profile]) -> None:
    prefs.setValue(PROFILES_KEY, json.dumps([p.__dict__ for p in profiles]))
    prefs.sync()


def new_profile(existing: list[Profile], name: str, url: str) -> Profile:
    """Check a typed profile: a free name, a database URL without a password in it."""
    name = validate_name(name, "name")
    if name.lower() in {p.name.lower() for p in existing} | {EMBEDDED.lower()}:
        raise InputError("name", name, "a connection with this name exists")
    parsed = parse_database_url(url, "url")
    if parsed.sync_url.password is not None:
        raise InputError("url", parsed.display(), "put the password in its own field")
    return Profile(name=name, url=parsed.plain(hide_password=True))


def resolve_profile(store: SecretStore, profile: Profile | None) -> DatabaseURL:
    """The profile's URL with its keyring password; None is the embedded database."""
    if profile is None:
        return parse_database_url(str(data_dir() / DB_FILENAME))
    url = make_url(profile.url)
    if url.get_backend_name() != "sqlite":
        try:
            password = store.get(profile.secret_ref).password
        except NetRavenError:
            password = None  # no password kept: the server may trust this user
        if password:
            url = url.set(password=password)
    return parse_database_url(url.render_as_string(hide_password=False), profile.name)


class ConnectionsDialog(QtWidgets.QDialog):
    """Pick a database to open, or add and remove profiles. `chosen` is set on Open."""

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.prefs, self.store = ctx, ctx.prefs, ctx.secrets
        self.chosen: DatabaseURL | None = None
        self.setWindowTitle("Open database")
        self.list = QtWidgets.QListWidget()
        self.list.setAccessibleName("Connection profiles")
        self.list.itemDoubleClicked.connect(lambda _item: ctx.spawn(self.open_selected()))
        self.name = QtWidgets.QLineEdit()
        self.name.setAccessibleName("Profile name")
        self.url = QtWidgets.QLineEdit()
        self.url.setPlaceholderText("postgresql://user@host:5432/netraven or /path/to/file.db")
        self.url.setAccessibleName("Database URL or SQLite file")
        self.password = QtWidgets.QLineEdit()
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Database password (kept in the keyring)")
        self.error = QtWidgets.QLabel()
        self.error.setStyleSheet("color: #d03030")
        self.error.setAccessibleName("Connection problem")
        add = QtWidgets.QPushButton("&Add profile")
        add.clicked.connect(lambda: ctx.spawn(self.add()))
        remove = QtWidgets.QPushButton("&Remove")
        remove.clicked.connect(lambda: ctx.spawn(self.remove()))
        open_button = QtWidgets.QPushButton("&Open")
        open_button.setDefault(True)
        open_button.clicked.connect(lambda: ctx.spawn(self.open_selected()))
        form = QtWidgets.QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("URL or file:", self.url)
        form.addRow("Password:", self.password)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(QtWidgets.QLabel("<b>New profile</b>"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QtWidgets.QHBoxLayout()
        for button in (add, remove, open_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        self.list.addItem(f"{EMBEDDED} (embedded SQLite)")
        for profile in load_profiles(self.prefs):
            self.list.addItem(f"{profile.name} — {profile.url}")
        self.list.setCurrentRow(0)

    def _selected(self) -> Profile | None:
        row = self.list.currentRow()
        return None if row <= 0 else load_profiles(self.prefs)[row - 1]

    async def add(self) -> None:
        """Keep the typed profile (the keyring is a blocking call: off the UI thread)."""
        profiles = load_profiles(self.prefs)
        try:
            profile = new_profile(profiles, self.name.text(), self.url.text())
            if self.password.text():
                secrets = Secrets(password=self.password.text())
                await asyncio.to_thread(self.store.put, profile.secret_ref, secrets)
        except NetRavenError as exc:
            self.error.setText(str(exc))
            return
        save_profiles(self.prefs, [*profiles, profile])
        self.error.clear()
        for field in (self.name, self.url, self.password):
            field.clear()
        self._fill()
        self.list.setCurrentRow(self.list.count() - 1)

    async def remove(self) -> None:
        profile = self._selected()
        if profile is not None:
            save_profiles(self.prefs, [p for p in load_profiles(self.prefs) if p != profile])
            await asyncio.to_thread(self.store.delete, profile.secret_ref)
            self._fill()

    async def open_selected(self) -> None:
        try:
            self.chosen = await asyncio.to_thread(resolve_profile, self.store, self._selected())
        except NetRavenError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


async def choose_database(
    ctx: AppContext, parent: QtWidgets.QWidget | None = None
) -> DatabaseURL | None:
    """Show the dialog without blocking the loop; the URL to open, or None if cancelled."""
    dialog = ConnectionsDialog(ctx, parent)
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda code: done.done() or done.set_result(code))
    dialog.open()
    await done
    return dialog.chosen
