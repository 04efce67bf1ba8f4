"""The typed run and collector events keep the JSON-lines wire format of docs/cli.md: every
kind round-trips through `to_json` / `event_from_json` with exactly the documented keys,
in the documented order."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from netraven_desktop.core.services.events import (
    KINDS,
    CollectorSilent,
    CollectorStarted,
    CollectorStopped,
    DeviceFinished,
    DeviceRetry,
    DeviceStarted,
    Event,
    RunEnqueued,
    RunFinished,
    RunSkipped,
    RunStarted,
    RunSummary,
    event_from_json,
)

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
RUN = uuid.uuid4()
EXAMPLES: list[Event] = [
    RunStarted(RUN, devices=3, concurrency=50),
    DeviceStarted("core-sw1"),
    DeviceRetry("edge1", "timeout", attempt=1),
    DeviceFinished("core-sw1", "changed", None, None, 812, uuid.uuid4(), 3, 1, ("w1",)),
    DeviceFinished("edge1", "failed", "unreachable", "refused", 40, None, None, None),
    RunFinished(
        RunSummary(RUN, 3, 1, 1, 1, 0, "partial", failures={"unreachable": 1, "auth_failed": 2})
    ),
    RunSkipped("nightly", "the slot was started by another collector or app"),
    RunSkipped(None, "no job"),
    CollectorStarted("dc1-col", ("dc1", "lab")),
    CollectorStopped("dc1-col", 0),
    CollectorStopped("dc1-col", None),
    RunEnqueued("nightly", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
    CollectorSilent("dc2-col"),
]


def documented_keys() -> dict[str, list[str]]:
    """Each event kind in docs/cli.md -> its keys, in the order the example writes them."""
    found = {}
    for line in re.findall(r'\{"event": "\w+".*?\}(?=`|$)', CLI_DOC.read_text(), re.M):
        event = json.loads(line)
        if event["event"] in KINDS:
            found[event["event"]] = list(event)
    return found


def test_every_kind_is_documented_and_has_an_example() -> None:
    assert set(documented_keys()) == set(KINDS)
    assert {type(event).kind for event in EXAMPLES} == set(KINDS)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).kind)
def test_each_kind_round_trips_with_the_documented_keys(event: Event) -> None:
    wire = json.loads(json.dumps(event.to_json()))  # what a JSON line carries
    assert list(wire) == documented_keys()[type(event).kind]
    assert wire["event"] == type(event).kind
    assert event_from_json(wire) == event


def test_the_wire_form_is_plain_json() -> None:
    finished = EXAMPLES[3].to_json()
    assert finished["snapshot_id"] == str(EXAMPLES[3].snapshot_id)
    assert finished["warnings"] == ["w1"]
    assert EXAMPLES[5].to_json()["failures"] == {"auth_failed": 2, "unreachable": 1}  # sorted
    assert EXAMPLES[11].to_json()["slot"] == "2026-11-27T02:00:00+00:00"
    assert json.dumps(EXAMPLES[2].to_json()) == (
        '{"event": "device_retry", "device": "edge1", "error_class": "timeout", "attempt": 1}'
    )


def test_a_newer_engine_s_extra_keys_are_ignored() -> None:
    wire = DeviceStarted("a").to_json() | {"site": "dc1"}
    assert event_from_json(wire) == DeviceStarted("a")


@pytest.mark.parametrize(
    ("wire", "problem"),
    [
        (
            {"event": "device_skipped", "device": "a"},
            "not a run or collector event: 'device_skipped'",
        ),
        ({"device": "a"}, "not a run or collector event: None"),
        ({"event": "device_retry", "device": "a", "attempt": 1}, "malformed device_retry event"),
        ({"event": "run_started", "run_id": "x", "devices": 1, "concurrency": 1}, "malformed"),
    ],
)
def test_what_is_no_known_event_is_a_clear_error(wire: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        event_from_json(wire)
