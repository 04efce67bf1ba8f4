"""The registry of supported device platforms, keyed by netmiko's device-type names.

Those names are what NetBox platforms, Ansible and netmiko users already type. The SSH
profiles (prompts, paging, filters) for each key live with the drivers; this module only
says which keys exist, so the inventory can validate input without importing drivers.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str
    vendor: str


PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform("cisco_ios", "Cisco IOS", "Cisco"),
        Platform("cisco_xe", "Cisco IOS XE", "Cisco"),
        Platform("cisco_nxos", "Cisco NX-OS", "Cisco"),
        Platform("cisco_xr", "Cisco IOS XR", "Cisco"),
        Platform("cisco_asa", "Cisco ASA", "Cisco"),
        Platform("arista_eos", "Arista EOS", "Arista"),
        Platform("juniper_junos", "Juniper Junos", "Juniper"),
        Platform("fortinet", "Fortinet FortiOS", "Fortinet"),
        Platform("paloalto_panos", "Palo Alto PAN-OS", "Palo Alto Networks"),
        Platform("mikrotik_routeros", "MikroTik RouterOS", "MikroTik"),
        Platform("hp_procurve", "HPE ProCurve / ArubaOS-Switch", "HPE"),
        Platform("aruba_os", "Aruba OS", "HPE Aruba"),
        Platform("huawei_vrp", "Huawei VRP", "Huawei"),
        Platform("linux", "Linux", "Linux"),
    )
}


def validate_platform(value: str, field: str = "platform") -> str:
    """Return the registry key for `value` (case-insensitive) or raise with close matches."""
    key = value.strip().lower()
    if key in PLATFORMS:
        return key
    close = difflib.get_close_matches(key, PLATFORMS, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(PLATFORMS)}"
    raise InputError(field, value, f"unknown platform; {hint}")
