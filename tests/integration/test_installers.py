"""The Linux installers, built once by packaging/build.py, and the bundle's `--self-test`.

Slow (a PyInstaller build, a minute or two): every test here shares the one build.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from netraven_desktop import __version__
from tests.conftest import IN_CI

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux bundle"),
]
ROOT = Path(__file__).resolve().parents[2]
NAME = "netraven-desktop"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(dist folder, build.py's output) of one build for the whole module."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("PyInstaller is required under CI (scripts/test installs the build extra)")
        pytest.skip("PyInstaller is not installed (pip install -e '.[build]')")
    folder = tmp_path_factory.mktemp("build")
    build = [sys.executable, str(ROOT / "packaging" / "build.py")]
    result = subprocess.run(
        [*build, "--dist", str(folder / "dist"), "--work", str(folder / "work")],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "dist", result.stdout


def _bundle_env(env: dict[str, str]) -> dict[str, str]:
    """The test's environment without this checkout on the path: the bundle must not need it."""
    return {k: v for k, v in env.items() if k != "PYTHONPATH"}


def test_build_reports_bundle_size_and_build_time(built):
    _, output = built
    assert re.search(r"^bundle size: \d+ MiB", output, re.MULTILINE), output
    assert re.search(r"^build time: \d+ s$", output, re.MULTILINE), output


def test_bundle_self_test_passes_under_the_real_keyring(built, secret_store, env):
    dist, _ = built
    result = subprocess.run(
        [str(dist / NAME / NAME), "--self-test"],
        capture_output=True,
        text=True,
        env=_bundle_env(env),
        cwd=dist,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 7, result.stdout
    assert all(line.startswith("ok   ") for line in lines), result.stdout
    assert f"{dist / NAME}/_internal/resources/icons" in result.stdout  # the bundle's own


def test_bundle_starts_its_own_simulator_child(built, env):
    """What the window's child processes rely on: the executable is the whole program."""
    dist, _ = built
    with subprocess.Popen(
        [str(dist / NAME / NAME), "sim", "--devices", "1", "--stop-on-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_bundle_env(env),
    ) as sim:
        assert sim.stdout is not None
        assert sim.stdin is not None
        lines = [sim.stdout.readline() for _ in range(2)]
        sim.stdin.close()
        assert sim.wait(timeout=30) == 0
    assert lines[1] == "ready\n", lines


def test_tarball_holds_the_folder_desktop_entry_and_icon(built):
    dist, _ = built
    (archive,) = dist.glob(f"{NAME}-{__version__}-linux-*.tar.gz")
    top = f"{NAME}-{__version__}"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        program = tar.getmember(f"{top}/{NAME}")
    for member in (f"{NAME}.desktop", f"{NAME}.svg", f"{NAME}.png", "_internal/resources/icons"):
        assert f"{top}/{member}" in names
    assert program.mode & 0o111


def test_deb_installs_under_opt_with_a_launcher_menu_entry_and_icons(built, tmp_path):
    dist, _ = built
    (package,) = dist.glob(f"{NAME}_{__version__}_*.deb")

    def dpkg_deb(*args: str) -> str:
        return subprocess.run(
            ["dpkg-deb", *args], capture_output=True, text=True, check=True
        ).stdout

    assert dpkg_deb("--field", str(package), "Package", "Version").split() == [
        "Package:",
        NAME,
        "Version:",
        __version__,
    ]
    assert "libxcb-cursor0" in dpkg_deb("--field", str(package), "Depends")
    dpkg_deb("-x", str(package), str(tmp_path))
    for path in (
        f"opt/{NAME}/{NAME}",
        f"usr/bin/{NAME}",
        f"usr/share/applications/{NAME}.desktop",
        f"usr/share/icons/hicolor/scalable/apps/{NAME}.svg",
        f"usr/share/icons/hicolor/256x256/apps/{NAME}.png",
    ):
        assert (tmp_path / path).is_file(), path
    assert f"/opt/{NAME}/{NAME}" in (tmp_path / "usr" / "bin" / NAME).read_text()
    version = subprocess.run(
        [str(tmp_path / "opt" / NAME / NAME), "--version"],
        capture_output=True,
        text=True,
        env=_bundle_env(dict(os.environ)),
        timeout=60,
        check=True,
    )
    assert version.stdout.strip() == f"{NAME} {__version__}"


def _appimage(dist: Path) -> Path:
    (image,) = dist.glob(f"{NAME}-{__version__}-*.AppImage")
    return image


def _self_test(command: list[str], env: dict[str, str], cwd: Path) -> list[str]:
    result = subprocess.run(
        [*command, "--self-test"],
        capture_output=True,
        text=True,
        env=_bundle_env(env),
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 7, result.stdout
    assert all(line.startswith("ok   ") for line in lines), result.stdout
    return lines


def test_appimage_is_a_type_2_appimage_with_the_squashfs_after_the_elf(built, tmp_path):
    dist, output = built
    image = _appimage(dist)
    assert f"installer: {image}" in output
    head = image.read_bytes()[:16]
    assert head[:4] == b"\x7fELF"
    assert head[8:11] == b"AI\x02"
    offset = subprocess.run(
        [str(image), "--appimage-offset"], capture_output=True, text=True, check=True
    ).stdout
    with image.open("rb") as file:
        file.seek(int(offset))
        assert file.read(4) == b"hsqs"  # a SquashFS superblock, as AppImage tools expect
    subprocess.run([str(image), "--appimage-extract"], cwd=tmp_path, check=True, timeout=300)
    root = tmp_path / "squashfs-root"
    for member in (f"{NAME}.desktop", f"{NAME}.png", "AppRun", f"usr/bin/{NAME}"):
        assert (root / member).is_file(), member
    assert os.access(root / "AppRun", os.X_OK)
    assert (root / ".DirIcon").resolve() == root / f"{NAME}.png"


def test_appimage_extracted_and_run_passes_its_self_test_and_cleans_up(
    built, secret_store, env, tmp_path
):
    """How it runs where FUSE cannot mount (containers, CI runners)."""
    dist, _ = built
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = env | {"APPIMAGE_EXTRACT_AND_RUN": "1", "TMPDIR": str(scratch)}
    lines = _self_test([str(_appimage(dist))], env, dist)
    assert f"{scratch}/appimage_extracted_" in "\n".join(lines)  # the image's own icons
    assert list(scratch.iterdir()) == []  # the extracted copy is gone afterwards


def test_appimage_mounted_with_fuse_passes_its_self_test(built, secret_store, env, tmp_path):
    """The usual start: the image mounted read-only while the program runs, then unmounted."""
    if not os.access("/dev/fuse", os.R_OK | os.W_OK):
        pytest.skip("no usable /dev/fuse here: the extract-and-run test covers this machine")
    dist, _ = built
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    lines = _self_test([str(_appimage(dist))], env | {"TMPDIR": str(scratch)}, dist)
    assert f"{scratch}/.mount_" in "\n".join(lines)
    assert list(scratch.iterdir()) == []  # unmounted and its mount point removed


def test_appimage_passes_the_program_exit_status_through(built, env):
    dist, _ = built
    env = _bundle_env(env | {"APPIMAGE_EXTRACT_AND_RUN": "1"})
    image = str(_appimage(dist))
    version = subprocess.run(
        [image, "--version"], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert (version.returncode, version.stdout.strip()) == (0, f"{NAME} {__version__}")
    wrong = subprocess.run(
        [image, "--no-such-option"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert wrong.returncode == 2, wrong.stderr  # argparse's usage error, not the runtime's
    assert "--no-such-option" in wrong.stderr


def test_appimage_stopped_with_sigterm_stops_the_program_and_unmounts(built, env, tmp_path):
    """What `kill` or a service manager does: the program stops too, nothing stays mounted."""
    if not os.access("/dev/fuse", os.R_OK | os.W_OK):
        pytest.skip("no usable /dev/fuse here: nothing is mounted to leave behind")
    dist, _ = built
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with subprocess.Popen(
        [str(_appimage(dist)), "sim", "--devices", "1", "--stop-on-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_bundle_env(env | {"TMPDIR": str(scratch)}),
    ) as sim:
        assert sim.stdout is not None
        assert [sim.stdout.readline() for _ in range(2)][1] == "ready\n"
        assert [p.name[:7] for p in scratch.iterdir()] == [".mount_"]
        sim.terminate()
        assert sim.wait(timeout=60) == 128 + signal.SIGTERM  # the program's own death
    assert list(scratch.iterdir()) == []
