"""Help → Save diagnostics…: one zip a user attaches to a bug report.

What helps find a bug, and nothing secret: versions, the platform, which database (its
password hidden) and keyring, the settings, the last runs with each device's result, and
the end of the log. Secrets live in the keyring, not in any of these; every member is
masked again on its way into the zip all the same (log_masking), since a run's error
message or a log line quotes what a device or a library said.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from .. import __version__
from .log_masking import mask_text
from .logs import log_path, log_tail
from .secrets import SecretStore, SecretStoreError
from .services import runs, settings

RUNS = 10  # the last runs, each with its devices' results
PACKAGES = (
    "PySide6-Essentials",
    "qasync",
    "SQLAlchemy",
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "alembic",
    "asyncssh",
    "keyring",
    "cryptography",
    "argon2-cffi",
)


def keyring_name(store: SecretStore) -> str:
    """The backend in use, or why there is none (blocks: call from a worker thread)."""
    try:
        return store.describe()
    except SecretStoreError as exc:
        return f"unavailable: {exc}"


def write_diagnostics(
    session: Session, path: Path, *, database: str, keyring: str, extra: dict[str, str]
) -> Path:
    """Write the zip to `path` (atomically, owner-only); `database` is its display form,
    `extra` what only the caller knows (Qt's version)."""
    about = {
        "netraven_desktop": __version__,
        "python": sys.version,
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
        "database": database,
        "keyring": keyring,
        "log_file": str(log_path()),
        **extra,
    }
    members = {
        "about.json": about,
        "settings.json": [
            {"key": s.key, "value": s.value, "default": s.default}
            for s in settings.list_settings(session)
        ],
        "runs.json": [_run(session, run) for run in runs.latest_runs(session, limit=RUNS)],
    }
    folder = path.parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in members.items():
                zf.writestr(name, mask_text(json.dumps(content, indent=1, default=str)))
            zf.writestr("log-tail.txt", mask_text(log_tail()))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _run(session: Session, run: Any) -> dict[str, Any]:
    results = runs.run_results(session, run.id)
    return runs.run_to_dict(run) | {
        "results": [
            {
                "device": r.device_name,
                "status": r.status,
                "error_class": r.error_class,
                "message": r.message,
                "connect_ms": r.connect_ms,
                "duration_ms": r.duration_ms,
            }
            for r in results
        ]
    }


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
