"""Hostile inventory files: alias bombs, huge files and huge values fail fast and short."""

from __future__ import annotations

import os

import pytest

from netraven_desktop.core.errors import InputError, quote_value
from netraven_desktop.core.importers import MAX_IMPORT_BYTES, parse_file, parse_text, read_text
from netraven_desktop.core.importers.yaml_loader import MAX_ALIAS_NODES

# 9 levels of 9 aliases each: 342 bytes that stand for 9**9 (387 million) strings.
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_with_one_short_line(tmp_path):
    path = tmp_path / "inventory.yml"
    path.write_text(BILLION_LAUGHS)
    assert path.stat().st_size < 400
    format, parsed = parse_file(str(path))
    assert (format, parsed.rows) == ("ansible", [])
    [problem] = parsed.problems
    assert str(problem) == (
        f"line 6: yaml: aliases may stand for at most {MAX_ALIAS_NODES:,} values in all; "
        "refused (got '*e')"
    )


def test_an_alias_inside_its_own_anchor_is_refused():
    [problem] = parse_text("all: &loop\n  children: [*loop]\n", "ansible").problems
    assert str(problem) == (
        "line 2: yaml: an alias may not refer to a collection it is in (got '*loop')"
    )


def test_shared_variables_through_merge_keys_still_import():
    """The way real inventories use anchors: one block of variables merged into hosts."""
    hosts = "".join(
        f"        edge{n}:\n"
        "          <<: *edge\n"
        f"          ansible_host: 10.9.{n // 250}.{n % 250 + 1}\n"
        for n in range(500)
    )
    text = (
        "all:\n  children:\n    edge:\n      vars: &edge\n"
        "        ansible_network_os: cisco.ios.ios\n        ansible_port: 22\n"
        f"      hosts:\n{hosts}"
    )
    parsed = parse_text(text, "ansible")
    assert parsed.problems == []
    assert len(parsed.rows) == 500
    assert parsed.rows[-1].values == {
        "name": "edge499",
        "host": "10.9.1.250",
        "port": 22,
        "platform": "cisco_ios",
        "tags": ["edge"],
    }


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open("huge.csv", "wb") as file:  # sparse: 60 MB on paper, nothing on disk
        file.truncate(60 * 1024 * 1024)
    with pytest.raises(InputError) as caught:
        read_text("huge.csv")
    assert str(caught.value) == (
        f"FILE: is 60.0 MB; an import may be {MAX_IMPORT_BYTES // 2**20}.0 MB at most "
        "(got 'huge.csv')"
    )


def test_a_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text("name\nsw1\n")
    assert read_text(str(path), limit=os.path.getsize(path)) == "name\nsw1\n"
    with pytest.raises(InputError, match="an import may be"):
        read_text(str(path), limit=os.path.getsize(path) - 1)


def test_a_10_mb_csv_cell_is_one_short_problem():
    text = "name,description\nsw1," + "x" * 10_000_000 + "\n"
    [problem] = parse_text(text, "csv").problems
    assert str(problem) == (
        "file: csv: is not CSV I can read (got 'field larger than field limit (131072)')"
    )


def test_error_messages_quote_at_most_80_characters_of_a_value():
    huge = "A" * 10_000_000
    assert quote_value(huge) == repr("A" * 80) + "…"
    assert len(str(InputError("description", huge, "must be at most 4000 characters"))) < 160
    nested: list = ["lol"]
    for _ in range(30):  # shared references: 9**30 leaves if walked in full
        nested = [nested] * 9
    assert len(quote_value(nested)) <= 81
    assert quote_value("short") == "'short'"
