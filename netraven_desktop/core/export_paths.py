"""Where an export puts each device's configuration: `SITE/DEVICE`, or `DEVICE` without a site.

The layout Oxidized users read. Names become file names that are valid on Windows,
macOS and Linux alike; a name that had to change, or a root-level file that would clash
with a site folder, gets `~` and the start of the device's id appended, so two devices
never share a file. The file name has no extension: configurations are not one format.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
_MAX = 120  # characters per component: room for a folder and Windows' 260-character paths


def safe_component(name: str) -> str:
    """`name` as one path component every OS accepts, never hidden and never `.git`."""
    safe = _UNSAFE.sub("_", name)[:_MAX].rstrip(" .")
    if not safe or safe.startswith(".") or safe.split(".")[0].upper() in _RESERVED:
        safe = "_" + safe
    return safe


def device_paths(devices: Iterable[tuple[uuid.UUID, str, str | None]]) -> dict[uuid.UUID, str]:
    """Each device's path (with `/`) relative to the export folder, from (id, name, site)."""
    devices = list(devices)
    folders = {safe_component(site).lower() for _, _, site in devices if site}
    paths = {}
    for device_id, name, site in devices:
        file = safe_component(name)
        if file != name or (not site and file.lower() in folders):
            file = f"{file}~{device_id.hex[:8]}"
        paths[device_id] = f"{safe_component(site)}/{file}" if site else file
    return paths
