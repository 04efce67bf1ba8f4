"""`netraven-desktop --demo`: a throwaway database with simulated devices being backed up.

A newcomer sees the app do its job within a minute: the simulator serves a few devices
of several platforms (one of them changing its configuration every 20 s), a scheduled
job backs them all up every minute in a child process, and history and diffs fill in.
Everything (database, preferences, the keyring entry, the simulator) is removed on exit.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from ..core.db import Database
from ..core.db.base import utcnow
from ..core.db.models import Job
from ..core.db.schema import upgrade
from ..core.errors import EnvironmentProblem
from ..core.secrets import Secrets, SecretStore
from ..core.services import credentials, devices, jobs, tags
from ..core.services.runs import Selection
from .backup_process import engine_command

PLATFORMS = ("cisco_ios", "juniper_junos", "arista_eos", "cisco_nxos")
DEVICES = 6
PASSWORD, ENABLE = "demo-Passw0rd", "demo-En4ble"
DRIFT_SECONDS = 20


@dataclass
class Demo:
    folder: Path
    simulator: subprocess.Popen[str]
    db: Database
    store: SecretStore
    keyring_refs: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Stop the simulator and remove every trace of the demo."""
        for pipe in (self.simulator.stdin, self.simulator.stdout):
            if pipe is not None:
                pipe.close()  # closing stdin stops the simulator (--stop-on-stdin)
        try:
            self.simulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.simulator.kill()
            self.simulator.wait()
        for ref in self.keyring_refs:
            with contextlib.suppress(EnvironmentProblem):
                self.store.delete(ref)
        self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_demo(store: SecretStore, *, drift: float = DRIFT_SECONDS) -> Demo:
    """Start the simulator and fill a new database with its devices, a credential
    (in the keyring) and a job due at once."""
    store.describe()  # no keyring: say so now, before anything starts
    folder = Path(tempfile.mkdtemp(prefix="netraven-demo-"))
    program, arguments = engine_command(
        "sim",
        "--devices",
        str(DEVICES),
        *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
        "--password",
        PASSWORD,
        "--enable-secret",
        ENABLE,
        "--drift",
        str(drift),
        "--stop-on-stdin",
    )
    # The simulator stops when our end of its stdin closes, even if this process is killed.
    simulator = subprocess.Popen(
        [program, *arguments], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    db = Database(f"sqlite:///{folder / 'demo.db'}")
    demo = Demo(folder=folder, simulator=simulator, db=db, store=store)
    try:
        served = _read_fleet(simulator)
        upgrade(db)
        credential = credentials.add_credential(
            db,
            store,
            name="demo",
            username="admin",
            secrets=Secrets(password=PASSWORD, enable=ENABLE),
        )
        demo.keyring_refs.append(credential.keyring_ref)
        with db.session() as session:
            tags.add_tag(session, "demo", "devices served by the simulator")
            for name, platform, port in served:
                devices.add_device(
                    session,
                    name=name,
                    host="127.0.0.1",
                    port=port,
                    platform=platform,
                    site="lab",
                    tags=["demo"],
                )
            jobs.add_job(session, name="demo", selection=Selection(all=True), schedule="every 1m")
            session.execute(update(Job).values(created_at=utcnow() - timedelta(minutes=2)))
    except BaseException:
        demo.close()
        raise
    return demo


def _read_fleet(simulator: subprocess.Popen[str]) -> list[tuple[str, str, int]]:
    """The simulator's `name platform host:port` lines, up to `ready`."""
    assert simulator.stdout is not None
    served = []
    for line in simulator.stdout:
        if line.strip() == "ready":
            return served
        name, platform, address = line.split()
        served.append((name, platform, int(address.rsplit(":", 1)[1])))
    raise EnvironmentProblem("the device simulator stopped before it was ready")
