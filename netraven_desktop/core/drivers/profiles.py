"""Declarative platform profiles: what to type on each platform and how to read the answer.

A profile is data, not a class per vendor: the SSH session and the filters read it. The
profiles themselves are TOML files (`platforms/*.toml` here, and a user's in their config
folder; see `profile_files`). Patterns are Python regular expressions applied per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from .secret_rules import SecretRule

MASK = "<removed>"
# How most CLIs say a command does not exist (matched at the start of a line).
COMMON_ERRORS = (
    r"% ?Invalid input",
    r"% ?Unknown command",
    r"% ?Incomplete command",
    r"unknown command",
    r"Error: Unrecognized command",
    r"syntax error",
    r"Invalid command",
)


@dataclass(frozen=True, eq=False)  # one instance per platform: hashed by identity
class PlatformProfile:
    key: str
    name: str
    vendor: str
    # The prompt at the end of output: matches the last line once a command has finished.
    prompt: str
    # Sent once after login so output never stops at "--More--".
    paging_off: tuple[str, ...] = ()
    # What still signals a paused page if paging could not be turned off (answered by space).
    more: str = r"-+ ?\(?more\b.*?\)? ?-+|<--- More --->|--More--"
    # The key that answers it ("\n" where the device wants Enter).
    more_answer: str = " "
    # A login inside the shell, after the SSH one (AireOS asks `User:` and `Password:`):
    # patterns of its two prompts, answered with the credential's username and password.
    shell_user_prompt: str = ""
    shell_password_prompt: str = ""
    # Enable: the command, the password prompt, and a pattern the privileged prompt matches.
    enable_command: str | None = None
    enable_password_prompt: str = r"[Pp]assword: ?$"
    enabled_prompt: str = r"#\s*$"
    # The commands whose output, concatenated, is the backup.
    commands: tuple[str, ...] = ()
    # Lines dropped before hashing: they change on every read without a real change.
    volatile: tuple[str, ...] = ()
    # Where secrets are (see `secret_rules`): their values are masked, the rest kept.
    secrets: tuple[SecretRule, ...] = ()
    # What the platform prints when it rejects a command, besides COMMON_ERRORS.
    errors: tuple[str, ...] = ()
    # Inventory facts: the command and a regex with one group per field.
    version_command: str | None = None
    # Further commands the facts are also read from (AireOS: model and serial are in
    # `show inventory`, the version in `show sysinfo`).
    facts_commands: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)
    # The file it was read from, and whether that file is "built-in" or "user".
    source: Path | None = None
    origin: str = "built-in"

    def compiled(self, attribute: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.MULTILINE) for p in getattr(self, attribute))

    def fields(self) -> dict[str, Any]:
        """What a profile file sets (everything but the key and where it came from)."""
        skip = ("key", "source", "origin")
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


@cache
def _errors(profile: PlatformProfile) -> re.Pattern[str]:
    alternatives = "|".join(f"(?:{p})" for p in (*COMMON_ERRORS, *profile.errors))
    return re.compile(rf"^\s*(?:{alternatives})", re.IGNORECASE | re.MULTILINE)


def rejected(output: str, profile: PlatformProfile) -> bool:
    """The device said the command does not exist (only in the first lines of output)."""
    return bool(_errors(profile).search("\n".join(output.splitlines()[:3])))
