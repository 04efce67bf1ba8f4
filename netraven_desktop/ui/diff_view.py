"""The difference between two snapshots: side by side or unified, one change at a time.

The alignment and the change stops come from `core.diffing`; this module only paints
them. Both modes have the same changes, so switching keeps the change in view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.diffing import Kind, SideBySide, change_starts, side_by_side, unified_kinds
from ..core.services.backups import Comparison
from .config_highlighter import LineSpan, config_spans, is_dark
from .qt import Qt, QtCore, QtGui, QtWidgets
from .text_view import TextView

# Line backgrounds (light palette, dark palette); "gap" faces a line the other side lacks.
BACKGROUNDS: dict[str, tuple[str, str]] = {
    "added": ("#dafbe1", "#1c4428"),
    "removed": ("#ffebe9", "#5c2226"),
    "changed": ("#fff5b1", "#4d4013"),
    "secret": ("#f3e8ff", "#3d2a5c"),  # same text, a masked secret changed
    "gap": ("#eeeeee", "#2b2b2b"),
    "hunk": ("#ddf4ff", "#13314d"),
    "header": ("#eeeeee", "#2b2b2b"),
}
# What each side shows for a side-by-side row of a kind (None: no background).
OLD_SIDE = {
    "equal": None,
    "removed": "removed",
    "changed": "changed",
    "secret": "secret",
    "added": "gap",
}
NEW_SIDE = {
    "equal": None,
    "removed": "gap",
    "changed": "changed",
    "secret": "secret",
    "added": "added",
}


@dataclass(frozen=True)
class PreparedDiff:
    """A comparison with its alignment and line kinds: the CPU work, done by `prepare`
    in a worker thread (difflib on two 50 KB configurations takes a while)."""

    comparison: Comparison
    alignment: SideBySide
    unified_kinds: list[Kind]
    old_spans: list[list[LineSpan]]  # the syntax colours of each side, by row
    new_spans: list[list[LineSpan]]


def prepare(comparison: Comparison) -> PreparedDiff:
    """Align and colour `comparison` for the view; pure Python (no Qt calls), so it runs
    off the Qt thread."""
    alignment = side_by_side(comparison.old_text, comparison.new_text, comparison.secret_changes)
    return PreparedDiff(
        comparison,
        alignment,
        unified_kinds(comparison.unified.splitlines()),
        [config_spans(row.old) for row in alignment.rows],
        [config_spans(row.new) for row in alignment.rows],
    )


class DiffView(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Differences")
        self.comparison: Comparison | None = None
        self.alignment = SideBySide([], [])
        self.unified_kinds: list[Kind] = []
        self.unified_changes: list[int] = []
        self.current = -1
        self._showing = 0  # a later `show` stops an earlier one still painting

        self.caption = QtWidgets.QLabel()
        self.caption.setAccessibleName("Compared snapshots")
        self.caption.setWordWrap(True)
        self.position = QtWidgets.QLabel()
        self.position.setAccessibleName("Change position")
        self.mode = QtWidgets.QCheckBox("&Side by side")
        self.mode.setAccessibleName("Side by side")
        self.mode.setChecked(True)
        self.mode.toggled.connect(self.set_side_by_side)
        self.next_action = QtGui.QAction("&Next change", self)
        self.next_action.setShortcuts([QtGui.QKeySequence("F7"), QtGui.QKeySequence("Alt+Down")])
        self.next_action.triggered.connect(self.next_change)
        self.previous_action = QtGui.QAction("&Previous change", self)
        self.previous_action.setShortcuts(
            [QtGui.QKeySequence("Shift+F7"), QtGui.QKeySequence("Alt+Up")]
        )
        self.previous_action.triggered.connect(self.previous_change)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.mode)
        for action in (self.previous_action, self.next_action):
            action.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")
            button = QtWidgets.QToolButton()
            button.setDefaultAction(action)
            button.setAccessibleName(action.text().replace("&", ""))
            bar.addWidget(button)
        bar.addWidget(self.position)
        bar.addStretch(1)

        self.old_view = TextView("Older configuration")
        self.new_view = TextView("Newer configuration")
        for one, other in ((self.old_view, self.new_view), (self.new_view, self.old_view)):
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        self.sides = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.sides.addWidget(self.old_view)
        self.sides.addWidget(self.new_view)
        self.unified_view = TextView("Unified diff", highlight=False)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.sides)
        self.stack.addWidget(self.unified_view)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.set_comparison(None, "Select a snapshot to see what changed.")

    @property
    def change_count(self) -> int:
        return len(self.alignment.changes)

    def unified_text(self) -> str:
        """The unified diff of what is shown (what Copy and Save as take), '' if none."""
        return self.comparison.unified if self.comparison is not None else ""

    def set_comparison(self, prepared: PreparedDiff | None, note: str = "") -> None:
        """Show a comparison at its first change, or only `note` when there is none."""
        self._showing += 1
        for _ in self._steps(prepared, note):
            pass

    async def show(self, prepared: PreparedDiff | None, note: str = "") -> None:
        """`set_comparison`, one piece per turn of the event loop: three 50 KB documents
        laid out and coloured at once would hold the window up for a few hundred ms.
        `comparison` is set last, once everything shows; a newer call stops this one."""
        self._showing += 1
        token = self._showing
        for _ in self._steps(prepared, note):
            await asyncio.sleep(0)
            if token != self._showing:
                return

    def _steps(self, prepared: PreparedDiff | None, note: str) -> Iterator[None]:
        comparison = prepared.comparison if prepared else None
        alignment = prepared.alignment if prepared else SideBySide([], [])
        rows = alignment.rows
        formats = self._formats()
        for view, side, spans, kinds in (
            (self.old_view, "old", prepared.old_spans if prepared else None, OLD_SIDE),
            (self.new_view, "new", prepared.new_spans if prepared else None, NEW_SIDE),
        ):
            text = "\n".join(getattr(r, side) for r in rows)
            yield from view.text_steps(text, [getattr(r, f"{side}_number") for r in rows], spans)
            yield
            _paint_lines(view, [kinds[r.kind] for r in rows], formats)
            yield
        unified_kinds = prepared.unified_kinds if prepared else []
        yield from self.unified_view.text_steps(comparison.unified if comparison else "")
        yield
        _paint_lines(
            self.unified_view, [k if k != "equal" else None for k in unified_kinds], formats
        )
        self.comparison, self.alignment, self.unified_kinds = comparison, alignment, unified_kinds
        self.unified_changes = change_starts(unified_kinds)
        if comparison is None:
            self.caption.setText(note)
        else:
            self.caption.setText(
                f"From {comparison.older.captured_at.astimezone():%Y-%m-%d %H:%M:%S} "
                f"to {comparison.newer.captured_at.astimezone():%Y-%m-%d %H:%M:%S}"
            )
        self.current = -1
        self._go(0)

    def set_side_by_side(self, on: bool) -> None:
        self.mode.setChecked(on)
        self.stack.setCurrentWidget(self.sides if on else self.unified_view)
        self._go(self.current)

    def next_change(self) -> None:
        self._go(self.current + 1)

    def previous_change(self) -> None:
        self._go(self.current - 1)

    def _go(self, index: int) -> None:
        count = self.change_count
        if count:
            self.current = max(0, min(index, count - 1))
            if self.stack.currentWidget() is self.sides:
                self.new_view.go_to_block(self.alignment.changes[self.current])
                self.old_view.go_to_block(self.alignment.changes[self.current])
            else:
                self.unified_view.go_to_block(self.unified_changes[self.current])
            self.position.setText(f"change {self.current + 1} of {count}")
        else:
            self.position.setText("no differences" if self.comparison else "")
        self.next_action.setEnabled(0 <= self.current < count - 1)
        self.previous_action.setEnabled(self.current > 0 and count > 0)

    def _formats(self) -> dict[str, QtGui.QTextCharFormat]:
        """A line background per kind, for the current palette."""
        dark = is_dark(self.palette())
        formats = {}
        for kind, (light_colour, dark_colour) in BACKGROUNDS.items():
            fmt = QtGui.QTextCharFormat()
            fmt.setBackground(QtGui.QColor(dark_colour if dark else light_colour))
            fmt.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
            formats[kind] = fmt
        return formats

    def _paint(self) -> None:
        """Colour the lines by kind again (the palette changed)."""
        formats = self._formats()
        kinds = [row.kind for row in self.alignment.rows]
        _paint_lines(self.old_view, [OLD_SIDE[k] for k in kinds], formats)
        _paint_lines(self.new_view, [NEW_SIDE[k] for k in kinds], formats)
        kinds = [k if k != "equal" else None for k in self.unified_kinds]
        _paint_lines(self.unified_view, kinds, formats)

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._paint()


def _paint_lines(
    view: TextView, kinds: list[str | None], formats: dict[str, QtGui.QTextCharFormat]
) -> None:
    selections = []
    document = view.document()
    for number, kind in enumerate(kinds):
        if kind is not None:  # most lines are equal: find only the others' blocks
            selection = QtWidgets.QTextEdit.ExtraSelection()
            selection.cursor = QtGui.QTextCursor(document.findBlockByNumber(number))
            selection.format = formats[kind]
            selections.append(selection)
    view.setExtraSelections(selections)
