"""`backup export`: the latest configurations as files, and the history as a git
repository read back with the real `git` command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from netraven_desktop.core.crud import configs, devices, jobs, tags
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import ConfigSnapshot, Device
from netraven_desktop.core.errors import InputError
from netraven_desktop.core.export_paths import device_paths, safe_component
from netraven_desktop.core.services import config_export
from netraven_desktop.core.services.export_events import DeviceSkipped, FilesWritten
from tests.clitools import one_line_error
from tests.snapshots import capture


def _config(name: str, *extra: str) -> str:
    return "\n".join([f"hostname {name}", "interface Gi0/1", *extra, "end"]) + "\n"


def _add(db: Database, name: str, site: str | None = None, tag: str | None = None) -> None:
    with db.session() as s:
        devices.create_device(
            s,
            name=name,
            host="10.0.0.1",
            platform="cisco_ios",
            site=site,
            tags=tags.ensure_tags(s, [tag] if tag else []),
        )


def _capture(db: Database, name: str, text: str, *, actor: str | None = "alice", job=None):
    """Store `text` for `name` in a run of its own; returns the snapshot."""
    with db.session() as s:
        job_id = jobs.get_job_by_name(s, job).id if job else None
        run = jobs.create_run(s, job_id=job_id, trigger="cli", actor=actor)
        result = capture(s, run, devices.get_device_by_name(s, name), text)
        return s.get(ConfigSnapshot, result.snapshot_id)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def _log(repo: Path) -> list[list[str]]:
    """Oldest first: author, email, author date, committer date, subject."""
    out = _git(repo, "log", "--reverse", "--format=%an|%ae|%aI|%cI|%s")
    return [line.split("|") for line in out.splitlines()]


def _history(db: Database, repo: Path, tag: str | None = None):
    with db.read_session() as s:
        return config_export.export_history(s, repo, tag=tag, batch_size=2)


def test_paths_are_safe_everywhere_and_unique():
    assert safe_component("sw1") == "sw1"
    assert safe_component("a/b:c") == "a_b_c"
    assert safe_component(".git") == "_.git"
    assert safe_component("CON") == "_CON"
    assert safe_component("con.txt") == "_con.txt"
    assert safe_component("edge. ") == "edge"
    one, two, three = (uuid.uuid4() for _ in range(3))
    paths = device_paths([(one, "dc1", None), (two, "a:b", "dc1"), (three, "x", "dc1")])
    assert paths[one] == f"dc1~{one.hex[:8]}"  # a root file never clashes with a site folder
    assert paths[two] == f"dc1/a_b~{two.hex[:8]}"
    assert paths[three] == "dc1/x"


def test_plain_export_writes_latest_per_device_in_site_folders(db, tmp_path):
    _add(db, "sw1", site="dc1")
    _add(db, "sw2")
    _add(db, "never", site="dc1")
    _capture(db, "sw1", _config("sw1"))
    _capture(db, "sw1", _config("sw1", " description new"))
    _capture(db, "sw2", _config("sw2"))
    target = tmp_path / "out"
    events = []
    with db.read_session() as s:
        summary = config_export.export_latest(s, target, progress=events.append, batch_size=1)
    assert (target / "dc1" / "sw1").read_text() == _config("sw1", " description new")
    assert (target / "sw2").read_text() == _config("sw2")
    assert not (target / "dc1" / "never").exists()
    assert summary.files == 2
    assert summary.skipped == ["never"]
    assert DeviceSkipped("never") in events
    assert [e for e in events if isinstance(e, FilesWritten)][-1] == FilesWritten(2)
    assert sorted(p.name for p in target.rglob("*")) == ["dc1", "sw1", "sw2"]  # no temp files


def test_git_export_one_commit_per_snapshot_and_incremental(db, tmp_path):
    _add(db, "sim-1", site="dc1")
    _add(db, "sim-2")
    with db.session() as s:
        jobs.create_job(s, name="nightly")
    texts = [
        ("sim-1", _config("sim-1"), "alice", None),
        ("sim-2", _config("sim-2"), None, "nightly"),
        ("sim-1", _config("sim-1", " shutdown"), "bob", "nightly"),
    ]
    snaps = [_capture(db, name, text, actor=actor, job=job) for name, text, actor, job in texts]
    repo = tmp_path / "history"

    summary = _history(db, repo)
    assert summary.commits == 3
    log = _log(repo)
    assert [entry[4] for entry in log] == [
        "sim-1: +3 -0 lines (cli)",
        "sim-2: +3 -0 lines (job nightly)",
        "sim-1: +1 -0 lines (job nightly)",
    ]
    assert [entry[0] for entry in log] == ["alice", "netraven", "bob"]
    assert log[0][1] == "alice@netraven.invalid"
    for entry, snap in zip(log, snaps, strict=True):  # author and committer date: capture time
        expected = snap.captured_at.replace(microsecond=0)
        assert entry[2] == entry[3] == expected.isoformat()
    assert _git(repo, "show", "HEAD:dc1/sim-1") == _config("sim-1", " shutdown")
    assert _git(repo, "show", "HEAD~1:dc1/sim-1") == _config("sim-1")
    assert _git(repo, "show", "HEAD:sim-2") == _config("sim-2")
    assert f"NetRaven-Snapshot: {snaps[2].id}" in _git(repo, "log", "-1", "--format=%B")
    assert (repo / "dc1" / "sim-1").read_text() == _config("sim-1", " shutdown")  # checked out
    assert _git(repo, "status", "--porcelain") == ""
    state = json.loads(_git(repo, "show", "HEAD:.netraven-export"))
    assert state["last"]["snapshot"] == str(snaps[2].id)

    # The user's own commit on top does not get in the way.
    (repo / "README").write_text("our configs\n")
    _git(repo, "add", "README")
    _git(repo, "-c", "user.name=me", "-c", "user.email=me@x", "commit", "-qm", "readme")

    newer = _capture(db, "sim-2", _config("sim-2", " no shutdown"), actor="carol")
    assert _history(db, repo).commits == 1
    log = _log(repo)
    assert len(log) == 5
    assert log[-1][:1] == ["carol"]
    assert log[-1][4] == "sim-2: +1 -0 lines (cli)"
    assert _git(repo, "show", "HEAD:sim-2") == _config("sim-2", " no shutdown")
    assert _git(repo, "show", "HEAD:README") == "our configs\n"
    assert json.loads(_git(repo, "show", "HEAD:.netraven-export"))["last"]["snapshot"] == str(
        newer.id
    )
    again = _history(db, repo)
    assert (again.commits, again.head) == (0, _git(repo, "rev-parse", "HEAD").strip())
    assert len(_log(repo)) == 5


def test_git_export_moves_files_of_renamed_or_moved_devices(db, tmp_path):
    _add(db, "sim-1", site="dc1")
    _add(db, "sim-2", site="dc1")
    _capture(db, "sim-1", _config("sim-1"))
    _capture(db, "sim-2", _config("sim-2"))
    repo = tmp_path / "history"
    _history(db, repo)
    with db.session() as s:
        devices.update_device(s, devices.get_device_by_name(s, "sim-1").id, None, site="dc2")
        devices.update_device(s, devices.get_device_by_name(s, "sim-2").id, None, name="core-2")
    summary = _history(db, repo)
    assert (summary.commits, summary.moved) == (1, 2)
    assert _git(repo, "show", "HEAD:dc2/sim-1") == _config("sim-1")
    assert _git(repo, "show", "HEAD:dc1/core-2") == _config("sim-2")
    changes = sorted(_git(repo, "show", "-M", "--name-status", "--format=", "HEAD").splitlines())
    assert changes == [
        "M\t.netraven-export",
        "R100\tdc1/sim-1\tdc2/sim-1",
        "R100\tdc1/sim-2\tdc1/core-2",
    ]
    assert not (repo / "dc1" / "sim-1").exists()
    assert (repo / "dc2" / "sim-1").exists()
    # The next snapshot lands in the new place; trashed devices keep their files.
    _capture(db, "sim-1", _config("sim-1", " mtu 9000"))
    with db.session() as s:
        devices.trash_device(s, devices.get_device_by_name(s, "core-2").id)
    assert _history(db, repo).commits == 1
    assert _git(repo, "show", "HEAD:dc2/sim-1") == _config("sim-1", " mtu 9000")
    assert _git(repo, "show", "HEAD:dc1/core-2") == _config("sim-2")


def test_git_export_refuses_folders_it_did_not_make(db, tmp_path):
    _add(db, "sim-1", tag="core")
    _capture(db, "sim-1", _config("sim-1"))
    stuff = tmp_path / "stuff"
    stuff.mkdir()
    (stuff / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="no git repository"):
        _history(db, stuff)
    other = tmp_path / "other"
    other.mkdir()
    _git(other, "init", "-q")
    (other / "f").write_text("x")
    _git(other, "add", "f")
    _git(other, "-c", "user.name=me", "-c", "user.email=me@x", "commit", "-qm", "x")
    with pytest.raises(InputError, match="not a NetRaven export"):
        _history(db, other)
    assert _git(other, "log", "--format=%s") == "x\n"
    tagged = tmp_path / "tagged"
    assert _history(db, tagged, tag="core").commits == 1
    with pytest.raises(InputError, match="exported with --tag core"):
        _history(db, tagged)
    with pytest.raises(InputError, match="no tag by that name"):
        _history(db, tmp_path / "x", tag="nope")


def test_git_export_streams_across_batches_in_time_order(db, tmp_path):
    """Snapshots of devices interleaved, two with the same capture time, over 2-row batches."""
    for name in ("a", "b", "c"):
        _add(db, name)
    order = ["c", "a", "b", "a", "c", "b", "a"]
    for number, name in enumerate(order):
        _capture(db, name, _config(name, f" description v{number}"))
    with db.session() as s:
        snaps = s.scalars(select(ConfigSnapshot).order_by(ConfigSnapshot.captured_at)).all()
        snaps[4].captured_at = snaps[3].captured_at
    with db.read_session() as s:
        by_time = s.execute(
            select(Device.name)
            .join(ConfigSnapshot, ConfigSnapshot.device_id == Device.id)
            .order_by(ConfigSnapshot.captured_at, ConfigSnapshot.id)
        ).scalars()
        expected = list(by_time)
    repo = tmp_path / "history"
    assert _history(db, repo).commits == len(order)
    assert [entry[4].split(":")[0] for entry in _log(repo)] == expected
    assert _git(repo, "show", "HEAD:a") == _config("a", " description v6")
    assert _history(db, repo).commits == 0


PASSWORD, ENABLE = "Ex-p0rt-pa55", "Ex-p0rt-enable"


@pytest.fixture
def lab_credential(cli, secret_store):
    cli.ok(
        "credential",
        "add",
        "lab",
        "--username",
        "admin",
        "--password-stdin",
        "--enable-secret",
        stdin=f"{PASSWORD}\n{ENABLE}\n",
    )
    yield
    cli("credential", "remove", "lab")


def test_cli_export_files_and_git_without_secrets(cli, db, tmp_path, lab_credential):
    for name, site in (("sim-1", "dc1"), ("sim-2", None), ("sim-3", "dc1")):
        args = ["--site", site] if site else []
        cli.ok("device", "add", name, "--host", "127.0.0.1", "--platform", "cisco_ios", *args)
        cli.ok("device", "edit", name, "--credential", "lab")
    _capture(db, "sim-1", _config("sim-1", " password 7 <removed>"))
    _capture(db, "sim-2", _config("sim-2"))

    files = tmp_path / "files"
    plain = cli.ok("backup", "export", str(files))
    assert "2 configurations written" in plain
    assert "skipped, no backup yet: sim-3" in plain
    assert (files / "dc1" / "sim-1").read_text() == _config("sim-1", " password 7 <removed>")

    repo = tmp_path / "git"
    done = cli("backup", "export", str(repo), "--git", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0] == {
        "event": "export_progress",
        "commits": 2,
        "captured_at": events[0]["captured_at"],
    }
    summary = events[-1]
    assert (summary["event"], summary["git"], summary["commits"], summary["files"]) == (
        "export_finished",
        True,
        2,
        2,
    )
    assert summary["head"] == _git(repo, "rev-parse", "HEAD").strip()
    assert "0 commits added" in cli.ok("backup", "export", str(repo), "--git")

    # No secret anywhere: not in the files, not in any git object.
    objects = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    everything = [objects, *(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())]
    for secret in (PASSWORD, ENABLE):
        assert not any(secret.encode() in blob for blob in everything)


def test_cli_export_bad_input_is_one_line(cli, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x")
    refused = cli("backup", "export", str(mine), "--git")
    assert refused.returncode == 2
    # A long path is quoted by its end, where the folder's name is.
    one_line_error(refused, "DIR:", "no git repository", f"/{mine.parent.name}/mine')")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    no_tag = cli("backup", "export", str(tmp_path / "out"), "--tag", "nope")
    assert no_tag.returncode == 2
    one_line_error(no_tag, "--tag:", "no tag by that name")


def test_crud_streams_snapshots_through_both_faces(face):
    """The export queries are plain CRUD: the same function sync and through run_sync."""
    _add(face.db, "sw1", site="dc1")
    _add(face.db, "idle")
    first = _capture(face.db, "sw1", _config("sw1"))
    second = _capture(face.db, "sw1", _config("sw1", " shutdown"))
    rows = face(configs.snapshots_after, None, until=utcnow(), limit=1)
    assert [(r.snapshot_id, r.actor, r.trigger) for r in rows] == [(first.id, "alice", "cli")]
    rows = face(configs.snapshots_after, (first.captured_at, first.id), until=utcnow())
    assert [configs.decompress(r.data) for r in rows] == [_config("sw1", " shutdown")]
    latest = {r.device_name: r.snapshot_id for r in face(configs.latest_configs, None)}
    assert latest == {"sw1": second.id, "idle": None}


# Containment: an export writes only inside its folder, and never through a link.


def _tree(root: Path) -> dict[str, str]:
    """Every entry under `root`, links not followed: path -> content, `link:`, or `dir`."""
    entries = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                entries[key] = f"link:{os.readlink(path)}"
            elif path.is_dir():
                entries[key] = "dir"
            else:
                entries[key] = path.read_text()
    return entries


def _site_devices(db: Database) -> None:
    _add(db, "sw1", site="dc1")
    _add(db, "sw2", site="dc2")
    _add(db, "sw3")
    for name in ("sw1", "sw2", "sw3"):
        _capture(db, name, _config(name))


LINKS = {
    # what a link replaces -> where it points (relative to tmp_path)
    "site folder pointing out": ("out/dc1", "elsewhere"),
    "site folder pointing inside": ("out/dc1", "out/real"),
    "device file pointing out": ("out/dc2/sw2", "elsewhere/victim"),
}


@pytest.mark.parametrize("case", LINKS)
def test_plain_export_refuses_any_link_and_writes_nothing(db, tmp_path, case):
    _site_devices(db)
    area = tmp_path / "area"  # the export folder and its surroundings (not the database)
    out = area / "out"
    (out / "dc2").mkdir(parents=True)
    (out / "real").mkdir()
    (area / "elsewhere").mkdir()
    (area / "elsewhere" / "victim").write_text("the user's own file\n")
    link, points_to = LINKS[case]
    (area / link).symlink_to(area / points_to)
    before = _tree(area)
    with db.read_session() as s, pytest.raises(InputError) as caught:
        config_export.export_latest(s, out)
    assert str(caught.value).startswith(
        "DIR: is a symbolic link; an export never writes through a link, even one pointing "
        "inside its folder: replace it with a real folder or file (got '"
    )
    assert str(caught.value).endswith(f"/{link}')")
    assert _tree(area) == before


def test_plain_export_refuses_a_file_where_a_site_folder_goes(db, tmp_path):
    _site_devices(db)
    out = tmp_path / "out"
    out.mkdir()
    (out / "dc2").write_text("not a folder")
    with db.read_session() as s, pytest.raises(InputError, match="is not a folder"):
        config_export.export_latest(s, out)
    assert sorted(p.name for p in out.iterdir()) == ["dc2"]


def test_git_export_through_a_linked_site_folder_is_refused_and_the_repository_kept(db, tmp_path):
    """The crash of issue 12: the site folder became a link, and the next `--git` export
    moved the branch and then failed checking out (dulwich: invalid path, exit 4)."""
    _site_devices(db)
    repo = tmp_path / "history"
    _history(db, repo)
    head = _git(repo, "rev-parse", "HEAD")
    (repo / "dc1").rename(tmp_path / "moved-dc1")
    (repo / "dc1").symlink_to(tmp_path / "moved-dc1")
    _capture(db, "sw1", _config("sw1", " shutdown"))
    with pytest.raises(InputError, match="is a symbolic link") as caught:
        _history(db, repo)
    assert str(caught.value).endswith("/history/dc1')")
    assert _git(repo, "rev-parse", "HEAD") == head
    assert (tmp_path / "moved-dc1" / "sw1").read_text() == _config("sw1")
    # Once the folder is real again, the export carries on where it was.
    (repo / "dc1").unlink()
    (tmp_path / "moved-dc1").rename(repo / "dc1")
    assert _history(db, repo).commits == 1
    assert (repo / "dc1" / "sw1").read_text() == _config("sw1", " shutdown")


def test_git_export_refuses_a_state_file_that_points_outside(db, tmp_path):
    _site_devices(db)
    repo = tmp_path / "history"
    _history(db, repo)
    state = json.loads((repo / ".netraven-export").read_text())
    next(iter(state["devices"].values()))["path"] = "../escape"
    (repo / ".netraven-export").write_text(json.dumps(state))
    _git(repo, "-c", "user.name=me", "-c", "user.email=me@x", "commit", "-qam", "tamper")
    head = _git(repo, "rev-parse", "HEAD")
    with pytest.raises(InputError, match="is not a path inside the export folder"):
        _history(db, repo)
    assert _git(repo, "rev-parse", "HEAD") == head
    assert not (tmp_path / "escape").exists()


def test_cli_export_through_a_link_exits_2_with_one_line(cli, db, tmp_path):
    _site_devices(db)
    out, repo = tmp_path / "out", tmp_path / "git"
    out.mkdir()
    cli.ok("backup", "export", str(repo), "--git")
    shutil.rmtree(repo / "dc1")
    for folder, extra in ((out, ()), (repo, ("--git",))):
        (folder / "dc1").symlink_to(tmp_path)
        refused = cli("backup", "export", str(folder), *extra)
        assert refused.returncode == 2
        one_line_error(refused, "DIR: is a symbolic link", f"/{folder.name}/dc1')")
    assert sorted(p.name for p in out.iterdir()) == ["dc1"]


# Permissions: what an export creates is its owner's only.


def _modes(root: Path) -> set[tuple[str, int]]:
    return {(str(p.relative_to(root)), stat.S_IMODE(p.lstat().st_mode)) for p in root.rglob("*")}


@pytest.fixture
def desktop_umask():
    """The common umask, under which files would be 0644 without our care."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")
def test_exports_create_private_files_in_private_folders(db, tmp_path, desktop_umask):
    _site_devices(db)
    chosen = tmp_path / "chosen"
    chosen.mkdir(mode=0o755)
    with db.read_session() as s:
        config_export.export_latest(s, chosen / "files")
    assert _modes(chosen / "files") == {
        ("dc1", 0o700),
        ("dc2", 0o700),
        ("dc1/sw1", 0o600),
        ("dc2/sw2", 0o600),
        ("sw3", 0o600),
    }
    assert stat.S_IMODE((chosen / "files").stat().st_mode) == 0o700
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o755  # the user's folder is left alone

    repo = chosen / "git"
    _history(db, repo)
    _capture(db, "sw1", _config("sw1", " shutdown"))
    _history(db, repo)
    assert {path for path, mode in _modes(repo) if mode & 0o077} == set()
    assert _git(repo, "status", "--porcelain") == ""  # git sees no mode change either
