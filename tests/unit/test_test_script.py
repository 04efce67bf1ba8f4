"""scripts/test: its worker count is checked before anything is installed. (Running it
is what every CI run does; shellcheck: tests/unit/test_shell_scripts.py.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test"


def run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=os.environ | env,
    )


@pytest.mark.parametrize("workers", ["0", "two", "-1"])
def test_a_bad_worker_count_is_refused_before_anything_runs(workers):
    result = run(NETRAVEN_TEST_WORKERS=workers)
    assert result.returncode == 1
    assert result.stderr == (
        f"scripts/test: error: NETRAVEN_TEST_WORKERS must be a positive number, got '{workers}'\n"
    )


def test_one_named_server_is_refused_for_several_workers():
    """Roles and keyring entries are server- and keyring-wide: workers never share one."""
    result = run(NETRAVEN_TEST_WORKERS="2", NETRAVEN_TEST_PG_URL="postgresql://x@127.0.0.1/x")
    assert result.returncode == 1
    assert "NETRAVEN_TEST_PG_URL names one server and 2 workers need one each" in result.stderr
