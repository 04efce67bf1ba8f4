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
import re
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from ..core.platforms import PLATFORMS


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


def _at(before: str, clock: Callable[[datetime], str], after: str = "") -> Volatile:
    """A timestamp line: the text around the device clock at the read."""
    return Volatile(lambda m: f"{before}{clock(m.t)}{after}")


# --------------------------------------------------------------------------- building output

# Every platform's output is the same shape of work (a fixed head, generated blocks up to a
# size, a tail), so each is described as text templates plus a function drawing the random
# values; `_build` does the rest. A `{field}` is filled from the values; a line that is only a
# field whose value is not a string stands for that value (a `Volatile`, `EXTRAS`, a list).

_FIELD = re.compile(r"\{(\w+)\}")
_Values = dict[str, object]


def _text(template: str, values: Mapping[str, object]) -> list[Line]:
    """The template's lines with the values filled in (see above)."""
    lines: list[Line] = []
    for line in template.splitlines():
        whole = _FIELD.fullmatch(line)
        value = values[whole[1]] if whole else None
        if whole and not isinstance(value, str | int):
            lines.extend(value if isinstance(value, list) else [value])  # type: ignore[list-item]
        else:
            lines.append(_FIELD.sub(lambda f: str(values[f[1]]), line))
    return lines


class _Out:
    """Accumulates lines and their printed size; `fill` adds generated blocks up to a size."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.size = 0

    def add(self, *lines: Line) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 2 if isinstance(line, str) else 48

    def fill(self, target: int, blocks: Iterator[list[Line]]) -> None:
        for block in blocks:
            if self.size >= target:
                break
            self.add(*block)


def _size(lines: list[Line]) -> int:
    return sum(len(x) + 2 if isinstance(x, str) else 48 for x in lines)


def _count(start: int = 1) -> Iterator[int]:
    i = start
    while True:
        yield i
        i += 1


_FACTS = ("model", "serial", "os_version")


@dataclass(frozen=True)
class _Layout:
    """What a platform's image looks like, as data (templates and the names of values)."""

    command: str  # the backup command whose output is generated to the requested size
    head: str
    block: str  # one generated block; fields: i and those `block_values` draws
    block_values: Callable[[random.Random, int], _Values]
    tail: str  # after the blocks, not counted against the size
    footer: str  # the end, which the size leaves room for
    other: Mapping[str, str]  # version command and other show commands
    secrets: tuple[str, ...] = ()  # value names, in the order they are reported
    facts: Mapping[str, str] = field(default_factory=lambda: {k: k for k in _FACTS})  # -> value
    first: int = 1  # the first block's i
    reserve: int = 0  # further room left under the size
    more: Mapping[str, str] = field(default_factory=dict)  # other backup commands (fixed)


def _build(layout: _Layout, draw: Callable[[Seed], _Values]) -> Callable[[Seed], DeviceImage]:
    """The builder for one platform: draws the values (the only use of the seed's random source
    besides the blocks, in a fixed order, so images are deterministic) and fills the layout."""

    def build(seed: Seed) -> DeviceImage:
        rng = seed.rng
        values: _Values = {"name": seed.name, "user": seed.username, "EXTRAS": EXTRAS}
        values |= draw(seed)
        footer = _text(layout.footer, values)
        out = _Out()
        out.add(*_text(layout.head, values))
        drawn: list[str] = []  # the blocks' own secrets (a block's `secrets` value)

        def block(i: int) -> list[Line]:
            block_values = layout.block_values(rng, i)
            drawn.extend(block_values.pop("secrets", ()))  # type: ignore[arg-type]
            return _text(layout.block, {"i": i, **block_values})

        blocks = (block(i) for i in _count(layout.first))
        out.fill(max(0, seed.config_kb * 1024 - _size(footer) - layout.reserve), blocks)
        out.add(*_text(layout.tail, values), *footer)
        outputs = {layout.command: out.lines} | {
            cmd: _text(t, values) for cmd, t in layout.more.items()
        }
        printed = "\n".join(x for x in out.lines if isinstance(x, str))
        in_blocks = [s for s in drawn if s in printed]  # the last block drawn is not always
        return DeviceImage(
            outputs,
            {cmd: _text(t, values) for cmd, t in layout.other.items()},
            [str(values[k]) for k in layout.secrets] + in_blocks,
            {fact: str(values[k]) for fact, k in layout.facts.items()},
        )

    return build


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

_IOS_HEAD = """\
Building configuration...

{size}
!
{changed}
{saved}
!
version {short}
no service pad
service timestamps debug datetime msec
service timestamps log datetime msec
service password-encryption
!
hostname {name}
!
boot-start-marker
boot-end-marker
!
enable secret 9 {enable}
!
username {user} privilege 15 secret 9 {user_secret}
aaa new-model
aaa authentication login default group tacacs+ local
aaa authorization exec default group tacacs+ local
!
ip domain-name example.net
ip name-server 10.0.0.53
!
crypto isakmp policy 10
 encr aes 256
 authentication pre-share
 group 14
crypto isakmp key {isakmp} address 192.0.2.1
!
spanning-tree mode rapid-pvst
spanning-tree extend system-id
!
{vlans}
interface Vlan1
 ip address 10.0.0.10 255.255.255.0
 ip ospf message-digest-key 1 md5 7 {ospf}
!
"""
_IOS_BLOCK = """\
interface GigabitEthernet{port}
 description {desc}
 switchport access vlan {vlan}
 switchport mode access
 spanning-tree portfast
 spanning-tree bpduguard enable
!
{stanza}
"""


def _ios_stanza(rng: random.Random, i: int) -> _Values:
    """Every third block is followed by a statement holding a secret, in turn each kind a
    real configuration repeats (users, SNMP hosts and communities, TACACS+/RADIUS server
    keys, BGP neighbor passwords): a realistic density for masking to work through."""
    if i % 3:
        return {"stanza": [], "secrets": []}
    kind, host = (i // 3) % 6, _ip(rng)
    if kind == 0:
        secret = _type9(rng)
        lines = [f"username ops{i} privilege 5 secret 9 {secret}"]
    elif kind == 1:
        secret = _community(rng, "trap")
        lines = [f"snmp-server host {host} version 2c {secret}"]
    elif kind == 2:
        secret = _type7(rng)
        lines = [f"tacacs server TAC{i}", f" address ipv4 {host}", f" key 7 {secret}", "!"]
    elif kind == 3:
        secret = _type7(rng)
        lines = ["router bgp 65000", f" neighbor {host} remote-as {64512 + i}"]
        lines += [f" neighbor {host} password 7 {secret}", "!"]
    elif kind == 4:
        secret = _type7(rng)
        lines = [f"radius server RAD{i}", f" address ipv4 {host} auth-port 1812 acct-port 1813"]
        lines += [f" key 7 {secret}", "!"]
    else:
        secret = _community(rng, "ro")
        lines = [f"snmp-server community {secret} RO {i % 90 + 10}"]
    return {"stanza": lines, "secrets": [secret]}


_IOS_TAIL = """\
{EXTRAS}
ip default-gateway 10.0.0.1
ip http server
ip http secure-server
!
logging host 10.0.0.50
snmp-server community {snmp} RO
snmp-server community {snmp_rw} RW
snmp-server location Building 1
tacacs-server host 10.0.0.49
tacacs-server key 7 {tacacs}
"""
_IOS_FOOTER = """\
!
line con 0
 exec-timeout 15 0
 logging synchronous
line vty 0 4
 password 7 {vty}
 transport input ssh
line vty 5 15
 transport input ssh
!
{clock_period}
ntp server 10.0.0.1
ntp server 10.0.0.2
!
end

"""
_XE_VERSION = """\
Cisco IOS XE Software, Version {os_version}
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), \
Version {ios_ver}, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Thu 31-Aug-23 09:42 by mcpre

ROM: IOS-XE ROMMON
BOOTLDR: System Bootstrap, Version {short}.1r, RELEASE SOFTWARE (P)

{name} uptime is 12 weeks, 3 days, 1 hour, 7 minutes
System returned to ROM by Power Failure or Unknown
System image file is "flash:packages.conf"
Last reload reason: Power Failure

cisco {model} (X86) processor with 1343703K/6147K bytes of memory.
Processor board ID {serial}
1 Virtual Ethernet interface
52 Gigabit Ethernet interfaces
2048K bytes of non-volatile configuration memory.

Model Number                       : {model}
System Serial Number               : {serial}

Configuration register is 0x102

"""
_IOS_VERSION = """\
Cisco IOS Software, {fam} Software ({image}), Version {ios_ver}, RELEASE SOFTWARE (fc2)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2020 by Cisco Systems, Inc.
Compiled Tue 14-Apr-20 05:58 by prod_rel_team

ROM: Bootstrap program is {fam} boot loader
BOOTLDR: {fam} Boot Loader ({fam}-HBOOT-M) Version 15.2(3r)E1, RELEASE SOFTWARE (fc1)

{name} uptime is 3 weeks, 2 days, 4 hours, 11 minutes
System returned to ROM by power-on
System image file is "flash:{binfile}"
Last reload reason: power-on

cisco {model} ({cpu}) processor (revision B0) with {mem} bytes of memory.
Processor board ID {serial}
Last reset from power-on
1 Virtual Ethernet interface
52 Gigabit Ethernet interfaces
The password-recovery mechanism is enabled.

512K bytes of flash-simulated non-volatile configuration memory.
Model number                    : {model}
System serial number            : {serial}

Configuration register is 0xF

"""


def _ios_values(seed: Seed, xe: bool) -> _Values:
    rng, user, size = seed.rng, seed.username, seed.config_kb * 1024
    if xe:
        model, xe_ver, ios_ver = rng.choice(_XE_MODELS)
        v: _Values = {"model": model, "ios_ver": ios_ver, "os_version": xe_ver}
        v["short"] = ".".join(xe_ver.split(".")[:2]).replace(".0", ".")
    else:
        model, fam, image, ios_ver, cpu, mem, binfile = rng.choice(_IOS_MODELS)
        v = {"model": model, "fam": fam, "image": image, "ios_ver": ios_ver, "cpu": cpu}
        v |= {"mem": mem, "binfile": binfile, "os_version": ios_ver}
        v["short"] = ios_ver.split("(")[0]
    roles = ("users", "voice", "mgmt", "iot", "guest")
    return v | {
        "serial": _cisco_serial(rng),
        "enable": _type9(rng),
        "user_secret": _type9(rng),
        "snmp": _community(rng),
        "snmp_rw": _community(rng, "rw"),
        "tacacs": _type7(rng),
        "vty": _type7(rng),
        "isakmp": _plain(rng, 20),
        "ospf": _type7(rng),
        "vlans": [
            line
            for n in range(10, 60, 10)
            for line in (f"vlan {n}", f" name {rng.choice(roles)}-{n}", "!")
        ],
        "size": Volatile(lambda m: f"Current configuration : {size + m.rng.randrange(9)} bytes"),
        "changed": _at("! Last configuration change at ", _cisco_time, f" by {user}"),
        "saved": _at("! NVRAM config last updated at ", _cisco_time, f" by {user}"),
        "clock_period": Volatile(
            lambda m: f"ntp clock-period {17179000 + m.rng.randrange(1000, 99999)}"
        ),
    }


def _ios_layout(version: str) -> _Layout:
    return _Layout(
        command="show running-config",
        head=_IOS_HEAD,
        block=_IOS_BLOCK,
        block_values=lambda rng, i: (
            {
                "port": f"{(i - 1) // 48 + 1}/0/{(i - 1) % 48 + 1}",
                "vlan": 10 + rng.randrange(40) * 10,
                "desc": _desc(rng, i),
            }
            | _ios_stanza(rng, i)
        ),
        tail=_IOS_TAIL,
        footer=_IOS_FOOTER,
        other={"show version": version},
        secrets=("enable", "user_secret", "snmp", "snmp_rw", "tacacs", "vty", "isakmp", "ospf"),
    )


_build_ios = _build(_ios_layout(_IOS_VERSION), lambda s: _ios_values(s, xe=False))
_build_xe = _build(_ios_layout(_XE_VERSION), lambda s: _ios_values(s, xe=True))

# ---- Cisco NX-OS


_NXOS_HEAD = """\

!Command: show running-config
{done}
{time}

version {os_version} Bios:version 07.69
hostname {name}
feature tacacs+
feature interface-vlan
feature lacp
feature lldp

no password strength-check
username {user} password 5 {user_secret}  role network-admin
ip domain-lookup
tacacs-server key 7 {tacacs}
tacacs-server host 10.0.0.49

snmp-server user {user} network-admin auth md5 {snmp_auth} priv {snmp_priv} localizedkey
snmp-server community {comm} group network-operator

vlan 1,10,20,30
vlan 10
  name users
vlan 20
  name servers

vrf context management
  ip route 0.0.0.0/0 10.0.0.1

"""
_NXOS_VERSION = """\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2023, Cisco and/or its affiliates.
All rights reserved.

Software
  BIOS: version 07.69
  NXOS: version {os_version}
  BIOS compile time:  04/08/2021
  NXOS image file is: bootflash:///nxos.bin

Hardware
  cisco {model} Chassis
  Intel(R) Xeon(R) CPU  @ 1.80GHz with 24632184 kB of memory.
  Processor Board ID {serial}

  Device name: {name}
  bootflash:   53298520 kB

Kernel uptime is 41 day(s), 2 hour(s), 5 minute(s)

"""


def _nxos_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice(
        (("Nexus9000 C93180YC-EX", "9.3(8)"), ("Nexus9000 C9336C-FX2", "10.2(5)"))
    )
    return {
        "model": model,
        "os_version": os_version,
        "serial": _cisco_serial(rng, "FDO"),
        "user_secret": _sha512(rng),
        "comm": _community(rng),
        "tacacs": _type7(rng),
        "snmp_auth": "0x" + _pick(rng, "0123456789abcdef", 32),
        "snmp_priv": "0x" + _pick(rng, "0123456789abcdef", 32),
        "done": _at("!Running configuration last done at: ", _unix_time),
        "time": _at("!Time: ", _unix_time),
    }


_build_nxos = _build(
    _Layout(
        command="show running-config",
        head=_NXOS_HEAD,
        block="""\
interface Ethernet1/{i}
  description {desc}
  switchport access vlan {vlan}
  spanning-tree port type edge
  no shutdown

""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "vlan": rng.choice((10, 20, 30))},
        tail="""\
{EXTRAS}
interface mgmt0
  vrf member management
  ip address 10.0.0.11/24
""",
        footer="""\

line console
line vty
  exec-timeout 15
boot nxos bootflash:/nxos.bin

""",
        other={"show version": _NXOS_VERSION},
        secrets=("user_secret", "snmp_auth", "snmp_priv", "comm", "tacacs"),
    ),
    _nxos_values,
)


# ---- Cisco IOS XR


def _xr_stamp(m: Moment) -> str:  # Fri Nov 27 10:31:02.123 UTC
    return f"{m.t:%a %b %d %H:%M:%S}.{m.rng.randrange(1000):03d} UTC"


_XR_HEAD = """\
{stamp}
Building configuration...
!! IOS XR Configuration {os_version}
{changed}
!
hostname {name}
clock timezone UTC 0
logging 10.0.0.50 vrf default
username {user}
 group root-lr
 group cisco-support
 secret 10 {user_secret}
!
key chain ISIS
 key 1
  key-string password {key}
  cryptographic-algorithm HMAC-MD5
 !
!
snmp-server community {comm} RO
ntp
 server 10.0.0.1
!
"""
_XR_VERSION = """\
{stamp}

Cisco IOS XR Software, Version {os_version}
Copyright (c) 2013-2022 by Cisco Systems, Inc.

Build Information:
 Built By     : ingunawa
 Built On     : Thu Aug 25 13:35:22 PDT 2022
 Build Host   : iox-ucs-019
 Workspace    : /auto/srcarchive17/prod/7.5.2/asr9k-x64/ws
 Version      : {os_version}
 Location     : /opt/cisco/XR/packages/

cisco {model} (Intel 686 F6M14S4) processor with 12582912K bytes of memory.
Processor board ID {serial}
{name} uptime is 5 weeks, 6 days, 2 hours, 33 minutes

"""


def _xr_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice((("ASR-9901", "7.5.2"), ("NCS-5501-SE", "7.8.2")))
    return {
        "model": model,
        "os_version": os_version,
        "serial": _cisco_serial(rng, "FOX"),
        "user_secret": _sha512(rng),
        "comm": _community(rng),
        "key": _type7(rng),
        "stamp": Volatile(_xr_stamp),
        "changed": _at("!! Last configuration change at ", _unix_time, f" by {seed.username}"),
    }


_build_xr = _build(
    _Layout(
        command="show running-config",
        head=_XR_HEAD,
        block="""\
interface TenGigE0/0/0/{i}
 description {desc}
 ipv4 address {ip} 255.255.255.252
 load-interval 30
!
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "ip": _ip(rng)},
        tail="{EXTRAS}\n",
        footer="""\
router static
 address-family ipv4 unicast
  0.0.0.0/0 10.0.0.1
 !
!
ssh server v2
end

""",
        other={"show version": _XR_VERSION},
        secrets=("user_secret", "comm", "key"),
    ),
    _xr_values,
)


# ---- Cisco ASA


def _asa_written(m: Moment) -> str:  # : Written by enable_15 at 10:31:02.123 UTC Fri Nov 27 2026
    t = m.t
    ms = m.rng.randrange(1000)
    return f": Written by enable_15 at {t:%H:%M:%S}.{ms:03d} UTC {t:%a %b} {t.day} {t.year}"


_ASA_HEAD = """\
: Saved
:
: Serial Number: {serial}
: Hardware:   {hardware}
{written}
:
ASA Version {os_version}{sp}
!
hostname {name}
domain-name example.net
enable password {enable} pbkdf2
passwd {passwd} encrypted
names
no mac-address auto
!
interface GigabitEthernet1/1
 nameif outside
 security-level 0
 ip address 198.51.100.2 255.255.255.248
!
interface GigabitEthernet1/2
 nameif inside
 security-level 100
 ip address 10.0.0.1 255.255.255.0
!
ftp mode passive
"""
_ASA_VERSION = """\

Cisco Adaptive Security Appliance Software Version {os_version}{sp}
SSP Operating System Version 2.10(1.1)
Device Manager Version 7.16(1)

Compiled on Thu 27-Jan-22 12:14 GMT by builders
System image file is "disk0:/asa9-16-4-lfbff-k8.SPA"
Config file at boot was "startup-config"

{name} up 61 days 4 hours

Hardware:   {hardware}
Internal ATA Compact Flash, 8192MB

Licensed features for this platform:
Maximum Physical Interfaces       : Unlimited      perpetual

Serial Number: {serial}
Configuration register is 0x1
Configuration last modified by enable_15 at 10:20:31.123 UTC Mon Nov 2 2026

"""


def _asa_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice((("ASA5516", "9.16(4)"), ("ASA5525", "9.14(4)23")))
    return {
        "model": model,
        "os_version": os_version,
        "sp": " ",  # the ASA prints its version with a trailing blank
        "hardware": f"{model}, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)",
        "serial": f"JAD{rng.randrange(10**8, 10**9)}{rng.choice(_UP)}",
        "enable": _pick(rng, _B64, 32),
        "passwd": _pick(rng, _B64, 16),
        "user_secret": _pick(rng, _B64, 32),
        "written": Volatile(_asa_written),
        "checksum": Volatile(lambda m: f"Cryptochecksum:{m.rng.getrandbits(128):032x}"),
    }


_build_asa = _build(
    _Layout(
        command="show running-config",
        head=_ASA_HEAD,
        block="""\
object network host-{i}
 host {host}
 description {desc}
access-list inside_in extended permit tcp any object host-{i} eq {port}
""",
        block_values=lambda rng, i: {
            "host": _ip(rng),
            "desc": _desc(rng, i),
            "port": rng.choice(("https", "ssh", "8443", "domain")),
        },
        tail="""\
{EXTRAS}
access-group inside_in in interface inside
route outside 0.0.0.0 0.0.0.0 198.51.100.1 1
username {user} password {user_secret} pbkdf2 privilege 15
tunnel-group 192.0.2.1 type ipsec-l2l
tunnel-group 192.0.2.1 ipsec-attributes
 ikev1 pre-shared-key *****
snmp-server host inside 10.0.0.5 community *****
ssh 10.0.0.0 255.255.255.0 inside
ssh version 2
""",
        footer="""\
{checksum}
: end

""",
        other={"show version": _ASA_VERSION},
        secrets=("enable", "passwd", "user_secret"),
    ),
    _asa_values,
)


# ---- Arista EOS


_EOS_HEAD = """\
! Command: show running-config
! device: {name} ({model}, EOS-{os_version})
!
{time}
!
{modified}
! boot system flash:/EOS.swi
!
transceiver qsfp default-mode 4x10G
!
hostname {name}
ip name-server vrf default 10.0.0.53
!
tacacs-server key 7 {tacacs}
tacacs-server host 10.0.0.49
!
snmp-server community {comm} ro
!
spanning-tree mode mstp
!
aaa authorization exec default local
!
enable password sha512 {enable}
!
username {user} privilege 15 role network-admin secret sha512 {user_secret}
!
vlan 10
   name users
!
vlan 20
   name servers
!
"""
_EOS_VERSION = """\
Arista {model}
Hardware version: 11.01
Serial number: {serial}
Hardware MAC address: 001c.7312.3456
System MAC address: 001c.7312.3456

Software image version: {os_version}
Architecture: x86_64
Internal build version: 4.30.1F-32315385.4301F
Internal build ID: 0f4b1c5d-9a3e-4f29-8d5e-1b2c3d4e5f60
Image format version: 3.0
Image optimization: Strata-4GB

Uptime: 6 weeks, 2 days, 3 hours and 4 minutes
Total memory: 8099264 kB
Free memory: 5923488 kB

"""


def _eos_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice(
        (("DCS-7050SX3-48YC8-R", "4.30.1F"), ("DCS-7280SR-48C6-F", "4.29.2F"))
    )
    return {
        "model": model,
        "os_version": os_version,
        "serial": f"JPE{rng.randrange(10**7, 10**8)}",
        "user_secret": _sha512(rng),
        "enable": _sha512(rng),
        "comm": _community(rng),
        "tacacs": _type7(rng),
        "time": _at("! Time: ", _unix_time),
        "modified": _at("! Startup-config last modified at ", _unix_time, f" by {seed.username}"),
    }


_build_eos = _build(
    _Layout(
        command="show running-config",
        head=_EOS_HEAD,
        block="""\
interface Ethernet{i}
   description {desc}
   switchport access vlan {vlan}
   spanning-tree portfast
!
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "vlan": rng.choice((10, 20))},
        tail="""\
{EXTRAS}
interface Management1
   ip address 10.0.0.12/24
""",
        footer="""\
!
ip routing
!
ip route 0.0.0.0/0 10.0.0.1
!
management api http-commands
   no shutdown
!
end

""",
        other={"show version": _EOS_VERSION},
        secrets=("user_secret", "enable", "comm", "tacacs"),
    ),
    _eos_values,
)

# ---- Juniper Junos


_JUNOS_HEAD = """\
{committed}
version {os_version};
system {
    host-name {name};
    root-authentication {
        encrypted-password "{root}"; ## SECRET-DATA
    }
    login {
        user {user} {
            uid 2000;
            class super-user;
            authentication {
                encrypted-password "{user_secret}"; ## SECRET-DATA
            }
        }
    }
    services {
        ssh {
            root-login deny;
        }
        netconf {
            ssh;
        }
    }
    radius-server {
        10.0.0.5 secret "{radius}"; ## SECRET-DATA
    }
    syslog {
        host 10.0.0.50 {
            any notice;
        }
    }
    ntp {
        server 10.0.0.1;
    }
}
{EXTRAS}
interfaces {
"""
_JUNOS_FOOTER = """\
}
snmp {
    community {comm} {
        authorization read-only;
    }
}
routing-options {
    static {
        route 0.0.0.0/0 next-hop 10.0.0.1;
    }
    autonomous-system 65001;
}
protocols {
    bgp {
        group ibgp {
            type internal;
            authentication-key "{bgp}"; ## SECRET-DATA
            neighbor 10.0.0.2;
        }
    }
    ospf {
        area 0.0.0.0 {
            interface ge-0/0/0.0 {
                authentication {
                    md5 1 key "{ospf}"; ## SECRET-DATA
                }
            }
        }
    }
    lldp {
        interface all;
    }
}
security {
    ike {
        policy ike-pol {
            mode main;
            pre-shared-key ascii-text "{psk}"; ## SECRET-DATA
        }
    }
}

"""
_JUNOS_VERSION = """\
Hostname: {name}
Model: {model}
Junos: {os_version}
JUNOS OS Kernel 64-bit  [20221208.f0321c3_builder_stable_12_{major}]
JUNOS OS libs [20221208.f0321c3_builder_stable_12]
JUNOS OS runtime [20221208.f0321c3_builder_stable_12]
JUNOS Packet Forwarding Engine Support (MX/EX) [{os_version}]
JUNOS Routing Software Suite [{os_version}]

"""
_JUNOS_CHASSIS = """\
Hardware inventory:
Item             Version  Part number  Serial number     Description
Chassis                                {serial_col} {chassis}
Midplane         REV 25   750-069579   CAGN1234          {chassis}
PEM 0            REV 05   740-069993   1EDC8150233       AC 650W PSU
Routing Engine 0          BUILTIN      BUILTIN           RE-S-1600x8

"""


def _junos_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice(
        (("mx204", "22.4R1.10"), ("ex4300-48p", "21.4R3-S4.9"), ("srx345", "21.2R3-S6.4"))
    )
    serial = f"{_pick(rng, _UP, 2)}{rng.randrange(1000, 9999)}{_pick(rng, _UP, 2)}"
    serial += str(rng.randrange(1000, 9999))
    return {
        "model": model,
        "os_version": os_version,
        "major": os_version[:2],
        "serial": serial,
        "serial_col": f"{serial:<17}",
        "chassis": model.upper(),
        "root": _sha512(rng),
        "user_secret": _sha512(rng),
        "radius": _junos9(rng),
        "bgp": _junos9(rng),
        "psk": _junos9(rng),
        "comm": _community(rng),
        "ospf": _junos9(rng),
        "committed": _at("## Last commit: ", _iso_time, f" UTC by {seed.username}"),
    }


_build_junos = _build(
    _Layout(
        command="show configuration",
        head=_JUNOS_HEAD,
        block="""\
    ge-0/0/{i} {
        description "{desc}";
        unit 0 {
            family inet {
                address {ip}/30;
            }
        }
    }
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "ip": _ip(rng)},
        first=0,
        tail="",
        footer=_JUNOS_FOOTER,
        other={"show version": _JUNOS_VERSION, "show chassis hardware": _JUNOS_CHASSIS},
        secrets=("root", "user_secret", "radius", "bgp", "psk", "comm", "ospf"),
    ),
    _junos_values,
)


# ---- Fortinet FortiOS


_FORTINET_HEAD = """\
#config-version={code}-{release}-FW-build{build}-240313:opmode=0:vdom=0:user={user}
{conf_file_ver}
#buildno={build}
#global_vdom=1
config system global
    set alias "{model}"
    set hostname "{name}"
    set timezone 04
end
config system admin
    edit "{user}"
        set accprofile "super_admin"
        set vdom "root"
        set password ENC {admin}
    next
end
config user radius
    edit "rad1"
        set server "10.0.0.5"
        set secret ENC {radius}
    next
end
config user local
    edit "vpnuser"
        set type password
        set passwd ENC {user_secret}
    next
end
config vpn ipsec phase1-interface
    edit "to-hq"
        set interface "wan1"
        set peertype any
        set remote-gw 192.0.2.1
        set psksecret ENC {psk}
    next
end
config firewall address
"""
_FORTINET_VERSION = """\
Version: {model} {os_version},build{build},240313 (GA.M)
Security Level: 1
Firmware Signature: certified
Virus-DB: 92.08620(2026-11-27 09:31)
IPS-DB: 27.00871(2026-11-26 01:49)
Serial-Number: {serial}
BIOS version: 05000029
System Part-Number: P24264-04
Log hard disk: Not available
Hostname: {name}
Private Encryption: Disable
Operation Mode: NAT
Current virtual domain: root
Max number of virtual domains: 10
Virtual domains status: 1 in NAT mode, 0 in TP mode
Virtual domain configuration: disable
FIPS-CC mode: disable
Current HA mode: standalone
Branch point: 1639
Release Version Information: GA
System time: Fri Nov 27 10:31:02 2026
Last reboot reason: warm reboot

"""


def _fortinet_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version, build = rng.choice(
        (("FortiGate-60F", "v7.2.8", "1639"), ("FortiGate-100F", "v7.4.3", "2573"))
    )
    enc = string.ascii_letters + string.digits + "+/"
    return {
        "model": model,
        "os_version": os_version,
        "build": build,
        "code": model.replace("FortiGate-", "FGT"),
        "release": os_version[1:],
        "serial": f"FGT{model.split('-')[1][:3]}{_pick(rng, _UP, 2)}{rng.randrange(10**7, 10**8)}",
        "admin": "SH2" + _pick(rng, enc, 60) + "=",
        "psk": _pick(rng, enc, 88),
        "user_secret": _pick(rng, enc, 60),
        "radius": _pick(rng, enc, 60),
        "conf_file_ver": Volatile(lambda m: f"#conf_file_ver={m.rng.randrange(10**14, 10**16)}"),
    }


_build_fortinet = _build(
    _Layout(
        command="show",
        head=_FORTINET_HEAD,
        block="""\
    edit "host-{i}"
        set comment "{desc}"
        set subnet {ip} 255.255.255.255
    next
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "ip": _ip(rng)},
        tail="{EXTRAS}\n",
        footer="""\
end
config router static
    edit 1
        set gateway 10.0.0.1
        set device "wan1"
    next
end

""",
        other={"get system status": _FORTINET_VERSION},
        secrets=("admin", "psk", "user_secret", "radius"),
    ),
    _fortinet_values,
)

# ---- Palo Alto PAN-OS


_PANOS_HEAD = """\
<config version="{release}" urldb="paloaltonetworks">
  <mgt-config>
    <users>
      <entry name="{user}">
        <phash>{phash}</phash>
        <permissions>
          <role-based>
            <superuser>yes</superuser>
          </role-based>
        </permissions>
      </entry>
    </users>
  </mgt-config>
  <shared>
    <server-profile>
      <radius>
        <entry name="rad1">
          <server>
            <entry name="10.0.0.5">
              <secret>{radius}</secret>
              <port>1812</port>
            </entry>
          </server>
        </entry>
      </radius>
    </server-profile>
  </shared>
  <devices>
    <entry name="localhost.localdomain">
      <deviceconfig>
        <system>
          <hostname>{name}</hostname>
          <ip-address>10.0.0.13</ip-address>
        </system>
      </deviceconfig>
      <network>
        <ike>
          <gateway>
            <entry name="to-hq">
              <authentication>
                <pre-shared-key>
                  <key>{psk}</key>
                </pre-shared-key>
              </authentication>
            </entry>
          </gateway>
        </ike>
      </network>
{EXTRAS}
    </entry>
  </devices>
  <devices>
    <vsys>
      <entry name="vsys1">
        <address>
"""
_PANOS_VERSION = """\
hostname: {name}
ip-address: 10.0.0.13
netmask: 255.255.255.0
default-gateway: 10.0.0.1
mac-address: 00:1b:17:00:01:13
time: Fri Nov 27 10:31:02 2026
uptime: 41 days, 2:05:11
family: 3200
model: {model}
serial: {serial}
sw-version: {os_version}
app-version: 8795-8682
threat-version: 8795-8682
wildfire-version: 0
url-filtering-version: 20261127.20151
operational-mode: normal

"""


def _panos_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice((("PA-3220", "10.2.7-h3"), ("PA-440", "11.1.2")))
    enc = string.ascii_letters + string.digits + "+/"
    return {
        "model": model,
        "os_version": os_version,
        "release": os_version.split("-")[0],
        "serial": f"0{rng.randrange(10**10, 10**11)}",
        "phash": f"$5${_pick(rng, _B64, 8)}${_pick(rng, _B64, 43)}",
        "psk": "-AQ==" + _pick(rng, enc, 40) + "=",
        "radius": "-AQ==" + _pick(rng, enc, 40) + "=",
    }


_build_panos = _build(
    _Layout(
        command="show config running",
        head=_PANOS_HEAD,
        block="""\
          <entry name="host-{i}">
            <ip-netmask>{ip}/32</ip-netmask>
            <description>{desc}</description>
          </entry>
""",
        block_values=lambda rng, i: {"ip": _ip(rng), "desc": _desc(rng, i)},
        tail="",
        footer="""\
        </address>
      </entry>
    </vsys>
  </devices>
</config>

""",
        other={"show system info": _PANOS_VERSION},
        secrets=("phash", "psk", "radius"),
    ),
    _panos_values,
)


# ---- MikroTik RouterOS


_MIKROTIK_HEAD = """\
{exported}
# software id = {software_id}
#
# model = {model}
# serial number = {serial}
/interface bridge add name=bridge1 vlan-filtering=yes
/interface ethernet set [ find default-name=ether1 ] comment=uplink
/interface wifi security add authentication-types=wpa2-psk name=corp \
wpa2-pre-shared-key={wifi}
"""
_MIKROTIK_RESOURCE = """\
                   uptime: 3w2d04:11:32
                  version: {os_version} (stable)
               build-time: 2024-09-20 13:00:27
         factory-software: 7.1
              free-memory: 3.3GiB
             total-memory: 4.0GiB
                      cpu: ARM64
                cpu-count: 4
            cpu-frequency: 1700MHz
                 cpu-load: 1%
           free-hdd-space: 98.4MiB
          total-hdd-space: 128.0MiB
  write-sect-since-reboot: 12345
         write-sect-total: 123456
        architecture-name: arm64
               board-name: {model}
                 platform: MikroTik

"""
_MIKROTIK_ROUTERBOARD = """\
       routerboard: yes
        board-name: {model}
             model: {model}
          revision: r2
     serial-number: {serial}
     firmware-type: al2
  factory-firmware: 7.1
  current-firmware: {os_version}
  upgrade-firmware: {os_version}

"""


def _mikrotik_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice((("CCR2004-1G-12S+2XS", "7.16.1"), ("RB5009UG+S+", "7.15.3")))
    return {
        "model": model,
        "os_version": os_version,
        "serial": f"HE{_pick(rng, _HEXU, 9)}",
        "ppp": _plain(rng, 14),
        "ipsec": _plain(rng, 24),
        "wifi": _plain(rng, 18),
        "software_id": f"{_pick(rng, _UP + string.digits, 4)}-{_pick(rng, _HEXU, 4)}",
        "exported": _at("# ", _iso_time, f" by RouterOS {os_version}"),
    }


_build_mikrotik = _build(
    _Layout(
        command="/export terse",
        head=_MIKROTIK_HEAD,
        block="""\
/interface vlan add interface=bridge1 name=vlan{i} vlan-id={i} comment="{desc}"
/ip address add address={ip}/24 interface=vlan{i}
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "ip": _ip(rng)},
        first=10,
        tail="{EXTRAS}\n",
        footer="""\
/ip route add disabled=no dst-address=0.0.0.0/0 gateway=10.0.0.1
/ip ipsec identity add peer=hq secret={ipsec}
/ppp secret add name=vpnuser password={ppp} profile=default-encryption
/system identity set name={name}
/system clock set time-zone-name=UTC
/system ntp client set enabled=yes
/system ntp client servers add address=10.0.0.1

""",
        other={
            "/system resource print": _MIKROTIK_RESOURCE,
            "/system routerboard print": _MIKROTIK_ROUTERBOARD,
        },
        secrets=("ppp", "ipsec", "wifi"),
    ),
    _mikrotik_values,
)


# ---- HPE ProCurve


_PROCURVE_HEAD = """\

Running configuration:

; {part} Configuration Editor; Created on release #{os_version}
; Ver #14:01.44.00.04.19.02.13.98.82.34.61.18.28.f3.84.9c.63.ff.37.27:05

hostname "{name}"
module 1 type {part_lower}
ip default-gateway 10.0.0.1
radius-server key "{radius}"
radius-server host 10.0.0.5
snmp-server community "{comm}" unrestricted
vlan 1
   name "DEFAULT_VLAN"
   untagged 1-48
   ip address 10.0.0.14 255.255.255.0
   exit
"""
_PROCURVE_SYSTEM = """\

 Status and Counters - General System Information

  System Name        : {name}
  System Contact     :
  System Location    :

  MAC Age Time (sec) : 300

  Time Zone          : 0
  Daylight Time Rule : None

  Software revision  : {revision} Base MAC Addr      : 3863bb-123456
  ROM Version        : WB.16.03             Serial Number      : {serial}

  Up Time            : 23 days              Memory   - Total   : 340,623,360
  CPU Util (%)       : 0                                 Free    : 218,123,456

"""


def _procurve_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, part, os_version = rng.choice(
        (
            ("2920-48G-POE+", "J9729A", "WB.16.10.0012"),
            ("2930F-48G-PoE+", "JL256A", "WC.16.11.0015"),
        )
    )
    return {
        "model": model,
        "part": part,
        "part_lower": part.lower(),
        "os_version": os_version,
        "revision": f"{os_version:<20}",
        "serial": f"SG{rng.randrange(10**7, 10**8)}{rng.choice(_UP)}",
        "mgr": _pick(rng, "0123456789abcdef", 40),
        "op": _pick(rng, "0123456789abcdef", 40),
        "comm": _community(rng),
        "radius": _plain(rng, 16),
    }


def _procurve_block(rng: random.Random, i: int) -> _Values:
    """A port; every fourth also gets a VLAN of its own."""
    port, v = (i - 1) % 48 + 1, 10 + i
    vlan = [f"vlan {v}", f'   name "vlan-{v}"', f"   untagged {port}", "   exit"]
    return {"port": port, "desc": _desc(rng, i), "vlan": vlan if i % 4 == 0 else []}


_build_procurve = _build(
    _Layout(
        command="show running-config",
        head=_PROCURVE_HEAD,
        block="""\
interface {port}
   name "{desc}"
   exit
{vlan}
""",
        block_values=_procurve_block,
        tail="{EXTRAS}\n",
        footer="""\
password manager user-name "{user}" sha1 "{mgr}"
password operator user-name "operator" sha1 "{op}"


""",
        other={"show system": _PROCURVE_SYSTEM},
        secrets=("mgr", "op", "comm", "radius"),
    ),
    _procurve_values,
)


# ---- Aruba OS (controllers)


_ARUBA_HEAD = """\
Building Configuration...
version {release}
hostname "{name}"
clock timezone UTC 0
!
mgmt-user {user} root {mgmt}
!
snmp-server community {comm}
!
aaa authentication-server radius "rad1"
   host 10.0.0.5
   key {key}
!
wlan ssid-profile "corp"
   essid "corp"
   opmode wpa2-psk-aes
   wpa-passphrase {wpa}
!
"""
_ARUBA_VERSION = """\
Aruba Operating System Software.
ArubaOS (MODEL: {model}), Version {os_version}
Website: http://www.arubanetworks.com
(c) Copyright 2023 Hewlett Packard Enterprise Development LP.
Compiled on 2023-06-01 at 03:14:15 UTC (build 87654) by p4build

ROM: System Bootstrap, Version CPBoot 1.2.0.0 (build 39183)
Built: 2018-01-09 15:03:36

Switch uptime is 21 days 3 hours 14 minutes 22 seconds
Reboot Cause: User reboot (Intent:cause:register 78:86:50:2)
Supervisor Card
Processor (XLP208 Rev B2 (Secure Boot) , 1000 MHz) with 4096M bytes of memory.
System Serial#   : {serial}

"""


def _aruba_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, os_version = rng.choice((("7010", "8.10.0.7"), ("7205", "8.11.2.1")))
    hexs = "0123456789abcdef"
    return {
        "model": model,
        "os_version": os_version,
        "release": ".".join(os_version.split(".")[:2]),
        "serial": f"CV{rng.randrange(10**7, 10**8)}",
        "mgmt": _pick(rng, hexs, 56),
        "key": _pick(rng, hexs, 40),
        "wpa": _pick(rng, hexs, 64),
        "comm": _community(rng),
    }


_build_aruba = _build(
    _Layout(
        command="show running-config",
        head=_ARUBA_HEAD,
        block="""\
interface gigabitethernet 0/0/{i}
   description "{desc}"
   trusted
   trusted vlan 1-4094
   switchport access vlan {vlan}
!
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "vlan": rng.choice((10, 20, 30))},
        tail="{EXTRAS}\n",
        footer="!\nip default-gateway 10.0.0.1\n!\nend\n\n",
        other={"show version": _ARUBA_VERSION},
        secrets=("mgmt", "key", "wpa", "comm"),
    ),
    _aruba_values,
)

# ---- Huawei VRP


_HUAWEI_CIPHER = string.ascii_letters + string.digits + "!#*+,-.:;=?@[]_{}~"
_HUAWEI_HEAD = """\
!Software Version {os_version}
{updated}
#
sysname {name}
#
vlan batch 10 20 30
#
aaa
 local-user {user} password irreversible-cipher {user_secret}
 local-user {user} privilege level 15
 local-user {user} service-type ssh
#
ike peer hq
 pre-shared-key cipher {ike}
 remote-address 192.0.2.1
#
snmp-agent community read cipher {snmp}
snmp-agent sys-info version v2c v3
#
"""
_HUAWEI_VERSION = """\
Huawei Versatile Routing Platform Software
VRP (R) software, Version {vrp} ({family} {os_version})
Copyright (C) 2012-2020 Huawei Technologies Co., Ltd.
HUAWEI {model} uptime is 120 days, 3 hours, 12 minutes

MPU(Master) 1 : uptime is 120 days, 3 hours, 11 minutes
StartupTime 2026/07/30   07:19:44
Memory    Size    : 2048 M bytes
Flash     Size    : 1024 M bytes

"""


def _huawei_values(seed: Seed) -> _Values:
    rng = seed.rng
    model, vrp, os_version = rng.choice(
        (
            ("CE6881-48S6CQ", "8.180", "V200R019C10SPC800"),
            ("S5735-L48T4X-A1", "5.170", "V200R021C10SPC600"),
        )
    )

    def cipher() -> str:
        return "%^%#" + _pick(rng, _HUAWEI_CIPHER, 40) + "%^%#"

    return {
        "model": model,
        "family": model.split("-")[0],
        "vrp": vrp,
        "os_version": os_version,
        "serial": f"2102{rng.randrange(10**8, 10**9)}{_pick(rng, _UP + string.digits, 8)}",
        "user_secret": "$1c$" + _pick(rng, _HUAWEI_CIPHER, 50) + "$",
        "snmp": cipher(),
        "ospf": cipher(),
        "ike": cipher(),
        "updated": _at(
            "!Last configuration was updated at ", _iso_time, f"+00:00 by {seed.username}"
        ),
    }


_build_huawei = _build(
    _Layout(
        command="display current-configuration",
        head=_HUAWEI_HEAD,
        block="""\
interface GigabitEthernet0/0/{i}
 description {desc}
 port link-type access
 port default vlan {vlan}
 stp edged-port enable
#
""",
        block_values=lambda rng, i: {"desc": _desc(rng, i), "vlan": rng.choice((10, 20, 30))},
        tail="{EXTRAS}\n",
        footer="""\
#
ospf 1 router-id 10.0.0.15
 area 0.0.0.0
  authentication-mode md5 1 cipher {ospf}
  network 10.0.0.0 0.0.0.255
#
return

""",
        other={"display version": _HUAWEI_VERSION, "display esn": "ESN of slot 1: {serial}\n\n"},
        secrets=("user_secret", "snmp", "ospf", "ike"),
        facts={"model": "model", "serial": "serial", "os_version": "vrp"},
    ),
    _huawei_values,
)


# ---- Linux


_LINUX_HOSTS = """\
127.0.0.1\tlocalhost
127.0.1.1\t{name}.example.net\t{name}

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters

"""
_LINUX_ADDR = """\
1: lo    inet 127.0.0.1/8 scope host lo\\{lft}
1: lo    inet6 ::1/128 scope host noprefixroute \\{lft}
2: eth0    inet {addr}/24 brd {net}.255 scope global eth0\\{lft}
"""
_LINUX_ROUTE = """\
default via {net}.1 dev eth0 proto static
{net}.0/24 dev eth0 proto kernel scope link src {addr}
"""


def _linux_values(seed: Seed) -> _Values:
    rng = seed.rng
    kernel = rng.choice(("6.1.0-27-amd64", "5.15.0-122-generic"))
    addr = _ip(rng)
    lft = "       valid_lft forever preferred_lft forever"
    return {"kernel": kernel, "addr": addr, "net": addr.rsplit(".", 1)[0], "lft": lft}


_build_linux = _build(
    _Layout(
        command="cat /etc/hosts",
        head=_LINUX_HOSTS,
        block="{ip}\thost-{i}.example.net\thost-{i}\n",
        block_values=lambda rng, i: {"ip": _ip(rng)},
        reserve=900,
        tail="{EXTRAS}\n",
        footer="",
        more={
            "cat /etc/hostname": "{name}\n",
            "ip -o addr show": _LINUX_ADDR,
            "ip route show": _LINUX_ROUTE,
        },
        other={
            "uname -sr": "Linux {kernel}\n",
            "uname -a": "Linux {name} {kernel} #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 x86_64 "
            "GNU/Linux\n",
            "hostname": "{name}\n",
        },
        facts={"os_version": "kernel"},
    ),
    _linux_values,
)


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
            _cisco("cisco_ios", _build_ios),
            _cisco("cisco_xe", _build_xe),
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

# The simulator plays built-in platforms only, and not yet every one of them.
assert set(PERSONALITIES) <= set(PLATFORMS), set(PERSONALITIES) - set(PLATFORMS)


def personality(platform: str) -> Personality:
    return PERSONALITIES[platform]


def build_image(platform: str, seed: Seed) -> DeviceImage:
    build = PERSONALITIES[platform].build
    assert build is not None
    return build(seed)
