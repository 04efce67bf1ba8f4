"""The simulated HPE ProCurve switches and Aruba OS controllers: generated configuration,
version output and CLI."""

from __future__ import annotations

import random

from .device import Seed, cisco_like
from .layout import Layout, Values, builder
from .values import UP, community, desc, pick, plain

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


def _procurve_values(seed: Seed) -> Values:
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
        "serial": f"SG{rng.randrange(10**7, 10**8)}{rng.choice(UP)}",
        "mgr": pick(rng, "0123456789abcdef", 40),
        "op": pick(rng, "0123456789abcdef", 40),
        "comm": community(rng),
        "radius": plain(rng, 16),
    }


def _procurve_block(rng: random.Random, i: int) -> Values:
    """A port; every fourth also gets a VLAN of its own."""
    port, v = (i - 1) % 48 + 1, 10 + i
    vlan = [f"vlan {v}", f'   name "vlan-{v}"', f"   untagged {port}", "   exit"]
    return {"port": port, "desc": desc(rng, i), "vlan": vlan if i % 4 == 0 else []}


_build_procurve = builder(
    Layout(
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


def _aruba_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice((("7010", "8.10.0.7"), ("7205", "8.11.2.1")))
    hexs = "0123456789abcdef"
    return {
        "model": model,
        "os_version": os_version,
        "release": ".".join(os_version.split(".")[:2]),
        "serial": f"CV{rng.randrange(10**7, 10**8)}",
        "mgmt": pick(rng, hexs, 56),
        "key": pick(rng, hexs, 40),
        "wpa": pick(rng, hexs, 64),
        "comm": community(rng),
    }


_build_aruba = builder(
    Layout(
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
        block_values=lambda rng, i: {"desc": desc(rng, i), "vlan": rng.choice((10, 20, 30))},
        tail="{EXTRAS}\n",
        footer="!\nip default-gateway 10.0.0.1\n!\nend\n\n",
        other={"show version": _ARUBA_VERSION},
        secrets=("mgmt", "key", "wpa", "comm"),
    ),
    _aruba_values,
)


PERSONALITIES = (
    cisco_like(
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
    cisco_like(
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
)
