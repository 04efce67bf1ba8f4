"""What each simulated platform looks like: prompts, paging, enable, errors and generated output.

This is the simulator's own model of real devices, written from how the gear behaves, not from
the engine's profiles (the simulator is what the engine is tested against). A personality is
data plus one builder that generates a device's image: the backup commands' output (a realistic
configuration of a requested size, with volatile lines that change on every read and secret
lines), the version command's output and a few other show commands.

Output is a list of lines; a line is either a `str` or a `Volatile` (rendered afresh on every
read from a `Moment`), and the `EXTRAS` marker shows where `change_config` lines go.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from ..platforms import PLATFORMS


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


# --------------------------------------------------------------------------- random material

_B64 = string.ascii_letters + string.digits + "./"
_UP = string.ascii_uppercase
_HEXU = "0123456789ABCDEF"


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _type9(rng: random.Random) -> str:
    return f"$9${_pick(rng, _B64, 14)}${_pick(rng, _B64, 43)}"


def _type5(rng: random.Random) -> str:
    return f"$1${_pick(rng, _B64, 4)}${_pick(rng, _B64, 22)}"


def _type7(rng: random.Random) -> str:
    return f"{rng.randrange(0, 16):02d}{_pick(rng, _HEXU, 18)}"


def _sha512(rng: random.Random) -> str:
    return f"$6${_pick(rng, _B64, 16)}${_pick(rng, _B64, 86)}"


def _junos9(rng: random.Random) -> str:
    return "$9$" + _pick(rng, string.ascii_letters + string.digits + ".-/", rng.randrange(24, 40))


def _community(rng: random.Random, what: str = "ro") -> str:
    return f"nms-{what}-{_pick(rng, string.ascii_lowercase + string.digits, 10)}"


def _plain(rng: random.Random, n: int = 16) -> str:
    return _pick(rng, string.ascii_letters + string.digits, n)


def _cisco_serial(rng: random.Random, prefix: str = "FOC") -> str:
    digits, letter, digit = rng.randrange(1000, 9999), rng.choice(_UP), rng.randrange(10)
    return f"{prefix}{digits}{letter}{digit}{_pick(rng, _UP, 2)}"


def _ip(rng: random.Random, first: int = 10) -> str:
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


_DESCRIPTIONS = (
    "uplink to core",
    "access port",
    "printer",
    "AP",
    "server rack",
    "camera",
    "voice",
    "desk",
    "lab",
    "trunk to distribution",
    "IDF link",
    "spare",
)


def _desc(rng: random.Random, i: int) -> str:
    return f"{rng.choice(_DESCRIPTIONS)} {i}"


# Time formats, as the platforms print them.
def _cisco_time(t: datetime) -> str:  # 10:31:02 UTC Fri Nov 27 2026
    return f"{t:%H:%M:%S} UTC {t:%a %b} {t.day} {t.year}"


def _unix_time(t: datetime) -> str:  # Fri Nov 27 10:31:02 2026
    return f"{t:%a %b} {t.day:2d} {t:%H:%M:%S %Y}"


def _iso_time(t: datetime) -> str:  # 2026-11-27 10:31:02
    return f"{t:%Y-%m-%d %H:%M:%S}"


# --------------------------------------------------------------------------- building output


class _Out:
    """Accumulates lines and their printed size; `fill` adds generated blocks up to a size."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.size = 0

    def add(self, *lines: Line) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 2 if isinstance(line, str) else 48

    def fill(self, target: int, blocks: Iterator[list[str]]) -> None:
        for block in blocks:
            if self.size >= target:
                break
            self.add(*block)


def _size(lines: list[Line]) -> int:
    return sum(len(x) + 2 if isinstance(x, str) else 48 for x in lines)


def _target(seed: Seed, footer: list[Line]) -> int:
    return max(0, seed.config_kb * 1024 - _size(footer))


def _count(start: int = 1) -> Iterator[int]:
    i = start
    while True:
        yield i
        i += 1


# ---- Cisco IOS / IOS XE


_IOS_MODELS = (
    (
        "WS-C2960X-48FPD-L",
        "C2960X",
        "C2960X-UNIVERSALK9-M",
        "15.2(4)E10",
        "APM86XXX",
        "524288K",
        "c2960x-universalk9-mz.152-4.E10.bin",
    ),
    (
        "WS-C3750X-48P-S",
        "C3750E",
        "C3750E-UNIVERSALK9-M",
        "15.2(4)E9",
        "PowerPC405",
        "262144K",
        "c3750e-universalk9-mz.152-4.E9.bin",
    ),
)
_XE_MODELS = (("C9300-48P", "17.09.04a", "17.9.4a"), ("C9200L-24P-4G", "17.06.05", "17.6.5"))


def _ios_access_blocks(rng: random.Random) -> Iterator[list[str]]:
    """Access ports of a switch stack: Gi1/0/1..48, Gi2/0/1..48, ..."""
    for i in _count():
        vlan = 10 + rng.randrange(40) * 10
        yield [
            f"interface GigabitEthernet{(i - 1) // 48 + 1}/0/{(i - 1) % 48 + 1}",
            f" description {_desc(rng, i)}",
            f" switchport access vlan {vlan}",
            " switchport mode access",
            " spanning-tree portfast",
            " spanning-tree bpduguard enable",
            "!",
        ]


def _build_ios(seed: Seed, xe: bool) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    if xe:
        model, xe_ver, ios_ver = rng.choice(_XE_MODELS)
        os_version, short = xe_ver, ".".join(xe_ver.split(".")[:2]).replace(".0", ".")
    else:
        model, fam, image, ios_ver, cpu, mem, binfile = rng.choice(_IOS_MODELS)
        os_version, short = ios_ver, ios_ver.split("(")[0]
    serial = _cisco_serial(rng)
    s_enable, s_user, s_snmp = _type9(rng), _type9(rng), _community(rng)
    s_snmp_rw, s_tacacs, s_vty = _community(rng, "rw"), _type7(rng), _type7(rng)
    s_isakmp, s_ospf = _plain(rng, 20), _type7(rng)
    secrets = [s_enable, s_user, s_snmp, s_snmp_rw, s_tacacs, s_vty, s_isakmp, s_ospf]

    footer: list[Line] = [
        "!",
        "line con 0",
        " exec-timeout 15 0",
        " logging synchronous",
        "line vty 0 4",
        f" password 7 {s_vty}",
        " transport input ssh",
        "line vty 5 15",
        " transport input ssh",
        "!",
        Volatile(lambda m: f"ntp clock-period {17179000 + m.rng.randrange(1000, 99999)}"),
        "ntp server 10.0.0.1",
        "ntp server 10.0.0.2",
        "!",
        "end",
        "",
    ]
    size = seed.config_kb * 1024
    out = _Out()
    out.add(
        "Building configuration...",
        "",
        Volatile(lambda m: f"Current configuration : {size + m.rng.randrange(9)} bytes"),
        "!",
        Volatile(lambda m: f"! Last configuration change at {_cisco_time(m.t)} by {user}"),
        Volatile(lambda m: f"! NVRAM config last updated at {_cisco_time(m.t)} by {user}"),
        "!",
        f"version {short}",
        "no service pad",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "service password-encryption",
        "!",
        f"hostname {name}",
        "!",
        "boot-start-marker",
        "boot-end-marker",
        "!",
        f"enable secret 9 {s_enable}",
        "!",
        f"username {user} privilege 15 secret 9 {s_user}",
        "aaa new-model",
        "aaa authentication login default group tacacs+ local",
        "aaa authorization exec default group tacacs+ local",
        "!",
        "ip domain-name example.net",
        "ip name-server 10.0.0.53",
        "!",
        "crypto isakmp policy 10",
        " encr aes 256",
        " authentication pre-share",
        " group 14",
        f"crypto isakmp key {s_isakmp} address 192.0.2.1",
        "!",
        "spanning-tree mode rapid-pvst",
        "spanning-tree extend system-id",
        "!",
    )
    for v in range(10, 60, 10):
        out.add(
            f"vlan {v}", f" name {rng.choice(('users', 'voice', 'mgmt', 'iot', 'guest'))}-{v}", "!"
        )
    out.add(
        "interface Vlan1",
        " ip address 10.0.0.10 255.255.255.0",
        f" ip ospf message-digest-key 1 md5 7 {s_ospf}",
        "!",
    )
    out.fill(_target(seed, footer), _ios_access_blocks(rng))
    out.add(EXTRAS)
    out.add(
        "ip default-gateway 10.0.0.1",
        "ip http server",
        "ip http secure-server",
        "!",
        "logging host 10.0.0.50",
        f"snmp-server community {s_snmp} RO",
        f"snmp-server community {s_snmp_rw} RW",
        "snmp-server location Building 1",
        "tacacs-server host 10.0.0.49",
        f"tacacs-server key 7 {s_tacacs}",
        *footer,
    )

    if xe:
        version = [
            f"Cisco IOS XE Software, Version {os_version}",
            f"Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), "
            f"Version {ios_ver}, RELEASE SOFTWARE (fc3)",
            "Technical Support: http://www.cisco.com/techsupport",
            "Copyright (c) 1986-2023 by Cisco Systems, Inc.",
            "Compiled Thu 31-Aug-23 09:42 by mcpre",
            "",
            "ROM: IOS-XE ROMMON",
            f"BOOTLDR: System Bootstrap, Version {short}.1r, RELEASE SOFTWARE (P)",
            "",
            f"{name} uptime is 12 weeks, 3 days, 1 hour, 7 minutes",
            "System returned to ROM by Power Failure or Unknown",
            'System image file is "flash:packages.conf"',
            "Last reload reason: Power Failure",
            "",
            f"cisco {model} (X86) processor with 1343703K/6147K bytes of memory.",
            f"Processor board ID {serial}",
            "1 Virtual Ethernet interface",
            "52 Gigabit Ethernet interfaces",
            "2048K bytes of non-volatile configuration memory.",
            "",
            f"Model Number                       : {model}",
            f"System Serial Number               : {serial}",
            "",
            "Configuration register is 0x102",
            "",
        ]
    else:
        version = [
            f"Cisco IOS Software, {fam} Software ({image}), Version {ios_ver}, "
            "RELEASE SOFTWARE (fc2)",
            "Technical Support: http://www.cisco.com/techsupport",
            "Copyright (c) 1986-2020 by Cisco Systems, Inc.",
            "Compiled Tue 14-Apr-20 05:58 by prod_rel_team",
            "",
            f"ROM: Bootstrap program is {fam} boot loader",
            f"BOOTLDR: {fam} Boot Loader ({fam}-HBOOT-M) Version 15.2(3r)E1, "
            "RELEASE SOFTWARE (fc1)",
            "",
            f"{name} uptime is 3 weeks, 2 days, 4 hours, 11 minutes",
            "System returned to ROM by power-on",
            f'System image file is "flash:{binfile}"',
            "Last reload reason: power-on",
            "",
            f"cisco {model} ({cpu}) processor (revision B0) with {mem} bytes of memory.",
            f"Processor board ID {serial}",
            "Last reset from power-on",
            "1 Virtual Ethernet interface",
            "52 Gigabit Ethernet interfaces",
            "The password-recovery mechanism is enabled.",
            "",
            "512K bytes of flash-simulated non-volatile configuration memory.",
            f"Model number                    : {model}",
            f"System serial number            : {serial}",
            "",
            "Configuration register is 0xF",
            "",
        ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show version": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Cisco NX-OS


def _build_nxos(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice(
        (("Nexus9000 C93180YC-EX", "9.3(8)"), ("Nexus9000 C9336C-FX2", "10.2(5)"))
    )
    serial = _cisco_serial(rng, "FDO")
    s_user, s_comm, s_tacacs = _sha512(rng), _community(rng), _type7(rng)
    s_snmp_auth = "0x" + _pick(rng, "0123456789abcdef", 32)
    s_snmp_priv = "0x" + _pick(rng, "0123456789abcdef", 32)
    secrets = [s_user, s_snmp_auth, s_snmp_priv, s_comm, s_tacacs]
    footer: list[Line] = [
        "",
        "line console",
        "line vty",
        "  exec-timeout 15",
        "boot nxos bootflash:/nxos.bin",
        "",
    ]
    out = _Out()
    out.add(
        "",
        "!Command: show running-config",
        Volatile(lambda m: f"!Running configuration last done at: {_unix_time(m.t)}"),
        Volatile(lambda m: f"!Time: {_unix_time(m.t)}"),
        "",
        f"version {os_version} Bios:version 07.69",
        f"hostname {name}",
        "feature tacacs+",
        "feature interface-vlan",
        "feature lacp",
        "feature lldp",
        "",
        "no password strength-check",
        f"username {user} password 5 {s_user}  role network-admin",
        "ip domain-lookup",
        f"tacacs-server key 7 {s_tacacs}",
        "tacacs-server host 10.0.0.49",
        "",
        f"snmp-server user {user} network-admin auth md5 {s_snmp_auth} priv {s_snmp_priv} "
        "localizedkey",
        f"snmp-server community {s_comm} group network-operator",
        "",
        "vlan 1,10,20,30",
        "vlan 10",
        "  name users",
        "vlan 20",
        "  name servers",
        "",
        "vrf context management",
        "  ip route 0.0.0.0/0 10.0.0.1",
        "",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f"interface Ethernet1/{i}",
                f"  description {_desc(rng, i)}",
                f"  switchport access vlan {rng.choice((10, 20, 30))}",
                "  spanning-tree port type edge",
                "  no shutdown",
                "",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(
        EXTRAS, "interface mgmt0", "  vrf member management", "  ip address 10.0.0.11/24", *footer
    )
    version = [
        "Cisco Nexus Operating System (NX-OS) Software",
        "TAC support: http://www.cisco.com/tac",
        "Copyright (C) 2002-2023, Cisco and/or its affiliates.",
        "All rights reserved.",
        "",
        "Software",
        "  BIOS: version 07.69",
        f"  NXOS: version {os_version}",
        "  BIOS compile time:  04/08/2021",
        "  NXOS image file is: bootflash:///nxos.bin",
        "",
        "Hardware",
        f"  cisco {model} Chassis",
        "  Intel(R) Xeon(R) CPU  @ 1.80GHz with 24632184 kB of memory.",
        f"  Processor Board ID {serial}",
        "",
        f"  Device name: {name}",
        "  bootflash:   53298520 kB",
        "",
        "Kernel uptime is 41 day(s), 2 hour(s), 5 minute(s)",
        "",
    ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show version": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Cisco IOS XR


def _xr_stamp(m: Moment) -> str:  # Fri Nov 27 10:31:02.123 UTC
    return f"{m.t:%a %b %d %H:%M:%S}.{m.rng.randrange(1000):03d} UTC"


def _build_xr(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice((("ASR-9901", "7.5.2"), ("NCS-5501-SE", "7.8.2")))
    serial = _cisco_serial(rng, "FOX")
    s_secret, s_comm, s_key = _sha512(rng), _community(rng), _type7(rng)
    secrets = [s_secret, s_comm, s_key]
    footer: list[Line] = [
        "router static",
        " address-family ipv4 unicast",
        "  0.0.0.0/0 10.0.0.1",
        " !",
        "!",
        "ssh server v2",
        "end",
        "",
    ]
    out = _Out()
    out.add(
        Volatile(_xr_stamp),
        "Building configuration...",
        f"!! IOS XR Configuration {os_version}",
        Volatile(lambda m: f"!! Last configuration change at {_unix_time(m.t)} by {user}"),
        "!",
        f"hostname {name}",
        "clock timezone UTC 0",
        "logging 10.0.0.50 vrf default",
        f"username {user}",
        " group root-lr",
        " group cisco-support",
        f" secret 10 {s_secret}",
        "!",
        "key chain ISIS",
        " key 1",
        f"  key-string password {s_key}",
        "  cryptographic-algorithm HMAC-MD5",
        " !",
        "!",
        f"snmp-server community {s_comm} RO",
        "ntp",
        " server 10.0.0.1",
        "!",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f"interface TenGigE0/0/0/{i}",
                f" description {_desc(rng, i)}",
                f" ipv4 address {_ip(rng)} 255.255.255.252",
                " load-interval 30",
                "!",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, *footer)
    version = [
        Volatile(_xr_stamp),
        "",
        f"Cisco IOS XR Software, Version {os_version}",
        "Copyright (c) 2013-2022 by Cisco Systems, Inc.",
        "",
        "Build Information:",
        " Built By     : ingunawa",
        " Built On     : Thu Aug 25 13:35:22 PDT 2022",
        " Build Host   : iox-ucs-019",
        " Workspace    : /auto/srcarchive17/prod/7.5.2/asr9k-x64/ws",
        f" Version      : {os_version}",
        " Location     : /opt/cisco/XR/packages/",
        "",
        f"cisco {model} (Intel 686 F6M14S4) processor with 12582912K bytes of memory.",
        f"Processor board ID {serial}",
        f"{name} uptime is 5 weeks, 6 days, 2 hours, 33 minutes",
        "",
    ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show version": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Cisco ASA


def _asa_written(m: Moment) -> str:  # : Written by enable_15 at 10:31:02.123 UTC Fri Nov 27 2026
    t = m.t
    ms = m.rng.randrange(1000)
    return f": Written by enable_15 at {t:%H:%M:%S}.{ms:03d} UTC {t:%a %b} {t.day} {t.year}"


def _build_asa(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice((("ASA5516", "9.16(4)"), ("ASA5525", "9.14(4)23")))
    serial = f"JAD{rng.randrange(10**8, 10**9)}{rng.choice(_UP)}"
    s_enable, s_passwd, s_user = _pick(rng, _B64, 32), _pick(rng, _B64, 16), _pick(rng, _B64, 32)
    secrets = [s_enable, s_passwd, s_user]
    footer: list[Line] = [
        Volatile(lambda m: f"Cryptochecksum:{m.rng.getrandbits(128):032x}"),
        ": end",
        "",
    ]
    out = _Out()
    out.add(
        ": Saved",
        ":",
        f": Serial Number: {serial}",
        f": Hardware:   {model}, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)",
        Volatile(_asa_written),
        ":",
        f"ASA Version {os_version} ",
        "!",
        f"hostname {name}",
        "domain-name example.net",
        f"enable password {s_enable} pbkdf2",
        f"passwd {s_passwd} encrypted",
        "names",
        "no mac-address auto",
        "!",
        "interface GigabitEthernet1/1",
        " nameif outside",
        " security-level 0",
        " ip address 198.51.100.2 255.255.255.248",
        "!",
        "interface GigabitEthernet1/2",
        " nameif inside",
        " security-level 100",
        " ip address 10.0.0.1 255.255.255.0",
        "!",
        "ftp mode passive",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            host = _ip(rng)
            yield [
                f"object network host-{i}",
                f" host {host}",
                f" description {_desc(rng, i)}",
                f"access-list inside_in extended permit tcp any object host-{i} eq "
                f"{rng.choice(('https', 'ssh', '8443', 'domain'))}",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(
        EXTRAS,
        "access-group inside_in in interface inside",
        "route outside 0.0.0.0 0.0.0.0 198.51.100.1 1",
        f"username {user} password {s_user} pbkdf2 privilege 15",
        "tunnel-group 192.0.2.1 type ipsec-l2l",
        "tunnel-group 192.0.2.1 ipsec-attributes",
        " ikev1 pre-shared-key *****",
        "snmp-server host inside 10.0.0.5 community *****",
        "ssh 10.0.0.0 255.255.255.0 inside",
        "ssh version 2",
        *footer,
    )
    version = [
        "",
        f"Cisco Adaptive Security Appliance Software Version {os_version} ",
        "SSP Operating System Version 2.10(1.1)",
        "Device Manager Version 7.16(1)",
        "",
        "Compiled on Thu 27-Jan-22 12:14 GMT by builders",
        'System image file is "disk0:/asa9-16-4-lfbff-k8.SPA"',
        'Config file at boot was "startup-config"',
        "",
        f"{name} up 61 days 4 hours",
        "",
        f"Hardware:   {model}, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)",
        "Internal ATA Compact Flash, 8192MB",
        "",
        "Licensed features for this platform:",
        "Maximum Physical Interfaces       : Unlimited      perpetual",
        "",
        f"Serial Number: {serial}",
        "Configuration register is 0x1",
        "Configuration last modified by enable_15 at 10:20:31.123 UTC Mon Nov 2 2026",
        "",
    ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show version": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Arista EOS


def _build_eos(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice(
        (("DCS-7050SX3-48YC8-R", "4.30.1F"), ("DCS-7280SR-48C6-F", "4.29.2F"))
    )
    serial = f"JPE{rng.randrange(10**7, 10**8)}"
    s_user, s_enable, s_comm, s_tacacs = _sha512(rng), _sha512(rng), _community(rng), _type7(rng)
    secrets = [s_user, s_enable, s_comm, s_tacacs]
    footer: list[Line] = [
        "!",
        "ip routing",
        "!",
        "ip route 0.0.0.0/0 10.0.0.1",
        "!",
        "management api http-commands",
        "   no shutdown",
        "!",
        "end",
        "",
    ]
    out = _Out()
    out.add(
        "! Command: show running-config",
        "! device: " + f"{name} ({model}, EOS-{os_version})",
        "!",
        Volatile(lambda m: f"! Time: {_unix_time(m.t)}"),
        "!",
        Volatile(lambda m: f"! Startup-config last modified at {_unix_time(m.t)} by {user}"),
        "! boot system flash:/EOS.swi",
        "!",
        "transceiver qsfp default-mode 4x10G",
        "!",
        f"hostname {name}",
        "ip name-server vrf default 10.0.0.53",
        "!",
        f"tacacs-server key 7 {s_tacacs}",
        "tacacs-server host 10.0.0.49",
        "!",
        f"snmp-server community {s_comm} ro",
        "!",
        "spanning-tree mode mstp",
        "!",
        "aaa authorization exec default local",
        "!",
        f"enable password sha512 {s_enable}",
        "!",
        f"username {user} privilege 15 role network-admin secret sha512 {s_user}",
        "!",
        "vlan 10",
        "   name users",
        "!",
        "vlan 20",
        "   name servers",
        "!",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f"interface Ethernet{i}",
                f"   description {_desc(rng, i)}",
                f"   switchport access vlan {rng.choice((10, 20))}",
                "   spanning-tree portfast",
                "!",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, "interface Management1", "   ip address 10.0.0.12/24", *footer)
    version = [
        f"Arista {model}",
        "Hardware version: 11.01",
        f"Serial number: {serial}",
        "Hardware MAC address: 001c.7312.3456",
        "System MAC address: 001c.7312.3456",
        "",
        f"Software image version: {os_version}",
        "Architecture: x86_64",
        "Internal build version: 4.30.1F-32315385.4301F",
        "Internal build ID: 0f4b1c5d-9a3e-4f29-8d5e-1b2c3d4e5f60",
        "Image format version: 3.0",
        "Image optimization: Strata-4GB",
        "",
        "Uptime: 6 weeks, 2 days, 3 hours and 4 minutes",
        "Total memory: 8099264 kB",
        "Free memory: 5923488 kB",
        "",
    ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show version": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Juniper Junos


def _build_junos(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice(
        (("mx204", "22.4R1.10"), ("ex4300-48p", "21.4R3-S4.9"), ("srx345", "21.2R3-S6.4"))
    )
    serial = f"{_pick(rng, _UP, 2)}{rng.randrange(1000, 9999)}{_pick(rng, _UP, 2)}"
    serial += str(rng.randrange(1000, 9999))
    s_root, s_user, s_radius = _sha512(rng), _sha512(rng), _junos9(rng)
    s_bgp, s_psk, s_comm, s_ospf = _junos9(rng), _junos9(rng), _community(rng), _junos9(rng)
    secrets = [s_root, s_user, s_radius, s_bgp, s_psk, s_comm, s_ospf]
    footer: list[Line] = [
        "}",
        "snmp {",
        f"    community {s_comm} {{",
        "        authorization read-only;",
        "    }",
        "}",
        "routing-options {",
        "    static {",
        "        route 0.0.0.0/0 next-hop 10.0.0.1;",
        "    }",
        "    autonomous-system 65001;",
        "}",
        "protocols {",
        "    bgp {",
        "        group ibgp {",
        "            type internal;",
        f'            authentication-key "{s_bgp}"; ## SECRET-DATA',
        "            neighbor 10.0.0.2;",
        "        }",
        "    }",
        "    ospf {",
        "        area 0.0.0.0 {",
        "            interface ge-0/0/0.0 {",
        "                authentication {",
        f'                    md5 1 key "{s_ospf}"; ## SECRET-DATA',
        "                }",
        "            }",
        "        }",
        "    }",
        "    lldp {",
        "        interface all;",
        "    }",
        "}",
        "security {",
        "    ike {",
        "        policy ike-pol {",
        "            mode main;",
        f'            pre-shared-key ascii-text "{s_psk}"; ## SECRET-DATA',
        "        }",
        "    }",
        "}",
        "",
    ]
    out = _Out()
    out.add(
        Volatile(lambda m: f"## Last commit: {_iso_time(m.t)} UTC by {user}"),
        f"version {os_version};",
        "system {",
        f"    host-name {name};",
        "    root-authentication {",
        f'        encrypted-password "{s_root}"; ## SECRET-DATA',
        "    }",
        "    login {",
        f"        user {user} {{",
        "            uid 2000;",
        "            class super-user;",
        "            authentication {",
        f'                encrypted-password "{s_user}"; ## SECRET-DATA',
        "            }",
        "        }",
        "    }",
        "    services {",
        "        ssh {",
        "            root-login deny;",
        "        }",
        "        netconf {",
        "            ssh;",
        "        }",
        "    }",
        "    radius-server {",
        f'        10.0.0.5 secret "{s_radius}"; ## SECRET-DATA',
        "    }",
        "    syslog {",
        "        host 10.0.0.50 {",
        "            any notice;",
        "        }",
        "    }",
        "    ntp {",
        "        server 10.0.0.1;",
        "    }",
        "}",
    )
    out.add(EXTRAS, "interfaces {")

    def blocks() -> Iterator[list[str]]:
        for i in _count(0):
            yield [
                f"    ge-0/0/{i} {{",
                f'        description "{_desc(rng, i)}";',
                "        unit 0 {",
                "            family inet {",
                f"                address {_ip(rng)}/30;",
                "            }",
                "        }",
                "    }",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(*footer)
    version = [
        f"Hostname: {name}",
        f"Model: {model}",
        f"Junos: {os_version}",
        f"JUNOS OS Kernel 64-bit  [20221208.f0321c3_builder_stable_12_{os_version[:2]}]",
        "JUNOS OS libs [20221208.f0321c3_builder_stable_12]",
        "JUNOS OS runtime [20221208.f0321c3_builder_stable_12]",
        f"JUNOS Packet Forwarding Engine Support (MX/EX) [{os_version}]",
        f"JUNOS Routing Software Suite [{os_version}]",
        "",
    ]
    chassis = [
        "Hardware inventory:",
        "Item             Version  Part number  Serial number     Description",
        f"Chassis                                {serial:<17} {model.upper()}",
        "Midplane         REV 25   750-069579   CAGN1234          " + model.upper(),
        "PEM 0            REV 05   740-069993   1EDC8150233       AC 650W PSU",
        "Routing Engine 0          BUILTIN      BUILTIN           RE-S-1600x8",
        "",
    ]
    return DeviceImage(
        {"show configuration": out.lines},
        {"show version": version, "show chassis hardware": chassis},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Fortinet FortiOS


def _build_fortinet(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version, build = rng.choice(
        (("FortiGate-60F", "v7.2.8", "1639"), ("FortiGate-100F", "v7.4.3", "2573"))
    )
    code = model.replace("FortiGate-", "FGT")
    serial = f"FGT{model.split('-')[1][:3]}{_pick(rng, _UP, 2)}{rng.randrange(10**7, 10**8)}"
    enc = string.ascii_letters + string.digits + "+/"
    s_admin = "SH2" + _pick(rng, enc, 60) + "="
    s_psk, s_user, s_radius = _pick(rng, enc, 88), _pick(rng, enc, 60), _pick(rng, enc, 60)
    secrets = [s_admin, s_psk, s_user, s_radius]
    footer: list[Line] = [
        "end",
        "config router static",
        "    edit 1",
        "        set gateway 10.0.0.1",
        '        set device "wan1"',
        "    next",
        "end",
        "",
    ]
    out = _Out()
    out.add(
        f"#config-version={code}-{os_version[1:]}-FW-build{build}-240313:opmode=0:vdom=0:user={user}",
        Volatile(lambda m: f"#conf_file_ver={m.rng.randrange(10**14, 10**16)}"),
        f"#buildno={build}",
        "#global_vdom=1",
        "config system global",
        f'    set alias "{model}"',
        f'    set hostname "{name}"',
        "    set timezone 04",
        "end",
        "config system admin",
        f'    edit "{user}"',
        '        set accprofile "super_admin"',
        '        set vdom "root"',
        f"        set password ENC {s_admin}",
        "    next",
        "end",
        "config user radius",
        '    edit "rad1"',
        '        set server "10.0.0.5"',
        f"        set secret ENC {s_radius}",
        "    next",
        "end",
        "config user local",
        '    edit "vpnuser"',
        "        set type password",
        f"        set passwd ENC {s_user}",
        "    next",
        "end",
        "config vpn ipsec phase1-interface",
        '    edit "to-hq"',
        '        set interface "wan1"',
        "        set peertype any",
        "        set remote-gw 192.0.2.1",
        f"        set psksecret ENC {s_psk}",
        "    next",
        "end",
        "config firewall address",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f'    edit "host-{i}"',
                f'        set comment "{_desc(rng, i)}"',
                f"        set subnet {_ip(rng)} 255.255.255.255",
                "    next",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, *footer)
    version = [
        f"Version: {model} {os_version},build{build},240313 (GA.M)",
        "Security Level: 1",
        "Firmware Signature: certified",
        "Virus-DB: 92.08620(2026-11-27 09:31)",
        "IPS-DB: 27.00871(2026-11-26 01:49)",
        f"Serial-Number: {serial}",
        "BIOS version: 05000029",
        "System Part-Number: P24264-04",
        "Log hard disk: Not available",
        f"Hostname: {name}",
        "Private Encryption: Disable",
        "Operation Mode: NAT",
        "Current virtual domain: root",
        "Max number of virtual domains: 10",
        "Virtual domains status: 1 in NAT mode, 0 in TP mode",
        "Virtual domain configuration: disable",
        "FIPS-CC mode: disable",
        "Current HA mode: standalone",
        "Branch point: 1639",
        "Release Version Information: GA",
        "System time: Fri Nov 27 10:31:02 2026",
        "Last reboot reason: warm reboot",
        "",
    ]
    return DeviceImage(
        {"show": out.lines},
        {"get system status": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Palo Alto PAN-OS


def _build_panos(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice((("PA-3220", "10.2.7-h3"), ("PA-440", "11.1.2")))
    serial = f"0{rng.randrange(10**10, 10**11)}"
    s_phash = f"$5${_pick(rng, _B64, 8)}${_pick(rng, _B64, 43)}"
    s_psk = "-AQ==" + _pick(rng, string.ascii_letters + string.digits + "+/", 40) + "="
    s_radius = "-AQ==" + _pick(rng, string.ascii_letters + string.digits + "+/", 40) + "="
    secrets = [s_phash, s_psk, s_radius]
    footer: list[Line] = [
        "        </address>",
        "      </entry>",
        "    </vsys>",
        "  </devices>",
        "</config>",
        "",
    ]
    out = _Out()
    out.add(
        f'<config version="{os_version.split("-")[0]}" urldb="paloaltonetworks">',
        "  <mgt-config>",
        "    <users>",
        f'      <entry name="{user}">',
        f"        <phash>{s_phash}</phash>",
        "        <permissions>",
        "          <role-based>",
        "            <superuser>yes</superuser>",
        "          </role-based>",
        "        </permissions>",
        "      </entry>",
        "    </users>",
        "  </mgt-config>",
        "  <shared>",
        "    <server-profile>",
        "      <radius>",
        '        <entry name="rad1">',
        "          <server>",
        '            <entry name="10.0.0.5">',
        f"              <secret>{s_radius}</secret>",
        "              <port>1812</port>",
        "            </entry>",
        "          </server>",
        "        </entry>",
        "      </radius>",
        "    </server-profile>",
        "  </shared>",
        "  <devices>",
        '    <entry name="localhost.localdomain">',
        "      <deviceconfig>",
        "        <system>",
        f"          <hostname>{name}</hostname>",
        "          <ip-address>10.0.0.13</ip-address>",
        "        </system>",
        "      </deviceconfig>",
        "      <network>",
        "        <ike>",
        "          <gateway>",
        '            <entry name="to-hq">',
        "              <authentication>",
        "                <pre-shared-key>",
        f"                  <key>{s_psk}</key>",
        "                </pre-shared-key>",
        "              </authentication>",
        "            </entry>",
        "          </gateway>",
        "        </ike>",
        "      </network>",
        EXTRAS,
        "    </entry>",
        "  </devices>",
        "  <devices>",
        "    <vsys>",
        '      <entry name="vsys1">',
        "        <address>",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f'          <entry name="host-{i}">',
                f"            <ip-netmask>{_ip(rng)}/32</ip-netmask>",
                f"            <description>{_desc(rng, i)}</description>",
                "          </entry>",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(*footer)
    version = [
        f"hostname: {name}",
        "ip-address: 10.0.0.13",
        "netmask: 255.255.255.0",
        "default-gateway: 10.0.0.1",
        "mac-address: 00:1b:17:00:01:13",
        "time: Fri Nov 27 10:31:02 2026",
        "uptime: 41 days, 2:05:11",
        "family: 3200",
        f"model: {model}",
        f"serial: {serial}",
        f"sw-version: {os_version}",
        "app-version: 8795-8682",
        "threat-version: 8795-8682",
        "wildfire-version: 0",
        "url-filtering-version: 20261127.20151",
        "operational-mode: normal",
        "",
    ]
    return DeviceImage(
        {"show config running": out.lines},
        {"show system info": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- MikroTik RouterOS


def _build_mikrotik(seed: Seed) -> DeviceImage:
    rng, name = seed.rng, seed.name
    model, os_version = rng.choice((("CCR2004-1G-12S+2XS", "7.16.1"), ("RB5009UG+S+", "7.15.3")))
    serial = f"HE{_pick(rng, _HEXU, 9)}"
    s_ppp, s_ipsec, s_wifi = _plain(rng, 14), _plain(rng, 24), _plain(rng, 18)
    secrets = [s_ppp, s_ipsec, s_wifi]
    footer: list[Line] = [
        "/ip route add disabled=no dst-address=0.0.0.0/0 gateway=10.0.0.1",
        f"/ip ipsec identity add peer=hq secret={s_ipsec}",
        f"/ppp secret add name=vpnuser password={s_ppp} profile=default-encryption",
        f"/system identity set name={name}",
        "/system clock set time-zone-name=UTC",
        "/system ntp client set enabled=yes",
        "/system ntp client servers add address=10.0.0.1",
        "",
    ]
    out = _Out()
    out.add(
        Volatile(lambda m: f"# {_iso_time(m.t)} by RouterOS {os_version}"),
        f"# software id = {_pick(rng, _UP + string.digits, 4)}-{_pick(rng, _HEXU, 4)}",
        "#",
        f"# model = {model}",
        f"# serial number = {serial}",
        "/interface bridge add name=bridge1 vlan-filtering=yes",
        "/interface ethernet set [ find default-name=ether1 ] comment=uplink",
        "/interface wifi security add authentication-types=wpa2-psk name=corp "
        f"wpa2-pre-shared-key={s_wifi}",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count(10):
            yield [
                f"/interface vlan add interface=bridge1 name=vlan{i} vlan-id={i} "
                f'comment="{_desc(rng, i)}"',
                f"/ip address add address={_ip(rng)}/24 interface=vlan{i}",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, *footer)
    resource = [
        "                   uptime: 3w2d04:11:32",
        f"                  version: {os_version} (stable)",
        "               build-time: 2024-09-20 13:00:27",
        "         factory-software: 7.1",
        "              free-memory: 3.3GiB",
        "             total-memory: 4.0GiB",
        "                      cpu: ARM64",
        "                cpu-count: 4",
        "            cpu-frequency: 1700MHz",
        "                 cpu-load: 1%",
        "           free-hdd-space: 98.4MiB",
        "          total-hdd-space: 128.0MiB",
        "  write-sect-since-reboot: 12345",
        "         write-sect-total: 123456",
        "        architecture-name: arm64",
        f"               board-name: {model}",
        "                 platform: MikroTik",
        "",
    ]
    routerboard = [
        "       routerboard: yes",
        f"        board-name: {model}",
        f"             model: {model}",
        "          revision: r2",
        f"     serial-number: {serial}",
        "     firmware-type: al2",
        "  factory-firmware: 7.1",
        f"  current-firmware: {os_version}",
        f"  upgrade-firmware: {os_version}",
        "",
    ]
    return DeviceImage(
        {"/export terse": out.lines},
        {"/system resource print": resource, "/system routerboard print": routerboard},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- HPE ProCurve


def _build_procurve(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, part, os_version = rng.choice(
        (
            ("2920-48G-POE+", "J9729A", "WB.16.10.0012"),
            ("2930F-48G-PoE+", "JL256A", "WC.16.11.0015"),
        )
    )
    serial = f"SG{rng.randrange(10**7, 10**8)}{rng.choice(_UP)}"
    s_mgr, s_op = _pick(rng, "0123456789abcdef", 40), _pick(rng, "0123456789abcdef", 40)
    s_comm, s_radius = _community(rng), _plain(rng, 16)
    secrets = [s_mgr, s_op, s_comm, s_radius]
    footer: list[Line] = [
        f'password manager user-name "{user}" sha1 "{s_mgr}"',
        f'password operator user-name "operator" sha1 "{s_op}"',
        "",
        "",
    ]
    out = _Out()
    out.add(
        "",
        "Running configuration:",
        "",
        f"; {part} Configuration Editor; Created on release #{os_version}",
        "; Ver #14:01.44.00.04.19.02.13.98.82.34.61.18.28.f3.84.9c.63.ff.37.27:05",
        "",
        f'hostname "{name}"',
        f"module 1 type {part.lower()}",
        "ip default-gateway 10.0.0.1",
        f'radius-server key "{s_radius}"',
        "radius-server host 10.0.0.5",
        f'snmp-server community "{s_comm}" unrestricted',
        "vlan 1",
        '   name "DEFAULT_VLAN"',
        "   untagged 1-48",
        "   ip address 10.0.0.14 255.255.255.0",
        "   exit",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            port = (i - 1) % 48 + 1
            block = [f"interface {port}", f'   name "{_desc(rng, i)}"', "   exit"]
            if i % 4 == 0:
                v = 10 + i
                block += [f"vlan {v}", f'   name "vlan-{v}"', f"   untagged {port}", "   exit"]
            yield block

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, *footer)
    system = [
        "",
        " Status and Counters - General System Information",
        "",
        f"  System Name        : {name}",
        "  System Contact     :",
        "  System Location    :",
        "",
        "  MAC Age Time (sec) : 300",
        "",
        "  Time Zone          : 0",
        "  Daylight Time Rule : None",
        "",
        f"  Software revision  : {os_version:<20} Base MAC Addr      : 3863bb-123456",
        f"  ROM Version        : WB.16.03             Serial Number      : {serial}",
        "",
        "  Up Time            : 23 days              Memory   - Total   : 340,623,360",
        "  CPU Util (%)       : 0                                 Free    : 218,123,456",
        "",
    ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show system": system},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Aruba OS (controllers)


def _build_aruba(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, os_version = rng.choice((("7010", "8.10.0.7"), ("7205", "8.11.2.1")))
    serial = f"CV{rng.randrange(10**7, 10**8)}"
    hexs = "0123456789abcdef"
    s_mgmt, s_key, s_wpa = _pick(rng, hexs, 56), _pick(rng, hexs, 40), _pick(rng, hexs, 64)
    s_comm = _community(rng)
    secrets = [s_mgmt, s_key, s_wpa, s_comm]
    footer: list[Line] = ["!", "ip default-gateway 10.0.0.1", "!", "end", ""]
    out = _Out()
    out.add(
        "Building Configuration...",
        f"version {'.'.join(os_version.split('.')[:2])}",
        f'hostname "{name}"',
        "clock timezone UTC 0",
        "!",
        f"mgmt-user {user} root {s_mgmt}",
        "!",
        f"snmp-server community {s_comm}",
        "!",
        'aaa authentication-server radius "rad1"',
        "   host 10.0.0.5",
        f"   key {s_key}",
        "!",
        'wlan ssid-profile "corp"',
        '   essid "corp"',
        "   opmode wpa2-psk-aes",
        f"   wpa-passphrase {s_wpa}",
        "!",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f"interface gigabitethernet 0/0/{i}",
                f'   description "{_desc(rng, i)}"',
                "   trusted",
                "   trusted vlan 1-4094",
                f"   switchport access vlan {rng.choice((10, 20, 30))}",
                "!",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, *footer)
    version = [
        "Aruba Operating System Software.",
        f"ArubaOS (MODEL: {model}), Version {os_version}",
        "Website: http://www.arubanetworks.com",
        "(c) Copyright 2023 Hewlett Packard Enterprise Development LP.",
        "Compiled on 2023-06-01 at 03:14:15 UTC (build 87654) by p4build",
        "",
        "ROM: System Bootstrap, Version CPBoot 1.2.0.0 (build 39183)",
        "Built: 2018-01-09 15:03:36",
        "",
        "Switch uptime is 21 days 3 hours 14 minutes 22 seconds",
        "Reboot Cause: User reboot (Intent:cause:register 78:86:50:2)",
        "Supervisor Card",
        "Processor (XLP208 Rev B2 (Secure Boot) , 1000 MHz) with 4096M bytes of memory.",
        f"System Serial#   : {serial}",
        "",
    ]
    return DeviceImage(
        {"show running-config": out.lines},
        {"show version": version},
        secrets,
        {"model": model, "serial": serial, "os_version": os_version},
    )


# ---- Huawei VRP


def _build_huawei(seed: Seed) -> DeviceImage:
    rng, name, user = seed.rng, seed.name, seed.username
    model, vrp, os_version = rng.choice(
        (
            ("CE6881-48S6CQ", "8.180", "V200R019C10SPC800"),
            ("S5735-L48T4X-A1", "5.170", "V200R021C10SPC600"),
        )
    )
    serial = f"2102{rng.randrange(10**8, 10**9)}{_pick(rng, _UP + string.digits, 8)}"
    cipher_chars = string.ascii_letters + string.digits + "!#*+,-.:;=?@[]_{}~"

    def cipher() -> str:
        return "%^%#" + _pick(rng, cipher_chars, 40) + "%^%#"

    s_user = "$1c$" + _pick(rng, cipher_chars, 50) + "$"
    s_snmp, s_ospf, s_ike = cipher(), cipher(), cipher()
    secrets = [s_user, s_snmp, s_ospf, s_ike]
    footer: list[Line] = [
        "#",
        "ospf 1 router-id 10.0.0.15",
        " area 0.0.0.0",
        f"  authentication-mode md5 1 cipher {s_ospf}",
        "  network 10.0.0.0 0.0.0.255",
        "#",
        "return",
        "",
    ]
    out = _Out()
    out.add(
        f"!Software Version {os_version}",
        Volatile(lambda m: f"!Last configuration was updated at {_iso_time(m.t)}+00:00 by {user}"),
        "#",
        f"sysname {name}",
        "#",
        "vlan batch 10 20 30",
        "#",
        "aaa",
        f" local-user {user} password irreversible-cipher {s_user}",
        f" local-user {user} privilege level 15",
        f" local-user {user} service-type ssh",
        "#",
        "ike peer hq",
        f" pre-shared-key cipher {s_ike}",
        " remote-address 192.0.2.1",
        "#",
        f"snmp-agent community read cipher {s_snmp}",
        "snmp-agent sys-info version v2c v3",
        "#",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [
                f"interface GigabitEthernet0/0/{i}",
                f" description {_desc(rng, i)}",
                " port link-type access",
                f" port default vlan {rng.choice((10, 20, 30))}",
                " stp edged-port enable",
                "#",
            ]

    out.fill(_target(seed, footer), blocks())
    out.add(EXTRAS, *footer)
    version = [
        "Huawei Versatile Routing Platform Software",
        f"VRP (R) software, Version {vrp} ({model.split('-')[0]} {os_version})",
        "Copyright (C) 2012-2020 Huawei Technologies Co., Ltd.",
        f"HUAWEI {model} uptime is 120 days, 3 hours, 12 minutes",
        "",
        "MPU(Master) 1 : uptime is 120 days, 3 hours, 11 minutes",
        "StartupTime 2026/07/30   07:19:44",
        "Memory    Size    : 2048 M bytes",
        "Flash     Size    : 1024 M bytes",
        "",
    ]
    esn = [f"ESN of slot 1: {serial}", ""]
    return DeviceImage(
        {"display current-configuration": out.lines},
        {"display version": version, "display esn": esn},
        secrets,
        {"model": model, "serial": serial, "os_version": vrp},
    )


# ---- Linux


_LFT = "       valid_lft forever preferred_lft forever"


def _build_linux(seed: Seed) -> DeviceImage:
    rng, name = seed.rng, seed.name
    kernel = rng.choice(("6.1.0-27-amd64", "5.15.0-122-generic"))
    addr = _ip(rng)
    hosts = _Out()
    hosts.add(
        "127.0.0.1\tlocalhost",
        f"127.0.1.1\t{name}.example.net\t{name}",
        "",
        "# The following lines are desirable for IPv6 capable hosts",
        "::1     localhost ip6-localhost ip6-loopback",
        "ff02::1 ip6-allnodes",
        "ff02::2 ip6-allrouters",
        "",
    )

    def blocks() -> Iterator[list[str]]:
        for i in _count():
            yield [f"{_ip(rng)}\thost-{i}.example.net\thost-{i}"]

    hosts.fill(max(0, seed.config_kb * 1024 - 900), blocks())
    hosts.add(EXTRAS)
    outputs: dict[str, list[Line]] = {
        "cat /etc/hostname": [name],
        "cat /etc/hosts": hosts.lines,
        "ip -o addr show": [
            f"1: lo    inet 127.0.0.1/8 scope host lo\\{_LFT}",
            f"1: lo    inet6 ::1/128 scope host noprefixroute \\{_LFT}",
            f"2: eth0    inet {addr}/24 brd {addr.rsplit('.', 1)[0]}.255 scope global eth0\\       "
            "valid_lft forever preferred_lft forever",
        ],
        "ip route show": [
            f"default via {addr.rsplit('.', 1)[0]}.1 dev eth0 proto static",
            f"{addr.rsplit('.', 1)[0]}.0/24 dev eth0 proto kernel scope link src {addr}",
        ],
    }
    other: dict[str, list[Line]] = {
        "uname -sr": [f"Linux {kernel}"],
        "uname -a": [
            f"Linux {name} {kernel} #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 x86_64 GNU/Linux"
        ],
        "hostname": [name],
    }
    return DeviceImage(outputs, other, [], {"os_version": kernel})


# --------------------------------------------------------------------------- the personalities

_CISCO_PAGING = ("terminal length 0", "terminal width 511")


def _cisco(key: str, build: Callable[[Seed], DeviceImage], **kw: object) -> Personality:
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


PERSONALITIES: Mapping[str, Personality] = MappingProxyType(
    {
        p.key: p
        for p in (
            _cisco("cisco_ios", lambda s: _build_ios(s, xe=False)),
            _cisco("cisco_xe", lambda s: _build_ios(s, xe=True)),
            _cisco(
                "cisco_nxos",
                _build_nxos,
                user_prompt="{name}#",
                priv_prompt=None,
                starts_privileged=True,
                enable_command=None,
                error="nxos",
                more_prompt="--More--",
                server_version="OpenSSH_8.3",
                banner="Cisco Nexus Operating System (NX-OS) Software\r\n"
                "TAC support: http://www.cisco.com/tac\r\n"
                "Copyright (C) 2002-2023, Cisco and/or its affiliates.\r\n",
            ),
            _cisco(
                "cisco_xr",
                _build_xr,
                user_prompt="RP/0/RSP0/CPU0:{name}#",
                priv_prompt=None,
                starts_privileged=True,
                enable_command=None,
                paging_off=("terminal length 0", "terminal width 0"),
                server_version="Cisco-2.0",
            ),
            _cisco(
                "cisco_asa",
                _build_asa,
                paging_off=("terminal pager 0",),
                paging_off_by="terminal pager 0",
                error="asa",
                more_prompt="<--- More --->",
                more_erase="cr",
            ),
            _cisco(
                "arista_eos",
                _build_eos,
                paging_off=("terminal length 0", "terminal width 32767"),
                error="arista",
                server_version="OpenSSH_8.7",
                paging_off_output={
                    "terminal length 0": "Pagination disabled.",
                    "terminal width 32767": "Width set to 32767 columns.",
                },
            ),
            Personality(
                key="juniper_junos",
                user_prompt="{user}@{name}> ",
                paging_off=("set cli screen-length 0", "set cli screen-width 0"),
                paging_off_by="set cli screen-length 0",
                paging_off_output={
                    "set cli screen-length 0": "Screen length set to 0",
                    "set cli screen-width 0": "Screen width set to 0",
                },
                more_prompt="---(more {pct}%)---",
                more_erase="cr",
                commands=("show configuration",),
                error="junos",
                server_version="OpenSSH_7.5",
                banner="--- JUNOS 22.4R1.10 Kernel 64-bit  JNPR-12.1-20221208.f0321c3_buil\r\n",
                build=_build_junos,
            ),
            Personality(
                key="fortinet",
                user_prompt="{name}{ctx} # ",
                paging_off=("config system console", "set output standard", "end"),
                paging_off_by="set output standard",
                more_prompt="--More-- ",
                more_erase="cr",
                commands=("show",),
                version_command="get system status",
                error="fortinet",
                config_contexts=True,
                server_version="FortiSSH_7.2",
                build=_build_fortinet,
            ),
            Personality(
                key="paloalto_panos",
                user_prompt="{user}@{name}> ",
                paging_off=("set cli pager off", "set cli scripting-mode on"),
                paging_off_by="set cli pager off",
                more_prompt="--more--",
                more_erase="cr",
                commands=("show config running",),
                version_command="show system info",
                error="panos",
                server_version="OpenSSH_8.0",
                banner="Last login: Fri Nov 27 09:12:44 2026 from 10.0.0.99\r\n\r\n"
                "Number of failed attempts since last successful login: 0\r\n\r\n",
                build=_build_panos,
            ),
            Personality(
                key="mikrotik_routeros",
                user_prompt="[{user}@{name}] > ",
                pages=False,
                commands=("/export terse",),
                version_command="/system resource print",
                error="mikrotik",
                server_version="ROSSSH",
                banner="\r\n\r\n"
                "  MMM      MMM       KKK                          TTTTTTTTTTT      KKK\r\n"
                "  MMMM    MMMM       KKK                          TTTTTTTTTTT      KKK\r\n"
                "  MMM MMMM MMM  III  KKK  KKK  RRRRRR     OOOOOO      TTT     III  KKK  KKK\r\n"
                "  MMM  MM  MMM  III  KKKKK     RRR  RRR  OOO  OOO     TTT     III  KKKKK\r\n"
                "\r\n  MikroTik RouterOS 7.16.1 (c) 1999-2024       https://www.mikrotik.com/\r\n"
                "\r\nPress F1 for help\r\n\r\n",
                build=_build_mikrotik,
            ),
            _cisco(
                "hp_procurve",
                _build_procurve,
                paging_off=("no page",),
                paging_off_by="no page",
                version_command="show system",
                error="procurve",
                more_erase="cr",
                more_prompt="-- MORE --, next page: Space, next line: Enter, quit: Control-C",
                server_version="OpenSSH_6.2",
                banner="HP J9729A 2920-48G-POE+ Switch\r\nSoftware revision WB.16.10.0012\r\n\r\n"
                "(C) Copyright 2020 Hewlett Packard Enterprise Development LP\r\n\r\n"
                "Press any key to continue\r\n",
            ),
            _cisco(
                "aruba_os",
                _build_aruba,
                user_prompt="({name}) >",
                priv_prompt="({name}) #",
                paging_off=("no paging",),
                paging_off_by="no paging",
                more_erase="cr",
                more_prompt="--More-- (q) quit (u) pageup (/) search (n) repeat",
                server_version="OpenSSH_7.4",
            ),
            Personality(
                key="huawei_vrp",
                user_prompt="<{name}>",
                paging_off=("screen-length 0 temporary",),
                paging_off_by="screen-length 0 temporary",
                paging_off_output={
                    "screen-length 0 temporary": "Info: The configuration takes effect on "
                    "the current user terminal interface only."
                },
                more_prompt="  ---- More ----",
                more_erase="ansi",
                commands=("display current-configuration",),
                version_command="display version",
                error="huawei",
                server_version="HUAWEI-1.5",
                banner="\r\nInfo: The max number of VTY users is 10, and the number\r\n"
                "      of current VTY users on line is 1.\r\n"
                "      The current login time is 2026-11-27 10:31:02.\r\n",
                build=_build_huawei,
            ),
            Personality(
                key="linux",
                user_prompt="{user}@{name}:~$ ",
                pages=False,
                paging_off=("export PAGER=cat TERM=dumb",),
                commands=(
                    "cat /etc/hostname",
                    "cat /etc/hosts",
                    "ip -o addr show",
                    "ip route show",
                ),
                version_command="uname -sr",
                error="linux",
                server_version="OpenSSH_9.2p1 Debian-2",
                banner="Linux {name} 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 "
                "x86_64\r\n"
                "\r\nThe programs included with the Debian GNU/Linux system are free software;\r\n"
                "the exact distribution terms for each program are described in the\r\n"
                "individual files in /usr/share/doc/*/copyright.\r\n\r\n"
                "Last login: Fri Nov 27 09:12:44 2026 from 10.0.0.99\r\n",
                build=_build_linux,
            ),
        )
    }
)

assert set(PERSONALITIES) == set(PLATFORMS), set(PERSONALITIES) ^ set(PLATFORMS)


def personality(platform: str) -> Personality:
    return PERSONALITIES[platform]


def build_image(platform: str, seed: Seed) -> DeviceImage:
    build = PERSONALITIES[platform].build
    assert build is not None
    return build(seed)
