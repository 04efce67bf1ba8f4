"""Declarative platform profiles: what to type on each platform and how to read the answer.

A profile is data, not a class per vendor: the SSH session and the filters read it. To
support a new platform, add a profile here (and a personality to the simulator to test it).
Patterns are Python regular expressions applied per line. Secrets: group 1 (what precedes
the secret) is kept, the secret is replaced by MASK, and an optional group 2 (a closing
quote or tag) is kept after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..platforms import PLATFORMS

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
    # Secret patterns: group 1 kept, the secret masked, an optional group 2 kept after it.
    secrets: tuple[str, ...] = ()
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
)
_CISCO_SECRETS = (
    r"^([ \t]*enable (?:secret|password)(?: level \d+)?(?: \d)? ).+$",
    r"^([ \t]*username \S+(?: privilege \d+)? (?:secret|password)(?: \d)? ).+$",
    r"^([ \t]*snmp-server community ).+$",
    r"^([ \t]*(?:tacacs|radius)-server key(?: \d)? ).+$",
    r"^([ \t]*key(?: \d)? ).+$",
    r"^([ \t]*crypto isakmp key ).+$",
    r"^([ \t]*(?:pre-shared-key|key-string)(?: \d)? ).+$",
    r"^([ \t]*password(?: \d)? ).+$",
    r"^([ \t]*ip ospf (?:authentication-key|message-digest-key \d+ md5)(?: \d)? ).+$",
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
        "secrets": _CISCO_SECRETS,
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
            secrets=(
                r"^([ \t]*username \S+ password(?: \d)? )\S+",
                r"^([ \t]*snmp-server user \S+ \S+ auth \S+ )\S+",
                r"^([ \t]*snmp-server user \S+ [^\n]*\bpriv(?: aes-128)? )\S+",
                r"^([ \t]*snmp-server community ).+$",
                r"^([ \t]*(?:tacacs|radius)-server (?:host \S+ )?key(?: \d)? ).+$",
                r"^([ \t]*key(?: \d)? ).+$",
            ),
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
            secrets=(
                r"^([ \t]*secret(?: \d+)? ).+$",
                r"^([ \t]*password(?: \d)? ).+$",
                r"^([ \t]*snmp-server community ).+$",
                r"^([ \t]*key(?: \d)? ).+$",
                r"^([ \t]*key-string(?: password)?(?: \d)? ).+$",
            ),
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
            secrets=(
                r"^([ \t]*enable password ).+$",
                r"^([ \t]*passwd ).+$",
                r"^([ \t]*username \S+ password ).+$",
                r"^([ \t]*(?:ikev1 |ikev2 (?:local|remote)-authentication )?pre-shared-key ).+$",
                r"^([ \t]*key ).+$",
                r"^([ \t]*snmp-server community ).+$",
            ),
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
            secrets=(
                r"^([ \t]*username \S+(?: privilege \d+)?(?: role \S+)? secret(?: sha512| 5)? ).+$",
                r"^([ \t]*enable (?:secret|password)(?: sha512| 5)? ).+$",
                r"^([ \t]*snmp-server community ).+$",
                r"^([ \t]*(?:tacacs|radius)-server key(?: \d)? ).+$",
            ),
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
            volatile=(r"^## Last commit: .*$", r"^## Last changed: .*$"),
            secrets=(
                r"((?:encrypted-password|secret|authentication-key|simple-password|\bkey"
                r'|pre-shared-key ascii-text) ")[^"\n]*(")',
                r"^([ \t]*community )\S+",
            ),
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
            secrets=(
                r"^([ \t]*set (?:password|passwd|psksecret|secret|key|private-key|auth-pwd"
                r"|priv-pwd)(?: ENC)? ).+$",
            ),
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
            secrets=(
                r"(<(?:phash|password|key|secret|pre-shared-key|auth-password|priv-password)>)[^<\n]*(</)",
            ),
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
            secrets=(
                r"((?:password|secret|authentication-key|wpa2?-pre-shared-key|pre-shared-key)=)"
                r'(?:"[^"\n]*"|\S+)',
            ),
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
            secrets=(
                r"^([ \t]*password (?:manager|operator) user-name \S+ (?:sha1|plaintext) ).+$",
                r"^([ \t]*snmp-server community ).+$",
                r"^([ \t]*(?:tacacs|radius)-server key ).+$",
            ),
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
            secrets=(
                r"^([ \t]*mgmt-user \S+ \S+ ).+$",
                r"^([ \t]*(?:ipsec|key|wpa-passphrase) ).+$",
                r"^([ \t]*snmp-server community ).+$",
            ),
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
            secrets=(
                r"((?:cipher|irreversible-cipher|simple) )\S+",
                r"^([ \t]*snmp-agent community (?:read|write) (?:cipher )?)\S+",
            ),
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
            secrets=(),
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
