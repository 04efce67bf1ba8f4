"""The row model every inventory format is parsed into, and how problems are reported.

A parser only reads its format: it turns each device into an `ImportRow` of raw values
under our column names (see `COLUMNS`) and reports what it cannot read as `RowProblem`s.
Validation with core's own rules, and the write, happen once for every format in
`services.device_import`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import NetRavenError, quote_value
from ..platforms import PLATFORMS

# Our own columns, in export order. `tags` holds a list; every other value is raw text
# (or a JSON scalar) that validation turns into the model's type.
COLUMNS = (
    "name",
    "host",
    "port",
    "platform",
    "site",
    "role",
    "description",
    "tags",
    "credential",
    "enabled",
    "legacy_ssh",
    "connect_timeout",
    "mask_secrets",
)
MAX_PROBLEMS = 50  # a file with a systematic mistake should not print 100,000 lines


@dataclass(slots=True)
class ImportRow:
    """One device as a file gives it: `where` it is (line N) and the columns it sets.

    `defaults` apply only when the device is created (Oxidized and Ansible use the
    name as the host when none is given), so an update never overwrites a real address
    with them.
    """

    where: str
    values: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowProblem:
    where: str
    column: str
    value: Any
    problem: str

    @property
    def detail(self) -> str:
        """The problem and the value, quoted short (`errors.quote_value`)."""
        return f"{self.problem} (got {quote_value(self.value)})"

    def __str__(self) -> str:
        return f"{self.where}: {self.column}: {self.detail}"


@dataclass(slots=True)
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


class ImportRejected(NetRavenError):
    """The file has problems; nothing was written. One line per problem, capped."""

    exit_code = 2

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS} more problems")
        return shown


def split_tags(text: str) -> list[str]:
    """Tags in one cell, separated by `;` or `|` (commas belong to CSV itself)."""
    return [t.strip() for t in text.replace("|", ";").split(";") if t.strip()]


# What other tools call our platforms: Oxidized models, NetBox platform slugs, Ansible
# network_os short names (the last part of `cisco.ios.ios`) and netmiko's own keys.
PLATFORM_ALIASES: dict[str, str] = {key: key for key in PLATFORMS} | {
    "ios": "cisco_ios",
    "iosxe": "cisco_xe",
    "ios_xe": "cisco_xe",
    "cisco_ios_xe": "cisco_xe",
    "nxos": "cisco_nxos",
    "nx_os": "cisco_nxos",
    "cisco_nx_os": "cisco_nxos",
    "iosxr": "cisco_xr",
    "ios_xr": "cisco_xr",
    "cisco_ios_xr": "cisco_xr",
    "asa": "cisco_asa",
    "eos": "arista_eos",
    "junos": "juniper_junos",
    "fortios": "fortinet",
    "fortigate": "fortinet",
    "fortinet_fortios": "fortinet",
    "panos": "paloalto_panos",
    "pan_os": "paloalto_panos",
    "routeros": "mikrotik_routeros",
    "procurve": "hp_procurve",
    "aosw": "aruba_os",
    "arubaos": "aruba_os",
    "vrp": "huawei_vrp",
    "huawei": "huawei_vrp",
    "linuxgeneric": "linux",
    "ftd": "cisco_ftd",
    "ciscosmb": "cisco_s300",
    "aireos": "cisco_wlc",
    "comware": "hp_comware",
    "hpe_comware": "hp_comware",
    "aoscx": "aruba_aoscx",
    "aos_cx": "aruba_aoscx",
    "os10": "dell_os10",
    "dellos10": "dell_os10",
    "os9": "dell_force10",
    "ftos": "dell_force10",
    "dnos": "dell_force10",
    "os6": "dell_dnos6",
    "dnos6": "dell_dnos6",
    "xos": "extreme_exos",
    "exos": "extreme_exos",
    "voss": "extreme_vsp",
    "slxos": "extreme_slx",
    "edgeswitch": "ubiquiti_edgeswitch",
    "edgeos": "ubiquiti_edgerouter",
    "vyatta": "vyos",
    "ironware": "ruckus_fastiron",
    "fastiron": "ruckus_fastiron",
    "icx": "ruckus_fastiron",
    "timos": "nokia_sros",
    "sros": "nokia_sros",
    "srlinux": "nokia_srl",
    "saos": "ciena_saos",
    "tmos": "f5_tmsh",
    "netscaler": "citrix_netscaler",
    "gaiaos": "checkpoint_gaia",
    "screenos": "juniper_screenos",
    "awplus": "allied_telesis_awplus",
    "mlnxos": "mellanox_mlnxos",
    "onyx": "mellanox_mlnxos",
    "ocnos": "ipinfusion_ocnos",
    "zld": "zyxel_os",
    "cumulus": "cumulus_linux",
}


def platform_from(name: str) -> str:
    """Our platform key for another tool's name; an unknown name is returned as given,
    so validation reports it with the closest known keys."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return PLATFORM_ALIASES.get(key.rsplit(".", 1)[-1], name)
