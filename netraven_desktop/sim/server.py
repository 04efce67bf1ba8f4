"""The SSH device simulator: one asyncssh listener per device, all on one event loop.

Each device has its own loopback port, host key, credentials, generated configuration
(built once, on first read, and cached) and fault set. A session behaves like the real
CLI: a PTY shell with echo and CRLF line endings, prompts, a pager, enable, errors for
unknown commands; exec requests (``conn.run("show version")``) run one command, privileged
and unpaged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import asyncssh
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from .personalities import (
    EXTRAS,
    DeviceImage,
    Line,
    Moment,
    Personality,
    Seed,
    Volatile,
    build_image,
    error_lines,
    personality,
)

FAULTS = ("wrong_password", "slow", "hang", "disconnect", "host_key_changed", "no_prompt")

_EXIT_COMMANDS = frozenset({"exit", "quit", "logout", "/quit"})
_CHUNK = 1024


@dataclass
class SimDevice:
    name: str
    platform: str
    username: str = "admin"
    password: str = "admin"
    enable_secret: str = "enable"
    config_kb: int = 4
    authorized_keys: list[str] = field(default_factory=list)  # OpenSSH public key lines
    faults: set[str] = field(default_factory=set)
    port: int = 0  # filled by Simulator.start()


Piece = bytes | Volatile | type(EXTRAS)


class _State:
    """The simulator's side of one device: key, listener, cached image, clock."""

    def __init__(self, device: SimDevice, host_key: asyncssh.SSHKey) -> None:
        self.device = device
        self.persona: Personality = personality(device.platform)
        self.host_key = host_key
        self.rotations = 0
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.extras: list[str] = []
        self._compiled: dict[str, list[Piece]] | None = None
        self._secrets: tuple[str, ...] = ()
        self._facts: dict[str, str] = {}
        self._last_t = 0.0
        self._seq = 0
        self._rng = random.Random()
        self._keys_src: tuple[str, ...] | None = None
        self._keys: frozenset[bytes] = frozenset()

    @property
    def compiled(self) -> dict[str, list[Piece]]:
        """Every command's output, generated on first use; only the joined bytes are kept."""
        if self._compiled is None:
            d = self.device
            seed = Seed(d.name, d.username, d.config_kb, random.Random(f"{d.platform}/{d.name}"))
            image: DeviceImage = build_image(d.platform, seed)
            self._compiled = {
                cmd: _compile(lines) for cmd, lines in (image.other | image.outputs).items()
            }
            self._secrets, self._facts = tuple(image.secrets), dict(image.facts)
        return self._compiled

    @property
    def secrets(self) -> tuple[str, ...]:
        _ = self.compiled
        return self._secrets

    @property
    def facts(self) -> dict[str, str]:
        _ = self.compiled
        return self._facts

    def moment(self) -> Moment:
        """A new read: the device clock advances at least one second per read."""
        self._last_t = max(time.time(), self._last_t + 1.0)
        self._seq += 1
        return Moment(datetime.fromtimestamp(int(self._last_t), UTC), self._seq, self._rng)

    def render(self, command: str, moment: Moment | None = None) -> bytes | None:
        """The command's output as printed (CRLF line endings), volatile lines rendered fresh."""
        pieces = self.compiled.get(command)
        if pieces is None:
            return None
        m = None
        out: list[bytes] = []
        for piece in pieces:
            if isinstance(piece, bytes):
                out.append(piece)
            elif isinstance(piece, Volatile):
                m = m or moment or self.moment()
                out.append(piece.render(m).encode() + b"\r\n")
            else:
                out.extend(line.encode() + b"\r\n" for line in self.extras)
        return b"".join(out)

    def key_allowed(self, key: asyncssh.SSHKey) -> bool:
        src = tuple(self.device.authorized_keys)
        if src != self._keys_src:
            keys = set()
            for text in src:
                if text.strip():
                    keys.add(asyncssh.import_public_key(text.strip()).public_data)
            self._keys_src, self._keys = src, frozenset(keys)
        return key.public_data in self._keys


def _compile(lines: list[Line]) -> list[Piece]:
    pieces: list[Piece] = []
    run: list[str] = []
    for line in lines:
        if isinstance(line, str):
            run.append(line)
            continue
        if run:
            pieces.append(("\r\n".join(run) + "\r\n").encode())
            run = []
        pieces.append(line)
    if run:
        pieces.append(("\r\n".join(run) + "\r\n").encode())
    return pieces


def _make_key(seed: str | None, name: str, n: int) -> asyncssh.SSHKey:
    if seed is None:
        return asyncssh.generate_private_key("ssh-ed25519")
    raw = hashlib.sha256(f"{seed}\0{name}\0{n}".encode()).digest()
    pem = Ed25519PrivateKey.from_private_bytes(raw).private_bytes(
        Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()
    )
    return asyncssh.import_private_key(pem)


class _SimServer(asyncssh.SSHServer):
    def __init__(self, sim: Simulator, state: _State) -> None:
        self._sim = sim
        self._state = state
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._sim._conns.add(conn)
        self._sim.peak_connections = max(self._sim.peak_connections, len(self._sim._conns))

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._sim._conns.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        d = self._state.device
        if "wrong_password" in d.faults:
            return False
        return username == d.username and password == d.password

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self._state.device.username and self._state.key_allowed(key)


class _Stop(Exception):
    """The session is over (logout, EOF, or a fault that ends it)."""


class _Session:
    def __init__(self, sim: Simulator, state: _State, process: asyncssh.SSHServerProcess) -> None:
        self.sim = sim
        self.st = state
        self.dev = state.device
        self.p = state.persona
        self.proc = process
        self.buf = bytearray()
        self.skip_lf = False
        self.out = bytearray()
        self.privileged = self.p.starts_privileged
        self.paging = self.p.pages
        self.ctx: list[str] = []
        self.console_paging_off = False
        words = set()
        for cmd in (*state.compiled, *self.p.paging_off):
            words.add(cmd.split()[0])
        if self.p.enable_command:
            words.add(self.p.enable_command)
        self.first_words = words

    # ---- I/O

    def write(self, data: bytes | str) -> None:
        self.out += data.encode() if isinstance(data, str) else data

    async def flush(self) -> None:
        if not self.out:
            return
        data = bytes(self.out)
        self.out.clear()
        stdout = self.proc.stdout
        if "slow" in self.dev.faults:
            for i in range(0, len(data), _CHUNK):
                stdout.write(data[i : i + _CHUNK])
                await stdout.drain()
                await asyncio.sleep(self.sim.slow_delay)
        else:
            stdout.write(data)
            await stdout.drain()

    async def fill(self) -> None:
        """Wait for more input; raise _Stop at end of input."""
        while True:
            try:
                data = await self.proc.stdin.read(4096)
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged):
                continue
            if not data:
                raise _Stop
            self.buf += data
            return

    async def readline(self, echo: bool = True) -> str:
        line = bytearray()
        while True:
            shown = bytearray()
            for i, c in enumerate(self.buf):
                if self.skip_lf:
                    self.skip_lf = False
                    if c == 0x0A:
                        continue
                if c in (0x0D, 0x0A):
                    self.skip_lf = c == 0x0D
                    del self.buf[: i + 1]
                    self.write(bytes(shown) + b"\r\n")
                    return line.decode(errors="replace")
                if c in (0x08, 0x7F):
                    if line:
                        line.pop()
                        shown += b"\b \b" if echo else b""
                elif c == 0x03:  # Ctrl-C abandons the line
                    del self.buf[: i + 1]
                    self.write(bytes(shown) + b"^C\r\n")
                    return ""
                elif c >= 0x20 or c == 0x09:
                    line.append(c)
                    if echo:
                        shown.append(c)
            self.buf.clear()
            if shown:
                self.write(bytes(shown))
            await self.flush()
            await self.fill()

    async def readkey(self) -> int:
        while True:
            while self.buf:
                c = self.buf.pop(0)
                if self.skip_lf:
                    self.skip_lf = False
                    if c == 0x0A:
                        continue
                self.skip_lf = c == 0x0D
                return c
            await self.fill()

    async def drain_forever(self) -> None:
        """Keep the session open, ignoring input, until the client goes away."""
        while True:
            self.buf.clear()
            await self.fill()

    # ---- the CLI

    def prompt(self) -> str:
        ctx = f" ({self.ctx[-1]})" if self.ctx else ""
        return self.p.prompt(self.dev.name, self.dev.username, self.privileged, ctx)

    async def run(self) -> None:
        if self.proc.command is not None:
            await self.exec(self.proc.command)
            return
        if self.p.banner:
            self.write(self.p.banner.replace("{name}", self.dev.name))
        if "no_prompt" in self.dev.faults:
            self.write("\r\nUnauthorized access prohibited.\r\n\r\nlogin: ")
            await self.flush()
            await self.drain_forever()
        self.write(self.prompt())
        await self.flush()
        while True:
            line = await self.readline()
            await self.command(line)
            self.write(self.prompt())
            await self.flush()

    async def exec(self, command: str) -> None:
        self.privileged, self.paging = True, False
        cmd = " ".join(command.split())
        await self.sim.think()
        data = self.st.render(cmd)
        if data is None:
            self.write("\r\n".join(error_lines(self.p.error, "", cmd, 0)) + "\r\n")
            await self.flush()
            self.proc.exit(1)
            return
        await self.output(data, backup=cmd in self.p.commands)
        await self.flush()
        self.proc.exit(0)

    async def command(self, line: str) -> None:
        p = self.p
        cmd = " ".join(line.split())
        if not cmd:
            return
        await self.sim.think()
        if cmd in _EXIT_COMMANDS and not self.ctx:
            await self.flush()
            self.proc.exit(0)
            raise _Stop
        if p.config_contexts and self.context_command(cmd):
            return
        if cmd in p.paging_off and not p.config_contexts:
            if cmd == p.paging_off_by:
                self.paging = False
            if cmd in p.paging_off_output:
                self.write(p.paging_off_output[cmd] + "\r\n")
            return
        if p.enable_command and cmd == p.enable_command:
            await self.enable()
            return
        if p.enable_command and cmd == "disable":
            self.privileged = False
            return
        needs_priv = p.enable_command is not None and cmd in p.commands
        data = None if needs_priv and not self.privileged else self.st.render(cmd)
        if data is None:
            self.error(line.strip(), cmd)
            return
        await self.output(data, backup=cmd in p.commands)

    def context_command(self, cmd: str) -> bool:
        """FortiOS configuration contexts; True when handled."""
        words = cmd.split()
        if words[0] == "config" and len(words) > 1:
            self.ctx.append(words[-1])
            return True
        if not self.ctx:
            return False
        if cmd in ("end", "abort"):
            if cmd == "end" and self.ctx[-1] == "console":
                self.paging = not self.console_paging_off
            self.ctx.clear()
            return True
        if words[0] in ("set", "unset", "edit", "next", "append", "select"):
            if self.ctx[-1] == "console" and cmd.startswith("set output "):
                self.console_paging_off = cmd == "set output standard"
            return True
        return False

    def error(self, raw: str, cmd: str) -> None:
        words = raw.split()
        bad = 0
        if len(words) > 1 and words[0] in self.first_words:
            bad = raw.find(words[1], len(words[0]))
        lines = error_lines(self.p.error, self.prompt(), raw, bad)
        self.write("".join(x + "\r\n" for x in lines))

    async def enable(self) -> None:
        if self.privileged:
            return
        self.write("Password: ")
        await self.flush()
        secret = await self.readline(echo=False)
        if secret == self.dev.enable_secret:
            self.privileged = True
        else:
            self.write("% Access denied\r\n\r\n")

    async def output(self, data: bytes, *, backup: bool) -> None:
        faults = self.dev.faults
        cut = backup and ("hang" in faults or "disconnect" in faults)
        if cut:
            half = len(data) // 2
            nl = data.rfind(b"\r\n", 0, half)
            data = data[: nl + 2 if nl > 0 else half]
        await self.paged(data)
        if not cut:
            return
        await self.flush()
        if "disconnect" in self.dev.faults:
            self.proc.get_extra_info("connection").close()
            raise _Stop
        await self.drain_forever()

    async def paged(self, data: bytes) -> None:
        if not (self.paging and self.p.pages):
            self.write(data)
            return
        lines = data.split(b"\r\n")
        if lines and not lines[-1]:
            lines.pop()
        total, pos, page = len(lines), 0, self.sim.more_every
        while pos < total:
            chunk = lines[pos : pos + page]
            pos += len(chunk)
            self.write(b"\r\n".join(chunk) + b"\r\n")
            if pos >= total:
                return
            more = self.p.more(pos * 100 // total)
            self.write(more)
            await self.flush()
            key = await self.readkey()
            self.write(self.p.erase(more))
            if key == 0x20:
                page = self.sim.more_every
            elif key in (0x0D, 0x0A):
                page = 1
            else:  # q and anything else: abandon the rest
                return


class Simulator:
    """Many simulated devices on one event loop, one loopback port each."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        more_every: int = 24,
        slow_delay: float = 0.05,
        key_seed: str | None = None,
        command_delay: float = 0.0,
    ) -> None:
        self.host = host
        self.more_every = max(1, more_every)
        self.slow_delay = slow_delay
        # Seconds every device takes to answer each command, like a busy real one: a
        # fleet's backup is then bound by waiting, not by this machine's CPU.
        self.command_delay = command_delay
        self.key_seed = key_seed  # set: host keys derived from it (stable across restarts)
        self._states: dict[str, _State] = {}
        self._conns: set[asyncssh.SSHServerConnection] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.peak_connections = 0  # most SSH connections open at once, for tests

    async def think(self) -> None:
        """Wait `command_delay` before answering a command."""
        if self.command_delay:
            await asyncio.sleep(self.command_delay)

    async def __aenter__(self) -> Simulator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, devices: list[SimDevice], base_port: int = 0) -> None:
        """Listen for every device: OS-chosen ports (base_port 0) or base_port, base_port+1..."""
        for d in devices:
            if d.name in self._states:
                raise ValueError(f"duplicate device name {d.name!r}")
            personality(d.platform)  # KeyError for an unknown platform
            unknown = set(d.faults) - set(FAULTS)
            if unknown:
                raise ValueError(f"{d.name}: unknown faults {sorted(unknown)}")
        try:
            for i, d in enumerate(devices):
                st = _State(d, _make_key(self.key_seed, d.name, 0))
                self._states[d.name] = st
                if "host_key_changed" in d.faults:
                    self._rotate(st)
                st.acceptor = await asyncssh.listen(
                    self.host,
                    base_port + i if base_port else 0,
                    server_factory=partial(_SimServer, self, st),
                    server_host_keys=[st.host_key],
                    process_factory=partial(self._handle, st),
                    encoding=None,
                    line_editor=False,
                    allow_scp=False,
                    agent_forwarding=False,
                    x11_forwarding=False,
                    server_version=st.persona.server_version,
                    reuse_address=True,
                )
                d.port = st.acceptor.get_port()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Close every listener and connection and wait for the sessions to end."""
        acceptors = [st.acceptor for st in self._states.values() if st.acceptor is not None]
        for st in self._states.values():
            st.acceptor = None
        for acceptor in acceptors:
            acceptor.close()
        for acceptor in acceptors:
            await acceptor.wait_closed()
        conns = list(self._conns)
        for conn in conns:
            conn.close()
        for conn in conns:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 5)
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=5)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1)
        self._states.clear()

    async def _handle(self, st: _State, process: asyncssh.SSHServerProcess) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await _Session(self, st, process).run()
        except (_Stop, asyncssh.Error, OSError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                process.exit(0)

    # ---- inspection and control

    def _state(self, name: str) -> _State:
        try:
            return self._states[name]
        except KeyError:
            raise KeyError(f"no simulated device {name!r}") from None

    @property
    def devices(self) -> list[SimDevice]:
        return [st.device for st in self._states.values()]

    def device(self, name: str) -> SimDevice:
        return self._state(name).device

    def config_text(self, name: str) -> str:
        """The backup commands' output, concatenated, as one read would print it ("\\n" EOLs)."""
        st = self._state(name)
        m = st.moment()
        return "".join(
            (st.render(cmd, m) or b"").decode().replace("\r\n", "\n") for cmd in st.persona.commands
        )

    def secrets(self, name: str) -> list[str]:
        return list(self._state(name).secrets)

    def facts(self, name: str) -> dict[str, str]:
        """model / serial / os_version as the device prints them (where it has them)."""
        return dict(self._state(name).facts)

    def change_config(self, name: str, line: str) -> None:
        self._state(name).extras.extend(line.splitlines())

    def set_extra_config(self, name: str, text: str) -> None:
        """Serve `text` where `change_config` lines go, instead of any served there before
        (a test's own configuration lines, e.g. a secret that then changes)."""
        self._state(name).extras[:] = text.splitlines()

    def set_fault(self, name: str, fault: str | None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        st = self._state(name)
        st.device.faults = {fault} if fault else set()
        if fault == "host_key_changed":
            self._rotate(st)

    def rotate_host_key(self, name: str) -> None:
        self._rotate(self._state(name))

    def _rotate(self, st: _State) -> None:
        st.rotations += 1
        st.host_key = _make_key(self.key_seed, st.device.name, st.rotations)
        if st.acceptor is not None:
            st.acceptor.update(server_host_keys=[st.host_key])

    def host_key_fingerprint(self, name: str) -> str:
        return self._state(name).host_key.get_fingerprint("sha256")

    def host_public_key(self, name: str) -> str:
        """The current host key as an OpenSSH public key line."""
        return self._state(name).host_key.export_public_key().decode().strip()
