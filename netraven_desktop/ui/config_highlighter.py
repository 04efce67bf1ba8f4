"""Syntax colours for network configurations (IOS-like, Junos, FortiOS, EOS, ...).

`config_spans` finds what to colour in one line (plain Python, tested without a display);
`ConfigHighlighter` paints it with colours picked for the palette's lightness, so the
text reads on a light and on a dark theme alike.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Literal

from ..core.drivers.profiles import MASK
from .qt import QtGui

Span = Literal["comment", "section", "ip", "secret", "set", "delete"]
LineSpan = tuple[int, int, Span]  # start, length, what

# Words that open a block of configuration (first word of a line).
SECTIONS = frozenset(
    {
        "interface",
        "interfaces",
        "router",
        "routing-options",
        "protocols",
        "vlan",
        "vlans",
        "vrf",
        "ip-vrf",
        "line",
        "policy-map",
        "class-map",
        "route-map",
        "prefix-list",
        "access-list",
        "ip-access-list",
        "object-group",
        "policy-options",
        "firewall",
        "security",
        "system",
        "snmp-server",
        "ntp",
        "logging",
        "aaa",
        "username",
        "banner",
        "hostname",
        "crypto",
        "key-chain",
        "spanning-tree",
        "track",
        "address-family",
        "neighbor",
        "config",
        "edit",
    }
)
_COMMENT = re.compile(r"^\s*[!#]")
_FIRST_WORD = re.compile(r"^\s*(?:no\s+)?(ip\s+|ipv6\s+)?([\w-]+)")
_VERB = re.compile(r"^\s*(set|delete|deactivate|activate|unset)\b")
_ADDRESS = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*(?:/\d{1,3})?")
_MASK = re.compile(re.escape(MASK))


def config_spans(line: str) -> list[LineSpan]:
    """(start, length, what) for each part of `line` worth a colour, in order of painting.

    A comment is the whole line and nothing else; a later span paints over an earlier one.
    """
    if _COMMENT.match(line):
        return [(0, len(line), "comment")]
    spans: list[LineSpan] = []
    verb = _VERB.match(line)
    if verb:
        kind: Span = "set" if verb.group(1) in ("set", "activate") else "delete"
        spans.append((verb.start(1), verb.end() - verb.start(1), kind))
    else:
        word = _FIRST_WORD.match(line)
        if word and word.group(2) in SECTIONS:
            start = word.start(1) if word.group(1) else word.start(2)
            spans.append((start, word.end() - start, "section"))
    for match in _ADDRESS.finditer(line):
        if _is_address(match.group()):
            spans.append((match.start(), match.end() - match.start(), "ip"))
    spans.extend((m.start(), m.end() - m.start(), "secret") for m in _MASK.finditer(line))
    return spans


def text_spans(text: str) -> list[list[LineSpan]] | None:
    """`config_spans` of each line as the text view splits them (worked out in a worker
    for a big configuration); None for text a document would split elsewhere too."""
    if any(mark in text for mark in ("\r", "\u2028", "\u2029")):
        return None
    return [config_spans(line) for line in text.split("\n")]


def _is_address(text: str) -> bool:
    """A real IPv4/IPv6 address or prefix, not a time (10:30:00) or a version (15.2)."""
    try:
        ipaddress.ip_interface(text)
    except ValueError:
        return False
    return True


def is_dark(palette: QtGui.QPalette) -> bool:
    return palette.color(QtGui.QPalette.ColorRole.Base).lightness() < 128


# (light palette, dark palette) colours, chosen for contrast against white and near-black.
_COLOURS: dict[Span, tuple[str, str]] = {
    "comment": ("#6a737d", "#8b949e"),
    "section": ("#0550ae", "#79c0ff"),
    "ip": ("#8250df", "#d2a8ff"),
    "secret": ("#cf222e", "#ff7b72"),
    "set": ("#116329", "#7ee787"),
    "delete": ("#cf222e", "#ffa198"),
}


def span_formats(palette: QtGui.QPalette) -> dict[Span, QtGui.QTextCharFormat]:
    """One character format per kind of span, for this palette."""
    dark = is_dark(palette)
    formats: dict[Span, QtGui.QTextCharFormat] = {}
    for kind, (light_colour, dark_colour) in _COLOURS.items():
        fmt = QtGui.QTextCharFormat()
        fmt.setForeground(QtGui.QColor(dark_colour if dark else light_colour))
        if kind == "comment":
            fmt.setFontItalic(True)
        elif kind in ("section", "set", "delete", "secret"):
            fmt.setFontWeight(QtGui.QFont.Weight.Bold)
        formats[kind] = fmt
    return formats


class ConfigHighlighter(QtGui.QSyntaxHighlighter):
    """Colours a configuration document; call `set_palette` when the theme changes."""

    def __init__(self, document: QtGui.QTextDocument, palette: QtGui.QPalette) -> None:
        super().__init__(document)
        self.formats = span_formats(palette)
        self.spans: Sequence[list[LineSpan]] | None = None  # by block, if worked out already

    def set_palette(self, palette: QtGui.QPalette) -> None:
        self.formats = span_formats(palette)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        number, known = self.currentBlock().blockNumber(), self.spans
        spans = known[number] if known is not None and number < len(known) else None
        for start, length, kind in config_spans(text) if spans is None else spans:
            self.setFormat(start, length, self.formats[kind])
