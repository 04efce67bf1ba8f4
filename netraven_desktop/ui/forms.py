"""Forms whose errors appear at the field that caused them, and dialogs built on them.

Services raise `InputError(field, value, problem)`; a form maps `field` to the widget
that holds it, so the user sees the problem next to what they typed. Checks the window
makes itself (two passwords differ) raise the same error, so there is one path for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..core.errors import InputError, NetRavenError
from .context import AppContext
from .crash import show_crash
from .qt import QtWidgets

W = TypeVar("W", bound=QtWidgets.QWidget)
ERROR_STYLE = "color: #c62828;"


class Form(QtWidgets.QFormLayout):
    """A form layout whose rows each have a hidden error line under the widget."""

    def __init__(self) -> None:
        super().__init__()
        self.widgets: dict[str, QtWidgets.QWidget] = {}
        self.errors: dict[str, QtWidgets.QLabel] = {}

    def add(
        self,
        field: str,
        label: str,
        widget: W,
        *,
        aliases: tuple[str, ...] = (),
        hint: str = "",
        into: QtWidgets.QFormLayout | None = None,
    ) -> W:
        """Add a row; errors naming `field` or one of `aliases` are shown under it.

        `into` puts the row in another layout (a group box's) while its errors stay this
        form's, so one form answers for every field of a dialog.
        """
        widget.setAccessibleName(label.rstrip(":").replace("&", ""))
        if hint:
            widget.setToolTip(hint)
        error = QtWidgets.QLabel()  # one line, unwrapped: the layout keeps room for it
        error.setStyleSheet(ERROR_STYLE)
        error.setAccessibleName(f"{widget.accessibleName()} problem")
        error.hide()
        cell = QtWidgets.QVBoxLayout()
        cell.setContentsMargins(0, 0, 0, 0)
        cell.setSpacing(2)
        cell.addWidget(widget)
        cell.addWidget(error)
        caption = QtWidgets.QLabel(label)
        caption.setBuddy(widget)  # the & of the label jumps to the field
        (into or self).addRow(caption, cell)
        for name in (field, *aliases):
            self.widgets[name] = widget
            self.errors[name] = error
        return widget

    def show_error(self, error: InputError) -> bool:
        """Show `error` under its field and focus it; False if no field here matches."""
        field = error.field.lstrip("-").replace("-", "_")
        label = self.errors.get(field) or self.errors.get(error.field)
        if label is None:
            return False
        label.setText(error.problem)
        label.show()
        self.widgets.get(field, self.widgets.get(error.field, label)).setFocus()
        return True

    def error_text(self, field: str) -> str:
        """The problem shown at `field` ("" when none is shown)."""
        label = self.errors[field]
        return label.text() if label.isVisibleTo(label.parentWidget()) else ""

    def clear_errors(self, *fields: str) -> None:
        """Hide the problems shown at `fields` (all of them when none is named)."""
        for label in (self.errors[f] for f in fields) if fields else self.errors.values():
            label.clear()
            label.hide()


def collect_problems(*checks: Callable[[], Any]) -> list[InputError]:
    """Run every check and return the InputErrors they raise, so all are shown at once."""
    problems = []
    for check in checks:
        try:
            check()
        except InputError as error:
            problems.append(error)
    return problems


def password_edit(placeholder: str = "") -> QtWidgets.QLineEdit:
    """A line edit that never shows what is typed (secrets go straight to the keyring)."""
    edit = QtWidgets.QLineEdit()
    edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class FormDialog(QtWidgets.QDialog):
    """A dialog that awaits `submit()` on OK and closes only when it succeeded.

    Problems `check()` finds without the database are all shown at once and nothing is
    sent; an InputError from `submit()` lands at its field; any other error is one line
    above the buttons. Either way the dialog stays open and nothing was written.
    Opened with `open()`, never `exec()`: a nested event loop would stall the window's.
    """

    def __init__(
        self, ctx: AppContext, title: str, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.form = Form()
        self.problem = QtWidgets.QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        buttons = QtWidgets.QDialogButtonBox.StandardButton
        self.buttons = QtWidgets.QDialogButtonBox(buttons.Ok | buttons.Cancel)
        self.ok_button = self.buttons.button(buttons.Ok)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def check(self) -> list[InputError]:
        """Every problem found without the database (by the core's own rules)."""
        return []

    async def submit(self) -> None:
        """Do the work; raise InputError naming a field to keep the dialog open."""
        raise NotImplementedError

    def confirm(self) -> None:
        """What OK does: check, then submit in the background (one submit at a time)."""
        self.form.clear_errors()
        self.problem.hide()
        problems = self.check()
        if problems:
            self.show_problems(problems)
            return
        self.ok_button.setEnabled(False)
        self.ctx.spawn(self._run(), failed=self._failed)

    async def _run(self) -> None:
        await self.submit()
        self.ok_button.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, NetRavenError):
            self.show_problems([error])
        else:
            show_crash(error, f"in “{self.windowTitle()}”")
            self.problem.setText("An internal error stopped this (see its report).")
            self.problem.show()

    def show_problems(self, errors: Sequence[NetRavenError]) -> None:
        """Each error at its field, or above the buttons; the first one keeps the focus."""
        for error in reversed(errors):
            if not (isinstance(error, InputError) and self.form.show_error(error)):
                self.problem.setText(str(error))
                self.problem.show()
