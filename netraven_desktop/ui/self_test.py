"""The Qt half of `--self-test`: the platform plugin and the icons, as a bundle ships them."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from ..self_test import Check, self_test

ICON = "netraven-desktop"


def check_qt_platform() -> str:
    """Start a QApplication on the platform plugin (offscreen unless the caller chose one)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .qt import QApplication  # Qt only once the platform is chosen

    app = QApplication.instance() or QApplication([sys.argv[0]])
    return app.platformName()


def check_icons() -> str:
    """The application icon renders: the resources and Qt's SVG plugin are both there."""
    from .icons import icon, icon_dir

    if icon(ICON).pixmap(32, 32).isNull():
        raise RuntimeError(f"the {ICON} icon does not render (looked in {icon_dir()})")
    return str(icon_dir())


def run_self_test(out: TextIO) -> int:
    checks: list[Check] = [("qt platform", check_qt_platform), ("icons", check_icons)]
    return self_test(checks, out)
