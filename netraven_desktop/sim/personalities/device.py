"""What a simulated device is: its reads (`Moment`), output lines, generated image, the
builder's input (`Seed`) and its personality (prompts, paging, enable, error style).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Moment:
    """One read of one device: the (per-device, strictly increasing) clock and a random source."""

    t: datetime
    seq: int
    rng: random.Random


@dataclass(frozen=True, slots=True)
class Volatile:
    """A line that is different on every read (timestamps, counters, checksums)."""

    render: Callable[[Moment], str]


class _Extras:
    def __repr__(self) -> str:
        return "EXTRAS"


EXTRAS = _Extras()
Line = str | Volatile | _Extras


@dataclass(frozen=True)
class DeviceImage:
    """Everything a device prints, generated once per device and cached by the server."""

    outputs: dict[str, list[Line]]  # backup command -> its output lines
    other: dict[str, list[Line]]  # version command and other show commands -> output lines
    secrets: list[str]  # every secret string that appears in `outputs`
    facts: dict[str, str]  # model / serial / os_version as printed


@dataclass(frozen=True)
class Seed:
    """What a builder needs to know about the device it generates."""

    name: str
    username: str
    config_kb: int
    rng: random.Random


@dataclass(frozen=True)
class Personality:
    key: str
    user_prompt: str  # str.format fields: name, user, ctx
    priv_prompt: str | None = None  # None: one mode only
    starts_privileged: bool = True
    # Paging-off commands (all accepted silently or with their usual message); `paging_off_by`
    # names the one that really turns paging off (fortinet: applied by "end" of the console ctx).
    paging_off: tuple[str, ...] = ()
    paging_off_output: Mapping[str, str] = field(default_factory=dict)
    paging_off_by: str | None = None
    pages: bool = True  # pages by default
    more_prompt: str = " --More-- "  # str.format field: pct
    more_erase: str = "backspace"  # "backspace" | "cr" | "ansi": how the more prompt is wiped
    enable_command: str | None = None
    commands: tuple[str, ...] = ()
    version_command: str = "show version"
    error: str = "cisco"  # see error_lines()
    config_contexts: bool = False  # fortinet: "config ..." / "end"
    banner: str = ""
    server_version: str = "OpenSSH_8.9"
    build: Callable[[Seed], DeviceImage] | None = None

    def prompt(self, name: str, user: str, privileged: bool, ctx: str = "") -> str:
        template = self.priv_prompt if privileged and self.priv_prompt else self.user_prompt
        return template.format(name=name, user=user, ctx=ctx)

    def more(self, pct: int) -> str:
        return self.more_prompt.format(pct=pct)

    def erase(self, shown: str) -> str:
        n = len(shown)
        if self.more_erase == "backspace":
            return "\b" * n + " " * n + "\b" * n
        if self.more_erase == "ansi":
            return f"\x1b[{n}D" + " " * n + f"\x1b[{n}D"
        return "\r" + " " * n + "\r"


def error_lines(style: str, prompt: str, line: str, bad: int) -> list[str]:
    """The platform's answer to input it does not understand; `bad` is the offending column."""
    word = line[bad:].split(" ", 1)[0] if line[bad:] else line
    caret = " " * (len(prompt) + bad) + "^"
    match style:
        case "cisco":
            return [caret, "% Invalid input detected at '^' marker.", ""]
        case "nxos":
            return [caret, "% Invalid command at '^' marker.", ""]
        case "asa":
            return [caret, "ERROR: % Invalid input detected at '^' marker."]
        case "arista":
            return ["% Invalid input"]
        case "procurve":
            return [f"Invalid input: {word}"]
        case "junos":
            return [caret, "unknown command."]
        case "fortinet":
            return ["Unknown action 0", ""]
        case "panos":
            return [f"Unknown command: {word}"]
        case "mikrotik":
            return [f"bad command name {word} (line 1 column {bad + 1})"]
        case "huawei":
            return [caret, "Error: Unrecognized command found at '^' position."]
        case "linux":
            return [f"-bash: {word}: command not found"]
    return ["unknown command."]


_CISCO_PAGING = ("terminal length 0", "terminal width 511")


def cisco_like(key: str, build: Callable[[Seed], DeviceImage], **kw: object) -> Personality:
    """A personality with Cisco IOS's CLI manners (prompts, enable, paging), which many
    vendors copied; `kw` overrides them."""
    base: dict[str, object] = {
        "key": key,
        "user_prompt": "{name}>",
        "priv_prompt": "{name}#",
        "starts_privileged": False,
        "paging_off": _CISCO_PAGING,
        "paging_off_by": "terminal length 0",
        "enable_command": "enable",
        "commands": ("show running-config",),
        "server_version": "Cisco-1.25",
        "build": build,
    }
    return Personality(**(base | kw))  # type: ignore[arg-type]
