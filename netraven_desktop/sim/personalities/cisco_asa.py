"""The simulated Cisco ASA: generated configuration, version output and CLI."""

from __future__ import annotations

from .device import Moment, Seed, Volatile, cisco_like
from .layout import Layout, Values, builder
from .values import B64, UP, desc, ip, pick


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


def _asa_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice((("ASA5516", "9.16(4)"), ("ASA5525", "9.14(4)23")))
    return {
        "model": model,
        "os_version": os_version,
        "sp": " ",  # the ASA prints its version with a trailing blank
        "hardware": f"{model}, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)",
        "serial": f"JAD{rng.randrange(10**8, 10**9)}{rng.choice(UP)}",
        "enable": pick(rng, B64, 32),
        "passwd": pick(rng, B64, 16),
        "user_secret": pick(rng, B64, 32),
        "written": Volatile(_asa_written),
        "checksum": Volatile(lambda m: f"Cryptochecksum:{m.rng.getrandbits(128):032x}"),
    }


_build_asa = builder(
    Layout(
        command="show running-config",
        head=_ASA_HEAD,
        block="""\
object network host-{i}
 host {host}
 description {desc}
access-list inside_in extended permit tcp any object host-{i} eq {port}
""",
        block_values=lambda rng, i: {
            "host": ip(rng),
            "desc": desc(rng, i),
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


PERSONALITIES = (
    cisco_like(
        "cisco_asa",
        _build_asa,
        paging_off=("terminal pager 0",),
        paging_off_by="terminal pager 0",
        error="asa",
        more_prompt="<--- More --->",
        more_erase="cr",
    ),
)
