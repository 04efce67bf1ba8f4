"""Our own CSV: a header naming `COLUMNS` (any subset with `name`), one device per row.

Cells a spreadsheet would run as a formula (`=cmd|' /C calc'!A0`, `+SUM(...)`, starting
with = + - @ tab or CR) are written with a leading `'`, as OWASP's CSV-injection advice
says; a spreadsheet shows the text, and `parse` takes the `'` off again. Any run of `'`
before such a character gets one more, so a value that really starts with `'` (names
may) comes back unchanged: writing and reading are exact inverses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from .common import COLUMNS, ImportRow, ParsedFile, RowProblem, split_tags

_FORMULA = re.compile(r"'*[=+\-@\t\r]")  # matched at a cell's start


def parse(text: str) -> ParsedFile:
    """Rows by header name; an unknown or repeated column rejects the file."""
    parsed = ParsedFile()
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if not any(header):
        parsed.problems.append(RowProblem("line 1", "header", "", "a header row is required"))
        return parsed
    for column in header:
        if column not in COLUMNS:
            parsed.problems.append(
                RowProblem(
                    "line 1", "header", column, f"unknown column; known: {', '.join(COLUMNS)}"
                )
            )
        elif header.count(column) > 1:
            parsed.problems.append(RowProblem("line 1", "header", column, "repeated column"))
    if "name" not in header:
        parsed.problems.append(
            RowProblem("line 1", "header", ",".join(header), "needs a name column")
        )
    if parsed.problems:
        return parsed
    for cells in reader:
        where = f"line {reader.line_num}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            parsed.problems.append(
                RowProblem(
                    where,
                    "row",
                    ",".join(cells),
                    f"has {len(cells)} cells, the header {len(header)}",
                )
            )
            continue
        values: dict[str, Any] = {
            column: unescape_formula(cell.strip())
            for column, cell in zip(header, cells, strict=True)
            if cell.strip()
        }
        if "tags" in values:
            values["tags"] = split_tags(values["tags"])
        parsed.rows.append(ImportRow(where, values))
    return parsed


def write(devices: Iterable[dict[str, Any]], out: io.TextIOBase) -> None:
    """Exported devices (see `services.device_import.export_devices`) as our CSV."""
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for device in devices:
        writer.writerow({key: escape_formula(_cell(value)) for key, value in device.items()})


def escape_formula(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula (see the module's docstring)."""
    return "'" + text if _FORMULA.match(text) else text


def unescape_formula(text: str) -> str:
    """The value `escape_formula` was given."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)
