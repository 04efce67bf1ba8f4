"""The installer recipes this Linux machine cannot run: checked for what can be checked.

iscc (Windows) and hdiutil (macOS) are not here; the Inno Setup script is parsed as the
INI-like file it is, the shell script and the spec are syntax-checked, and each is held to
the names packaging/build.py uses.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ISS = PACKAGING / "windows" / "netraven-desktop.iss"


def _iss() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(#define defaults, {section: its lines}) of the Inno Setup script."""
    defines: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#if") or line == "#endif":
            continue
        if define := re.fullmatch(r'#define (\w+) "(.*)"', line):
            defines[define[1]] = define[2]
        elif section := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(section[1], [])
        else:
            assert current is not None, f"a line outside any section: {line}"
            current.append(line)
    return defines, sections


def _entries(lines: list[str]) -> list[dict[str, str]]:
    """`Name: "x"; Filename: "y"` lines as dicts."""
    return [dict(re.findall(r'(\w+): ("[^"]*"|[^;]+)', line)) | {"line": line} for line in lines]


def test_iss_has_setup_files_and_a_start_menu_entry():
    defines, sections = _iss()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    for key in ("AppId", "AppName", "AppVersion", "DefaultDirName", "SetupIconFile"):
        assert setup.get(key), key
    assert setup["OutputBaseFilename"] == "netraven-desktop-{#AppVersion}-setup"
    (files,) = _entries(sections["Files"])
    assert files["Source"] == '"{#BundleDir}\\*"'
    assert "recursesubdirs" in files["Flags"]
    shortcuts = [e["Name"] for e in _entries(sections["Icons"])]
    assert '"{autoprograms}\\{#AppName}"' in shortcuts
    assert defines["AppExe"] == "netraven-desktop.exe"


def test_iss_defaults_point_at_what_build_py_makes():
    defines, _ = _iss()
    build = (PACKAGING / "build.py").read_text(encoding="utf-8")
    for key in ("AppVersion", "BundleDir", "IconFile", "OutputDir"):
        assert f'"{key}"' in build, f"build.py does not pass /D{key}"

    def checkout(value: str) -> Path:
        return (ISS.parent / value.replace("\\", "/")).resolve()

    assert checkout(defines["BundleDir"]) == ROOT / "dist" / "netraven-desktop"
    assert checkout(defines["IconFile"]) == ROOT / "build" / "icon" / "netraven-desktop.ico"
    assert checkout(defines["OutputDir"]) == ROOT / "dist"


def test_iss_uses_only_defined_names_and_existing_files():
    """Every `{#Name}` is defined; every literal path (not a build output) exists."""
    defines, sections = _iss()
    text = "\n".join(line for lines in sections.values() for line in lines)
    assert set(re.findall(r"\{#(\w+)\}", text)) <= set(defines)
    for entry in _entries(sections["Files"]):
        source = entry["Source"].strip('"')
        if "{#" not in source:
            assert (ISS.parent / source.replace("\\", "/")).exists(), source


def test_dmg_script_is_valid_shell():
    script = PACKAGING / "macos" / "make-dmg.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)  # shellcheck: test_shell_scripts


def test_spec_is_python_with_the_hidden_imports_and_a_mac_bundle():
    source = (PACKAGING / "netraven-desktop.spec").read_text(encoding="utf-8")
    tree = ast.parse(source)
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    for needed in (
        "aiosqlite",
        "asyncpg",
        "psycopg",
        "keyring.backends",
        "argon2",
        "dulwich",
        "yaml",
        "script.py.mako",
        "resources/icons",
        "NetRaven Desktop.app",
    ):
        assert needed in strings, needed
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and hasattr(n.func, "id")}
    assert {"Analysis", "EXE", "COLLECT", "BUNDLE"} <= calls
