"""File → Export configurations…: the window runs the CLI's exporter in a child process;
the repository it writes is read back with the real git command."""

from __future__ import annotations

import subprocess

from netraven_desktop.ui.export_dialog import ExportDialog
from tests.snapshots import device_with_configs


def git_subjects(repo) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--reverse", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.splitlines()


def test_export_to_git_then_again_adds_nothing(qtbot, run_async, app_ctx, tmp_path):
    device_with_configs(app_ctx.db, "sw1", ["hostname sw1\n", "hostname sw1\nvlan 10\n"])
    dialog = ExportDialog(app_ctx)
    qtbot.addWidget(dialog)
    repo = tmp_path / "configs"
    dialog.folder.setText(str(repo))
    assert dialog.git.isChecked()

    finished = run_async(dialog.export(), timeout_ms=60_000)
    assert finished.commits == 2
    assert dialog.status.text() == f"Exported 2 new commits to {repo}"
    assert [s.split(":")[0] for s in git_subjects(repo)] == ["sw1", "sw1"]

    again = run_async(dialog.export(), timeout_ms=60_000)
    assert again.commits == 0
    assert len(git_subjects(repo)) == 2


def test_plain_files_name_the_devices_without_a_backup(qtbot, run_async, app_ctx, tmp_path):
    device_with_configs(app_ctx.db, "sw1", ["hostname sw1\n"])
    device_with_configs(app_ctx.db, "sw2", [])  # no backup yet: no file, counted as skipped
    dialog = ExportDialog(app_ctx)
    qtbot.addWidget(dialog)
    files = tmp_path / "files"
    dialog.folder.setText(str(files))
    dialog.git.setChecked(False)

    finished = run_async(dialog.export(), timeout_ms=60_000)
    assert (finished.files, finished.skipped) == (1, ["sw2"])
    assert dialog.status.text() == (
        f"Exported 1 files to {files} (1 devices without a backup skipped)"
    )
    assert (files / "sw1").read_text() == "hostname sw1\n"


def test_a_folder_that_is_not_an_export_is_refused_at_once(qtbot, run_async, app_ctx, tmp_path):
    device_with_configs(app_ctx.db, "sw1", ["hostname sw1\n"])
    occupied = tmp_path / "documents"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine\n")
    dialog = ExportDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(occupied))

    assert run_async(dialog.export(), timeout_ms=60_000) is None
    assert dialog.status.text().startswith("DIR: is a folder with files but no git repository")
    assert dialog.status.text().endswith("/documents')")  # a long path: its end is quoted
    assert sorted(p.name for p in occupied.iterdir()) == ["notes.txt"]
