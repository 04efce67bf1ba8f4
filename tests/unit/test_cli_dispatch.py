"""Every command the parser accepts reaches the function that runs it, and a command
imports only its own module: `device list` in a script should not pay for the SSH engine."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

from netraven_desktop.cli.app import MODULES
from netraven_desktop.cli.parser import build_parser

# Run by `run_command` before the table: the simulator and `platform test` need neither a
# database nor a COMMANDS entry.
OUTSIDE_THE_TABLE = {("sim", None), ("platform", "test")}


def sub_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def parsed_keys() -> set[tuple[str, str | None]]:
    """(command, action) for every command line the parser can produce."""
    keys: set[tuple[str, str | None]] = set()
    for command, parser in sub_commands(build_parser()).items():
        actions = sub_commands(parser)
        required = any(
            isinstance(a, argparse._SubParsersAction) and a.required for a in parser._actions
        )
        keys |= {(command, action) for action in actions}
        if not actions or not required:  # `collector` runs with no action too
            keys.add((command, None))
    return keys


def test_every_parsed_command_has_a_function_in_its_module() -> None:
    missing = []
    for command, action in sorted(parsed_keys() - OUTSIDE_THE_TABLE, key=str):
        module = importlib.import_module(f"netraven_desktop.cli.{MODULES[command]}")
        if (command, action) not in module.COMMANDS:
            missing.append(f"{command} {action or ''}: not in cli/{MODULES[command]}.py")
    assert not missing, missing


def test_a_command_module_runs_no_command_it_cannot_be_reached_for() -> None:
    table = {
        key
        for name in set(MODULES.values())
        for key in importlib.import_module(f"netraven_desktop.cli.{name}").COMMANDS
    }
    assert table <= parsed_keys()


def test_an_inventory_command_does_not_import_the_ssh_engine_or_git(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'inventory.db'}"
    script = (
        "import sys\n"
        "from netraven_desktop.cli import main\n"
        f"code = main(['--db', {db!r}, 'device', 'list', '--json'])\n"
        "heavy = {'asyncssh', 'dulwich'} & {m.split('.')[0] for m in sys.modules}\n"
        "print(code, sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert result.stdout.splitlines()[-1:] == ["0 []"], result.stdout + result.stderr
