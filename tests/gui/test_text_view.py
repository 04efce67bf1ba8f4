"""The configuration pane: a big configuration is shown a piece per turn of the event
loop (the window keeps answering), and ends up exactly as given, coloured throughout."""

from __future__ import annotations

from itertools import pairwise

from netraven_desktop.ui.device_detail import warm_up
from netraven_desktop.ui.qt import QApplication
from netraven_desktop.ui.text_view import STEP_LINES, TextView

BIG = "".join(
    f"interface Gi0/{n}\n ip address 10.0.{n % 250}.1 255.255.255.0\n" for n in range(700)
)


def shown_in_steps(view: TextView, text: str) -> list[int]:
    """Show `text` step by step; the line count after each step."""
    counts = [view.blockCount() for _ in view.text_steps(text)]
    return [*counts, view.blockCount()]


def test_a_big_configuration_arrives_in_pieces_and_ends_up_whole_and_coloured(qtbot):
    view = TextView("Configuration")
    qtbot.addWidget(view)

    counts = shown_in_steps(view, BIG)

    assert view.toPlainText() == BIG
    assert counts[0] == STEP_LINES
    assert len(counts) > 2
    assert all(0 < after - before <= STEP_LINES for before, after in pairwise(counts))
    last_interface = view.document().findBlockByNumber(BIG.count("\n") - 2)
    assert last_interface.text() == "interface Gi0/699"
    assert last_interface.layout().formats()  # coloured like the first lines


def test_a_small_configuration_is_one_step(qtbot):
    view = TextView("Configuration")
    qtbot.addWidget(view)
    assert shown_in_steps(view, "hostname r1\n") == [2]
    assert view.toPlainText() == "hostname r1\n"


def test_a_newer_text_stops_an_unfinished_one(qtbot):
    view = TextView("Configuration")
    qtbot.addWidget(view)
    older = view.text_steps(BIG)
    next(older)  # the first piece is shown; the user picks another snapshot
    view.set_text("hostname r2\n")
    for _ in older:
        pass
    assert view.toPlainText() == "hostname r2\n"


def test_warming_up_the_history_window_leaves_no_window_behind(qtbot, app_ctx):
    before = set(QApplication.topLevelWidgets())
    warm_up(app_ctx)
    qtbot.waitUntil(lambda: set(QApplication.topLevelWidgets()) <= before)
    assert not any(widget.isVisible() for widget in QApplication.topLevelWidgets())
