"""Session transcripts as files: what masking keeps out of them, and how bad files fail."""

from __future__ import annotations

import json

import pytest

from netraven_desktop.core.drivers.transcript import (
    Chunk,
    Sent,
    Transcript,
    dumps,
    loads,
    mask_transcript,
)
from netraven_desktop.core.errors import InputError
from netraven_desktop.core.platforms import PLATFORMS as PROFILES

IOS = PROFILES["cisco_ios"]
PASSWORD = "Pw-4711-secret"
ENABLE = "En-0815-secret"


def _masked(*events: Chunk | Sent) -> str:
    transcript = Transcript("r1", "cisco_ios", "netops", list(events), "ok")
    return dumps(mask_transcript(transcript, IOS, [PASSWORD, ENABLE]))


def test_credentials_never_reach_the_file_even_echoed_or_split_across_reads():
    text = _masked(
        Chunk(0.1, "r1>"),
        Sent(0.2, "enable\n"),
        Chunk(0.3, "enable\r\nPassword: "),
        Sent(0.4, secret="enable"),
        # A device that echoes the secret, the echo split over two reads.
        Chunk(0.5, ENABLE[:5]),
        Chunk(0.6, ENABLE[5:] + "\r\nr1#"),
        Sent(0.7, f"ping vrf x {PASSWORD}\n"),
        Chunk(0.8, f"% unknown {PASSWORD}\r\nr1#"),
    )
    assert PASSWORD not in text
    assert ENABLE not in text
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[0]["username"] == "netops"
    assert {"at": 0.4, "send_secret": "enable"} in rows
    assert {"at": 0.5, "recv": "<removed>\r\n"} in rows  # masked whole, in its first read
    assert {"at": 0.7, "send": "ping vrf x <removed>\n"} in rows


def test_configuration_secrets_are_masked_by_the_platform_rules_and_reads_kept():
    text = _masked(
        Chunk(1.0, "show running-config\r\nhostname r1\r\nsnmp-server comm"),
        Chunk(1.5, "unity Tr4nscr1pt-Comm RO\r\n\x1b[7minterface Gi0/1"),
        Chunk(2.0, "\r\n -----BEGIN RSA PRIVATE KEY-----\r\n MIIEkey1\r\n MIIEkey2\r\n"),
        Chunk(2.5, " -----END RSA PRIVATE KEY-----\r\nr1#"),
    )
    assert "Tr4nscr1pt-Comm" not in text
    assert "MIIEkey" not in text
    transcript = loads(text)
    chunks = [e for e in transcript.events if isinstance(e, Chunk)]
    assert [c.at for c in chunks] == [1.0, 2.0, 2.5]  # 1.5 began inside a masked line
    joined = "".join(c.text for c in chunks)
    assert "snmp-server community <removed> RO\r\n" in joined
    assert "\x1b[7minterface Gi0/1\r\n" in joined  # lines without secrets stay as sent
    assert "-----BEGIN RSA PRIVATE KEY-----\r\n<removed>\r\n<removed>\r\n -----END" in joined


def test_a_file_round_trips_and_each_output_line_is_one_line_of_the_file():
    text = _masked(Chunk(0.25, "a\r\nb\r\nr1#"), Sent(0.5, " "), Chunk(0.75, "\u2028x\r\n"))
    lines = text.splitlines()
    assert [json.loads(line).get("recv") for line in lines[1:4]] == ["a\r\n", "b\r\n", "r1#"]
    again = loads(text)
    assert again.events == [
        Chunk(0.25, "a\r\nb\r\nr1#"),
        Sent(0.5, " "),
        Chunk(0.75, "\u2028x\r\n"),
    ]
    assert (again.device, again.platform, again.end) == ("r1", "cisco_ios", "ok")


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("", "t.jsonl", "empty file"),
        ('{"device": "r1"}\n', "t.jsonl:1", '"netraven_transcript": 1'),
        ('{"netraven_transcript": 1, "device": "r1"}\n', "t.jsonl:1: platform", "non-empty"),
        (
            '{"netraven_transcript": 1, "device": "r1", "platform": "cisco_ios"}\n{"recv": 5}\n',
            "t.jsonl:2: recv",
            "must be a string",
        ),
        (
            '{"netraven_transcript": 1, "device": "r1", "platform": "x"}\n\n{"recv": "a"\n',
            "t.jsonl:3",
            "not JSON",
        ),
        (
            '{"netraven_transcript": 1, "device": "r1", "platform": "x"}\n{"at": -1, "recv": ""}\n',
            "t.jsonl:2: at",
            "seconds",
        ),
        (
            '{"netraven_transcript": 1, "device": "r1", "platform": "x"}\n{"typed": "x"}\n',
            "t.jsonl:2",
            '"recv", "send"',
        ),
    ],
)
def test_a_bad_file_is_one_error_naming_file_line_and_problem(text, where, problem):
    with pytest.raises(InputError) as caught:
        loads(text, "t.jsonl")
    message = str(caught.value)
    assert message.startswith(where)
    assert problem in message
    assert "\n" not in message
