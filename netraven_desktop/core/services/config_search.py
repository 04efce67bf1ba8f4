"""Search stored configurations for a fixed string or a regular expression, like grep.

The database's trigram index (SQLite FTS5, PostgreSQL pg_trgm) narrows the search to
the blobs that contain the pattern's literal text; Python then finds the exact matching
lines, one line at a time as `grep -n` (or `grep -En`) does. A pattern with no literal
run of 3 or more characters cannot use a trigram index: every configuration in scope is
scanned instead (slower, same results).
"""

from __future__ import annotations

import re
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..crud import config_search as rows
from ..crud import configs
from ..crud import devices as device_rows
from ..crud import tags as tag_rows
from ..errors import InputError, NotFoundError
from .access import authorize
from .dual import dual

BATCH = 100  # snapshots whose texts are loaded at a time


@dataclass(frozen=True)
class MatchedLine:
    number: int  # 1-based, as grep -n
    text: str


@dataclass(frozen=True)
class SearchHit:
    """A snapshot with at least one matching line."""

    device: str
    snapshot_id: uuid.UUID
    captured_at: datetime
    lines: tuple[MatchedLine, ...]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (documented in docs/cli.md)."""
        return {
            "device": self.device,
            "snapshot": str(self.snapshot_id),
            "captured_at": self.captured_at.isoformat(),
            "lines": [{"line": line.number, "text": line.text} for line in self.lines],
        }


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    truncated: bool  # more snapshots matched than the limit
    indexed: bool  # the index narrowed the search (False: every configuration was scanned)


def compile_pattern(pattern: str, *, regex: bool, ignore_case: bool) -> re.Pattern[str]:
    """The line matcher; a pattern Python cannot take, or takes with a warning (such as
    a POSIX class `[[:digit:]]`, which Python reads differently), is an InputError."""
    field = "--regex" if regex else "pattern"
    if not pattern:
        raise InputError(field, pattern, "must not be empty")
    if "\n" in pattern:
        raise InputError(field, pattern, "must be one line")
    flags = re.IGNORECASE if ignore_case else 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return re.compile(pattern if regex else re.escape(pattern), flags)
        except (re.error, Warning) as exc:
            raise InputError(field, pattern, f"is not a valid regular expression: {exc}") from None


_CLASS_ESCAPES = set("dDwWsSbBAZ")


def required_literals(pattern: str) -> list[str]:
    """Runs of literal text that every match of the regular expression contains.

    Deliberately conservative: groups, classes, alternation and quantified characters
    contribute nothing, and anything unusual (inline flags, numeric escapes, a top-level
    `|`) yields no literal at all, which means a full scan, never a missed match.
    """
    if re.search(r"\(\?[aiLmsux]", pattern):
        return []
    found: list[str] = []
    run = ""
    depth = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        literal = None
        if ch == "\\":
            following = pattern[i + 1 : i + 2]
            if following.isalnum() and following not in _CLASS_ESCAPES:
                return []  # \x41, \1, \N{...}: not worth decoding
            if following and not following.isalnum():
                literal = following
            i += 2
        elif ch == "[":
            i += 1
            i += pattern[i : i + 1] == "^"
            i += pattern[i : i + 1] == "]"
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
        elif ch == "{":
            run = run[:-1]  # the quantified character may be absent
            end = pattern.find("}", i)
            if end < 0:
                return []
            i = end + 1
        else:
            if ch in "*?":
                run = run[:-1]
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "|" and depth == 0:
                return []
            elif ch not in ".^$+|":
                literal = ch
            i += 1
        if literal is not None and depth == 0:
            run += literal
            continue
        if literal is None or depth:
            found.append(run)
            run = ""
    found.append(run)
    return [text for text in found if text]


def matching_lines(text: str, matcher: re.Pattern[str]) -> tuple[MatchedLine, ...]:
    """Lines of `text` that match, numbered as grep numbers them (split on newlines only)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start another
    search = matcher.search
    return tuple(MatchedLine(n, line) for n, line in enumerate(lines, 1) if search(line))


@dual
def search(
    session: Session,
    pattern: str,
    *,
    regex: bool = False,
    ignore_case: bool = False,
    devices: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    all_snapshots: bool = False,
    limit: int | None = None,
) -> SearchResult:
    """Snapshots whose configuration has lines matching `pattern`, by device name, newest
    first: each device's latest snapshot, or with `all_snapshots` its whole history.

    `devices` and `tags` narrow the scope (any of the named devices, any of the tags).
    """
    authorize(session, "read")
    matcher = compile_pattern(pattern, regex=regex, ignore_case=ignore_case)
    if limit is not None and limit < 1:
        raise InputError("--limit", limit, "must be at least 1")
    device_ids = []
    for name in devices:
        try:
            device_ids.append(device_rows.get_device_by_name(session, name).id)
        except NotFoundError:
            raise InputError("--device", name, "no device by that name") from None
    for tag in tags:
        try:
            tag_rows.get_tag_by_name(session, tag)
        except NotFoundError:
            raise InputError("--tag", tag, "no tag by that name") from None
    literals = required_literals(pattern) if regex else [pattern]
    # The trigram index folds case its own way; for non-ASCII text it may differ from
    # Python's case-insensitive matching, so only ASCII literals narrow such a search.
    indexed = [
        text
        for text in literals
        if len(text) >= rows.MIN_INDEXED and (text.isascii() or not ignore_case)
    ]
    in_scope = rows.snapshots_in_scope(
        session, latest_only=not all_snapshots, device_ids=device_ids, tags=tags
    )
    if indexed:
        candidates = rows.candidate_blobs(session, indexed, ignore_case)
        in_scope = [row for row in in_scope if row[2] in candidates]
    # Cheap whole-text checks before going line by line: every match holds each literal.
    prefilters = [re.compile(re.escape(text), matcher.flags) for text in literals]
    found: dict[str, tuple[MatchedLine, ...]] = {}
    hits: list[SearchHit] = []
    for start in range(0, len(in_scope), BATCH):
        batch = in_scope[start : start + BATCH]
        unread = list({sha for _, _, sha, _ in batch if sha not in found})
        for sha, text in configs.blob_texts(session, unread).items():
            wanted = all(check.search(text) for check in prefilters)
            found[sha] = matching_lines(text, matcher) if wanted else ()
        for snapshot_id, captured_at, sha, device in batch:
            if found[sha]:
                if limit is not None and len(hits) == limit:
                    return SearchResult(hits, truncated=True, indexed=bool(indexed))
                hits.append(SearchHit(device, snapshot_id, captured_at, found[sha]))
    return SearchResult(hits, truncated=False, indexed=bool(indexed))
