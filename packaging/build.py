"""Build NetRaven Desktop's installers for this OS: `python packaging/build.py`.

One script for every OS, so a release is one command per build machine (PyInstaller
cannot cross-build). It renders the icon, runs PyInstaller on packaging/netraven-desktop.spec
(a one-folder bundle; a .app on macOS), then packs what this OS installs from:

- Linux: a .tar.gz of the folder with the .desktop file and icon, a .deb (needs dpkg-deb)
  and an AppImage (needs a C compiler, squashfs-tools and the static libraries that
  scripts/system-packages lists: its runtime is packaging/appimage/runtime.c)
- Windows: an Inno Setup installer (packaging/windows/netraven-desktop.iss; needs iscc)
- macOS: a .dmg of the .app (packaging/macos/make-dmg.sh; needs hdiutil)

and prints the bundle's size and the build time. Needs the `build` extra
(`pip install -e '.[build]'`).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "netraven-desktop.spec"
NAME = "netraven-desktop"
APP = "NetRaven Desktop.app"  # the spec's BUNDLE name on macOS
ICON_SVG = ROOT / "resources" / "icons" / f"{NAME}.svg"
DESKTOP_FILE = ROOT / "resources" / f"{NAME}.desktop"
ICON_PX = 256
DEB_PREFIX = Path("opt") / NAME
APPIMAGE_RUNTIME = PACKAGING / "appimage" / "runtime.c"
# Debian's static squashfuse is built with every compressor, so all of them link in.
RUNTIME_LIBS = ["squashfuse_ll", "squashfuse", "fuse3", "zstd", "lzma", "lz4", "lzo2", "z"]
MAINTAINER = "NetRaven Desktop engineers <packaging@netraven.invalid>"


class BuildError(Exception):
    """A step failed; the message is the one line to show."""


def version() -> str:
    text = (ROOT / "netraven_desktop" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise BuildError("no __version__ in netraven_desktop/__init__.py")
    return found.group(1)


def render_icon(folder: Path) -> Path:
    """The SVG icon as a PNG: installers and older desktops want a bitmap."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        raise BuildError(f"cannot read the icon {ICON_SVG}")
    image = QImage(ICON_PX, ICON_PX, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"{NAME}.png"
    if not image.save(str(png)):
        raise BuildError(f"cannot write {png}")
    return png


def windows_icon(png: Path) -> Path:
    """Inno Setup and the .exe need an .ico (Pillow is in the build extra on Windows)."""
    from PIL import Image

    ico = png.with_suffix(".ico")
    Image.open(png).save(ico, sizes=[(n, n) for n in (16, 24, 32, 48, 64, 128, 256)])
    return ico


def pyinstaller(dist: Path, work: Path, icon: Path | None, release: str) -> None:
    try:
        import PyInstaller  # noqa: F401 - only to say what is missing
    except ImportError:
        raise BuildError("PyInstaller is not installed: pip install -e '.[build]'") from None
    env = os.environ | {"NETRAVEN_BUILD_VERSION": release}
    if icon is not None:
        env["NETRAVEN_BUILD_ICON"] = str(icon)
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work / "pyinstaller"), str(SPEC)]
    if subprocess.run(command, env=env, check=False).returncode != 0:
        raise BuildError("PyInstaller failed (its messages are above)")


def linux_tarball(bundle: Path, png: Path, dist: Path, release: str) -> Path:
    """The folder, ready to unpack anywhere, with the desktop entry and the icon."""
    top = f"{NAME}-{release}"
    archive = dist / f"{top}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top)
        for extra in (DESKTOP_FILE, ICON_SVG, png):
            tar.add(extra, arcname=f"{top}/{extra.name}")
    return archive


def linux_deb(bundle: Path, png: Path, dist: Path, work: Path, release: str) -> Path:
    """/opt/netraven-desktop, a /usr/bin launcher, the menu entry and the icons."""
    arch = _output(["dpkg", "--print-architecture"])
    root = work / "deb"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / DEB_PREFIX, symlinks=True, copy_function=_link_or_copy)
    launcher = root / "usr" / "bin" / NAME
    launcher.parent.mkdir(parents=True)
    # A script, not a symlink: the bundle finds its _internal folder next to the real file.
    launcher.write_text(f'#!/bin/sh\nexec /{DEB_PREFIX}/{NAME} "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    share = root / "usr" / "share"
    for source, target in (
        (DESKTOP_FILE, share / "applications" / DESKTOP_FILE.name),
        (ICON_SVG, share / "icons" / "hicolor" / "scalable" / "apps" / ICON_SVG.name),
        (png, share / "icons" / "hicolor" / f"{ICON_PX}x{ICON_PX}" / "apps" / png.name),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        target.chmod(0o644)
    depends = _output([str(ROOT / "scripts" / "system-packages"), "--runtime", "--list"])
    control = root / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: {NAME}\n"
        f"Version: {release}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {bundle_size(root) // 1024}\n"
        f"Depends: {', '.join(depends.split())}\n"
        # Device passwords live in the OS keyring: a Secret Service must be running.
        "Recommends: gnome-keyring | kwalletmanager\n"
        "Section: net\n"
        "Priority: optional\n"
        "Description: configuration backup and device inventory for network engineers\n"
        " Backs up network device configurations over SSH, keeps every change with a\n"
        " diff and a device inventory, on a local SQLite file or a team's PostgreSQL.\n"
        " Device passwords are kept in the OS keyring.\n",
        encoding="utf-8",
    )
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
        folder.chmod(0o755)
    package = dist / f"{NAME}_{release}_{arch}.deb"
    command = ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(package)]
    if subprocess.run(command, stdout=subprocess.DEVNULL, check=False).returncode != 0:
        raise BuildError("dpkg-deb failed (its message is above)")
    shutil.rmtree(root)
    return package


def appimage_runtime(work: Path) -> Path:
    """runtime.c compiled statically: the AppImage must start on any glibc-based Linux."""
    runtime = work / "appimage" / "runtime"
    runtime.parent.mkdir(parents=True, exist_ok=True)
    command = ["cc", "-static", "-O2", "-o", str(runtime), str(APPIMAGE_RUNTIME)]
    command += [f"-l{lib}" for lib in RUNTIME_LIBS] + ["-lpthread", "-ldl"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"cannot compile the AppImage runtime: {result.stderr.strip()}")
    return runtime


def linux_appimage(bundle: Path, png: Path, dist: Path, work: Path, release: str) -> Path:
    """One executable file: the runtime, then a SquashFS of an AppDir holding the folder."""
    runtime = appimage_runtime(work)
    appdir = work / "appimage" / "AppDir"
    shutil.rmtree(appdir, ignore_errors=True)
    shutil.copytree(bundle, appdir / "usr" / "bin", symlinks=True, copy_function=_link_or_copy)
    shutil.copyfile(DESKTOP_FILE, appdir / DESKTOP_FILE.name)
    shutil.copyfile(png, appdir / png.name)
    (appdir / ".DirIcon").symlink_to(png.name)
    apprun = appdir / "AppRun"
    # A script, not a symlink: the bundle finds its _internal folder next to the real file.
    apprun.write_text(
        f'#!/bin/sh\nexec "$(dirname "$(readlink -f "$0")")/usr/bin/{NAME}" "$@"\n',
        encoding="utf-8",
    )
    apprun.chmod(0o755)
    image = work / "appimage" / "image.squashfs"
    command = ["mksquashfs", str(appdir), str(image), "-comp", "zstd", "-root-owned"]
    command += ["-noappend", "-quiet", "-no-progress"]
    if subprocess.run(command, stdout=subprocess.DEVNULL, check=False).returncode != 0:
        raise BuildError("mksquashfs failed (its message is above)")
    head = bytearray(runtime.read_bytes())
    head[8:11] = b"AI\x02"  # the ELF padding bytes that mark an AppImage of type 2
    package = dist / f"{NAME}-{release}-{platform.machine()}.AppImage"
    with package.open("wb") as out, image.open("rb") as squashfs:
        out.write(head)
        shutil.copyfileobj(squashfs, out, 1 << 20)
    package.chmod(0o755)
    shutil.rmtree(appdir)
    image.unlink()
    return package


def windows_installer(dist: Path, ico: Path, release: str) -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        print("build.py: Inno Setup's iscc is not on PATH: no installer, only the folder")
        return None
    script = PACKAGING / "windows" / f"{NAME}.iss"
    defines = {"AppVersion": release, "BundleDir": dist / NAME, "IconFile": ico, "OutputDir": dist}
    command = [iscc, *(f"/D{key}={value}" for key, value in defines.items()), str(script)]
    if subprocess.run(command, check=False).returncode != 0:
        raise BuildError("iscc failed (its messages are above)")
    return dist / f"{NAME}-{release}-setup.exe"


def macos_dmg(dist: Path, release: str) -> Path:
    image = dist / f"{NAME}-{release}.dmg"
    command = ["bash", str(PACKAGING / "macos" / "make-dmg.sh"), str(dist / APP), str(image)]
    if subprocess.run(command, check=False).returncode != 0:
        raise BuildError("make-dmg.sh failed (its messages are above)")
    return image


def bundle_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def build(dist: Path, work: Path, *, installers: bool) -> list[Path]:
    """Build the bundle and this OS's installers into `dist`; returns what was made."""
    release = version()
    png = render_icon(work / "icon")
    icon = windows_icon(png) if sys.platform == "win32" else png
    pyinstaller(dist, work, icon if sys.platform in ("win32", "darwin") else None, release)
    bundle = dist / NAME
    made = [dist / APP if sys.platform == "darwin" else bundle]
    if not installers:
        return made
    if sys.platform == "win32":
        made.append(windows_installer(dist, icon, release))
    elif sys.platform == "darwin":
        made.append(macos_dmg(dist, release))
    else:
        made.append(linux_tarball(bundle, png, dist, release))
        if shutil.which("dpkg-deb") and shutil.which("dpkg"):
            made.append(linux_deb(bundle, png, dist, work, release))
        else:
            print("build.py: dpkg-deb is not installed: no .deb")
        if shutil.which("mksquashfs") and shutil.which("cc"):
            made.append(linux_appimage(bundle, png, dist, work, release))
        else:
            print("build.py: mksquashfs or cc is not installed: no AppImage")
    return [path for path in made if path is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="default: build/")
    parser.add_argument(
        "--bundle-only", action="store_true", help="only the folder (or .app), no installers"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        made = build(args.dist.resolve(), args.work.resolve(), installers=not args.bundle_only)
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"bundle size: {bundle_size(made[0]) / 2**20:.0f} MiB ({made[0]})")
    for path in made[1:]:
        print(f"installer: {path} ({path.stat().st_size / 2**20:.0f} MiB)")
    print(f"build time: {time.monotonic() - started:.0f} s")
    return 0


def _output(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def _link_or_copy(source: str, target: str) -> None:
    """Hard links make the .deb's staging copy of the bundle nearly free."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


if __name__ == "__main__":
    sys.exit(main())
