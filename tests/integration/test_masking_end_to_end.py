"""No secret of the corpus gets anywhere: one simulated device per platform serves its
platform's corpus, the real CLI backs them all up (one SQLite database, one simulator,
the real OS keyring, a real webhook), and every secret value is looked for in what
NetRaven keeps and shows. Run once for the module; one test per platform reads it."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import io
import json
import os
import shutil
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

from netraven_desktop.cli.app import main
from netraven_desktop.core.crud import devices
from netraven_desktop.core.db import Database
from netraven_desktop.core.secret_fingerprints import keyring_reference
from netraven_desktop.core.secrets import Secrets, SecretStore, SecretStoreError
from netraven_desktop.core.services import credentials, notify
from netraven_desktop.sim import SimDevice, Simulator
from netraven_desktop.sim.personalities import PERSONALITIES as PLATFORMS  # simulated
from tests.clitools import Cli
from tests.secret_corpus import load, sqlite_bytes

NAME = "mask-{}"


@contextlib.contextmanager
def _simulator(fleet: list[SimDevice]) -> Iterator[Simulator]:
    """The simulator on its own event loop in a thread, so the CLI can be waited for."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    sim = Simulator()
    asyncio.run_coroutine_threadsafe(sim.start(fleet), loop).result(60)
    try:
        yield sim
    finally:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@contextlib.contextmanager
def _webhook() -> Iterator[tuple[int, list[bytes]]]:
    """An HTTP server on loopback that keeps every body POSTed to it."""
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], bodies
    finally:
        server.shutdown()
        server.server_close()


def _in_process(cli: Cli, *args: str) -> str:
    """The CLI's output for `args`, run by its own entry point in this process (28 more
    processes would cost minutes on a loaded machine; the runs and exports are real ones)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", cli.url or "", *args]) == 0
    return out.getvalue()


def _corpus_text(platform: str) -> str:
    corpus = load(platform)
    return "\n".join([*(case.line for case in corpus.cases), *corpus.keep])


def _git_objects(folder: Path) -> bytes:
    """Every object of the exported repository, decompressed."""
    repo = Repo(str(folder))
    store = repo.object_store
    return b"\n".join(store[sha].as_raw_string() for sha in store)


def _files(folder: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def seen(tmp_path_factory, sqlite_template) -> dict[str, bytes]:
    """What a user, an export or a notification could show, and what the database holds."""
    store = SecretStore()
    try:
        store.describe()
    except SecretStoreError as exc:
        pytest.skip(str(exc))
    folder = tmp_path_factory.mktemp("masking")
    path = folder / "netraven.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(str(path))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETRAVEN_")}
    cli = Cli(db.url.plain(hide_password=False), env | {"NETRAVEN_HOME": str(folder / "home")})
    fleet = [SimDevice(name=NAME.format(p), platform=p) for p in PLATFORMS]
    credential = credentials.add_credential(
        db, store, name="lab", username="admin", secrets=Secrets("admin", "enable")
    )
    try:
        with _webhook() as (port, notifications), _simulator(fleet) as sim:
            notify.add_webhook_channel(
                db, store, name="hook", url=f"http://127.0.0.1:{port}/h", events=["config_changed"]
            )
            with db.session() as s:
                for device in fleet:
                    devices.create_device(
                        s,
                        name=device.name,
                        host="127.0.0.1",
                        port=device.port,
                        platform=device.platform,
                    )
            first = cli.ok("backup", "run", "--all", "--json")
            for platform in PLATFORMS:
                sim.set_extra_config(NAME.format(platform), _corpus_text(platform))
            served = "\n".join(sim.config_text(NAME.format(p)) for p in PLATFORMS)
            second = cli.ok("backup", "run", "--all", "--json")
        shown = {
            (platform, command): _in_process(cli, "backup", command, NAME.format(platform))
            for platform in PLATFORMS
            for command in ("show", "diff")
        }
        cli.ok("backup", "export", str(folder / "files"))
        cli.ok("backup", "export", "--git", str(folder / "git"))
        stored = asyncio.run(sqlite_bytes(db))
        with contextlib.closing(sqlite3.connect(path)) as connection:
            index = "\n".join(t for (t,) in connection.execute("SELECT text FROM config_search"))
            blobs = b"\n".join(
                zlib.decompress(d) for (d,) in connection.execute("SELECT data FROM config_blobs")
            )
    finally:
        store.delete(credential.keyring_ref)
        store.delete(keyring_reference(db) or "")
    finished = [json.loads(line) for line in second.splitlines()]
    finished = [e for e in finished if e["event"] == "device_finished"]
    assert [e["status"] for e in finished] == ["changed"] * len(PLATFORMS), second
    assert [json.loads(n)["event"] for n in notifications] == ["config_changed"] * 2
    for platform in PLATFORMS:  # the corpus reached what users read, masked
        assert "<removed>" in shown[platform, "show"], platform
        assert "\n+" in shown[platform, "diff"]
        assert "<removed>" in shown[platform, "diff"]
    return {
        "served": served.encode(),
        "database file": stored,
        "stored configurations": blobs,
        "search index": index.encode(),
        "backup run --json": (first + second).encode(),
        "backup show/diff": "".join(shown.values()).encode(),
        "backup export": _files(folder / "files"),
        "backup export --git": _git_objects(folder / "git") + _files(folder / "git"),
        "notifications": b"\n".join(notifications),
    }


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_secret_of_the_corpus_is_kept_or_shown(seen, platform):
    secrets = load(platform).secrets
    missing = [s for s in secrets if s.encode() not in seen["served"]]
    assert not missing, "the device did not serve its corpus"
    leaks = {
        where: found
        for where, data in seen.items()
        if where != "served"
        for found in [[s for s in secrets if s.encode() in data]]
        if found
    }
    assert leaks == {}
