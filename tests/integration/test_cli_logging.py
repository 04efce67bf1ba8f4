"""`--verbose` and `--log-level`: the log file every command writes, and stderr."""

from __future__ import annotations

import stat

from tests.clitools import Cli, one_line_error


def test_every_command_logs_to_a_private_file_and_verbose_copies_it_to_stderr(env, tmp_path):
    cli = Cli(None, env)
    quiet = cli("device", "list")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""  # only warnings and errors reach stderr by default
    path = tmp_path / "home" / "log" / "netraven-desktop.log"
    assert "INFO netraven_desktop: device list" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    verbose = cli("--verbose", "--log-level", "DEBUG", "tag", "list")
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO netraven_desktop: tag list" in verbose.stderr
    assert "INFO netraven_desktop: tag list" in path.read_text(encoding="utf-8")

    warnings_only = cli("--log-level", "warning", "tag", "list")
    assert warnings_only.returncode == 0
    assert path.read_text(encoding="utf-8").count(": tag list") == 1


def test_an_unknown_log_level_is_a_one_line_usage_error(env):
    result = Cli(None, env)("--log-level", "loud", "device", "list")
    assert result.returncode == 2
    one_line_error(result, "--log-level", "'loud'")
