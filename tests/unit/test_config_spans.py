"""What the configuration highlighter colours in a line (no display needed)."""

from __future__ import annotations

import pytest

from netraven_desktop.ui.config_highlighter import config_spans, text_spans


def coloured(line: str) -> list[tuple[str, str]]:
    return [(line[start : start + length], kind) for start, length, kind in config_spans(line)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("! Last configuration change", [("! Last configuration change", "comment")]),
        ("  # inactive: ge-0/0/1", [("  # inactive: ge-0/0/1", "comment")]),
        ("interface Gi0/1.100", [("interface", "section")]),
        ("ip access-list extended MGMT", [("ip access-list", "section")]),
        ("no shutdown", []),
        (
            " ip address 10.0.0.1 255.255.255.252",
            [("10.0.0.1", "ip"), ("255.255.255.252", "ip")],
        ),
        ("ipv6 route 2001:db8::/32 fe80::1", [("2001:db8::/32", "ip"), ("fe80::1", "ip")]),
        ("clock 10:30:00 version 15.2 mac 00aa.bb11.cc22", []),
        (
            "set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24",
            [("set", "set"), ("192.0.2.1/24", "ip")],
        ),
        ("delete system syslog", [("delete", "delete")]),
        ("    set password ENC <removed>", [("set", "set"), ("<removed>", "secret")]),
        ("username admin secret 9 <removed>", [("username", "section"), ("<removed>", "secret")]),
    ],
)
def test_what_a_line_colours(line, expected):
    assert coloured(line) == expected


def test_a_whole_text_is_coloured_line_by_line_as_the_view_splits_it():
    text = "interface Gi0/1\n ip address 10.0.0.1 255.255.255.0\n!\n"
    spans = text_spans(text)
    assert spans is not None
    assert spans == [config_spans(line) for line in ["interface Gi0/1", *text.split("\n")[1:]]]
    assert len(spans) == 4  # the document's last, empty block too
    assert spans[0] == [(0, len("interface"), "section")]


@pytest.mark.parametrize("mark", ["\r", "\u2028", "\u2029"])
def test_text_a_document_would_split_elsewhere_is_left_to_the_highlighter(mark):
    assert text_spans(f"interface Gi0/1{mark}\n shutdown\n") is None
