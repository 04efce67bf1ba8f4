"""Add or edit a scheduled job: name, which devices, schedule, enabled.

A problem is shown under the field it concerns, and nothing is written: the schedule is
checked as it is typed (it needs no database), the rest by the services on Save.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..core.errors import InputError
from ..core.schedule import parse_schedule
from ..core.services import jobs, runs
from ..core.services.jobs import JobStatus
from .context import AppContext
from .forms import FormDialog, collect_problems
from .qt import QtWidgets

TARGETS = ("All devices", "Tag", "Devices")


def describe_target(target: dict[str, Any]) -> str:
    if target.get("all"):
        return "all devices"
    for key, label in (("tags", "tag"), ("devices", "devices"), ("platforms", "platform")):
        if target.get(key):
            return f"{label}: {', '.join(target[key])}"
    return "nothing"


class JobDialog(FormDialog):
    """Saves through the async services; `accepted` means the job is stored."""

    def __init__(
        self,
        ctx: AppContext,
        tags: list[str],
        status: JobStatus | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        self.job = status.job if status else None
        super().__init__(ctx, f"Edit job {self.job.name}" if self.job else "Add job", parent)
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
            (self.target_kind, "Target"),
            (self.tag, "Tag"),
            (self.devices, "Devices"),
            (self.enabled, "Enabled"),
        ):
            widget.setAccessibleName(name)
        target = QtWidgets.QWidget()
        target_row = QtWidgets.QHBoxLayout(target)
        target_row.setContentsMargins(0, 0, 0, 0)
        target_row.addWidget(self.target_kind)
        target_row.addWidget(self.tag, 1)
        target_row.addWidget(self.devices, 2)
        self.form.add("name", "&Name", self.name)
        self.form.add("target", "&Back up", target, aliases=("tags", "devices"))
        self.form.add("schedule", "&Schedule", self.schedule)
        self.form.addRow("", self.enabled)
        self.ok_button.setText("Save")
        self.target_kind.currentIndexChanged.connect(self._show_target)
        self.schedule.textChanged.connect(self._check_schedule)
        if self.job is not None:
            self._fill(self.job.name, self.job.target, self.job.schedule, self.job.enabled)
        self._show_target()

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

    def _parse_schedule(self) -> None:
        if text := self.schedule.text().strip():
            parse_schedule(text)

    def _check_schedule(self) -> None:
        """Check the schedule as it is typed: it needs no database."""
        self.form.clear_errors("schedule")
        for problem in collect_problems(self._parse_schedule):
            self.form.show_error(problem)

    def selection(self) -> runs.Selection:
        """The chosen devices; an InputError at the target field when there are none."""
        kind = TARGETS[self.target_kind.currentIndex()]
        if kind == "All devices":
            return runs.Selection(all=True)
        if kind == "Tag" and self.tag.currentText():
            return runs.Selection(tags=(self.tag.currentText(),))
        names = tuple(n.strip() for n in self.devices.text().split(",") if n.strip())
        if kind == "Devices" and names:
            return runs.Selection(names=names)
        problem = "choose a tag" if kind == "Tag" else "name at least one device"
        raise InputError("target", "", problem)

    def check(self) -> list[InputError]:
        return collect_problems(self.selection, self._parse_schedule)

    async def submit(self) -> None:
        name, schedule = self.name.text().strip(), self.schedule.text().strip()
        selection = self.selection()
        if self.job is None:
            await self.ctx.ops.write(
                _add_job, name, selection, schedule, enabled=self.enabled.isChecked()
            )
        else:
            await self.ctx.ops.write(
                jobs.edit_job,
                self.job.name,
                expected_version=self.job.version,
                name=name,
                selection=selection,
                schedule=schedule,
                enabled=self.enabled.isChecked(),
            )


def _add_job(
    session: Session, name: str, selection: runs.Selection, schedule: str, *, enabled: bool
) -> None:
    """Add the job, disabled if asked, in one transaction."""
    jobs.add_job(session, name=name, selection=selection, schedule=schedule)
    if not enabled:
        jobs.edit_job(session, name, enabled=False)
