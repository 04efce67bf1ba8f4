"""Writing one export file: inside its folder only, even when a link appears mid-export."""

from __future__ import annotations

import os
import stat

import pytest

from netraven_desktop.core.errors import InputError
from netraven_desktop.core.export_paths import check_targets, write_export_file


def test_a_file_lands_in_private_folders_created_on_the_way(tmp_path):
    write_export_file(tmp_path / "out", "dc1/sw1", b"hostname sw1\n")
    write_export_file(tmp_path / "out", "dc1/sw1", b"hostname sw1\nend\n")
    assert (tmp_path / "out" / "dc1" / "sw1").read_bytes() == b"hostname sw1\nend\n"
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == ["dc1", "sw1"]
    if os.name == "posix":
        modes = [stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").rglob("*")]
        assert sorted(modes) == [0o600, 0o700]


@pytest.mark.skipif(os.name != "posix", reason="the O_NOFOLLOW walk is POSIX")
def test_a_link_made_after_the_check_is_refused_not_followed(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    check_targets(out, ["dc1/sw1"])  # nothing there yet: fine
    (out / "dc1").symlink_to(elsewhere)  # someone else's move, mid-export
    with pytest.raises(InputError, match="is a symbolic link") as caught:
        write_export_file(out, "dc1/sw1", b"hostname sw1\n")
    assert str(caught.value).endswith("/out/dc1')")
    assert list(elsewhere.iterdir()) == []


def test_a_link_at_the_file_itself_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sw1").symlink_to(victim)
    write_export_file(tmp_path / "out", "sw1", b"hostname sw1\n")
    assert victim.read_text() == "keep\n"
    assert not (tmp_path / "out" / "sw1").is_symlink()


@pytest.mark.skipif(os.name != "posix", reason="the O_NOFOLLOW walk is POSIX")
def test_a_file_made_where_a_folder_goes_after_the_check_is_refused(tmp_path):
    check_targets(tmp_path, ["dc1/sw1"])
    (tmp_path / "dc1").write_text("not a folder")
    with pytest.raises(InputError, match="is not a folder, but the export needs one here"):
        write_export_file(tmp_path, "dc1/sw1", b"hostname sw1\n")
    assert (tmp_path / "dc1").read_text() == "not a folder"
