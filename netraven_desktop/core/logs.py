"""Where the log lives and how it is set up, for the window and the command line alike.

A menu launch or a windowed build throws stderr away, so the log goes to a rotating file
in the platform's log folder (readable by its owner only); stderr keeps warnings, and
everything at `--verbose`. Every handler masks secrets (log_masking).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from .db.url import APP_NAME
from .log_masking import SecretMaskingFilter
from .private_files import ensure_private_dir

LOG_FILE = "netraven-desktop.log"
LEVELS = ("debug", "info", "warning", "error")
MAX_BYTES = 1024 * 1024
BACKUPS = 4  # rotated files kept beside the current one
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
# Libraries that narrate every connection at INFO; their warnings still come through.
CHATTY = ("asyncssh", "aiosqlite", "asyncio")
_OURS = "_netraven_handler"  # marks the handlers set up here, to replace them on a re-run
# `log.error(..., extra=FILE_ONLY)`: for the file, not stderr (where the command already
# said it in one line).
FILE_ONLY = {"file_only": True}


def log_dir() -> Path:
    """`$NETRAVEN_HOME/log` when set (tests, portable installs), else the platform's."""
    home = os.environ.get("NETRAVEN_HOME")
    if home:
        return Path(home).expanduser() / "log"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_FILE


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file, the rotated ones included, is mode 600."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(level: str = "info", *, verbose: bool = False) -> Path | None:
    """Log to the file at `level`; on stderr warnings, or everything at `level` when
    `verbose`. The log file's path, or None if it could not be opened (then stderr only,
    said once: a read-only home must not stop a backup)."""
    threshold = getattr(logging, level.upper())
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    masking = SecretMaskingFilter()
    console = logging.StreamHandler()
    console.addFilter(lambda record: not getattr(record, "file_only", False))
    console.setLevel(threshold if verbose else max(threshold, logging.WARNING))
    handlers: list[logging.Handler] = [console]
    file = log_path()
    path: Path | None = file
    try:
        ensure_private_dir(log_dir())
        handlers.append(
            PrivateRotatingFileHandler(
                file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
            )
        )
        handlers[-1].setLevel(threshold)
    except OSError as exc:
        failure, path = exc, None
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(masking)
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(threshold)
    for name in CHATTY:
        logging.getLogger(name).setLevel(
            threshold if threshold <= logging.DEBUG else logging.WARNING
        )
    if path is None:
        logging.getLogger(__name__).warning("cannot write the log file: %s", failure)
    return path


def log_tail(max_bytes: int = 256 * 1024) -> str:
    """The end of the log (the rotated file first if the current one is short)."""
    files = [log_path().with_name(f"{LOG_FILE}.1"), log_path()]
    data = b"".join(p.read_bytes() for p in files if p.is_file())
    return data[-max_bytes:].decode("utf-8", "replace")
