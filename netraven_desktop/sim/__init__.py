"""An SSH device simulator: many fake network devices on loopback ports, for tests, benchmarks
and the demo mode. It plays the devices independently of the backup engine's profiles."""

from .server import FAULTS, SimDevice, Simulator

__all__ = ["FAULTS", "SimDevice", "Simulator"]
