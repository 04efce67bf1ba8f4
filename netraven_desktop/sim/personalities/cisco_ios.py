"""The simulated Cisco IOS and IOS XE: generated configuration, version output and CLI."""

from __future__ import annotations

import random

from .device import Seed, Volatile, cisco_like
from .layout import Layout, Values, builder
from .values import at, cisco_serial, cisco_time, community, desc, ip, plain, type7, type9

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


def _ios_stanza(rng: random.Random, i: int) -> Values:
    """Every third block is followed by a statement holding a secret, in turn each kind a
    real configuration repeats (users, SNMP hosts and communities, TACACS+/RADIUS server
    keys, BGP neighbor passwords): a realistic density for masking to work through."""
    if i % 3:
        return {"stanza": [], "secrets": []}
    kind, host = (i // 3) % 6, ip(rng)
    if kind == 0:
        secret = type9(rng)
        lines = [f"username ops{i} privilege 5 secret 9 {secret}"]
    elif kind == 1:
        secret = community(rng, "trap")
        lines = [f"snmp-server host {host} version 2c {secret}"]
    elif kind == 2:
        secret = type7(rng)
        lines = [f"tacacs server TAC{i}", f" address ipv4 {host}", f" key 7 {secret}", "!"]
    elif kind == 3:
        secret = type7(rng)
        lines = ["router bgp 65000", f" neighbor {host} remote-as {64512 + i}"]
        lines += [f" neighbor {host} password 7 {secret}", "!"]
    elif kind == 4:
        secret = type7(rng)
        lines = [f"radius server RAD{i}", f" address ipv4 {host} auth-port 1812 acct-port 1813"]
        lines += [f" key 7 {secret}", "!"]
    else:
        secret = community(rng, "ro")
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


def _ios_values(seed: Seed, xe: bool) -> Values:
    rng, user, size = seed.rng, seed.username, seed.config_kb * 1024
    if xe:
        model, xe_ver, ios_ver = rng.choice(_XE_MODELS)
        v: Values = {"model": model, "ios_ver": ios_ver, "os_version": xe_ver}
        v["short"] = ".".join(xe_ver.split(".")[:2]).replace(".0", ".")
    else:
        model, fam, image, ios_ver, cpu, mem, binfile = rng.choice(_IOS_MODELS)
        v = {"model": model, "fam": fam, "image": image, "ios_ver": ios_ver, "cpu": cpu}
        v |= {"mem": mem, "binfile": binfile, "os_version": ios_ver}
        v["short"] = ios_ver.split("(")[0]
    roles = ("users", "voice", "mgmt", "iot", "guest")
    return v | {
        "serial": cisco_serial(rng),
        "enable": type9(rng),
        "user_secret": type9(rng),
        "snmp": community(rng),
        "snmp_rw": community(rng, "rw"),
        "tacacs": type7(rng),
        "vty": type7(rng),
        "isakmp": plain(rng, 20),
        "ospf": type7(rng),
        "vlans": [
            line
            for n in range(10, 60, 10)
            for line in (f"vlan {n}", f" name {rng.choice(roles)}-{n}", "!")
        ],
        "size": Volatile(lambda m: f"Current configuration : {size + m.rng.randrange(9)} bytes"),
        "changed": at("! Last configuration change at ", cisco_time, f" by {user}"),
        "saved": at("! NVRAM config last updated at ", cisco_time, f" by {user}"),
        "clock_period": Volatile(
            lambda m: f"ntp clock-period {17179000 + m.rng.randrange(1000, 99999)}"
        ),
    }


def _ios_layout(version: str) -> Layout:
    return Layout(
        command="show running-config",
        head=_IOS_HEAD,
        block=_IOS_BLOCK,
        block_values=lambda rng, i: (
            {
                "port": f"{(i - 1) // 48 + 1}/0/{(i - 1) % 48 + 1}",
                "vlan": 10 + rng.randrange(40) * 10,
                "desc": desc(rng, i),
            }
            | _ios_stanza(rng, i)
        ),
        tail=_IOS_TAIL,
        footer=_IOS_FOOTER,
        other={"show version": version},
        secrets=("enable", "user_secret", "snmp", "snmp_rw", "tacacs", "vty", "isakmp", "ospf"),
    )


_build_ios = builder(_ios_layout(_IOS_VERSION), lambda s: _ios_values(s, xe=False))
_build_xe = builder(_ios_layout(_XE_VERSION), lambda s: _ios_values(s, xe=True))


PERSONALITIES = (
    cisco_like("cisco_ios", _build_ios),
    cisco_like("cisco_xe", _build_xe),
)
