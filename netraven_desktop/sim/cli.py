"""`netraven-desktop sim ...`: serve N simulated devices until cancelled."""

from __future__ import annotations

import asyncio
import sys

from ..core.errors import InputError
from .personalities import PERSONALITIES
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
    drift: float | None = None,
    faults: set[str] | None = None,
    command_delay: float = 0.0,
) -> None:
    """Start `devices` devices named sim-<platform>-<i>, round-robin over `platforms` (default:
    all), print `name platform host:port` per device then `ready`, and serve until cancelled.
    `faults` apply to every device (a slow or hanging fleet, to try cancelling a run);
    `command_delay` makes every device take that long to answer each command.

    With `drift`, one device after another changes its configuration every `drift`
    seconds, as if someone were at work on the network (the demo shows the diffs)."""
    keys = [_playable(p) for p in platforms] if platforms else list(PERSONALITIES)
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
    sim = Simulator(host, key_seed=key_seed, command_delay=command_delay)
    try:
        await sim.start(fleet, base_port)
        out = sys.stdout
        for d in fleet:
            out.write(f"{d.name} {d.platform} {host}:{d.port}\n")
        out.write("ready\n")
        out.flush()
        if drift:
            await _drift(sim, fleet, drift)
        await asyncio.Event().wait()
    finally:
        await sim.stop()


def drift_line(platform: str, change: int) -> str:
    """A harmless configuration line in the platform's own syntax."""
    if platform == "juniper_junos":
        return f"set snmp location rack-{change}"
    return f"snmp-server location rack-{change}"


async def _drift(sim: Simulator, fleet: list[SimDevice], every: float) -> None:
    change = 0
    while True:
        await asyncio.sleep(every)
        device = fleet[change % len(fleet)]
        change += 1
        sim.change_config(device.name, drift_line(device.platform, change))


def _playable(platform: str) -> str:
    key = platform.strip().lower()
    if key not in PERSONALITIES:
        known = ", ".join(PERSONALITIES)
        raise InputError(
            "--platform", platform, f"the simulator does not play it; it plays {known}"
        )
    return key
