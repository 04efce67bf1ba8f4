"""Backup throughput: the engine against netmiko, scrapli and a bare asyncssh floor, in one run.

    scripts/bench [--devices 500] [--config-kb 50] [--concurrency 50 200] [--quick]
                  [--large 5000]

(`scripts/bench` provides the venv, netmiko, scrapli and an unlocked Secret Service, then
runs `python -m tests.bench.backup_bench ...`.) Absolute times depend on the machine, so
every figure is printed next to a baseline measured in the same run: the *floor*, a bare
asyncssh loop that only logs in, enables, turns paging off and reads `show running-config`
up to the prompt. This is a benchmark, not a test: it asserts nothing and pytest never
collects it.

What runs, each variant in a fresh child process (so its CPU seconds and peak RSS are its
own), against one simulator process (`netraven-desktop sim`, Cisco IOS configurations
with a secret statement every few lines) pinned to CPU 0 with `taskset`, every client
pinned to CPU 1 the same way:

* floor    asyncssh + a semaphore; no database, no filtering;
* engine   `BackupEngine` on a throwaway SQLite database, one credential in the real OS
           keyring (deleted afterwards), the default engine settings except concurrency:
           the first backup into the empty database, then the same run again with
           nothing changed on the devices (two rows, one process);
* netmiko  `ConnectHandler` + `ThreadPoolExecutor`, `.enable()`, `send_command(...)`:
           what most home-made backup scripts do;
* scrapli  its asyncio IOS-XE driver over asyncssh, a semaphore, `send_command(...)`.

Then an engine-only run at 1,000 devices for peak RSS, with `--large N` the floor and the
engine at N devices, and, where the machine allows it (root, `ip netns`, `tc` with
netem), the floor and the engine again with the simulator behind 20 ms of round-trip
delay: two network namespaces of our own joined by a veth pair, 192.0.2.0/30 (TEST-NET-1)
inside them, 10 ms netem each way. Everything is torn down on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib.metadata
import io
import json
import os
import pstats
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PLATFORM = "cisco_ios"
USERNAME = "admin"  # the simulator's login user
PASSWORD = "bench-password"
ENABLE = "bench-enable"
SIM_CPU = 0  # the simulator runs on this CPU (taskset -c 0) ...
CLIENT_CPU = 1  # ... and every client, the engine included, on this one (taskset -c 1)
PHASES = ("first", "unchanged")  # the engine's runs: into an empty database, then again

# The targets (from the project's issue 14), printed next to the figures.
TARGET_RATIO = {"first": 2.0, "unchanged": 1.3}  # engine wall / floor wall
PEERS = ("netmiko", "scrapli")  # the engine should beat both, in both phases
TARGET_RSS_MB = 300.0  # engine peak RSS at TARGET_RSS_DEVICES devices
TARGET_RSS_DEVICES = 1000
TARGET_ZERO_FAILURES_AT = 200  # concurrency

# The latency run: our own namespaces and a /30 from TEST-NET-1 (RFC 5737) inside them.
NET_CLIENT_ADDR = "192.0.2.1"
NET_SIM_ADDR = "192.0.2.2"
NET_PREFIX = 30

# Floor: per-device limits, like the engine's defaults (every wait is bounded).
CONNECT_TIMEOUT = 15.0
DEVICE_TIMEOUT = 300.0


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- arguments


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench.backup_bench",
        description="Backup throughput: engine vs netmiko vs a bare asyncssh floor.",
    )
    p.add_argument("--devices", type=int, help="simulated devices per run (default 500)")
    p.add_argument("--config-kb", type=int, help="configuration size in KB (default 50)")
    p.add_argument(
        "--concurrency", type=int, nargs="+", metavar="N", help="concurrencies (default 50 200)"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 40 devices, 8 KB, concurrency 10, no 1,000-device RSS run",
    )
    p.add_argument(
        "--rss-devices",
        type=int,
        help=f"devices in the engine-only peak-RSS run (default {TARGET_RSS_DEVICES}; 0: skip)",
    )
    p.add_argument("--no-latency", action="store_true", help="skip the 20 ms RTT run")
    p.add_argument(
        "--latency-concurrency", type=int, help="concurrency of the latency run (default 200)"
    )
    p.add_argument(
        "--delay-ms",
        type=float,
        default=10.0,
        help="netem delay each way in the latency run (default 10; 0 tests only the namespaces)",
    )
    p.add_argument("--no-netmiko", action="store_true", help="skip the netmiko variant")
    p.add_argument("--no-scrapli", action="store_true", help="skip the scrapli variant")
    p.add_argument(
        "--large",
        type=int,
        default=0,
        metavar="N",
        help="also the floor and the engine (first, unchanged) at N devices, e.g. 5000, "
        "at the highest concurrency",
    )
    p.add_argument(
        "--no-pin-client",
        action="store_true",
        help=f"do not pin the clients to CPU {CLIENT_CPU} (default: taskset -c {CLIENT_CPU})",
    )
    p.add_argument(
        "--variant-timeout",
        type=float,
        default=1800.0,
        help="seconds before a variant's process is killed (default 1800)",
    )
    p.add_argument(
        "--profile-engine",
        metavar="FILE",
        help="after the table, one more engine run (both phases) under cProfile at the "
        "highest concurrency; stats saved to FILE.first / FILE.unchanged, top functions printed",
    )
    p.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)
    p.add_argument("--spec", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return args
    quick = args.quick
    args.devices = args.devices or (40 if quick else 500)
    args.config_kb = args.config_kb or (8 if quick else 50)
    args.concurrency = args.concurrency or ([10] if quick else [50, 200])
    if args.rss_devices is None:
        args.rss_devices = 0 if quick else TARGET_RSS_DEVICES
    if args.latency_concurrency is None:
        args.latency_concurrency = max(args.concurrency) if quick else 200
    for name in ("devices", "config_kb"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if min(args.concurrency) < 1 or args.latency_concurrency < 1:
        p.error("concurrency must be at least 1")
    if max(args.devices, args.rss_devices, args.large) > 5000:
        p.error("the simulator serves at most 5000 devices")
    return args


# --------------------------------------------------------------------------- measuring


@dataclass
class Result:
    variant: str
    concurrency: int
    devices: int
    label: str = ""
    phase: str = ""  # the engine's: "first" or "unchanged"
    wall: float = float("nan")
    cpu: float = float("nan")  # user + system seconds of the client process, timed part
    peak_rss_mb: float = float("nan")
    failures: int = 0
    failure_kinds: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    captured_kb: float = 0.0  # floor / netmiko: config text read, per device
    changed: int = 0  # engine: devices with a stored snapshot
    sim_cpu: float = float("nan")  # simulator CPU seconds while this variant ran
    error: str = ""  # the variant's process died or timed out

    @property
    def name(self) -> str:
        return " ".join(x for x in (self.variant, self.phase, self.label) if x)

    @property
    def rate(self) -> float:
        return self.devices / self.wall if self.wall and self.wall == self.wall else float("nan")

    @property
    def sim_busy(self) -> float:
        return self.sim_cpu / self.wall if self.wall and self.wall == self.wall else float("nan")


class Meter:
    """Wall time and this process's CPU seconds (all threads) around a block."""

    def __enter__(self) -> Meter:
        self._usage = resource.getrusage(resource.RUSAGE_SELF)
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t0
        end = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = (end.ru_utime - self._usage.ru_utime) + (end.ru_stime - self._usage.ru_stime)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, from /proc (nan where unreadable)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the workers


def worker_main(args: argparse.Namespace) -> int:
    spec = json.loads(Path(args.spec).read_text())
    out = WORKERS[args.worker](spec)
    out.setdefault("peak_rss_mb", peak_rss_mb())
    print("RESULT " + json.dumps(out), flush=True)
    return 0


def _devices(spec: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(name, host, int(port)) for name, host, port in spec["devices"]]


# ---- the floor: connect, log in, enable, paging off, read the config up to the prompt


async def _read_until(
    proc: Any, buf: bytearray, done: Callable[[bytearray], bool], limit: float
) -> None:
    async with asyncio.timeout(limit):
        while not done(buf):
            data = await proc.stdout.read(65536)
            if not data:
                raise ConnectionError("the device closed the session")
            buf += data


async def floor_device(host: str, port: int, password: str, enable: str) -> int:
    import asyncssh

    async with asyncssh.connect(
        host,
        port,
        username=USERNAME,
        password=password,
        known_hosts=None,
        client_keys=None,
        agent_path=None,
        config=None,
        preferred_auth="password",
        connect_timeout=CONNECT_TIMEOUT,
        login_timeout=CONNECT_TIMEOUT,
    ) as conn:
        proc = await conn.create_process(term_type="vt100", encoding=None)
        buf = bytearray()
        await _read_until(proc, buf, lambda b: b.rstrip().endswith((b">", b"#")), CONNECT_TIMEOUT)
        prompt = bytes(buf.rstrip().rsplit(b"\n", 1)[-1].strip())
        name = prompt[:-1]
        privileged = b"\n" + name + b"#"
        if prompt.endswith(b">"):
            buf.clear()
            proc.stdin.write(b"enable\n")
            await _read_until(proc, buf, lambda b: b.endswith(b"Password: "), CONNECT_TIMEOUT)
            buf.clear()
            proc.stdin.write(enable.encode() + b"\n")
            await _read_until(proc, buf, lambda b: b.endswith(name + b"#"), CONNECT_TIMEOUT)
        buf.clear()
        proc.stdin.write(b"terminal length 0\n")
        await _read_until(proc, buf, lambda b: b.endswith(privileged), CONNECT_TIMEOUT)
        buf.clear()
        proc.stdin.write(b"show running-config\n")
        await _read_until(proc, buf, lambda b: b.endswith(privileged), DEVICE_TIMEOUT)
        proc.stdin.write(b"exit\n")
        return len(buf)


async def floor_run(spec: dict[str, Any]) -> dict[str, Any]:
    devices = _devices(spec)
    limit = asyncio.Semaphore(spec["concurrency"])
    kinds: Counter[str] = Counter()
    captured = 0

    async def one(host: str, port: int) -> None:
        nonlocal captured
        async with limit:
            try:
                async with asyncio.timeout(DEVICE_TIMEOUT):
                    got = await floor_device(host, port, spec["password"], spec["enable"])
                captured += got  # not `captured += await ...`: that reads it before awaiting
            except Exception as exc:
                kinds[type(exc).__name__] += 1

    with Meter() as m:
        await asyncio.gather(*(one(host, port) for _, host, port in devices))
    ok = len(devices) - sum(kinds.values())
    return {
        "wall": m.wall,
        "cpu": m.cpu,
        "failures": sum(kinds.values()),
        "failure_kinds": dict(kinds),
        "captured_kb": captured / 1024 / ok if ok else 0.0,
    }


def floor_worker(spec: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(floor_run(spec))


# ---- the engine: the real thing, on a throwaway database and the real keyring


def engine_worker(spec: dict[str, Any]) -> dict[str, Any]:
    from netraven_desktop.core.crud import devices as device_rows
    from netraven_desktop.core.db import Database
    from netraven_desktop.core.db.schema import upgrade
    from netraven_desktop.core.secrets import Secrets, SecretStore, SecretStoreError
    from netraven_desktop.core.services import credentials, runs
    from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
    from netraven_desktop.core.services.events import DeviceRetry, RunEvent

    workdir = Path(tempfile.mkdtemp(prefix="netraven-bench-db-", dir=spec["tmp"]))
    db = Database(f"sqlite:///{workdir / 'bench.db'}")
    store = SecretStore()
    refs_file = Path(spec["refs_file"])
    try:
        upgrade(db)
        credential = credentials.add_credential(
            db,
            store,
            name="bench",
            username=USERNAME,
            secrets=Secrets(password=spec["password"], enable=spec["enable"]),
        )
        refs_file.write_text(credential.keyring_ref + "\n")  # the parent deletes it if we die
        try:
            with db.session() as session:
                for name, host, port in _devices(spec):
                    device_rows.create_device(
                        session, name=name, host=host, port=port, platform=PLATFORM
                    )
            with db.read_session() as session:
                options = EngineOptions.from_settings(session, concurrency=spec["concurrency"])
            retries = 0

            def emit(event: RunEvent) -> None:
                nonlocal retries
                if isinstance(event, DeviceRetry):
                    retries += 1

            async def one_run(profile: str | None) -> tuple[Any, str]:
                engine = BackupEngine(db, store, options, emit)
                profiler = cProfile.Profile() if profile else None
                try:
                    if profiler:
                        profiler.enable()
                    return await engine.run(runs.Selection(all=True)), ""
                except Exception as exc:  # the run itself died: report it with the figures
                    first = (str(exc).strip().splitlines() or [""])[0]
                    log(f"the engine run raised {type(exc).__name__}: {first}")
                    return None, f"the run raised {type(exc).__name__}: {first}"[:200]
                finally:
                    if profiler:
                        profiler.disable()
                        profiler.dump_stats(profile)
                    await db.aclose()

            # The first backup into the empty database, then the same again with nothing
            # changed on the devices (what every later scheduled run mostly is).
            measured = []
            for phase in PHASES:
                retries = 0
                profile = spec.get("profile") and f"{spec['profile']}.{phase}"
                sim_before = process_cpu_seconds(spec["sim_pid"])
                with Meter() as m:
                    summary, error = asyncio.run(one_run(profile))
                figures = _engine_figures(spec, phase, m, summary, error, retries)
                figures["sim_cpu"] = process_cpu_seconds(spec["sim_pid"]) - sim_before
                measured.append(figures)
                if summary is None:
                    break
        finally:
            try:
                store.delete(credential.keyring_ref)
                refs_file.unlink(missing_ok=True)
            except SecretStoreError as exc:  # never mask the run's own error; the parent retries
                log(f"could not delete the keyring entry: {exc}")
    finally:
        db.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return {"phases": measured}


def _engine_figures(
    spec: dict[str, Any], phase: str, m: Meter, summary: Any, error: str, retries: int
) -> dict[str, Any]:
    """One engine run's figures; peak RSS so far (the unchanged run's includes the first's)."""
    out = {"phase": phase, "wall": m.wall, "cpu": m.cpu, "retries": retries}
    out["peak_rss_mb"] = peak_rss_mb()
    if summary is None:
        return out | {"failures": len(spec["devices"]), "error": error}
    return out | {
        "failures": summary.failed + summary.cancelled,
        "failure_kinds": dict(summary.failures),
        "changed": summary.changed,
    }


# ---- netmiko, the way most scripts use it


def netmiko_worker(spec: dict[str, Any]) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from netmiko import ConnectHandler

    def one(host: str, port: int) -> int:
        conn = ConnectHandler(
            device_type=PLATFORM,
            host=host,
            port=port,
            username=USERNAME,
            password=spec["password"],
            secret=spec["enable"],
        )
        try:
            conn.enable()
            return len(conn.send_command("show running-config"))
        finally:
            conn.disconnect()

    devices = _devices(spec)
    kinds: Counter[str] = Counter()
    captured = 0
    with Meter() as m, ThreadPoolExecutor(max_workers=spec["concurrency"]) as pool:
        futures = [pool.submit(one, host, port) for _, host, port in devices]
        for future in as_completed(futures):
            try:
                captured += future.result()
            except Exception as exc:
                kinds[type(exc).__name__] += 1
    ok = len(devices) - sum(kinds.values())
    return {
        "wall": m.wall,
        "cpu": m.cpu,
        "failures": sum(kinds.values()),
        "failure_kinds": dict(kinds),
        "captured_kb": captured / 1024 / ok if ok else 0.0,
    }


# ---- scrapli, asyncio flavour (its asyncssh transport)


async def scrapli_run(spec: dict[str, Any]) -> dict[str, Any]:
    from scrapli.driver.core import AsyncIOSXEDriver

    limit = asyncio.Semaphore(spec["concurrency"])
    kinds: Counter[str] = Counter()
    captured = 0

    async def one(host: str, port: int) -> None:
        nonlocal captured
        async with limit:
            try:
                async with AsyncIOSXEDriver(
                    host=host,
                    port=port,
                    auth_username=USERNAME,
                    auth_password=spec["password"],
                    auth_secondary=spec["enable"],
                    auth_strict_key=False,
                    ssh_config_file=False,
                    transport="asyncssh",
                    timeout_socket=CONNECT_TIMEOUT,
                    timeout_transport=DEVICE_TIMEOUT,
                    timeout_ops=DEVICE_TIMEOUT,
                ) as conn:
                    response = await conn.send_command("show running-config")
                captured += len(response.result)
            except Exception as exc:
                kinds[type(exc).__name__] += 1

    devices = _devices(spec)
    with Meter() as m:
        await asyncio.gather(*(one(host, port) for _, host, port in devices))
    ok = len(devices) - sum(kinds.values())
    return {
        "wall": m.wall,
        "cpu": m.cpu,
        "failures": sum(kinds.values()),
        "failure_kinds": dict(kinds),
        "captured_kb": captured / 1024 / ok if ok else 0.0,
    }


def scrapli_worker(spec: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(scrapli_run(spec))


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "floor": floor_worker,
    "engine": engine_worker,
    "netmiko": netmiko_worker,
    "scrapli": scrapli_worker,
}


# --------------------------------------------------------------------------- the simulator


def sim_command() -> list[str]:
    script = Path(sys.executable).with_name("netraven-desktop")
    return [str(script)] if script.exists() else [sys.executable, "-m", "netraven_desktop"]


def taskset_prefix(cpu: int) -> list[str]:
    """`taskset -c CPU` where both CPUs exist here (else nothing: no pinning)."""
    if shutil.which("taskset") and {SIM_CPU, CLIENT_CPU} <= os.sched_getaffinity(0):
        return ["taskset", "-c", str(cpu)]
    return []


class Sim:
    """`netraven-desktop sim ...` in its own process; `stop()` ends it (idempotent)."""

    def __init__(
        self,
        devices: int,
        config_kb: int,
        workdir: Path,
        *,
        host: str = "127.0.0.1",
        prefix: Sequence[str] = (),
    ) -> None:
        self.cmd = [
            *prefix,
            *taskset_prefix(SIM_CPU),
            *sim_command(),
            "sim",
            "--devices",
            str(devices),
            "--base-port",
            "0",  # any free ports; each device's is printed
            "--platform",
            PLATFORM,
            "--config-kb",
            str(config_kb),
            "--password",
            PASSWORD,
            "--enable-secret",
            ENABLE,
            "--host",
            host,
        ]
        self.count = devices
        self.log_path = workdir / f"sim-{host}.log"
        self.proc: subprocess.Popen[str] | None = None
        self.devices: list[tuple[str, str, int]] = []

    def start(self, timeout: float = 120.0) -> Sim:
        with self.log_path.open("w") as err:
            self.proc = subprocess.Popen(
                self.cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO
            )
        lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert self.proc is not None
            assert self.proc.stdout is not None
            for line in self.proc.stdout:  # ends at EOF: when the simulator exits
                if line.strip() == "ready":
                    ready.set()
                    continue
                lines.append(line)
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            tail = self.log_path.read_text()[-2000:]
            raise RuntimeError(f"the simulator did not become ready: {self.cmd}\n{tail}")
        for line in lines:
            name, _platform, address = line.split()
            host, port = address.rsplit(":", 1)
            self.devices.append((name, host, int(port)))
        if len(self.devices) != self.count:
            self.stop()
            raise RuntimeError(f"the simulator listed {len(self.devices)} of {self.count} devices")
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # taskset and `ip netns exec` exec: this is the simulator itself

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)  # it closes its listeners and sessions on SIGINT
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(15)


# --------------------------------------------------------------------------- network namespaces


def _tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)), None
    )


class NetworkUnavailable(Exception):
    """The latency run cannot be set up here; the message says why."""


class DelayedLink:
    """Two namespaces of our own (client, simulator) joined by a veth pair with netem delay.

    Only addresses inside these namespaces are used (192.0.2.1/30 and 192.0.2.2/30); the
    host's own network is not touched. `close()` removes both namespaces, and with them
    the veth pair; scripts/bench's EXIT trap does the same should this process be killed.
    """

    def __init__(self, delay_ms: float) -> None:
        base = os.environ.get("NETRAVEN_BENCH_NETNS") or f"nrbench{os.getpid()}"
        self.client_ns, self.sim_ns = f"{base}-cli", f"{base}-sim"
        self.veth = os.environ.get("NETRAVEN_BENCH_VETH") or f"nrb{os.getpid() % 10**7}"
        self.veth_peer = self.veth + "p"
        self.delay_ms = delay_ms
        self.ip = _tool("ip") or "ip"
        self.tc = _tool("tc") or "tc"
        self.made: list[str] = []

    @staticmethod
    def unavailable() -> str | None:
        """Why the latency run cannot happen here, or None."""
        if not sys.platform.startswith("linux"):
            return "needs Linux network namespaces"
        if os.geteuid() != 0:
            return "needs root (network namespaces, veth, tc)"
        missing = [t for t in ("ip", "tc") if _tool(t) is None]
        if missing:
            return f"needs {' and '.join(missing)} (Debian package iproute2)"
        return None

    def _run(self, *cmd: str, what: str) -> None:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise NetworkUnavailable(f"{what} failed: {' '.join(cmd)}: {' '.join(said)}")

    def open(self) -> DelayedLink:
        ip, tc = self.ip, self.tc
        try:
            for ns in (self.client_ns, self.sim_ns):
                self._run(ip, "netns", "add", ns, what="creating a network namespace")
                self.made.append(ns)
                self._run(ip, "-n", ns, "link", "set", "lo", "up", what="loopback up")
            self._run(
                ip, "-n", self.client_ns, "link", "add", self.veth, "type", "veth",
                "peer", "name", self.veth_peer, "netns", self.sim_ns,
                what="creating the veth pair",
            )  # fmt: skip
            for ns, dev, addr in (
                (self.client_ns, self.veth, NET_CLIENT_ADDR),
                (self.sim_ns, self.veth_peer, NET_SIM_ADDR),
            ):
                self._run(
                    ip, "-n", ns, "addr", "add", f"{addr}/{NET_PREFIX}", "dev", dev,
                    what="addressing the veth pair",
                )  # fmt: skip
                self._run(ip, "-n", ns, "link", "set", dev, "up", what="veth up")
                if self.delay_ms > 0:
                    try:
                        self._run(
                            ip, "netns", "exec", ns, tc, "qdisc", "add", "dev", dev, "root",
                            "netem", "delay", f"{self.delay_ms:g}ms", "limit", "100000",
                            what="adding netem delay",
                        )  # fmt: skip
                    except NetworkUnavailable as exc:
                        if "unknown" in str(exc).lower() or "no such file" in str(exc).lower():
                            raise NetworkUnavailable(
                                "the kernel has no netem qdisc (sch_netem is not built or "
                                f"not loadable); tc said: {str(exc).rsplit(': ', 1)[-1]}"
                            ) from None
                        raise
        except BaseException:
            self.close()
            raise
        return self

    def exec_prefix(self, ns: str) -> list[str]:
        return [self.ip, "netns", "exec", ns]

    def close(self) -> None:
        """Stop what still runs in our namespaces, then delete them (and the veth pair)."""
        while self.made:
            ns = self.made.pop()
            with contextlib.suppress(Exception):
                pids = subprocess.run(
                    [self.ip, "netns", "pids", ns], capture_output=True, text=True, timeout=10
                ).stdout.split()
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
            with contextlib.suppress(Exception):
                subprocess.run(
                    [self.ip, "netns", "del", ns], capture_output=True, timeout=30, check=False
                )


# --------------------------------------------------------------------------- the parent


@dataclass
class Bench:
    args: argparse.Namespace
    workdir: Path
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _serial: int = 0

    def variant(
        self,
        variant: str,
        sim: Sim,
        devices: int,
        concurrency: int,
        *,
        label: str = "",
        prefix: Sequence[str] = (),
        profile: str | None = None,
        record: bool = True,
    ) -> list[Result]:
        """Run one variant in a fresh child process and collect its figures (the engine's:
        one per phase)."""
        self._serial += 1
        result = Result(variant, concurrency, devices, label)
        spec_path = self.workdir / f"spec-{self._serial}.json"
        refs_file = self.workdir / f"keyring-refs-{self._serial}"
        err_path = self.workdir / f"worker-{self._serial}.log"
        spec = {
            "devices": sim.devices[:devices],
            "concurrency": concurrency,
            "password": PASSWORD,
            "enable": ENABLE,
            "sim_pid": sim.pid,
            "tmp": str(self.workdir),
            "refs_file": str(refs_file),
            "profile": profile,
        }
        spec_path.write_text(json.dumps(spec))
        cmd = [
            *prefix,
            *([] if self.args.no_pin_client else taskset_prefix(CLIENT_CPU)),
            sys.executable,
            "-m",
            "tests.bench.backup_bench",
            "--worker",
            variant,
            "--spec",
            str(spec_path),
        ]
        log(f"{result.name}: {devices} devices at concurrency {concurrency} ...")
        if variant == "engine" and not keyring_healthy():
            if not restart_keyring():
                result.error, result.failures = "no working Secret Service", devices
                if record:
                    self.results.append(result)
                return [result]
            self.notes.append(f"{result.name} c={concurrency}: keyring restarted before the run")
        sim_before = sim.cpu_seconds()
        out = ""
        with err_path.open("w") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO)
            try:
                out, _ = proc.communicate(timeout=self.args.variant_timeout)
            except subprocess.TimeoutExpired:
                result.error = f"killed after {self.args.variant_timeout:g}s"
            finally:
                if proc.poll() is None:
                    proc.kill()
                    out = (out or "") + (proc.communicate()[0] or "")
                self._forget_secrets(refs_file)
        result.sim_cpu = sim.cpu_seconds() - sim_before  # the engine's phases measure their own
        if variant == "engine" and not keyring_healthy():
            self.notes.append(
                f"{result.name} c={concurrency}: the Secret Service (gnome-keyring-daemon) "
                "stopped working during this run"
                + ("; restarted" if restart_keyring() else "; could not restart it")
            )
        line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
        results = [result]
        if line is None:
            tail = err_path.read_text().strip().splitlines()[-1:]  # the exception, usually
            result.error = result.error or f"exit {proc.returncode}: {' '.join(tail)[:200]}"
            result.failures = devices
        else:
            data = json.loads(line[len("RESULT ") :])
            phases = data.pop("phases", None)
            if phases:
                results = [replace(result) for _ in phases]
            for r, figures in zip(results, phases or [data], strict=True):
                for key, value in figures.items():
                    setattr(r, key, value)
        for r in results:
            if r.error:
                log(f"{r.name}: FAILED: {r.error}")
                for line in err_path.read_text().strip().splitlines()[-60:]:
                    log(f"    {line}")
            else:
                log(
                    f"{r.name}: {r.wall:.2f}s wall, {r.cpu:.2f} CPU s, "
                    f"{r.peak_rss_mb:.0f} MB, {r.failures} failed"
                )
        if record:
            self.results.extend(results)
        return results

    @staticmethod
    def _forget_secrets(refs_file: Path) -> None:
        """A worker that died before cleaning up leaves its keyring reference: delete it."""
        if not refs_file.exists():
            return
        from netraven_desktop.core.secrets import SecretStore

        store = SecretStore()
        for ref in refs_file.read_text().split():
            with contextlib.suppress(Exception):
                store.delete(ref)
        refs_file.unlink(missing_ok=True)

    def warm_up(self, sim: Sim, concurrency: int, prefix: Sequence[str] = ()) -> None:
        """One untimed floor pass: the simulator builds each device's config on first read."""
        (r,) = self.variant(
            "floor", sim, sim.count, concurrency, label="(warm-up)", prefix=prefix, record=False
        )
        if r.error or r.failures:
            self.notes.append(f"warm-up: {r.failures} failed {r.failure_kinds or r.error}")


KEYRING_PROBE = "credential/netraven-bench-probe"


def keyring_healthy() -> bool:
    """A store / read / delete round trip through the Secret Service works."""
    from netraven_desktop.core.secrets import Secrets, SecretStore

    store = SecretStore()
    try:
        store.put(KEYRING_PROBE, Secrets(password="probe"))
        ok = store.get(KEYRING_PROBE).password == "probe"
        store.delete(KEYRING_PROBE)
    except Exception:
        return False
    return ok


def restart_keyring() -> bool:
    """Replace a dead or locked gnome-keyring-daemon with a fresh, unlocked one.

    Only inside scripts/bench's private session, which names the throwaway keyring's
    password; a user's own keyring is never touched.
    """
    password = os.environ.get("NETRAVEN_KEYRING_PASSWORD")
    daemon = shutil.which("gnome-keyring-daemon")
    if not password or not daemon:
        return False
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        done = subprocess.run(
            [daemon, "--replace", "--unlock", "--components=secrets"],
            input=password,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        for line in done.stdout.splitlines():
            key, eq, value = line.partition("=")
            if eq and key.isupper():
                os.environ[key] = value
    for _ in range(20):  # bounded: 5 s
        if keyring_healthy():
            return True
        time.sleep(0.25)
    return False


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_keyring() -> str:
    from netraven_desktop.core.secrets import SecretStore, SecretStoreError

    try:
        return SecretStore().describe()
    except SecretStoreError as exc:
        raise SystemExit(
            f"bench: error: {exc}\nbench: run it through scripts/bench, which starts a "
            "private, unlocked Secret Service"
        ) from None


def header(args: argparse.Namespace, keyring_backend: str) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    pinned = bool(taskset_prefix(SIM_CPU))
    versions = ", ".join(
        f"{pkg} {_version(pkg) or 'not installed'}"
        for pkg in ("asyncssh", "SQLAlchemy", "netmiko", "scrapli")
    )
    print("NetRaven Desktop backup benchmark")
    print(f"  {len(cpus)} CPU(s) {cpus}; Python {sys.version.split()[0]}; {versions}")
    print(
        f"  simulator: {PLATFORM}, {args.config_kb} KB configs with secrets every few lines, "
        + (f"pinned to CPU {SIM_CPU} (taskset)" if pinned else "not pinned (no taskset / 1 CPU)")
        + (
            f"; every client (the engine too) pinned to CPU {CLIENT_CPU}"
            if pinned and not args.no_pin_client
            else "; clients unpinned"
        )
    )
    print(f"  keyring: {keyring_backend}")
    print(flush=True)


def fmt(value: float, spec: str) -> str:
    return "-" if value != value else format(value, spec)


def print_table(results: list[Result]) -> None:
    floors = {(r.label, r.concurrency, r.devices): r for r in results if r.variant == "floor"}
    cols = (
        ("variant", "<", 24),
        ("conc", ">", 5),
        ("devices", ">", 7),
        ("wall s", ">", 8),
        ("dev/s", ">", 7),
        ("CPU s", ">", 7),
        ("peak RSS MB", ">", 11),
        ("failures", ">", 8),
        ("sim CPU", ">", 7),
        ("wall/floor", ">", 10),
    )
    head = "  ".join(f"{name:{align}{width}}" for name, align, width in cols)
    print(head)
    print("-" * len(head))
    for r in results:
        floor = floors.get((r.label, r.concurrency, r.devices))
        ratio = (
            r.wall / floor.wall
            if floor and not r.error and not floor.error and floor.wall
            else float("nan")
        )
        cells = (
            r.name,
            str(r.concurrency),
            str(r.devices),
            fmt(r.wall, ".2f"),
            fmt(r.rate, ".1f"),
            fmt(r.cpu, ".2f"),
            fmt(r.peak_rss_mb, ".0f"),
            str(r.failures),
            fmt(r.sim_busy * 100, ".0f") + ("%" if r.sim_busy == r.sim_busy else ""),
            "-" if r.variant == "floor" else fmt(ratio, ".2f") + ("x" if ratio == ratio else ""),
        )
        print("  ".join(f"{c:{a}{w}}" for c, (_, a, w) in zip(cells, cols, strict=True)))
    print(
        "  wall/floor = this variant's wall time / the floor's at the same concurrency "
        "(engine wall / floor wall, netmiko wall / floor wall);"
    )
    print(
        "  CPU s = user+system seconds of the client process while timed; sim CPU = the "
        "simulator's CPU time / wall (100% = its one core saturated)."
    )


def _status(ok: bool | None) -> str:
    return {True: "[MET]    ", False: "[NOT MET]", None: "[n/a]    "}[ok]


def print_targets(results: list[Result], args: argparse.Namespace, latency: str | None) -> None:
    def of(variant: str, label: str, concurrency: int, devices: int, phase: str = "") -> Result:
        for r in results:
            key = (r.variant, r.label, r.concurrency, r.devices, r.phase)
            if key == (variant, label, concurrency, devices, phase) and not r.error:
                return r
        return Result(variant, concurrency, devices, label, phase)  # not run: nan figures

    print()
    print("Targets (each ratio against figures measured in this run)")
    runs = [("", c, args.devices) for c in args.concurrency]
    if args.large:
        runs.append(("(large)", max(args.concurrency), args.large))
    for label, concurrency, devices in runs:
        floor = of("floor", label, concurrency, devices)
        where = f"{devices} devices, concurrency {concurrency}"
        for phase in PHASES:
            engine = of("engine", label, concurrency, devices, phase)
            x = engine.wall / floor.wall
            limit = TARGET_RATIO[phase]
            ok = None if x != x else x <= limit
            print(f"  {_status(ok)} {where}: engine {phase} <= {limit}x floor: {fmt(x, '.2f')}x")
            for peer in PEERS:
                other = of(peer, label, concurrency, devices)
                if other.wall == other.wall:
                    faster = engine.wall < other.wall
                    print(
                        f"  {_status(faster)} {where}: engine {phase} faster than {peer}: "
                        f"{fmt(engine.wall, '.2f')} s vs {other.wall:.2f} s"
                    )
        failed = [
            r
            for r in results
            if r.variant == "engine"
            and (r.label, r.concurrency, r.devices) == (label, concurrency, devices)
        ]
        bad = sum(r.failures for r in failed)
        errors = [r.error for r in failed if r.error]
        ok = None if not failed else not bad and not errors
        print(
            f"  {_status(ok)} {where}: engine failures with default settings: {bad}"
            + (f" ({'; '.join(errors)})" if errors else "")
        )
    rss = [r for r in results if r.variant == "engine" and r.devices == TARGET_RSS_DEVICES]
    if rss:
        r = max(rss, key=lambda x: x.peak_rss_mb)
        ok = None if r.error else r.peak_rss_mb < TARGET_RSS_MB
        figure = f"{fmt(r.peak_rss_mb, '.0f')} MB at {r.devices} devices"
        figure += f", concurrency {r.concurrency}"
        if r.error:
            figure += f"; not valid: {r.error}"
    else:
        ok, figure = None, f"no run with {TARGET_RSS_DEVICES} devices"
    print(
        f"  {_status(ok)} engine peak RSS < {TARGET_RSS_MB:.0f} MB at {TARGET_RSS_DEVICES} "
        f"devices: {figure}"
    )
    lat = [r for r in results if r.label.startswith("@")]
    if lat:
        floor = next((r for r in lat if r.variant == "floor"), None)
        for r in lat:
            if r.variant == "engine" and floor and not r.error and not floor.error:
                x = r.wall / floor.wall
                print(
                    f"  {_status(x <= TARGET_RATIO[r.phase])} with {2 * args.delay_ms:g} ms RTT: "
                    f"engine {r.phase} wall {x:.2f}x the floor, {r.failures} failed"
                )
    else:
        print(f"  [skipped] latency run: {latency}")


def print_notes(bench: Bench) -> None:
    lines = list(bench.notes)
    for r in bench.results:
        bits = []
        if r.failure_kinds:
            bits.append("failures " + ", ".join(f"{k} x{v}" for k, v in r.failure_kinds.items()))
        if r.retries:
            bits.append(f"{r.retries} retried")
        stored = r.devices - r.failures if r.phase == "first" else 0  # what it should store
        if r.variant == "engine" and not r.error and r.changed != stored:
            bits.append(f"{r.changed} stored")
        if r.captured_kb and r.variant != "floor":
            bits.append(f"{r.captured_kb:.1f} KB/device read")
        if r.error:
            bits.append(r.error)
        if bits:
            lines.append(f"{r.name} c={r.concurrency}: " + "; ".join(bits))
    floors = [r for r in bench.results if r.variant == "floor" and r.captured_kb]
    if floors:
        lines.append(f"floor read {floors[0].captured_kb:.1f} KB/device")
    if lines:
        print()
        print("Notes")
        for line in lines:
            print(f"  {line}")


def print_profile(path: str) -> None:
    text = io.StringIO()
    stats = pstats.Stats(path, stream=text)
    stats.sort_stats("tottime").print_stats(20)
    body = text.getvalue()
    start = body.find("   ncalls")
    print()
    print(f"Engine profile (cProfile, by own time; saved to {path})")
    print(body[start:] if start >= 0 else body)


@contextlib.contextmanager
def signals_exit() -> Iterator[None]:
    """SIGTERM / SIGHUP unwind like ctrl-C, so every cleanup below runs."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def parent_main(args: argparse.Namespace) -> int:
    keyring_backend = check_keyring()
    header(args, keyring_backend)
    variants = ["floor", "engine"]
    skipped = []
    for peer in PEERS:
        if getattr(args, f"no_{peer}"):
            skipped.append(f"{peer} skipped: --no-{peer}")
        elif _version(peer) is None:
            skipped.append(f"{peer} skipped: not installed (scripts/bench installs it)")
        else:
            variants.append(peer)
    latency_skip = "--no-latency" if args.no_latency else DelayedLink.unavailable()
    with (
        signals_exit(),
        tempfile.TemporaryDirectory(prefix="netraven-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        bench = Bench(args, Path(tmp))
        bench.notes.extend(skipped)
        log(f"starting the simulator: {args.devices} devices ...")
        sim = Sim(args.devices, args.config_kb, bench.workdir).start()
        stack.callback(sim.stop)
        bench.warm_up(sim, max(args.concurrency))
        for concurrency in args.concurrency:
            for variant in variants:
                bench.variant(variant, sim, args.devices, concurrency)
        if args.profile_engine:
            bench.variant(
                "engine",
                sim,
                args.devices,
                max(args.concurrency),
                profile=str(Path(args.profile_engine).absolute()),
                record=False,
            )
        sim.stop()
        if args.rss_devices:
            # Its own simulator: a bigger fleet makes the simulator itself slower, which
            # must not leak into the figures above.
            log(f"starting the simulator: {args.rss_devices} devices ...")
            sim = Sim(args.rss_devices, args.config_kb, bench.workdir).start()
            stack.callback(sim.stop)
            bench.warm_up(sim, max(args.concurrency))
            bench.variant("engine", sim, args.rss_devices, max(args.concurrency), label="(RSS)")
            sim.stop()
        if args.large:
            log(f"starting the simulator: {args.large} devices ...")
            sim = Sim(args.large, args.config_kb, bench.workdir).start()
            stack.callback(sim.stop)
            bench.warm_up(sim, max(args.concurrency))
            for variant in ("floor", "engine"):
                bench.variant(variant, sim, args.large, max(args.concurrency), label="(large)")
            sim.stop()
        if latency_skip is None:
            latency_skip = latency_run(bench, stack)
    print()
    print_table(bench.results)
    print_targets(bench.results, args, latency_skip)
    print_notes(bench)
    if args.profile_engine:
        for phase in PHASES:
            print_profile(f"{Path(args.profile_engine).absolute()}.{phase}")
    return 0


def latency_run(bench: Bench, stack: contextlib.ExitStack) -> str | None:
    """The floor and the engine behind a delayed link; returns why it was skipped, if it was."""
    args = bench.args
    link = DelayedLink(args.delay_ms)
    stack.callback(link.close)
    try:
        link.open()
    except NetworkUnavailable as exc:
        return str(exc)
    label = f"@{2 * args.delay_ms:g}ms RTT"
    log(f"latency run: namespaces {link.client_ns} / {link.sim_ns}, {label}")
    sim = Sim(
        args.devices,
        args.config_kb,
        bench.workdir,
        host=NET_SIM_ADDR,
        prefix=link.exec_prefix(link.sim_ns),
    ).start()
    try:
        client = link.exec_prefix(link.client_ns)
        bench.warm_up(sim, args.latency_concurrency, prefix=client)
        for variant in ("floor", "engine"):
            bench.variant(
                variant, sim, args.devices, args.latency_concurrency, label=label, prefix=client
            )
    finally:
        sim.stop()
        link.close()
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.worker:
        return worker_main(args)
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
