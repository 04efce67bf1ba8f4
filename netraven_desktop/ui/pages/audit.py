"""The audit log: who changed what, filtered, and a check that nobody edited the log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ...core.db.models import AuditEvent
from ...core.services import audit
from ...core.services.audit import ChainCheck
from ..context import AppContext
from ..forms import ERROR_STYLE
from ..qt import QtWidgets
from ..table_model import RowsModel
from .table_page import TablePage

OK_STYLE = "color: #2e7d32; font-weight: bold;"
LIMIT = 1000  # newest events shown; filters narrow the rest down
ENTITY_TYPES = (
    "credential",
    "device",
    "host_key",
    "tag",
    "job",
    "setting",
    "user",
    "notification_channel",
    "database",
)
PERIODS = (
    ("any time", None),
    ("last hour", timedelta(hours=1)),
    ("last 24 hours", timedelta(days=1)),
    ("last 7 days", timedelta(days=7)),
    ("last 30 days", timedelta(days=30)),
)


def summarize(event: AuditEvent) -> str:
    """One line: the fields that changed (before → after), or what was created/deleted."""
    before, after = event.before or {}, event.after or {}
    if before and after:
        changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
        return "; ".join(f"{k}: {_text(before.get(k))} → {_text(after.get(k))}" for k in changed)
    picture = after or before
    return ", ".join(f"{k}={_text(v)}" for k, v in picture.items())


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "—" if value is None else str(value)


class AuditModel(RowsModel[AuditEvent]):
    COL_TIME, COL_ACTOR, COL_ACTION, COL_ENTITY, COL_SUMMARY = range(5)
    COLUMNS = (
        ("Time", lambda e: f"{e.occurred_at.astimezone():%Y-%m-%d %H:%M:%S}"),
        ("Actor", lambda e: audit.shown_actor(e.actor, e.claimed_actor)),
        ("Action", lambda e: e.action),
        ("Entity", lambda e: f"{e.entity_type} {e.entity_id or ''}".strip()),
        ("Summary", summarize),
    )


class AuditPage(TablePage):
    title = "Audit log"
    icon = "audit"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, AuditModel())
        self.model.setParent(self)
        self.actor = QtWidgets.QLineEdit()
        self.actor.setPlaceholderText("any actor")
        self.action = QtWidgets.QLineEdit()
        self.action.setPlaceholderText("any action (e.g. credential)")
        self.entity = QtWidgets.QComboBox()
        self.entity.addItems(["any entity", *ENTITY_TYPES])
        self.since = QtWidgets.QComboBox()
        self.since.addItems([label for label, _ in PERIODS])
        for label, widget in (
            ("Actor", self.actor),
            ("Action", self.action),
            ("Entity type", self.entity),
            ("Since", self.since),
        ):
            widget.setAccessibleName(label)
            self.toolbar.addWidget(QtWidgets.QLabel(f"{label}:"))
            self.toolbar.addWidget(widget)
        self.actor.editingFinished.connect(self._filter)
        self.action.editingFinished.connect(self._filter)
        self.entity.currentIndexChanged.connect(self._filter)
        self.since.currentIndexChanged.connect(self._filter)
        self.toolbar.addStretch()
        self.add_button("&Verify chain", self.verify, needs_row=False)
        self.verdict = QtWidgets.QLabel()
        self.verdict.setAccessibleName("Chain check")
        self.verdict.setWordWrap(True)
        self.layout().addWidget(self.verdict)

    def filters(self) -> dict[str, Any]:
        period = PERIODS[self.since.currentIndex()][1]
        return {
            "actor": self.actor.text().strip() or None,
            "action": self.action.text().strip() or None,
            "entity_type": self.entity.currentText() if self.entity.currentIndex() > 0 else None,
            "since": datetime.now(UTC) - period if period else None,
            "limit": LIMIT,
        }

    async def fetch(self) -> Sequence[AuditEvent]:
        return await self.read_rows(audit.list_events, **self.filters())

    def _filter(self) -> None:
        self.ctx.spawn(self.refresh())

    def verify(self) -> None:
        self.verdict.setText("Checking the chain…")
        self.verdict.setStyleSheet("")
        self.ctx.spawn(self._verify())

    async def _verify(self) -> None:
        # Re-hashing every event is CPU work: a worker's (a second click supersedes it).
        self.show_check(await self.ctx.ops.read(audit.verify_chain, kind=(self, "verify")))

    def show_check(self, check: ChainCheck) -> None:
        if check.ok:
            self.verdict.setText(f"Chain intact: all {check.checked} events verified.")
            self.verdict.setStyleSheet(OK_STYLE)
            return
        where = f"Event {check.first_bad}" if check.first_bad is not None else "The log"
        self.verdict.setText(
            f"TAMPERED: {where} {check.problem} ({check.checked} events check out before it)."
        )
        self.verdict.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        if check.first_bad is not None:
            self.select(lambda event: event.id == check.first_bad)
