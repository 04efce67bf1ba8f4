"""The simulated Fortinet FortiOS: generated configuration, version output and CLI."""

from __future__ import annotations

import string

from .device import Personality, Seed, Volatile
from .layout import Layout, Values, builder
from .values import UP, desc, ip, pick

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


def _fortinet_values(seed: Seed) -> Values:
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
        "serial": f"FGT{model.split('-')[1][:3]}{pick(rng, UP, 2)}{rng.randrange(10**7, 10**8)}",
        "admin": "SH2" + pick(rng, enc, 60) + "=",
        "psk": pick(rng, enc, 88),
        "user_secret": pick(rng, enc, 60),
        "radius": pick(rng, enc, 60),
        "conf_file_ver": Volatile(lambda m: f"#conf_file_ver={m.rng.randrange(10**14, 10**16)}"),
    }


_build_fortinet = builder(
    Layout(
        command="show",
        head=_FORTINET_HEAD,
        block="""\
    edit "host-{i}"
        set comment "{desc}"
        set subnet {ip} 255.255.255.255
    next
""",
        block_values=lambda rng, i: {"desc": desc(rng, i), "ip": ip(rng)},
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


PERSONALITIES = (
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
)
