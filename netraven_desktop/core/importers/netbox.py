"""NetBox's device CSV export ("All data" or the table's "Current view").

Headers are matched by name, with NetBox's own spellings of both kinds of export
(`primary_ip4` / `Primary IPv4`, `role` / `device_role` / `Role`); columns we have no
use for (rack, tenant, serial, ...) are ignored. The host is the primary IPv4 address,
else the IPv6 one, without its prefix length, else the device name (a DNS name). A
status other than active imports the device disabled.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .common import ImportRow, ParsedFile, RowProblem, platform_from, split_tags

# NetBox header (normalised) -> our column.
HEADERS = {
    "name": "name",
    "status": "status",
    "site": "site",
    "role": "role",
    "device_role": "role",
    "platform": "platform",
    "primary_ip4": "ip4",
    "primary_ipv4": "ip4",
    "primary_ip6": "ip6",
    "primary_ipv6": "ip6",
    "primary_ip": "ip",
    "ip_address": "ip",
    "tags": "tags",
    "description": "description",
}
# Headers only NetBox writes: how a .csv is told apart from ours.
MARKERS = {"status", "primary_ip4", "primary_ipv4", "device_role", "ip_address", "rack", "tenant"}


def normalise(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def looks_like_netbox(text: str) -> bool:
    first = next(csv.reader(io.StringIO(text)), [])
    return any(normalise(h) in MARKERS for h in first)


def parse(text: str) -> ParsedFile:
    parsed = ParsedFile()
    reader = csv.DictReader(io.StringIO(text))
    fields = {h: HEADERS[normalise(h)] for h in reader.fieldnames or () if normalise(h) in HEADERS}
    if "name" not in fields.values():
        parsed.problems.append(
            RowProblem("line 1", "header", ",".join(reader.fieldnames or ()), "needs a Name column")
        )
        return parsed
    for record in reader:
        where = f"line {reader.line_num}"
        given = {ours: (record.get(h) or "").strip() for h, ours in fields.items()}
        if not any(given.values()):
            continue
        parsed.rows.append(ImportRow(where, _values(given), {"host": given["name"]}))
    return parsed


def _values(given: dict[str, str]) -> dict[str, Any]:
    address = given.get("ip4") or given.get("ip6") or given.get("ip")
    values: dict[str, Any] = {"name": given["name"]}
    if address:
        values["host"] = address.split("/", 1)[0]
    for column in ("site", "role", "description"):
        if given.get(column):
            values[column] = given[column]
    if given.get("platform"):
        values["platform"] = platform_from(given["platform"])
    if given.get("status"):
        values["enabled"] = given["status"].lower() == "active"
    if given.get("tags"):
        # NetBox separates tags with commas inside the cell.
        values["tags"] = split_tags(given["tags"].replace(",", ";"))
    return values
