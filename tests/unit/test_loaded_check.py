"""scripts/loaded-check: its arguments, and its shell held to shellcheck.

Running it for real means the GUI and integration suites three times with every core
busy (minutes to hours on this shared machine), so that is done by hand, not here.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "loaded-check"


@pytest.mark.parametrize("times", ["0", "x", ""])
def test_a_bad_times_is_refused_before_any_burner_starts(times):
    result = subprocess.run(
        [str(SCRIPT), "--times", times], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"scripts/loaded-check: error: --times needs a positive number, got '{times}'\n"
    )


def test_shellcheck_is_clean():
    if shutil.which("shellcheck") is None:
        if IN_CI:
            pytest.fail("shellcheck is required under CI (scripts/system-packages installs it)")
        pytest.skip("shellcheck is not installed")
    result = subprocess.run(
        ["shellcheck", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout
