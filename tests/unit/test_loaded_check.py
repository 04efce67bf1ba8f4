"""scripts/loaded-check: its arguments (shellcheck: tests/unit/test_shell_scripts.py).

Running it for real means the GUI and integration suites three times with every core
busy (minutes to hours on this shared machine), so that is done by hand, not here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

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
