"""The layers of docs/architecture.md hold: the core has no Qt, no front end and no
simulator, only `ui/qt.py` imports PySide6, and the window reaches data only through
services (a rule lives once, in the service layer, so the window cannot bypass it)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "netraven_desktop"

# What of SQLAlchemy the window may name: the type of the session a service gets
# (`ctx.ops` hands it over) and URL parsing for the connection form. No statement.
UI_MAY_IMPORT = {("sqlalchemy.orm", "Session"), ("sqlalchemy.engine", "make_url")}


def imports(path: Path) -> Iterator[tuple[str, str | None]]:
    """(module, name) for every import in `path`, relative ones made absolute; name is
    None for `import module`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            for alias in node.names:
                yield module, alias.name


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def offending(layer: str, *forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE.parent)}: {module}"
        for path in modules(layer)
        for module, _ in imports(path)
        if within(module, *forbidden)
    ]


def test_the_import_reader_resolves_relative_imports() -> None:
    found = set(imports(PACKAGE / "ui" / "dialogs" / "channel.py"))
    assert ("netraven_desktop.core.services", "notify") in found


def test_the_core_imports_no_qt_and_no_front_end() -> None:
    assert not offending("core", "PySide6", "qasync", "netraven_desktop.ui", "netraven_desktop.cli")


def test_the_core_does_not_import_the_simulator() -> None:
    """The simulator is tooling built on the core's platform data, so the arrow points from
    `sim` to `core`; the self-test, which backs up a simulated device, sits outside too."""
    assert not offending("core", "netraven_desktop.sim", "netraven_desktop.self_test")


def test_the_simulator_imports_no_qt_and_no_front_end() -> None:
    assert not offending("sim", "PySide6", "qasync", "netraven_desktop.ui", "netraven_desktop.cli")


def test_only_ui_qt_imports_pyside6() -> None:
    assert {line.split(":")[0] for line in offending("ui", "PySide6")} == {
        "netraven_desktop/ui/qt.py"
    }


@pytest.mark.parametrize("layer", ["ui", "cli"])
def test_front_ends_reach_rows_only_through_services(layer: str) -> None:
    assert not offending(layer, "netraven_desktop.core.crud")


def test_the_window_writes_no_sql() -> None:
    named = {
        f"{path.relative_to(PACKAGE.parent)}: {module}.{name}"
        for path in modules("ui")
        for module, name in imports(path)
        if within(module, "sqlalchemy") and (module, name) not in UI_MAY_IMPORT
    }
    assert not named
