"""Our own JSON: an array of objects with the CSV's column names (`tags` a list)."""

from __future__ import annotations

import json
from typing import Any

from .common import COLUMNS, ImportRow, ParsedFile, RowProblem


def parse(text: str) -> ParsedFile:
    parsed = ParsedFile()
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.problems.append(
            RowProblem(f"line {exc.lineno}", "json", exc.msg, "is not valid JSON")
        )
        return parsed
    if not isinstance(items, list):
        parsed.problems.append(
            RowProblem("line 1", "json", type(items).__name__, "must be an array")
        )
        return parsed
    for number, item in enumerate(items, 1):
        where = f"item {number}"
        if not isinstance(item, dict):
            parsed.problems.append(RowProblem(where, "item", item, "must be an object"))
            continue
        unknown = [key for key in item if key not in COLUMNS]
        for key in unknown:
            parsed.problems.append(
                RowProblem(where, key, item[key], f"unknown key; known: {', '.join(COLUMNS)}")
            )
        tags = item.get("tags")
        if tags is not None and not (
            isinstance(tags, list) and all(isinstance(t, str) for t in tags)
        ):
            parsed.problems.append(RowProblem(where, "tags", tags, "must be a list of names"))
            continue
        if not unknown:
            values: dict[str, Any] = {k: v for k, v in item.items() if v is not None and v != ""}
            parsed.rows.append(ImportRow(where, values))
    return parsed
