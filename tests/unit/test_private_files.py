"""Private files: what we create is 0600 in 0700 folders, whatever the user's umask."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from netraven_desktop.core.private_files import (
    ensure_private_dir,
    private_file_mode,
    tighten_private_file,
    write_private_file,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX mode bits")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    """The common desktop umask, under which files would be 0644 without our care."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_created_folders_are_private_and_existing_ones_are_left_alone(tmp_path):
    chosen = tmp_path / "shared"
    chosen.mkdir(mode=0o755)
    target = ensure_private_dir(chosen / "a" / "b")
    assert target == chosen / "a" / "b"
    assert mode(chosen / "a") == 0o700
    assert mode(target) == 0o700
    assert mode(chosen) == 0o755


def test_files_created_under_private_file_mode_are_0600_and_umask_comes_back(tmp_path):
    with private_file_mode():
        (tmp_path / "log.txt").write_text("x")
        (tmp_path / "sub").mkdir()
    (tmp_path / "after.txt").write_text("x")
    assert mode(tmp_path / "log.txt") == 0o600
    assert mode(tmp_path / "sub") == 0o700
    assert mode(tmp_path / "after.txt") == 0o644


def test_write_private_file_replaces_whole_file_and_never_follows_a_link(tmp_path):
    outside = tmp_path / "outside"
    outside.write_bytes(b"keep")
    link = tmp_path / "config"
    link.symlink_to(outside)
    write_private_file(link, b"new")
    assert outside.read_bytes() == b"keep"
    assert not link.is_symlink()
    assert link.read_bytes() == b"new"
    assert mode(link) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "outside"]


def test_tighten_makes_an_existing_file_private(tmp_path):
    db = tmp_path / "netraven.db"
    db.write_text("")
    os.chmod(db, 0o644)
    tighten_private_file(db)
    tighten_private_file(tmp_path / "missing.db")
    assert mode(db) == 0o600
