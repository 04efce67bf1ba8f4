"""Two configurations side by side, and where their changes start.

Pure text work (no Qt, no database), so the window's diff view only draws what this
computes and the rules are tested without a display. The matcher is difflib's default
one, the same `backups.diff` uses, so both views count the same changes.

Masked secrets read `<removed>` on both sides, so a line whose secret changed is equal
text; its keyed fingerprints differ (`core.secret_fingerprints`). Such lines are a
change of their own kind, "secret", and the unified diff marks them SECRET_CHANGED.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["equal", "added", "removed", "changed", "secret", "header", "hunk"]
CHANGES: frozenset[str] = frozenset({"added", "removed", "changed", "secret"})
SECRET_CHANGED = "    [secret changed]"
_KIND_OF_OPCODE: dict[str, Kind] = {"insert": "added", "delete": "removed", "replace": "changed"}


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view; a side with no line has number None and ''."""

    kind: Kind
    old_number: int | None
    old: str
    new_number: int | None
    new: str


@dataclass(frozen=True)
class SideBySide:
    rows: list[Row]
    changes: list[int]  # the first row of each change, in order


def secret_changes(
    old: str, new: str, prints: tuple[Mapping[str, str], Mapping[str, str]] | None
) -> frozenset[tuple[int, int]]:
    """(old, new) 0-based line numbers of lines equal in text whose masked secrets differ.

    `prints` are the two snapshots' fingerprints by line (None: not comparable).
    """
    if prints is None:
        return frozenset()
    old_prints, new_prints = prints
    if not old_prints and not new_prints:
        return frozenset()
    a, b = old.splitlines(), new.splitlines()
    return frozenset(
        (i1 + k, j1 + k)
        for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, a, b).get_opcodes()
        if tag == "equal"
        for k in range(i2 - i1)
        if old_prints.get(str(i1 + k)) != new_prints.get(str(j1 + k))
    )


def marked_lines(new: str, changes: Collection[tuple[int, int]]) -> list[str]:
    """`new`'s lines (with their ends), SECRET_CHANGED after each whose secret changed.

    Diffed against the old lines, a secret-only change shows as the line removed and
    added again with the mark: counted and shown like any other change.
    """
    marked = {j for _, j in changes}
    return [
        line + (SECRET_CHANGED if number in marked else "") + "\n"
        for number, line in enumerate(new.splitlines())
    ]


def side_by_side(
    old: str, new: str, changes: Collection[tuple[int, int]] = frozenset()
) -> SideBySide:
    """Align `old` and `new` line by line; a replaced block pairs its lines in order.

    When a replaced block is longer on one side, its extra lines face a gap and count
    as plain additions or removals. Equal lines in `changes` (see `secret_changes`) are
    of kind "secret", the new side marked SECRET_CHANGED.
    """
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            rows.extend(
                Row("secret", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k] + SECRET_CHANGED)
                if (i1 + k, j1 + k) in changes
                else Row("equal", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k])
                for k in range(i2 - i1)
            )
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            left, right = i1 + k < i2, j1 + k < j2
            kind = _KIND_OF_OPCODE[tag] if left and right else ("removed" if left else "added")
            rows.append(
                Row(
                    kind,
                    i1 + k + 1 if left else None,
                    a[i1 + k] if left else "",
                    j1 + k + 1 if right else None,
                    b[j1 + k] if right else "",
                )
            )
    return SideBySide(rows, change_starts([row.kind for row in rows]))


def unified_kinds(lines: Sequence[str]) -> list[Kind]:
    """What each line of a unified diff is; file headers count only before the first hunk."""
    kinds: list[Kind] = []
    in_hunk = False
    for line in lines:
        if line.startswith("@@"):
            in_hunk = True
            kinds.append("hunk")
        elif not in_hunk:
            kinds.append("header")
        elif line.startswith("+"):
            kinds.append("added")
        elif line.startswith("-"):
            kinds.append("removed")
        else:
            kinds.append("equal")
    return kinds


def change_starts(kinds: Sequence[str]) -> list[int]:
    """Where each run of changed lines begins: one stop per change for navigation."""
    return [
        index
        for index, kind in enumerate(kinds)
        if kind in CHANGES and (index == 0 or kinds[index - 1] not in CHANGES)
    ]
