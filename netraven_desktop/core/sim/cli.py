"""`netraven-desktop sim ...`: serve N simulated devices until cancelled."""

from __future__ import annotations

import asyncio
import sys

from ..platforms import PLATFORMS, validate_platform
from .server import SimDevice, Simulator


async def serve(
    devices: int,
    base_port: int,
    platforms: list[str] | None,
    config_kb: int,
    password: str,
    enable_secret: str,
    host: str,
    *,
    key_seed: str | None = None,
    faults: set[str] | None = None,
) -> None:
    """Start `devices` devices named sim-<platform>-<i>, round-robin over `platforms` (default:
    all), print `name platform host:port` per device then `ready`, and serve until cancelled.
    `faults` apply to every device (a slow or hanging fleet, to try cancelling a run)."""
    keys = [validate_platform(p) for p in platforms] if platforms else list(PLATFORMS)
    fleet = [
        SimDevice(
            name=f"sim-{keys[i % len(keys)]}-{i + 1}",
            platform=keys[i % len(keys)],
            password=password,
            enable_secret=enable_secret,
            config_kb=config_kb,
            faults=set(faults or ()),
        )
        for i in range(devices)
    ]
    sim = Simulator(host, key_seed=key_seed)
    try:
        await sim.start(fleet, base_port)
        out = sys.stdout
        for d in fleet:
            out.write(f"{d.name} {d.platform} {host}:{d.port}\n")
        out.write("ready\n")
        out.flush()
        await asyncio.Event().wait()
    finally:
        await sim.stop()
