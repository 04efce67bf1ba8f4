"""Our own CSV: a header naming `COLUMNS` (any subset with `name`), one device per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from .common import COLUMNS, ImportRow, ParsedFile, RowProblem, split_tags


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
            column: cell.strip() for column, cell in zip(header, cells, strict=True) if cell.strip()
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
        writer.writerow({key: _cell(value) for key, value in device.items()})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)
