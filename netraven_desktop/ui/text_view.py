"""A read-only monospace text pane with line numbers, for configurations and diffs.

Lines never wrap: in a side-by-side diff a wrapped line would push its neighbour out of
line with the other side. The gutter shows each block's own number unless the caller
gives other numbers (a diff side shows the configuration's line numbers, blank at gaps).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .config_highlighter import ConfigHighlighter, LineSpan
from .qt import Qt, QtCore, QtGui, QtWidgets

STEP_LINES = 300  # lines `TextView.text_steps` adds per step (~2-4 ms of layout and colour)


class _Gutter(QtWidgets.QWidget):
    def __init__(self, view: TextView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(self.view.gutter_width(), 0)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        self.view.paint_gutter(event)


class TextView(QtWidgets.QPlainTextEdit):
    def __init__(self, accessible_name: str, *, highlight: bool = True) -> None:
        super().__init__()
        self.setAccessibleName(accessible_name)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.document().setUndoRedoEnabled(False)  # read-only: text_steps' inserts need none
        self.highlighter = ConfigHighlighter(self.document(), self.palette()) if highlight else None
        self._generation = 0  # of text_steps calls: a newer one stops an older one
        self.numbers: Sequence[int | None] | None = None
        self.marked: int | None = None  # a block whose number stands out (the current change)
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self._fit_gutter()

    def set_text(
        self,
        text: str,
        numbers: Sequence[int | None] | None = None,
        spans: Sequence[list[LineSpan]] | None = None,
    ) -> None:
        """Show `text` at once; `numbers` are the gutter's labels, one per line (None:
        blank); `spans` its colours by line if already worked out
        (`config_highlighter.text_spans`)."""
        for _ in self.text_steps(text, numbers, spans):
            pass

    def text_steps(
        self,
        text: str,
        numbers: Sequence[int | None] | None = None,
        spans: Sequence[list[LineSpan]] | None = None,
    ) -> Iterator[None]:
        """`set_text`, `STEP_LINES` lines at a time: the caller yields to the event loop
        between steps, as laying out and colouring a 50 KB configuration at once holds the
        window up for 10-25 ms. A newer call stops an unfinished one."""
        self._generation += 1
        generation = self._generation
        self.numbers = numbers
        self.marked = None
        if self.highlighter is not None:
            self.highlighter.spans = spans
        lines = text.split("\n")
        self.setPlainText("\n".join(lines[:STEP_LINES]))
        end = QtGui.QTextCursor(self.document())
        for start in range(STEP_LINES, len(lines), STEP_LINES):
            yield
            if generation != self._generation:
                return
            end.movePosition(QtGui.QTextCursor.MoveOperation.End)
            end.insertText("\n" + "\n".join(lines[start : start + STEP_LINES]))
        self._fit_gutter()

    def go_to_block(self, number: int) -> None:
        """Put the cursor at the start of block `number`, mark it, bring it into the middle."""
        cursor = QtGui.QTextCursor(self.document().findBlockByNumber(number))
        self.setTextCursor(cursor)
        self.centerCursor()
        self.marked = number
        self.gutter.update()

    def gutter_width(self) -> int:
        digits = len(str(max(self.blockCount(), 1)))
        return 8 + self.fontMetrics().horizontalAdvance("9") * (max(digits, 3) + 1)

    def paint_gutter(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self.gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QtGui.QPalette.ColorRole.AlternateBase))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            label = self._label(block.blockNumber())
            if block.blockNumber() == self.marked:
                mark = QtCore.QRect(0, top, self.gutter.width(), height)
                painter.fillRect(mark, palette.color(QtGui.QPalette.ColorRole.Highlight))
                painter.setPen(palette.color(QtGui.QPalette.ColorRole.HighlightedText))
                painter.drawText(mark.adjusted(2, 0, 0, 0), Qt.AlignmentFlag.AlignLeft, "▶")
            else:
                painter.setPen(palette.color(QtGui.QPalette.ColorRole.PlaceholderText))
            if block.isVisible() and label:
                painter.drawText(
                    0, top, self.gutter.width() - 4, height, Qt.AlignmentFlag.AlignRight, label
                )
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

    def _label(self, block_number: int) -> str:
        if self.numbers is None:
            return str(block_number + 1)
        if block_number < len(self.numbers):
            number = self.numbers[block_number]
            return "" if number is None else str(number)
        return ""

    def _fit_gutter(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QtCore.QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.gutter.setGeometry(area.left(), area.top(), self.gutter_width(), area.height())

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange and self.highlighter is not None:
            self.highlighter.set_palette(self.palette())
