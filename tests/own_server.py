"""A PostgreSQL server of one test's own, to stop and start (scripts/pg-throwaway)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI


class OwnServer:
    """A throwaway PostgreSQL of this test alone (scripts/pg-throwaway), to stop and start."""

    def __init__(self) -> None:
        script = Path(__file__).parents[1] / "scripts" / "pg-throwaway"
        # Next to the suite's own server when scripts/test started one: that folder is
        # reachable by the postgres user, while the run's private TMPDIR is not.
        suite_server = os.environ.get("NETRAVEN_TEST_PG_DIR")
        env = os.environ | ({"TMPDIR": str(Path(suite_server).parent)} if suite_server else {})
        try:
            out = subprocess.run(
                [str(script), "start"],
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
                env=env,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            if IN_CI:
                pytest.fail(f"cannot start a throwaway PostgreSQL under CI: {detail}")
            pytest.skip(f"cannot start a throwaway PostgreSQL: {detail}")
        values = dict(line.split("=", 1) for line in out.split())
        self.url, self.dir = values["NETRAVEN_TEST_PG_URL"], values["NETRAVEN_TEST_PG_DIR"]
        self.script = script
        self.port = self.url.rsplit(":", 1)[1].split("/")[0]
        self.pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]

    def _ctl(self, *args: str) -> None:
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*owner, str(self.pg_ctl), "-D", f"{self.dir}/data", "-w", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")  # immediate would lose the unsynced WAL

    def start(self) -> None:
        self._ctl("-l", f"{self.dir}/server.log", "-o", f"-p {self.port}", "start")

    def remove(self) -> None:
        subprocess.run([str(self.script), "stop", self.dir], check=False, timeout=60)
