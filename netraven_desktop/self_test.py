"""`netraven-desktop --self-test`: prove an installation can do its job, one line per check.

Written for installers: a PyInstaller bundle misses whatever is imported lazily (database
drivers, keyring backends, Alembic's migration scripts), and that only shows when the
code path runs. So every check runs the real path — the drivers' SQLAlchemy dialects, the
migrations on a throwaway SQLite file, the OS keyring, and one backup of a simulated
device through the engine — and any failure makes the exit code non-zero. Qt's check
lives in `ui.self_test`; nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import importlib
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from .core.db import Database
from .core.db.schema import upgrade
from .core.secrets import Secrets, SecretStore

Check = tuple[str, Callable[[], str]]
FAILED = 1  # the exit code when any check failed (the CLI contract's "some items failed")

# (SQLAlchemy URL, the module it imports lazily) for each driver the app can use.
DRIVERS = (
    ("sqlite+aiosqlite://", "aiosqlite"),
    ("postgresql+asyncpg://check@localhost/check", "asyncpg"),
    ("postgresql+psycopg://check@localhost/check", "psycopg"),
)
# Imported only by some commands, so a bundle would not notice them missing.
LIBRARIES = ("argon2", "dulwich.repo", "yaml", "asyncssh", "aiosmtplib")
# The simulated device's throwaway login.
SIM_PASSWORD, SIM_ENABLE = "self-test-Passw0rd", "self-test-En4ble"


def check_drivers() -> str:
    """Each driver and the SQLAlchemy dialect that loads it, without connecting."""
    found = []
    for url, module in DRIVERS:
        make_url(url).get_dialect().import_dbapi()
        found.append(f"{module} {_version(importlib.import_module(module))}")
    return ", ".join(found)


def check_libraries() -> str:
    for name in LIBRARIES:
        importlib.import_module(name)
    return ", ".join(name.split(".")[0] for name in LIBRARIES)


def check_migrations(folder: Path) -> str:
    db = Database(f"sqlite:///{folder / 'migrations.db'}")
    try:
        _, head = upgrade(db)
    finally:
        db.close()
    return f"sqlite schema at {head}"


def check_keyring(store: SecretStore) -> str:
    """The backend the keyring picked; the plain-text and "fail" backends are refused."""
    return store.describe()


def check_backup(folder: Path, store: SecretStore) -> str:
    """One backup of one simulated device, its password read from the OS keyring."""
    return asyncio.run(_backup(folder / "backup.db", store))


async def _backup(path: Path, store: SecretStore) -> str:
    # Imported here: the engine pulls in asyncssh, which a failed earlier check may explain.
    from .core.secret_fingerprints import keyring_reference
    from .core.services import credentials, devices
    from .core.services.engine import BackupEngine, EngineOptions
    from .core.services.events import DeviceFinished, RunEvent
    from .core.services.runs import Selection
    from .sim import SimDevice, Simulator

    db = Database(f"sqlite:///{path}")
    device = SimDevice(
        name="self-test", platform="cisco_ios", password=SIM_PASSWORD, enable_secret=SIM_ENABLE
    )
    reference: str | None = None
    try:
        upgrade(db)
        async with Simulator() as sim:
            await sim.start([device])
            credential = credentials.add_credential(
                db,
                store,
                name="self-test",
                username="admin",
                secrets=Secrets(password=SIM_PASSWORD, enable=SIM_ENABLE),
            )
            reference = credential.keyring_ref
            with db.session() as session:
                devices.add_device(
                    session, name=device.name, host=sim.host, port=device.port, platform="cisco_ios"
                )
            options = EngineOptions(concurrency=1, connect_timeout=10, device_timeout=60, retries=0)
            errors: list[str] = []

            def note_error(event: RunEvent) -> None:
                if isinstance(event, DeviceFinished) and event.message:
                    errors.append(event.message)

            engine = BackupEngine(db, store, options, note_error)
            summary = await engine.run(Selection(all=True))
        if summary.changed != 1:
            problem = errors[0] if errors else summary.status
            raise RuntimeError(f"the simulated device was not backed up: {problem}")
        return f"1 simulated {device.platform} device, run {summary.status}"
    finally:
        # The credential, and the mask key the backup made for this throwaway database.
        for made in (reference, keyring_reference(db)):
            if made is not None:
                store.delete(made)
        await db.aclose()


def core_checks(folder: Path, store: SecretStore) -> list[Check]:
    return [
        ("database drivers", check_drivers),
        ("libraries", check_libraries),
        ("migrations", lambda: check_migrations(folder)),
        ("keyring", lambda: check_keyring(store)),
        ("backup", lambda: check_backup(folder, store)),
    ]


def run_checks(checks: Iterable[Check], out: TextIO) -> int:
    """Run every check, even after a failure (the report should be complete)."""
    failed = False
    for name, check in checks:
        try:
            detail = check()
        except Exception as exc:  # a check's failure is its report, whatever it is
            failed = True
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            out.write(f"FAIL {name}: {message}\n")
        else:
            out.write(f"ok   {name}: {detail}\n")
        out.flush()
    return FAILED if failed else 0


def self_test(extra: Iterable[Check], out: TextIO) -> int:
    """`extra` checks (Qt's) first, then the core's, in a throwaway folder."""
    with tempfile.TemporaryDirectory(prefix="netraven-self-test-") as folder:
        return run_checks([*extra, *core_checks(Path(folder), SecretStore())], out)


def _version(module: object) -> str:
    return str(getattr(module, "__version__", "")) or "?"
