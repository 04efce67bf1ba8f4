"""Declarative platform profiles: what to type on each platform and how to read the answer.

A profile is data, not a class per vendor: the SSH session and the filters read it. To
support a new platform, add a profile here (and a personality to the simulator to test it).
Patterns are Python regular expressions applied per line; secret rules live in
`secret_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..platforms import PLATFORMS
from . import secret_rules
from .secret_rules import SecretRule

MASK = "<removed>"


@dataclass(frozen=True, eq=False)  # one instance per platform: hashed by identity
class PlatformProfile:
    key: str
    # The prompt at the end of output: matches the last line once a command has finished.
    prompt: str
    # Sent once after login so output never stops at "--More--".
    paging_off: tuple[str, ...] = ()
    # What still signals a paused page if paging could not be turned off (answered by space).
    more: str = r"-+ ?\(?more\b.*?\)? ?-+|<--- More --->|--More--"
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
    # Inventory facts: the command and a regex with one group per field.
    version_command: str | None = None
    facts: dict[str, str] = field(default_factory=dict)
    vendor: str = ""

    def compiled(self, attribute: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.MULTILINE) for p in getattr(self, attribute))


_CISCO_VOLATILE = (
    r"^Building configuration\.\.\.$",
    r"^Current configuration ?: \d+ bytes$",
    r"^! Last configuration change at .*$",
    r"^! NVRAM config last updated at .*$",
    r"^! No configuration change since last restart$",
    r"^ntp clock-period \d+$",
    # A log message shown mid-output (terminal monitor, logging synchronous): never config.
    r"^(?:\d+: )?[*.]?[A-Z][a-z]{2} +\d+ (?:\d{4} )?[\d:.]+(?: [A-Z]{2,5})?: %[\w-]+-\d-\w+: .*$",
)
_CISCO_FACTS = {
    "model": r"^[Cc]isco (\S+) .*(?:processor|bytes of memory)",
    "serial": r"^Processor board ID (\S+)",
    "os_version": r"Version ([^,\s]+)",
}


def _cisco_like(key: str, **overrides: object) -> PlatformProfile:
    base: dict[str, object] = {
        "key": key,
        "prompt": r"^[\w.\-/:()]+[>#]\s*$",
        "paging_off": ("terminal length 0", "terminal width 511"),
        "enable_command": "enable",
        "commands": ("show running-config",),
        "volatile": _CISCO_VOLATILE,
        "secrets": secret_rules.CISCO_IOS,
        "version_command": "show version",
        "facts": _CISCO_FACTS,
        "vendor": "Cisco",
    }
    return PlatformProfile(**(base | overrides))  # type: ignore[arg-type]


PROFILES: dict[str, PlatformProfile] = {
    p.key: p
    for p in (
        _cisco_like("cisco_ios"),
        _cisco_like("cisco_xe"),
        _cisco_like(
            "cisco_nxos",
            paging_off=("terminal length 0", "terminal width 511"),
            enable_command=None,
            volatile=(
                r"^!Command: show running-config.*$",
                r"^!Time: .*$",
                r"^!Running configuration last done at: .*$",
            ),
            secrets=secret_rules.CISCO_NXOS,
            facts={
                "model": r"cisco (Nexus\s?\S+(?: \S+)?) [Cc]hassis",
                "serial": r"Processor Board ID (\S+)",
                "os_version": r"(?:NXOS|system):\s+version (\S+)",
            },
        ),
        _cisco_like(
            "cisco_xr",
            prompt=r"^(?:RP/\d+/\w+/CPU\d+:)?[\w.\-]+#\s*$",
            paging_off=("terminal length 0", "terminal width 0"),
            enable_command=None,
            volatile=(
                r"^Building configuration\.\.\.$",
                r"^!! IOS XR Configuration .*$",
                r"^!! Last configuration change at .*$",
                r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d+ [\d:.]+ \w+$",
            ),
            secrets=secret_rules.CISCO_XR,
            facts={
                "model": r"^cisco (\S+) .*(?:processor|Chassis)",
                "serial": r"^Processor board ID (\S+)",
                "os_version": r"Version ([\d.]+)",
            },
        ),
        _cisco_like(
            "cisco_asa",
            paging_off=("terminal pager 0",),
            volatile=(
                r"^: Saved$",
                r"^: Written by .*$",
                r"^Cryptochecksum:\S+$",
                r"^: Serial Number: .*$",
                r"^: Hardware: .*$",
            ),
            secrets=secret_rules.CISCO_ASA,
            facts={
                "model": r"^Hardware:\s+([^,\s]+)",
                "serial": r"^Serial Number: (\S+)",
                "os_version": r"Software Version (\S+)",
            },
        ),
        _cisco_like(
            "arista_eos",
            paging_off=("terminal length 0", "terminal width 32767"),
            volatile=(
                r"^! Command: show running-config.*$",
                r"^! Time: .*$",
                r"^! Startup-config last modified at .*$",
            ),
            secrets=secret_rules.ARISTA_EOS,
            facts={
                "model": r"^Arista (\S+)",
                "serial": r"^Serial number:\s+(\S+)",
                "os_version": r"^Software image version:\s+(\S+)",
            },
            vendor="Arista",
        ),
        PlatformProfile(
            key="juniper_junos",
            prompt=r"^[\w.\-]+@[\w.\-]+[>#]\s*$",
            paging_off=("set cli screen-length 0", "set cli screen-width 0"),
            commands=("show configuration",),
            volatile=(
                r"^## Last commit: .*$",
                r"^## Last changed: .*$",
                # A virtual chassis member's role, printed above every prompt.
                r"^\{(?:master|backup|linecard|primary|secondary)(?::\d+)?\}$",
            ),
            secrets=secret_rules.JUNIPER_JUNOS,
            version_command="show version",
            facts={
                "model": r"^Model: (\S+)",
                "os_version": r"^Junos: (\S+)",
                "serial": r"^Chassis\s+(\S+)",
            },
            vendor="Juniper",
        ),
        PlatformProfile(
            key="fortinet",
            prompt=r"^[\w.\-]+(?: \([\w.\-]+\))? [#$]\s*$",
            paging_off=("config system console", "set output standard", "end"),
            commands=("show",),
            volatile=(r"^#conf_file_ver=\S+$", r"^#config-version=.*$", r"^#buildno=\d+$"),
            secrets=secret_rules.FORTINET,
            version_command="get system status",
            facts={
                "model": r"^Version: (\S+)",
                "os_version": r"^Version: \S+ (v[\d.]+)",
                "serial": r"^Serial-Number: (\S+)",
            },
            vendor="Fortinet",
        ),
        PlatformProfile(
            key="paloalto_panos",
            prompt=r"^[\w.\-]+@[\w.\-]+(?:\([\w.\-]+\))?[>#]\s*$",
            paging_off=("set cli pager off", "set cli scripting-mode on"),
            commands=("show config running",),
            volatile=(),
            secrets=secret_rules.PALOALTO_PANOS,
            version_command="show system info",
            facts={
                "model": r"^model: (\S+)",
                "serial": r"^serial: (\S+)",
                "os_version": r"^sw-version: (\S+)",
            },
            vendor="Palo Alto Networks",
        ),
        PlatformProfile(
            key="mikrotik_routeros",
            prompt=r"^\[[\w.\-]+@[\w.\-]+\] (?:/[\w/ -]+)?>\s*$",
            paging_off=(),
            commands=("/export terse",),
            volatile=(
                r"^# (?:\w{3}/\d{2}/\d{4} |\d{4}-\d{2}-\d{2} )?\d\d:\d\d:\d\d by RouterOS .*$",
                r"^# software id = .*$",
            ),
            secrets=secret_rules.MIKROTIK_ROUTEROS,
            version_command="/system resource print",
            facts={"os_version": r"^\s*version: (\S+)", "model": r"^\s*board-name: (.+?)\s*$"},
            vendor="MikroTik",
        ),
        _cisco_like(
            "hp_procurve",
            paging_off=("no page",),
            volatile=(
                r"^; \S+ Configuration Editor; Created on release .*$",
                r"^Running configuration:$",
            ),
            secrets=secret_rules.HP_PROCURVE,
            version_command="show system",
            facts={
                "serial": r"Serial Number\s*:\s*(\S+)",
                "os_version": r"Software revision\s*:\s*(\S+)",
            },
            vendor="HPE",
        ),
        _cisco_like(
            "aruba_os",
            prompt=r"^\(?[\w.\-]+\)? ?(?:\[[\w.\-]+\] )?[>#]\s*$",
            paging_off=("no paging",),
            volatile=(r"^Building Configuration\.\.\.$", r"^version \S+$"),
            secrets=secret_rules.ARUBA_OS,
            facts={
                "model": r"^(?:ArubaOS|Aruba) \(MODEL: ([^)]+)\)",
                "os_version": r"Version (\S+)",
            },
            vendor="HPE Aruba",
        ),
        PlatformProfile(
            key="huawei_vrp",
            prompt=r"^[<\[][\w.\-]+[>\]]\s*$",
            paging_off=("screen-length 0 temporary",),
            commands=("display current-configuration",),
            volatile=(
                r"^!Software Version .*$",
                r"^!Last configuration was (?:updated|saved) at .*$",
                r"^!Time: .*$",
            ),
            secrets=secret_rules.HUAWEI_VRP,
            version_command="display version",
            facts={
                "os_version": r"VRP \(R\) software, Version (\S+)",
                "model": r"^HUAWEI (\S+) (?:uptime|Router)",
            },
            vendor="Huawei",
        ),
        PlatformProfile(
            key="linux",
            prompt=r"^[\w.\-]+@[\w.\-]+:[^\n]*[$#]\s*$",
            paging_off=("export PAGER=cat TERM=dumb",),
            more=r"(?!x)x",  # never pages
            commands=("cat /etc/hostname", "cat /etc/hosts", "ip -o addr show", "ip route show"),
            volatile=(),
            secrets=secret_rules.LINUX,
            version_command="uname -sr",
            facts={"os_version": r"^Linux (\S+)"},
            vendor="Linux",
        ),
    )
}

# Every platform the inventory accepts has a profile, and nothing else does.
assert set(PROFILES) == set(PLATFORMS), set(PROFILES) ^ set(PLATFORMS)


def profile_for(platform: str) -> PlatformProfile:
    return PROFILES[platform]
