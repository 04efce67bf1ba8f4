"""The typed export events keep the JSON-lines wire format of docs/cli.md (`backup export
--json`): every documented line reads back as its class and is written again unchanged,
keys in the documented order."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from netraven_desktop.core.services.export_events import (
    CLASSES,
    CommitsAdded,
    DeviceSkipped,
    ExportEvent,
    ExportFinished,
    ExportSummary,
    FilesWritten,
    export_event_from_json,
)

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
KINDS = {cls.kind for cls in CLASSES}


def documented_lines() -> list[dict[str, Any]]:
    """The export events docs/cli.md shows, as the wire objects they are."""
    lines = re.findall(r'\{"event": "\w+".*?\}(?=`|$)', CLI_DOC.read_text(), re.M)
    return [event for event in map(json.loads, lines) if event["event"] in KINDS]


def test_every_class_is_documented() -> None:
    assert {type(export_event_from_json(line)) for line in documented_lines()} == set(CLASSES)


@pytest.mark.parametrize("line", documented_lines(), ids=lambda line: line["event"])
def test_each_documented_line_is_written_back_unchanged(line: dict[str, Any]) -> None:
    written = export_event_from_json(line).to_json()
    assert json.dumps(written) == json.dumps(line)  # same keys, same order, same values


EXAMPLES: list[ExportEvent] = [
    DeviceSkipped("sim-3"),
    FilesWritten(200),
    CommitsAdded(400, datetime(2026, 11, 27, 19, 50, 37, 110625, tzinfo=UTC)),
    ExportFinished(ExportSummary("/out", git=False, files=2, skipped=["sim-3"])),
    ExportFinished(ExportSummary("/repo", git=True, files=1, commits=3, moved=1, head="5b1c")),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_each_event_round_trips_through_a_json_line(event: ExportEvent) -> None:
    assert export_event_from_json(json.loads(json.dumps(event.to_json()))) == event


def test_the_two_progress_shapes_share_a_kind_and_keep_their_keys() -> None:
    assert FilesWritten(2).to_json() == {"event": "export_progress", "files": 2}
    assert CommitsAdded(2, datetime(2026, 1, 2, tzinfo=UTC)).to_json() == {
        "event": "export_progress",
        "commits": 2,
        "captured_at": "2026-01-02T00:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("wire", "problem"),
    [
        ({"event": "run_started", "run_id": "x"}, "not an export event: 'run_started'"),
        ({"files": 1}, "not an export event: None"),
        ({"event": "export_progress", "done": 1}, "malformed export_progress event"),
        (
            {"event": "export_progress", "commits": 1, "captured_at": "yesterday"},
            "malformed export_progress event",
        ),
        ({"event": "export_finished", "directory": "/out"}, "malformed export_finished event"),
    ],
)
def test_what_is_no_export_event_is_a_clear_error(wire: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        export_event_from_json(wire)
