"""What a backup run and a collector report as they go: typed here, JSON lines on the wire.

The engine, `post_run` and the collector emit these objects; the CLI prints
`event.to_json()` one per line (`--json`), and the window reads its child's lines back
with `event_from_json`. Consumers match on the classes, never on a `"event"` string. The
wire shapes are a contract (docs/cli.md): a class's `kind` is its `"event"` value and its
fields, in order, are the keys that follow.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Self

from ..db.models import ConfigSnapshot, JobRunResult, RunStatus


def _plain(value: object) -> object:
    """A field's value as JSON has it: ids and times as text, tuples as lists."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _unplain(value: Any) -> Any:
    """A plain field's value back from JSON: lists as the tuples the fields hold."""
    return tuple(value) if isinstance(value, list) else value


def _optional_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


@dataclass(frozen=True)
class WireEvent:
    """One wire object per instance; `parse` turns a field's JSON value back into its type.

    The base of the export events too (export_events.py)."""

    kind: ClassVar[str]
    parse: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}

    def to_json(self) -> dict[str, Any]:
        """`{"event": kind, field: value, ...}`, in field order (docs/cli.md)."""
        return {"event": self.kind} | {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The event back from its wire object; keys beyond the fields are ignored."""
        return cls(**{f.name: cls.parse.get(f.name, _unplain)(data[f.name]) for f in fields(cls)})


@dataclass
class RunSummary:
    """A run's counts as the engine tallies them; final once `RunFinished` carries it."""

    run_id: uuid.UUID
    devices: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    cancelled: int = 0
    status: str = RunStatus.RUNNING
    failures: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """The one line the CLI prints and the window shows for a finished run."""
        text = (
            f"{self.status.capitalize()}: {self.devices} devices, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )
        if self.cancelled:
            text += f", {self.cancelled} cancelled"
        failures = ", ".join(f"{count} {kind}" for kind, count in sorted(self.failures.items()))
        return text + (f" ({failures})" if failures else "")


@dataclass(frozen=True)
class RunStarted(WireEvent):
    kind: ClassVar[str] = "run_started"
    parse: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"run_id": uuid.UUID}

    run_id: uuid.UUID
    devices: int
    concurrency: int


@dataclass(frozen=True)
class DeviceStarted(WireEvent):
    kind: ClassVar[str] = "device_started"

    device: str


@dataclass(frozen=True)
class DeviceRetry(WireEvent):
    """A transient failure (`error_class`); attempt `attempt` is retried after a backoff."""

    kind: ClassVar[str] = "device_retry"

    device: str
    error_class: str
    attempt: int


@dataclass(frozen=True)
class DeviceFinished(WireEvent):
    """A device's stored outcome; the snapshot fields are None without a new snapshot."""

    kind: ClassVar[str] = "device_finished"
    parse: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"snapshot_id": _optional_uuid}

    device: str
    status: str
    error_class: str | None
    message: str | None
    duration_ms: int | None
    snapshot_id: uuid.UUID | None
    lines_added: int | None
    lines_removed: int | None
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        result: JobRunResult,
        snapshot: ConfigSnapshot | None = None,
        warnings: tuple[str, ...] = (),
    ) -> DeviceFinished:
        """The event read off a stored result (and the snapshot it stored, if any)."""
        return cls(
            device=result.device_name,
            status=result.status,
            error_class=result.error_class,
            message=result.message,
            duration_ms=result.duration_ms,
            snapshot_id=snapshot.id if snapshot else None,
            lines_added=snapshot.lines_added if snapshot else None,
            lines_removed=snapshot.lines_removed if snapshot else None,
            warnings=warnings,
        )


@dataclass(frozen=True)
class RunFinished(WireEvent):
    """The run's final summary; on the wire its fields follow `"event"` in docs/cli.md's
    order, which is not the summary's own."""

    kind: ClassVar[str] = "run_finished"

    summary: RunSummary

    def to_json(self) -> dict[str, Any]:
        """The flat `run_finished` object, failures sorted by class."""
        s = self.summary
        return {
            "event": self.kind,
            "run_id": str(s.run_id),
            "status": s.status,
            "devices": s.devices,
            "changed": s.changed,
            "unchanged": s.unchanged,
            "failed": s.failed,
            "cancelled": s.cancelled,
            "failures": dict(sorted(s.failures.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The event back from its flat wire object."""
        return cls(
            RunSummary(
                run_id=uuid.UUID(data["run_id"]),
                devices=data["devices"],
                changed=data["changed"],
                unchanged=data["unchanged"],
                failed=data["failed"],
                cancelled=data["cancelled"],
                status=data["status"],
                failures=dict(data["failures"]),
            )
        )


@dataclass(frozen=True)
class RunSkipped(WireEvent):
    """A due job's slot was run by someone else first: nothing ran (`job run --due`)."""

    kind: ClassVar[str] = "run_skipped"

    job: str | None
    reason: str


@dataclass(frozen=True)
class CollectorStarted(WireEvent):
    kind: ClassVar[str] = "collector_started"

    name: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class CollectorStopped(WireEvent):
    """`released`: items handed back to the queue (None if that step failed)."""

    kind: ClassVar[str] = "collector_stopped"

    name: str
    released: int | None


@dataclass(frozen=True)
class RunEnqueued(WireEvent):
    kind: ClassVar[str] = "run_enqueued"
    parse: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"slot": datetime.fromisoformat}

    job: str
    slot: datetime


@dataclass(frozen=True)
class CollectorSilent(WireEvent):
    """Another collector stopped sending heartbeats without stopping."""

    kind: ClassVar[str] = "collector_silent"

    name: str


DeviceEvent = DeviceStarted | DeviceRetry | DeviceFinished
# `backup run --json` and `job run --json`; a collector prints device events among its own.
RunEvent = RunStarted | DeviceEvent | RunFinished | RunSkipped
CollectorEvent = CollectorStarted | CollectorStopped | RunEnqueued | CollectorSilent
Event = RunEvent | CollectorEvent

KINDS: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        RunStarted,
        DeviceStarted,
        DeviceRetry,
        DeviceFinished,
        RunFinished,
        RunSkipped,
        CollectorStarted,
        CollectorStopped,
        RunEnqueued,
        CollectorSilent,
    )
}


def event_from_json(data: Mapping[str, Any]) -> Event:
    """The typed event of one wire object. Strict: ValueError for a kind this program does
    not know, a missing field or an unreadable id or time (the reader decides whether to
    skip it). Field values are not checked further: the writer is this same program."""
    kind = data.get("event")
    known = KINDS.get(kind) if isinstance(kind, str) else None
    if known is None:
        raise ValueError(f"not a run or collector event: {kind!r}")
    try:
        return known.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed {kind} event: {exc!r}") from None
