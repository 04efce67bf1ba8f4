"""What each simulated platform looks like: prompts, paging, enable, errors and generated output.

This is the simulator's own model of real devices, written from how the gear behaves, not from
the engine's profiles (the simulator is what the engine is tested against). A personality is
data plus one builder that generates a device's image: the backup commands' output (a realistic
configuration of a requested size, with volatile lines that change on every read and secret
lines), the version command's output and a few other show commands.

Output is a list of lines; a line is either a `str` or a `Volatile` (rendered afresh on every
read from a `Moment`), and the `EXTRAS` marker shows where `change_config` lines go. The
shared machinery is in `device`, `values` and `layout`; each vendor has a module of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ...core.platforms import PLATFORMS
from . import (
    arista,
    cisco_asa,
    cisco_ios,
    cisco_nxos,
    cisco_xr,
    fortinet,
    hpe,
    huawei,
    juniper,
    linux,
    mikrotik,
    paloalto,
)
from .device import EXTRAS, DeviceImage, Line, Moment, Personality, Seed, Volatile, error_lines

__all__ = [
    "EXTRAS",
    "PERSONALITIES",
    "DeviceImage",
    "Line",
    "Moment",
    "Personality",
    "Seed",
    "Volatile",
    "build_image",
    "error_lines",
    "personality",
]

_VENDORS = (
    cisco_ios,
    cisco_nxos,
    cisco_xr,
    cisco_asa,
    arista,
    juniper,
    fortinet,
    paloalto,
    mikrotik,
    hpe,
    huawei,
    linux,
)
PERSONALITIES: Mapping[str, Personality] = MappingProxyType(
    {p.key: p for vendor in _VENDORS for p in vendor.PERSONALITIES}
)

# The simulator plays built-in platforms only, and not yet every one of them.
assert set(PERSONALITIES) <= set(PLATFORMS), set(PERSONALITIES) - set(PLATFORMS)


def personality(platform: str) -> Personality:
    return PERSONALITIES[platform]


def build_image(platform: str, seed: Seed) -> DeviceImage:
    build = PERSONALITIES[platform].build
    assert build is not None
    return build(seed)
