"""Files only their owner can read: the database, its replica, exports and logs.

They hold device configurations and inventory, so on POSIX what we create is 0600 in
0700 folders, whatever the user's umask. Folders that already exist are left as they
are (the user chose them: an export folder may be shared on purpose); only what we
create is made private. On Windows the user's profile folders are already private
(ACLs, not mode bits), so these helpers only create.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_POSIX = os.name == "posix"
# The umask is process-wide: the first of nested or concurrent uses sets it, the last
# restores it (a thread creating a file meanwhile only gets a stricter mode).
_umask_lock = threading.Lock()
_umask_users = 0
_umask_saved = 0


def ensure_private_dir(path: str | os.PathLike[str]) -> Path:
    """`path` as a folder, each folder created on the way 0700; existing ones untouched."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(parents=True, exist_ok=True)
    if _POSIX:
        for created in missing:
            os.chmod(created, PRIVATE_DIR_MODE)
    return path


@contextmanager
def private_file_mode() -> Iterator[None]:
    """Files and folders created inside are 0600 / 0700 on POSIX (umask 077).

    For files created by code we do not control (SQLite's -wal and -shm files, a log
    handler's rotation); our own writes use `write_private_file`.
    """
    global _umask_users, _umask_saved
    if not _POSIX:
        yield
        return
    with _umask_lock:
        if _umask_users == 0:
            _umask_saved = os.umask(0o077)
        _umask_users += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_users -= 1
            if _umask_users == 0:
                os.umask(_umask_saved)


def tighten_private_file(path: str | os.PathLike[str]) -> None:
    """Make an existing file of ours 0600 (POSIX, when we own it); a missing file is fine."""
    if not _POSIX:
        return
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077:
        os.chmod(path, PRIVATE_FILE_MODE)


def write_private_file(
    path: str | os.PathLike[str], data: bytes, *, dir_fd: int | None = None
) -> None:
    """Write `data` to `path` all at once: a 0600 temporary file beside it, then a rename.

    A reader never sees half a file, and a crash leaves the old file (or none) in place.
    `path` itself is replaced, never followed: a link at `path` becomes a plain file.
    With `dir_fd` (POSIX), `path` is a name in that open folder.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(temporary, flags, PRIVATE_FILE_MODE, dir_fd=dir_fd)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=dir_fd)
        raise
