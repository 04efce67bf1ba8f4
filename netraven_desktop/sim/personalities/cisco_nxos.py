"""The simulated Cisco NX-OS: generated configuration, version output and CLI."""

from __future__ import annotations

from .device import Seed, cisco_like
from .layout import Layout, Values, builder
from .values import at, cisco_serial, community, desc, pick, sha512, type7, unix_time

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


def _nxos_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice(
        (("Nexus9000 C93180YC-EX", "9.3(8)"), ("Nexus9000 C9336C-FX2", "10.2(5)"))
    )
    return {
        "model": model,
        "os_version": os_version,
        "serial": cisco_serial(rng, "FDO"),
        "user_secret": sha512(rng),
        "comm": community(rng),
        "tacacs": type7(rng),
        "snmp_auth": "0x" + pick(rng, "0123456789abcdef", 32),
        "snmp_priv": "0x" + pick(rng, "0123456789abcdef", 32),
        "done": at("!Running configuration last done at: ", unix_time),
        "time": at("!Time: ", unix_time),
    }


_build_nxos = builder(
    Layout(
        command="show running-config",
        head=_NXOS_HEAD,
        block="""\
interface Ethernet1/{i}
  description {desc}
  switchport access vlan {vlan}
  spanning-tree port type edge
  no shutdown

""",
        block_values=lambda rng, i: {"desc": desc(rng, i), "vlan": rng.choice((10, 20, 30))},
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


PERSONALITIES = (
    cisco_like(
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
)
