"""Driving the real `netraven-desktop` process from tests."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.sim import SIM_ENABLE, SIM_PASSWORD


class Cli:
    """Runs `python -m netraven_desktop [--db URL] ...` as a user would."""

    def __init__(self, url: str | None, env: dict[str, str]) -> None:
        self.url = url
        self.env = env

    def argv(self, *, db: bool = True) -> list[str]:
        """The program and its --db option (for tests that start the process themselves)."""
        argv = [sys.executable, "-m", "netraven_desktop"]
        return [*argv, "--db", self.url] if db and self.url else argv

    def __call__(
        self, *args: str, db: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.argv(db=db), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            check=False,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args, "--json"))


def one_line_error(result, *fragments):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def add_lab_inventory(cli: Cli, devices: list[tuple[str, str, int]], *tags: str) -> None:
    """The simulator's credential as "lab" and each (name, platform, port) as a device."""
    cli.ok(
        "credential",
        "add",
        "lab",
        "--username",
        "admin",
        "--password-stdin",
        "--enable-secret",
        stdin=f"{SIM_PASSWORD}\n{SIM_ENABLE}\n",
    )
    for name, platform, port in devices:
        tag_options = [option for tag in tags for option in ("--tag", tag)]
        cli.ok(
            "device", "add", name, "--host", "127.0.0.1", "--port", str(port),
            "--platform", platform, *tag_options,
        )  # fmt: skip
