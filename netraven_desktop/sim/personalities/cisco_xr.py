"""The simulated Cisco IOS XR: generated configuration, version output and CLI."""

from __future__ import annotations

from .device import Moment, Seed, Volatile, cisco_like
from .layout import Layout, Values, builder
from .values import at, cisco_serial, community, desc, ip, sha512, type7, unix_time


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


def _xr_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice((("ASR-9901", "7.5.2"), ("NCS-5501-SE", "7.8.2")))
    return {
        "model": model,
        "os_version": os_version,
        "serial": cisco_serial(rng, "FOX"),
        "user_secret": sha512(rng),
        "comm": community(rng),
        "key": type7(rng),
        "stamp": Volatile(_xr_stamp),
        "changed": at("!! Last configuration change at ", unix_time, f" by {seed.username}"),
    }


_build_xr = builder(
    Layout(
        command="show running-config",
        head=_XR_HEAD,
        block="""\
interface TenGigE0/0/0/{i}
 description {desc}
 ipv4 address {ip} 255.255.255.252
 load-interval 30
!
""",
        block_values=lambda rng, i: {"desc": desc(rng, i), "ip": ip(rng)},
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


PERSONALITIES = (
    cisco_like(
        "cisco_xr",
        _build_xr,
        user_prompt="RP/0/RSP0/CPU0:{name}#",
        priv_prompt=None,
        starts_privileged=True,
        enable_command=None,
        paging_off=("terminal length 0", "terminal width 0"),
        server_version="Cisco-2.0",
    ),
)
