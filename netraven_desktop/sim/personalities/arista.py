"""The simulated Arista EOS: generated configuration, version output and CLI."""

from __future__ import annotations

from .device import Seed, cisco_like
from .layout import Layout, Values, builder
from .values import at, community, desc, sha512, type7, unix_time

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


def _eos_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice(
        (("DCS-7050SX3-48YC8-R", "4.30.1F"), ("DCS-7280SR-48C6-F", "4.29.2F"))
    )
    return {
        "model": model,
        "os_version": os_version,
        "serial": f"JPE{rng.randrange(10**7, 10**8)}",
        "user_secret": sha512(rng),
        "enable": sha512(rng),
        "comm": community(rng),
        "tacacs": type7(rng),
        "time": at("! Time: ", unix_time),
        "modified": at("! Startup-config last modified at ", unix_time, f" by {seed.username}"),
    }


_build_eos = builder(
    Layout(
        command="show running-config",
        head=_EOS_HEAD,
        block="""\
interface Ethernet{i}
   description {desc}
   switchport access vlan {vlan}
   spanning-tree portfast
!
""",
        block_values=lambda rng, i: {"desc": desc(rng, i), "vlan": rng.choice((10, 20))},
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


PERSONALITIES = (
    cisco_like(
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
)
