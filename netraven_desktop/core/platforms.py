"""The registry of device platforms: the built-in profile files and the user's own.

Keys are netmiko's device-type names: what NetBox platforms, Ansible and netmiko users
already type. A user adds a platform, or replaces a built-in one, by dropping a profile
file into `user_platforms_dir()`; the inventory, the engine and the window read the
registry, so a user platform is accepted like a built-in one. A file that cannot be
loaded is left out and reported (logged, and by `platform list`), never fatal: one bad
file must not stop backups of every other platform.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs

from .db.url import APP_NAME
from .drivers.profile_files import BUILTIN_DIR, ProfileError, load_dir
from .drivers.profiles import PlatformProfile
from .errors import InputError
from .logs import FILE_ONLY

log = logging.getLogger(__name__)


@cache
def builtin_profiles() -> dict[str, PlatformProfile]:
    """The profiles shipped in the package; a broken one is a bug, raised at once. Their
    patterns are compiled by the tests, not at every start (tens of milliseconds)."""
    profiles, problems = load_dir(BUILTIN_DIR, "built-in", {}, patterns=False)
    if problems:
        raise problems[0]
    return profiles


# The built-in platforms (what the simulator, the corpus and the importers' aliases know).
PLATFORMS: dict[str, PlatformProfile] = builtin_profiles()


def user_platforms_dir() -> Path:
    """`<config folder>/platforms`: `$NETRAVEN_HOME/platforms` when set (tests, portable
    installs), else the platform's config folder (~/.config/netraven-desktop/platforms)."""
    home = os.environ.get("NETRAVEN_HOME")
    base = (
        Path(home).expanduser()
        if home
        else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )
    return base / "platforms"


@dataclass(frozen=True)
class Registry:
    """Every platform by key (user files over built-in ones) and the files left out."""

    profiles: dict[str, PlatformProfile]
    problems: tuple[ProfileError, ...]


# Set by `one_registry()` for the length of a bulk operation.
_held: ContextVar[Registry | None] = ContextVar("held_registry", default=None)


def registry() -> Registry:
    """The registry for the current user folder, read again when a file is added or removed
    (the folder's modification time); an edit inside a file is seen on the next start."""
    held = _held.get()
    if held is not None:
        return held
    folder = user_platforms_dir()
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _load(folder, stamp)


@cache
def _load(folder: Path, _stamp: int | None) -> Registry:
    builtin = builtin_profiles()
    user, problems = load_dir(folder, "user", builtin)
    for problem in problems:
        log.warning("platform file left out: %s", problem, extra=FILE_ONLY)
    return Registry(builtin | user, tuple(problems))


@contextmanager
def one_registry() -> Iterator[Registry]:
    """Use one reading of the registry for a bulk operation (an import, a run's plan).

    Every row is then checked against the same profiles, and the folder is not looked at
    per row: that stat cost more than the row's other checks, and each one hands the GIL
    to another thread and back (an import of 100,000 rows made the window late by 200 ms).
    """
    current = registry()
    token = _held.set(current)
    try:
        yield current
    finally:
        _held.reset(token)


def all_profiles() -> dict[str, PlatformProfile]:
    return registry().profiles


def profile_for(platform: str) -> PlatformProfile:
    """The profile a device of `platform` is backed up with (user files win)."""
    profiles = all_profiles()
    if platform not in profiles:
        validate_platform(platform)
    return profiles[platform]


def validate_platform(value: str, field: str = "platform") -> str:
    """Return the registry key for `value` (case-insensitive) or raise with close matches."""
    current = registry()
    key = value.strip().lower()
    if key in current.profiles:
        return key
    for problem in current.problems:
        if problem.path.stem == key:
            raise InputError(field, value, f"its profile file is invalid: {problem}")
    close = difflib.get_close_matches(key, current.profiles, n=3, cutoff=0.5)
    hint = (
        f"did you mean {', '.join(close)}?"
        if close
        else "`netraven-desktop platform list` shows the known ones"
    )
    raise InputError(field, value, f"unknown platform; {hint}")
