"""`netraven-desktop --self-test` from source, under the real keyring."""

from __future__ import annotations

import io

from netraven_desktop.core.secrets import Secrets, SecretStore
from netraven_desktop.self_test import check_backup, run_checks
from tests.clitools import Cli

CHECKS = (
    "qt platform",
    "icons",
    "database drivers",
    "libraries",
    "migrations",
    "keyring",
    "backup",
)


def _report(stdout: str) -> dict[str, str]:
    """{check name: "ok" or "FAIL"} from the one-line-per-check report."""
    report = {}
    for line in stdout.splitlines():
        status, rest = line.split(" ", 1)
        report[rest.strip().split(":", 1)[0]] = status
    return report


def test_self_test_passes_with_every_check_ok(secret_store, env):
    result = Cli(None, env)("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _report(result.stdout) == dict.fromkeys(CHECKS, "ok")
    assert "ok   qt platform: offscreen" in result.stdout
    assert "SecretService" in result.stdout
    assert result.stderr == ""


def test_self_test_fails_on_the_fail_keyring_and_still_runs_every_check(env):
    env = env | {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = Cli(None, env)("--self-test")
    assert result.returncode == 1
    report = _report(result.stdout)
    assert list(report) == list(CHECKS)
    assert report["migrations"] == "ok"
    assert (report["keyring"], report["backup"]) == ("FAIL", "FAIL")
    assert "FAIL keyring: no OS keyring is available" in result.stdout


class _RecordingStore(SecretStore):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def put(self, reference: str, secrets: Secrets) -> None:
        self.references.append(reference)
        super().put(reference, secrets)


def test_backup_check_leaves_no_secret_in_the_keyring(secret_store, tmp_path):
    store = _RecordingStore()
    assert "succeeded" in check_backup(tmp_path, store)
    assert any(ref.startswith("credential/") for ref in store.references)
    assert any(ref.startswith("mask-key/") for ref in store.references)
    for reference in store.references:  # the credential and the throwaway mask key
        assert store.get(reference) == Secrets(), reference


def test_a_failing_check_is_one_line_and_the_rest_still_run():
    def broken() -> str:
        raise RuntimeError("first line\nsecond line")

    out = io.StringIO()
    code = run_checks([("broken", broken), ("fine", lambda: "yes")], out)
    assert code == 1
    assert out.getvalue() == "FAIL broken: first line\nok   fine: yes\n"
