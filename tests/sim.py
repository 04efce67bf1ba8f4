"""The SSH simulator for tests and benchmarks: run it, and a credential that logs in to it.

Shared by the pytest fixtures (`sim_devices`), the GUI and integration tests that back up
simulated devices, and the UI heartbeat benchmark, so they start it the same way.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator

from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import Credential
from netraven_desktop.core.secrets import Secrets, SecretStore
from netraven_desktop.core.services import credentials

SIM_PASSWORD = "Sim-Pa55-w0rd"
SIM_ENABLE = "Sim-En4ble-s3cret"


@contextlib.contextmanager
def running_sim(
    env: dict[str, str] | None,
    *faults: str,
    count: int = 3,
    platforms: tuple[str, ...] = ("cisco_ios", "juniper_junos"),
    config_kb: int = 16,
    command_delay: float = 0.0,
) -> Iterator[list[tuple[str, str, int]]]:
    """`netraven-desktop sim` serving `count` devices (with `faults`, e.g. "hang") meanwhile,
    each answering every command after `command_delay` seconds.

    Yields (name, platform, port) of each device once the simulator says it is ready.
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "netraven_desktop",
            "sim",
            "--devices",
            str(count),
            *(arg for platform in platforms for arg in ("--platform", platform)),
            "--password",
            SIM_PASSWORD,
            "--enable-secret",
            SIM_ENABLE,
            "--config-kb",
            str(config_kb),
            *(arg for fault in faults for arg in ("--fault", fault)),
            "--command-delay",
            str(command_delay),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            if line.strip() == "ready":
                ready.set()
                return
            lines.append(line.split())

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(30), proc.stderr.read() if proc.poll() is not None else "no ready"
    try:
        yield [
            (name, platform, int(address.rsplit(":", 1)[1])) for name, platform, address in lines
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def add_sim_credential(db: Database, store: SecretStore, name: str) -> Credential:
    """A credential (user admin) whose secrets in `store` log in to the simulator."""
    return credentials.add_credential(
        db,
        store,
        name=name,
        username="admin",
        secrets=Secrets(password=SIM_PASSWORD, enable=SIM_ENABLE),
    )
