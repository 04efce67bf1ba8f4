"""Every shell script of the repository is held to shellcheck (scripts/system-packages
installs it; under CI a missing shellcheck fails rather than skips)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

REPO = Path(__file__).resolve().parents[2]


def shell_scripts() -> list[Path]:
    candidates = [
        *(REPO / "scripts").iterdir(),
        REPO / ".ci" / "run",
        *REPO.glob("packaging/**/*.sh"),
    ]
    return sorted(
        path
        for path in candidates
        if path.is_file()
        and path.read_text(encoding="utf-8").startswith(
            ("#!/usr/bin/env bash", "#!/bin/bash", "#!/bin/sh")
        )
    )


def test_the_scripts_are_found():
    names = {path.name for path in shell_scripts()}
    assert {"test", "loaded-check", "with-keyring", "run", "make-dmg.sh"} <= names


@pytest.mark.parametrize("script", shell_scripts(), ids=lambda path: str(path.relative_to(REPO)))
def test_shellcheck_is_clean(script):
    if shutil.which("shellcheck") is None:
        if IN_CI:
            pytest.fail("shellcheck is required under CI (scripts/system-packages installs it)")
        pytest.skip("shellcheck is not installed")
    result = subprocess.run(
        ["shellcheck", str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout
