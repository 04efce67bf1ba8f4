"""Collectors: the team's headless backup services, as they report themselves.

Each row is what `collector list` prints: name, version, labels, last heartbeat, items
in flight, and whether it is running, stopped, or silent (no heartbeat for three leases
of the default length: down, cut off, or hung).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ...core.db.base import utcnow
from ...core.services import collector_registry
from ...core.services.collector_registry import CollectorStatus
from ..context import AppContext
from ..table_model import RowsModel
from .table_page import TablePage

SILENT_AFTER = timedelta(seconds=180)


def state_of(status: CollectorStatus) -> str:
    if status.collector.stopped_at is not None:
        return "stopped"
    return "silent" if collector_registry.is_silent(status, SILENT_AFTER, utcnow()) else "running"


class CollectorModel(RowsModel[CollectorStatus]):
    COL_NAME, COL_VERSION, COL_LABELS, COL_HEARTBEAT, COL_IN_FLIGHT, COL_STATE = range(6)
    COLUMNS = (
        ("Collector", lambda s: s.collector.name),
        ("Version", lambda s: s.collector.version),
        ("Labels", lambda s: ", ".join(s.collector.labels)),
        ("Last heartbeat", lambda s: f"{s.collector.heartbeat_at.astimezone():%Y-%m-%d %H:%M:%S}"),
        ("In flight", lambda s: str(s.in_flight)),
        ("State", state_of),
    )


class CollectorsPage(TablePage):
    title = "Collectors"
    icon = "collectors"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, CollectorModel())
        self.model.setParent(self)
        self.add_button("&Refresh", self.changed, needs_row=False)
        self.toolbar.addStretch()

    async def fetch(self) -> Sequence[CollectorStatus]:
        async with self.ctx.db.async_read_session() as session:
            return await collector_registry.list_collectors(session)
