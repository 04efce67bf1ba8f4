"""Icons from `resources/icons` (next to the package from source, bundled when frozen)."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from .qt import QIcon


def icon_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources" / "icons"
    return Path(__file__).resolve().parents[2] / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """The named icon, or an empty one when the resources are not installed."""
    path = icon_dir() / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
