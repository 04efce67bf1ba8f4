"""The simulated Linux servers: generated configuration, version output and CLI."""

from __future__ import annotations

from .device import Personality, Seed
from .layout import Layout, Values, builder
from .values import ip

_LINUX_HOSTS = """\
127.0.0.1\tlocalhost
127.0.1.1\t{name}.example.net\t{name}

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters

"""
_LINUX_ADDR = """\
1: lo    inet 127.0.0.1/8 scope host lo\\{lft}
1: lo    inet6 ::1/128 scope host noprefixroute \\{lft}
2: eth0    inet {addr}/24 brd {net}.255 scope global eth0\\{lft}
"""
_LINUX_ROUTE = """\
default via {net}.1 dev eth0 proto static
{net}.0/24 dev eth0 proto kernel scope link src {addr}
"""


def _linux_values(seed: Seed) -> Values:
    rng = seed.rng
    kernel = rng.choice(("6.1.0-27-amd64", "5.15.0-122-generic"))
    addr = ip(rng)
    lft = "       valid_lft forever preferred_lft forever"
    return {"kernel": kernel, "addr": addr, "net": addr.rsplit(".", 1)[0], "lft": lft}


_build_linux = builder(
    Layout(
        command="cat /etc/hosts",
        head=_LINUX_HOSTS,
        block="{ip}\thost-{i}.example.net\thost-{i}\n",
        block_values=lambda rng, i: {"ip": ip(rng)},
        reserve=900,
        tail="{EXTRAS}\n",
        footer="",
        more={
            "cat /etc/hostname": "{name}\n",
            "ip -o addr show": _LINUX_ADDR,
            "ip route show": _LINUX_ROUTE,
        },
        other={
            "uname -sr": "Linux {kernel}\n",
            "uname -a": "Linux {name} {kernel} #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 x86_64 "
            "GNU/Linux\n",
            "hostname": "{name}\n",
        },
        facts={"os_version": "kernel"},
    ),
    _linux_values,
)


PERSONALITIES = (
    Personality(
        key="linux",
        user_prompt="{user}@{name}:~$ ",
        pages=False,
        paging_off=("export PAGER=cat TERM=dumb",),
        commands=(
            "cat /etc/hostname",
            "cat /etc/hosts",
            "ip -o addr show",
            "ip route show",
        ),
        version_command="uname -sr",
        error="linux",
        server_version="OpenSSH_9.2p1 Debian-2",
        banner="Linux {name} 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 "
        "x86_64\r\n"
        "\r\nThe programs included with the Debian GNU/Linux system are free software;\r\n"
        "the exact distribution terms for each program are described in the\r\n"
        "individual files in /usr/share/doc/*/copyright.\r\n\r\n"
        "Last login: Fri Nov 27 09:12:44 2026 from 10.0.0.99\r\n",
        build=_build_linux,
    ),
)
