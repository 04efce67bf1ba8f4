"""The simulated Juniper Junos: generated configuration, version output and CLI."""

from __future__ import annotations

from .device import Personality, Seed
from .layout import Layout, Values, builder
from .values import UP, at, community, desc, ip, iso_time, junos9, pick, sha512

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


def _junos_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice(
        (("mx204", "22.4R1.10"), ("ex4300-48p", "21.4R3-S4.9"), ("srx345", "21.2R3-S6.4"))
    )
    serial = f"{pick(rng, UP, 2)}{rng.randrange(1000, 9999)}{pick(rng, UP, 2)}"
    serial += str(rng.randrange(1000, 9999))
    return {
        "model": model,
        "os_version": os_version,
        "major": os_version[:2],
        "serial": serial,
        "serial_col": f"{serial:<17}",
        "chassis": model.upper(),
        "root": sha512(rng),
        "user_secret": sha512(rng),
        "radius": junos9(rng),
        "bgp": junos9(rng),
        "psk": junos9(rng),
        "comm": community(rng),
        "ospf": junos9(rng),
        "committed": at("## Last commit: ", iso_time, f" UTC by {seed.username}"),
    }


_build_junos = builder(
    Layout(
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
        block_values=lambda rng, i: {"desc": desc(rng, i), "ip": ip(rng)},
        first=0,
        tail="",
        footer=_JUNOS_FOOTER,
        other={"show version": _JUNOS_VERSION, "show chassis hardware": _JUNOS_CHASSIS},
        secrets=("root", "user_secret", "radius", "bgp", "psk", "comm", "ospf"),
    ),
    _junos_values,
)


PERSONALITIES = (
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
)
