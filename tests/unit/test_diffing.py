"""Side-by-side alignment and change positions of two configurations."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from netraven_desktop.core.diffing import Row, change_starts, side_by_side, unified_kinds

OLD = "hostname r1\n!\ninterface Gi0/1\n ip address 10.0.0.1 255.255.255.0\n!\nend\n"


def test_identical_texts_have_only_equal_rows_and_no_change():
    result = side_by_side(OLD, OLD)
    assert {row.kind for row in result.rows} == {"equal"}
    assert result.rows[2] == Row("equal", 3, "interface Gi0/1", 3, "interface Gi0/1")
    assert result.changes == []


def test_an_added_line_faces_a_gap_on_the_left():
    new = OLD.replace("!\nend", "!\nntp server 10.9.9.9\nend")
    result = side_by_side(OLD, new)
    assert result.changes == [5]
    assert result.rows[5] == Row("added", None, "", 6, "ntp server 10.9.9.9")
    assert result.rows[6] == Row("equal", 6, "end", 7, "end")


def test_a_removed_line_faces_a_gap_on_the_right():
    new = OLD.replace("hostname r1\n", "")
    result = side_by_side(OLD, new)
    assert result.rows[0] == Row("removed", 1, "hostname r1", None, "")
    assert result.changes == [0]


def test_a_longer_replacement_pairs_lines_then_adds_the_rest():
    old = "a\nb\nc\n"
    new = "a\nB\nB2\nc\n"
    result = side_by_side(old, new)
    assert [r.kind for r in result.rows] == ["equal", "changed", "added", "equal"]
    assert result.rows[1] == Row("changed", 2, "b", 2, "B")
    assert result.rows[2] == Row("added", None, "", 3, "B2")
    assert result.changes == [1]  # one change, however many rows it spans


def test_separate_changes_each_get_a_stop():
    old = "1\n2\n3\n4\n5\n6\n7\n"
    new = "1\nX\n3\n4\n5\n7\nY\n"
    result = side_by_side(old, new)
    assert result.changes == [1, 5, 7]
    assert [result.rows[i].kind for i in result.changes] == ["changed", "removed", "added"]


def test_unified_kinds_tell_file_headers_from_removed_lines():
    old, new = "a\n--- x\nb\n", "a\nb\nc\n"
    lines = list(
        difflib.unified_diff(old.splitlines(), new.splitlines(), "old", "new", lineterm="")
    )
    kinds = unified_kinds(lines)
    assert kinds[:3] == ["header", "header", "hunk"]
    assert dict(zip(lines[3:], kinds[3:], strict=True)) == {
        " a": "equal",
        "---- x": "removed",  # a removed line that looks like a header is still a removal
        " b": "equal",
        "+c": "added",
    }
    assert change_starts(kinds) == [4, 6]


def test_a_replacement_in_a_unified_diff_is_one_change():
    assert change_starts(["hunk", "equal", "removed", "removed", "added", "equal"]) == [2]


lines = st.lists(st.sampled_from(["!", "a", "b", "c", " x", ""]), max_size=12)


@given(lines, lines)
def test_both_sides_read_back_and_both_views_count_the_same_changes(old, new):
    old_text, new_text = "\n".join(old), "\n".join(new)
    result = side_by_side(old_text, new_text)
    assert [r.old for r in result.rows if r.old_number] == old_text.splitlines()
    assert [r.new for r in result.rows if r.new_number] == new_text.splitlines()
    unified = list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm=""))
    assert len(change_starts(unified_kinds(unified))) == len(result.changes)
