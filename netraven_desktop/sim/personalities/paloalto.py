"""The simulated Palo Alto PAN-OS: generated configuration, version output and CLI."""

from __future__ import annotations

import string

from .device import Personality, Seed
from .layout import Layout, Values, builder
from .values import B64, desc, ip, pick

_PANOS_HEAD = """\
<config version="{release}" urldb="paloaltonetworks">
  <mgt-config>
    <users>
      <entry name="{user}">
        <phash>{phash}</phash>
        <permissions>
          <role-based>
            <superuser>yes</superuser>
          </role-based>
        </permissions>
      </entry>
    </users>
  </mgt-config>
  <shared>
    <server-profile>
      <radius>
        <entry name="rad1">
          <server>
            <entry name="10.0.0.5">
              <secret>{radius}</secret>
              <port>1812</port>
            </entry>
          </server>
        </entry>
      </radius>
    </server-profile>
  </shared>
  <devices>
    <entry name="localhost.localdomain">
      <deviceconfig>
        <system>
          <hostname>{name}</hostname>
          <ip-address>10.0.0.13</ip-address>
        </system>
      </deviceconfig>
      <network>
        <ike>
          <gateway>
            <entry name="to-hq">
              <authentication>
                <pre-shared-key>
                  <key>{psk}</key>
                </pre-shared-key>
              </authentication>
            </entry>
          </gateway>
        </ike>
      </network>
{EXTRAS}
    </entry>
  </devices>
  <devices>
    <vsys>
      <entry name="vsys1">
        <address>
"""
_PANOS_VERSION = """\
hostname: {name}
ip-address: 10.0.0.13
netmask: 255.255.255.0
default-gateway: 10.0.0.1
mac-address: 00:1b:17:00:01:13
time: Fri Nov 27 10:31:02 2026
uptime: 41 days, 2:05:11
family: 3200
model: {model}
serial: {serial}
sw-version: {os_version}
app-version: 8795-8682
threat-version: 8795-8682
wildfire-version: 0
url-filtering-version: 20261127.20151
operational-mode: normal

"""


def _panos_values(seed: Seed) -> Values:
    rng = seed.rng
    model, os_version = rng.choice((("PA-3220", "10.2.7-h3"), ("PA-440", "11.1.2")))
    enc = string.ascii_letters + string.digits + "+/"
    return {
        "model": model,
        "os_version": os_version,
        "release": os_version.split("-")[0],
        "serial": f"0{rng.randrange(10**10, 10**11)}",
        "phash": f"$5${pick(rng, B64, 8)}${pick(rng, B64, 43)}",
        "psk": "-AQ==" + pick(rng, enc, 40) + "=",
        "radius": "-AQ==" + pick(rng, enc, 40) + "=",
    }


_build_panos = builder(
    Layout(
        command="show config running",
        head=_PANOS_HEAD,
        block="""\
          <entry name="host-{i}">
            <ip-netmask>{ip}/32</ip-netmask>
            <description>{desc}</description>
          </entry>
""",
        block_values=lambda rng, i: {"ip": ip(rng), "desc": desc(rng, i)},
        tail="",
        footer="""\
        </address>
      </entry>
    </vsys>
  </devices>
</config>

""",
        other={"show system info": _PANOS_VERSION},
        secrets=("phash", "psk", "radius"),
    ),
    _panos_values,
)


PERSONALITIES = (
    Personality(
        key="paloalto_panos",
        user_prompt="{user}@{name}> ",
        paging_off=("set cli pager off", "set cli scripting-mode on"),
        paging_off_by="set cli pager off",
        more_prompt="--more--",
        more_erase="cr",
        commands=("show config running",),
        version_command="show system info",
        error="panos",
        server_version="OpenSSH_8.0",
        banner="Last login: Fri Nov 27 09:12:44 2026 from 10.0.0.99\r\n\r\n"
        "Number of failed attempts since last successful login: 0\r\n\r\n",
        build=_build_panos,
    ),
)
