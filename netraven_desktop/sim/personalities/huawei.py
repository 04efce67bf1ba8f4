"""The simulated Huawei VRP: generated configuration, version output and CLI."""

from __future__ import annotations

import string

from .device import Personality, Seed
from .layout import Layout, Values, builder
from .values import UP, at, desc, iso_time, pick

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


def _huawei_values(seed: Seed) -> Values:
    rng = seed.rng
    model, vrp, os_version = rng.choice(
        (
            ("CE6881-48S6CQ", "8.180", "V200R019C10SPC800"),
            ("S5735-L48T4X-A1", "5.170", "V200R021C10SPC600"),
        )
    )

    def cipher() -> str:
        return "%^%#" + pick(rng, _HUAWEI_CIPHER, 40) + "%^%#"

    return {
        "model": model,
        "family": model.split("-")[0],
        "vrp": vrp,
        "os_version": os_version,
        "serial": f"2102{rng.randrange(10**8, 10**9)}{pick(rng, UP + string.digits, 8)}",
        "user_secret": "$1c$" + pick(rng, _HUAWEI_CIPHER, 50) + "$",
        "snmp": cipher(),
        "ospf": cipher(),
        "ike": cipher(),
        "updated": at(
            "!Last configuration was updated at ", iso_time, f"+00:00 by {seed.username}"
        ),
    }


_build_huawei = builder(
    Layout(
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
        block_values=lambda rng, i: {"desc": desc(rng, i), "vlan": rng.choice((10, 20, 30))},
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


PERSONALITIES = (
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
)
