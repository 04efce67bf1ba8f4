"""Reading device inventories from other tools (and our own export) into `ImportRow`s."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

from ..errors import InputError
from . import ansible, csv_format, json_format, netbox, oxidized
from .common import ImportRejected, ImportRow, ParsedFile, RowProblem

FORMATS = ("csv", "oxidized", "netbox", "ansible", "json")
MAX_IMPORT_BYTES = 50 * 1024 * 1024  # far above 100,000 devices in any of the formats
__all__ = ["FORMATS", "ImportRejected", "ImportRow", "ParsedFile", "RowProblem", "parse_file"]


def read_text(path: str, limit: int = MAX_IMPORT_BYTES) -> str:
    """The file's text (`-` is stdin); a byte-order mark (Excel) is dropped.

    A file over `limit` bytes is refused before it is read.
    """
    shown = path if path == "-" else Path(path)  # errors quote a path by its end
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
            size = len(data)
        else:
            with Path(path).open("rb") as file:
                size = os.fstat(file.fileno()).st_size
                data = file.read(limit + 1) if size <= limit else b""
                size = max(size, len(data))  # a file that grew while we read it
        if size > limit:
            limit_text = f"an import may be {_megabytes(limit)} at most"
            raise InputError("FILE", shown, f"is {_megabytes(size)}; {limit_text}")
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("FILE", shown, "no such file") from None
    except UnicodeDecodeError:
        raise InputError("FILE", shown, "is not UTF-8 text") from None
    except OSError as exc:
        raise InputError("FILE", shown, exc.strerror or "cannot be read") from None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def guess_format(path: str, text: str) -> str:
    """The format by extension: .db oxidized, .yml/.yaml ansible, .json json, else CSV
    (NetBox's when its header says so)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".db":
        return "oxidized"
    if suffix in (".yml", ".yaml"):
        return "ansible"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt", "") or path == "-":
        return "netbox" if netbox.looks_like_netbox(text) else "csv"
    raise InputError(
        "--format", path, f"cannot tell from the extension; give one of {', '.join(FORMATS)}"
    )


def parse_text(
    text: str, format: str, *, separator: str = ":", columns: str | None = None
) -> ParsedFile:
    """Parse `text` in one of `FORMATS`; `separator`/`columns` apply to Oxidized only."""
    if format == "oxidized":
        return oxidized.parse(text, separator, oxidized.column_map(columns))
    parsers = {
        "csv": csv_format.parse,
        "netbox": netbox.parse,
        "ansible": ansible.parse,
        "json": json_format.parse,
    }
    if format not in parsers:
        raise InputError("--format", format, f"must be one of {', '.join(FORMATS)}")
    try:
        return parsers[format](text)
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB field limit
        return ParsedFile(problems=[RowProblem("file", format, str(exc), "is not CSV I can read")])


def parse_file(
    path: str, format: str | None = None, *, separator: str = ":", columns: str | None = None
) -> tuple[str, ParsedFile]:
    """Read and parse a file; returns the format used (guessed when not given)."""
    text = read_text(path)
    format = format or guess_format(path, text)
    return format, parse_text(text, format, separator=separator, columns=columns)
