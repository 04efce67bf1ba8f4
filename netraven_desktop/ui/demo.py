"""`netraven-desktop --demo`: a throwaway database with simulated devices being backed up.

A newcomer sees the app do its job within a minute: the simulator serves a few devices
of several platforms (one of them changing its configuration every 20 s), a scheduled
job backs them all up every minute in a child process, and history and diffs fill in.
Its throwaway password lives in an encrypted secrets file in the demo's folder, so the
demo runs on a machine without an OS keyring and leaves nothing in one. Everything
(database, preferences, secrets, the simulator) is removed on exit.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.db import Database
from ..core.demo import fill_demo_database
from ..core.errors import EnvironmentProblem
from ..core.file_keyring import FILE_ENV, PASSPHRASE_ENV, EncryptedFileKeyring
from ..core.secrets import CHOICE_ENV, Secrets, SecretStore
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
    saved_env: dict[str, str | None] = field(default_factory=dict)

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
        self.db.close()  # the secrets go with the folder
        for name, value in self.saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.folder, ignore_errors=True)


def start_demo(*, drift: float = DRIFT_SECONDS) -> Demo:
    """Start the simulator and fill a new database with its devices, a credential
    (in the demo's own secrets file) and a job due at once."""
    folder = Path(tempfile.mkdtemp(prefix="netraven-demo-"))
    saved_env, store = _private_secrets(folder)
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
    demo = Demo(folder=folder, simulator=simulator, db=db, store=store, saved_env=saved_env)
    try:
        fill_demo_database(
            db, store, _read_fleet(simulator), Secrets(password=PASSWORD, enable=ENABLE)
        )
    except BaseException:
        demo.close()
        raise
    return demo


def _private_secrets(folder: Path) -> tuple[dict[str, str | None], SecretStore]:
    """An encrypted secrets file in the demo's folder, chosen through the environment so
    the backup runs (child processes) read it too; the variables it replaced."""
    passphrase = folder / "passphrase"
    passphrase.write_text(secrets.token_urlsafe(24), encoding="utf-8")
    passphrase.chmod(0o600)
    chosen = {
        CHOICE_ENV: "file",
        FILE_ENV: str(folder / "secrets.keyring"),
        PASSPHRASE_ENV: str(passphrase),
    }
    saved = {name: os.environ.get(name) for name in chosen}
    os.environ.update(chosen)
    store = SecretStore(EncryptedFileKeyring(Path(chosen[FILE_ENV]), passphrase))
    return saved, store


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
