"""What `backup export` reports as it goes: typed here, JSON lines on the wire.

`config_export` hands these to its `progress` callback; `backup export --json` prints
`event.to_json()` one per line, and the window's export dialog reads its child's lines
back with `export_event_from_json`. The wire shapes are a contract (docs/cli.md), kept
as for the run events (events.py); a family of its own because an export's reader never
expects a run's events, nor a run's reader an export's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Self

from .events import WireEvent


@dataclass
class ExportSummary:
    """What an export did, tallied as it goes; final once `ExportFinished` carries it."""

    directory: str
    git: bool
    files: int = 0  # files written (plain) or device files changed by commits (git)
    commits: int = 0
    moved: int = 0
    skipped: list[str] = field(default_factory=list)  # devices with no snapshot (plain)
    head: str | None = None


@dataclass(frozen=True)
class DeviceSkipped(WireEvent):
    """A live device with no snapshot yet: a plain export writes no file for it."""

    kind: ClassVar[str] = "device_skipped"

    device: str


@dataclass(frozen=True)
class FilesWritten(WireEvent):
    """A plain export finished a batch: `files` written so far."""

    kind: ClassVar[str] = "export_progress"

    files: int


@dataclass(frozen=True)
class CommitsAdded(WireEvent):
    """A git export published a batch: `commits` so far, the last captured at `captured_at`."""

    kind: ClassVar[str] = "export_progress"
    parse: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"captured_at": datetime.fromisoformat}

    commits: int
    captured_at: datetime


@dataclass(frozen=True)
class ExportFinished(WireEvent):
    """The export's summary; on the wire its fields follow `"event"`, flat."""

    kind: ClassVar[str] = "export_finished"

    summary: ExportSummary

    def to_json(self) -> dict[str, Any]:
        """The flat `export_finished` object: the summary's fields in order."""
        return {"event": self.kind} | asdict(self.summary)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The event back from its flat wire object."""
        return cls(ExportSummary(**{f.name: data[f.name] for f in fields(ExportSummary)}))


ExportProgress = DeviceSkipped | FilesWritten | CommitsAdded
ExportEvent = ExportProgress | ExportFinished

# Two classes share `export_progress`: which one a wire object is, its keys tell.
CLASSES: tuple[type[ExportEvent], ...] = (DeviceSkipped, FilesWritten, CommitsAdded, ExportFinished)


def export_event_from_json(data: Mapping[str, Any]) -> ExportEvent:
    """The typed event of one wire object: the first class of its kind that reads it.
    ValueError for a kind this program does not know or an object no class reads."""
    kind = data.get("event")
    candidates = [cls for cls in CLASSES if cls.kind == kind]
    if not candidates:
        raise ValueError(f"not an export event: {kind!r}")
    problem: Exception | None = None
    for cls in candidates:
        try:
            return cls.from_json(data)
        except (KeyError, TypeError, ValueError) as exc:
            problem = exc
    raise ValueError(f"malformed {kind} event: {problem!r}")
