"""Where an export puts each device's configuration: `SITE/DEVICE`, or `DEVICE` without a site.

The layout Oxidized users read. Names become file names that are valid on Windows,
macOS and Linux alike; a name that had to change, or a root-level file that would clash
with a site folder, gets `~` and the start of the device's id appended, so two devices
never share a file. The file name has no extension: configurations are not one format.

An export writes only inside its folder: `check_targets` refuses any symbolic link on
the way to a file, even one that points inside the folder (one rule, nothing to
resolve), before anything is written; `write_export_file` then never follows one, even
one made while the export runs.
"""

from __future__ import annotations

import os
import re
import stat
import uuid
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .private_files import PRIVATE_DIR_MODE, ensure_private_dir, write_private_file

# Folder by folder relative to an open parent, so no link is ever followed (POSIX).
_WALK_SAFELY = hasattr(os, "O_NOFOLLOW") and {os.open, os.mkdir} <= os.supports_dir_fd
_NO_LINK = (
    "is a symbolic link; an export never writes through a link, even one pointing inside "
    "its folder: replace it with a real folder or file"
)

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
_MAX = 120  # characters per component: room for a folder and Windows' 260-character paths


def safe_component(name: str) -> str:
    """`name` as one path component every OS accepts, never hidden and never `.git`."""
    safe = _UNSAFE.sub("_", name)[:_MAX].rstrip(" .")
    if not safe or safe.startswith(".") or safe.split(".")[0].upper() in _RESERVED:
        safe = "_" + safe
    return safe


def device_paths(devices: Iterable[tuple[uuid.UUID, str, str | None]]) -> dict[uuid.UUID, str]:
    """Each device's path (with `/`) relative to the export folder, from (id, name, site)."""
    devices = list(devices)
    folders = {safe_component(site).lower() for _, _, site in devices if site}
    paths = {}
    for device_id, name, site in devices:
        file = safe_component(name)
        if file != name or (not site and file.lower() in folders):
            file = f"{file}~{device_id.hex[:8]}"
        paths[device_id] = f"{safe_component(site)}/{file}" if site else file
    return paths


def check_targets(root: Path, paths: Iterable[str]) -> None:
    """Refuse the export if a path (with `/`) under `root` crosses a link or a wrong kind
    of entry (a file where a folder is needed, a folder where the file goes).

    `root` itself is the user's choice and may be a link. Raises `InputError` naming
    the offending path; checks everything before the caller writes anything.
    """
    seen: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if any(part in ("", ".", "..") for part in parts):  # from a tampered state file
            raise InputError("DIR", root / path, "is not a path inside the export folder")
        for depth in range(1, len(parts) + 1):
            relative = "/".join(parts[:depth])
            if relative in seen:
                continue
            seen.add(relative)
            target = root / relative
            try:
                mode = os.lstat(target).st_mode
            except FileNotFoundError:
                break  # nothing below it exists either
            refusal = _refusal(target, mode, wants_folder=depth < len(parts))
            if refusal:
                raise refusal


def _refusal(target: Path, mode: int, *, wants_folder: bool) -> InputError | None:
    """Why the entry at `target` (of `mode`, not followed) cannot be written, if it cannot."""
    if stat.S_ISLNK(mode):
        return InputError("DIR", target, _NO_LINK)
    if wants_folder and not stat.S_ISDIR(mode):
        return InputError("DIR", target, "is not a folder, but the export needs one here")
    if not wants_folder and not stat.S_ISREG(mode):
        return InputError("DIR", target, "is not a file, but the export writes one here")
    return None


def write_export_file(root: Path, path: str, data: bytes) -> None:
    """Write `data` at `path` (with `/`) under `root`: a private file (0600), in private
    folders (0700) created as needed, replaced in one step.

    On POSIX each folder is opened with O_NOFOLLOW inside its parent, so a link put in
    place after `check_targets` is refused rather than followed; elsewhere the checks
    before the export are what holds.
    """
    target = root / path
    *folders, name = path.split("/")
    if not _WALK_SAFELY:
        ensure_private_dir(target.parent)
        write_private_file(target, data)
        return
    ensure_private_dir(root)
    parent = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, folder in enumerate(folders, 1):
            created = _make_folder(folder, parent)
            try:
                child = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
            except OSError:  # a link or a file appeared since check_targets?
                mode = os.stat(folder, dir_fd=parent, follow_symlinks=False).st_mode
                refusal = _refusal(root.joinpath(*folders[:depth]), mode, wants_folder=True)
                if refusal is None:
                    raise
                raise refusal from None
            os.close(parent)
            parent = child
            if created:
                os.fchmod(parent, PRIVATE_DIR_MODE)
        write_private_file(name, data, dir_fd=parent)
    finally:
        os.close(parent)


def _make_folder(name: str, parent: int) -> bool:
    try:
        os.mkdir(name, PRIVATE_DIR_MODE, dir_fd=parent)
    except FileExistsError:
        return False
    return True
