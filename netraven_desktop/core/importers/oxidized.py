"""Oxidized's `router.db`: one device a line, fields split by a separator.

Which field is what follows Oxidized's `map`, given as a column list: the default
`name,model` is Oxidized's default. `model` is an Oxidized model name (ios, junos, ...),
mapped to our platforms; `ip` (or `host`) defaults to the name, as in Oxidized; `group`
becomes a tag. Username, password and enable columns are read past and never stored:
secrets belong in credentials (the OS keyring). `#` starts a comment line.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .common import ImportRow, ParsedFile, RowProblem, platform_from

FIELDS = ("name", "model", "ip", "host", "port", "group", "username", "password", "enable")
DEFAULT_COLUMNS = ("name", "model")


def column_map(spec: str | None) -> tuple[str, ...]:
    """`--columns name,model,ip` checked against the fields we understand ('' skips one)."""
    if spec is None:
        return DEFAULT_COLUMNS
    columns = tuple(c.strip().lower() for c in spec.replace(":", ",").split(","))
    for column in columns:
        if column and column not in FIELDS:
            raise InputError("--columns", column, f"unknown field; known: {', '.join(FIELDS)}")
    if "name" not in columns:
        raise InputError("--columns", spec, "must include name")
    return columns


def parse(
    text: str, separator: str = ":", columns: tuple[str, ...] = DEFAULT_COLUMNS
) -> ParsedFile:
    if not separator:
        raise InputError("--separator", separator, "must not be empty")
    parsed = ParsedFile()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"line {number}"
        cells = line.split(separator)
        if len(cells) < len(columns):
            parsed.problems.append(
                RowProblem(
                    where,
                    "row",
                    line,
                    f"has {len(cells)} fields separated by {separator!r}, "
                    f"the map needs {len(columns)} ({','.join(columns)})",
                )
            )
            continue
        given = {c: cell.strip() for c, cell in zip(columns, cells, strict=False) if c}
        parsed.rows.append(ImportRow(where, _values(given), {"host": given["name"]}))
    return parsed


def _values(given: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"name": given["name"]}
    if given.get("ip") or given.get("host"):
        values["host"] = given.get("ip") or given.get("host")
    if given.get("model"):
        values["platform"] = platform_from(given["model"])
    if given.get("port"):
        values["port"] = given["port"]
    if given.get("group"):
        values["tags"] = [given["group"]]
    return values
