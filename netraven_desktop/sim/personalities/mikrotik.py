"""The simulated MikroTik RouterOS: generated configuration, version output and CLI."""

from __future__ import annotations

import string

from .device import Personality, Seed
from .layout import Layout, Values, builder
from .values import HEXU, UP, at, desc, ip, iso_time, pick, plain

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


def _mikrotik_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice((("CCR2004-1G-12S+2XS", "7.16.1"), ("RB5009UG+S+", "7.15.3")))
    return {
        "model": model,
        "os_version": os_version,
        "serial": f"HE{pick(rng, HEXU, 9)}",
        "ppp": plain(rng, 14),
        "ipsec": plain(rng, 24),
        "wifi": plain(rng, 18),
        "software_id": f"{pick(rng, UP + string.digits, 4)}-{pick(rng, HEXU, 4)}",
        "exported": at("# ", iso_time, f" by RouterOS {os_version}"),
    }


_build_mikrotik = builder(
    Layout(
        command="/export terse",
        head=_MIKROTIK_HEAD,
        block="""\
/interface vlan add interface=bridge1 name=vlan{i} vlan-id={i} comment="{desc}"
/ip address add address={ip}/24 interface=vlan{i}
""",
        block_values=lambda rng, i: {"desc": desc(rng, i), "ip": ip(rng)},
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


PERSONALITIES = (
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
)
