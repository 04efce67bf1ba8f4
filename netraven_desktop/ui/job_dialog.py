"""Add or edit a scheduled job: name, which devices, schedule, enabled.

A problem is shown under the field it concerns, and nothing is written: the schedule is
checked as it is typed (it needs no database), the rest by the services on Save.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import InputError
from ..core.schedule import parse_schedule
from ..core.services import jobs, runs
from ..core.services.jobs import JobStatus
from .context import AppContext
from .qt import QtWidgets

TARGETS = ("All devices", "Tag", "Devices")
# The services' field names (and the CLI's spelling) -> the dialog's field.
FIELD_OF = {
    "name": "name",
    "schedule": "schedule",
    "--schedule": "schedule",
    "target": "target",
    "tags": "target",
    "devices": "target",
}


def describe_target(target: dict[str, Any]) -> str:
    if target.get("all"):
        return "all devices"
    for key, label in (("tags", "tag"), ("devices", "devices"), ("platforms", "platform")):
        if target.get(key):
            return f"{label}: {', '.join(target[key])}"
    return "nothing"


class JobDialog(QtWidgets.QDialog):
    """Saves through the async services; `accepted` means the job is stored."""

    def __init__(
        self,
        ctx: AppContext,
        tags: list[str],
        status: JobStatus | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job = status.job if status else None
        self.setWindowTitle(f"Edit job {self.job.name}" if self.job else "Add job")
        self.name = QtWidgets.QLineEdit()
        self.target_kind = QtWidgets.QComboBox()
        self.target_kind.addItems(TARGETS)
        self.tag = QtWidgets.QComboBox()
        self.tag.addItems(tags)
        self.devices = QtWidgets.QLineEdit()
        self.devices.setPlaceholderText("device names, separated by commas")
        self.schedule = QtWidgets.QLineEdit()
        self.schedule.setPlaceholderText('"every 6h", "@daily" or cron "0 2 * * *"; empty: manual')
        self.enabled = QtWidgets.QCheckBox("Enabled")
        self.enabled.setChecked(True)
        for widget, name in (
            (self.name, "Name"),
            (self.target_kind, "Target"),
            (self.tag, "Tag"),
            (self.devices, "Devices"),
            (self.schedule, "Schedule"),
            (self.enabled, "Enabled"),
        ):
            widget.setAccessibleName(name)
        self.errors = {field: self._error_label(field) for field in ("name", "target", "schedule")}
        target = QtWidgets.QHBoxLayout()
        target.addWidget(self.target_kind)
        target.addWidget(self.tag, 1)
        target.addWidget(self.devices, 2)
        form = QtWidgets.QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("", self.errors["name"])
        form.addRow("Back up", target)
        form.addRow("", self.errors["target"])
        form.addRow("Schedule", self.schedule)
        form.addRow("", self.errors["schedule"])
        form.addRow("", self.enabled)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.target_kind.currentIndexChanged.connect(self._show_target)
        self.schedule.textChanged.connect(self._check_schedule)
        if self.job is not None:
            self._fill(self.job.name, self.job.target, self.job.schedule, self.job.enabled)
        self._show_target()

    def _error_label(self, field: str) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel()
        label.setAccessibleName(f"{field} problem")
        label.setStyleSheet("color: #c62828")
        label.setWordWrap(True)
        label.hide()
        return label

    def _fill(self, name: str, target: dict[str, Any], schedule: str | None, on: bool) -> None:
        self.name.setText(name)
        if target.get("tags"):
            self.target_kind.setCurrentIndex(TARGETS.index("Tag"))
            self.tag.setCurrentText(target["tags"][0])
        elif target.get("devices"):
            self.target_kind.setCurrentIndex(TARGETS.index("Devices"))
            self.devices.setText(", ".join(target["devices"]))
        self.schedule.setText(schedule or "")
        self.enabled.setChecked(on)

    def _show_target(self) -> None:
        kind = TARGETS[self.target_kind.currentIndex()]
        self.tag.setVisible(kind == "Tag")
        self.devices.setVisible(kind == "Devices")

    def show_error(self, field: str, message: str) -> None:
        label = self.errors[field]
        label.setText(message)
        label.setVisible(bool(message))

    def _check_schedule(self) -> bool:
        text = self.schedule.text().strip()
        try:
            if text:
                parse_schedule(text)
        except InputError as exc:
            self.show_error("schedule", exc.problem)
            return False
        self.show_error("schedule", "")
        return True

    def selection(self) -> runs.Selection | None:
        """The chosen devices, or None (and a message at the field) when there are none."""
        kind = TARGETS[self.target_kind.currentIndex()]
        if kind == "All devices":
            return runs.Selection(all=True)
        if kind == "Tag" and self.tag.currentText():
            return runs.Selection(tags=(self.tag.currentText(),))
        names = tuple(n.strip() for n in self.devices.text().split(",") if n.strip())
        if kind == "Devices" and names:
            return runs.Selection(names=names)
        self.show_error("target", "choose a tag" if kind == "Tag" else "name at least one device")
        return None

    def save(self) -> None:
        for field in self.errors:
            self.show_error(field, "")
        selection = self.selection()
        if not self._check_schedule() or selection is None:
            return
        self.buttons.setEnabled(False)
        self.ctx.spawn(self._save(selection))

    async def _save(self, selection: runs.Selection) -> None:
        """Store the job and close; a field's problem stays open at that field."""
        name, schedule = self.name.text().strip(), self.schedule.text().strip()
        try:
            async with self.ctx.db.async_session() as session:
                if self.job is None:
                    await jobs.add_job(session, name=name, selection=selection, schedule=schedule)
                    if not self.enabled.isChecked():
                        await jobs.edit_job(session, name, enabled=False)
                else:
                    await jobs.edit_job(
                        session,
                        self.job.name,
                        expected_version=self.job.version,
                        name=name,
                        selection=selection,
                        schedule=schedule,
                        enabled=self.enabled.isChecked(),
                    )
        except InputError as error:
            if error.field not in FIELD_OF:
                raise
            self.show_error(FIELD_OF[error.field], error.problem)
            return
        finally:
            self.buttons.setEnabled(True)
        self.accept()
