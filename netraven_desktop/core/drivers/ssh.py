"""One SSH session to one device: login, find the prompt, paging off, enable, capture.

Host keys are trusted on first use: with a stored key the session accepts only that key
(and only its algorithm), and a different key fails *before* any password is sent.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

import asyncssh
from asyncssh.encryption import get_default_encryption_algs
from asyncssh.kex import get_default_kex_algs
from asyncssh.mac import get_default_mac_algs

from .errors import BackupError
from .filters import strip_terminal_noise
from .profiles import PlatformProfile

# Old gear (IOS 12, ASA 8, ProCurve) speaks only these; allowed per device, on request.
LEGACY_KEX = (
    b"diffie-hellman-group14-sha1",
    b"diffie-hellman-group-exchange-sha1",
    b"diffie-hellman-group1-sha1",
)
LEGACY_CIPHERS = (b"aes128-cbc", b"aes192-cbc", b"aes256-cbc", b"3des-cbc")
LEGACY_MACS = (b"hmac-sha1-96", b"hmac-md5")


@dataclass(frozen=True, repr=False)
class Login:
    """Who to log in as. Never printed: `repr` names only the username and method."""

    username: str
    password: str | None = None
    key_path: str | None = None
    passphrase: str | None = None
    enable_secret: str | None = None

    def __repr__(self) -> str:
        return f"Login({self.username!r}, {'key' if self.key_path else 'password'})"


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    profile: PlatformProfile
    connect_timeout: float = 15.0
    legacy_algorithms: bool = False
    # The trusted host key in OpenSSH format, or None on first use.
    host_key: str | None = None


@dataclass
class Capture:
    """What a session brought back: raw output, and the host key it saw."""

    config: str
    version: str
    host_key: str
    host_key_type: str
    fingerprint: str
    timings: dict[str, float] = field(default_factory=dict)


class _TrustOnFirstUse(asyncssh.SSHClient):
    def __init__(self, trusted: asyncssh.SSHKey | None) -> None:
        self.trusted = trusted
        self.seen: asyncssh.SSHKey | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.seen = key
        if self.trusted is None:
            return True
        return key.public_data == self.trusted.public_data


def _connect_options(target: Target, login: Login) -> dict[str, object]:
    options: dict[str, object] = {
        "port": target.port,
        "username": login.username,
        "known_hosts": ([], [], []),  # every key goes through _TrustOnFirstUse
        "connect_timeout": target.connect_timeout,
        "login_timeout": target.connect_timeout,
        "agent_path": None,
        "config": None,  # the user's ~/.ssh/config must not change what we do
        "keepalive_interval": 15,
    }
    if login.key_path:
        options["client_keys"] = [login.key_path]
        options["passphrase"] = login.passphrase
        options["password"] = None
        options["preferred_auth"] = "publickey"
    else:
        options["client_keys"] = None
        options["password"] = login.password
        options["preferred_auth"] = "keyboard-interactive,password"
    if target.legacy_algorithms:
        options["kex_algs"] = _names(get_default_kex_algs(), LEGACY_KEX)
        options["encryption_algs"] = _names(get_default_encryption_algs(), LEGACY_CIPHERS)
        options["mac_algs"] = _names(get_default_mac_algs(), LEGACY_MACS)
    if target.host_key:
        trusted = asyncssh.import_public_key(target.host_key)
        options["server_host_key_algs"] = [trusted.algorithm.decode()]
    return options


async def capture(target: Target, login: Login) -> Capture:
    """Log in, run the platform's commands and return their raw output.

    Every failure is a BackupError whose class says what a user can do about it.
    """
    trusted = asyncssh.import_public_key(target.host_key) if target.host_key else None
    client = _TrustOnFirstUse(trusted)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        conn, _ = await asyncssh.create_connection(
            lambda: client, target.host, **_connect_options(target, login)
        )
    except asyncssh.HostKeyNotVerifiable:
        raise BackupError(
            "host_key_changed", f"{target.host}:{target.port} presented a different key"
        ) from None
    except asyncssh.PermissionDenied:
        raise BackupError("auth_failed", f"as {login.username!r}") from None
    except asyncssh.KeyExchangeFailed as exc:
        raise BackupError("ssh_negotiation", exc.reason) from None
    except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, OSError) as exc:
        if isinstance(exc, (asyncssh.KeyImportError, asyncssh.KeyEncryptionError)):
            raise BackupError("auth_failed", f"cannot use the SSH key: {exc}") from None
        raise BackupError("unreachable", f"{target.host}:{target.port}: {_reason(exc)}") from None
    except (TimeoutError, asyncssh.ConnectionLost) as exc:
        raise BackupError(
            "timeout" if isinstance(exc, TimeoutError) else "disconnected",
            f"while connecting to {target.host}:{target.port}",
        ) from None
    except asyncssh.DisconnectError as exc:
        raise BackupError("disconnected", exc.reason) from None
    connected = loop.time()
    try:
        async with conn:
            shell = await conn.create_process(
                term_type="vt100", term_size=(511, 24), encoding="utf-8", errors="replace"
            )
            session = _Shell(shell, target.profile, prompt_wait=target.connect_timeout)
            await session.start(login.enable_secret)
            outputs = [await session.run(command) for command in target.profile.commands]
            version = (
                await session.run(target.profile.version_command)
                if target.profile.version_command
                else ""
            )
            shell.stdin.write("exit\n")
    except (
        asyncssh.ConnectionLost,
        asyncssh.DisconnectError,
        BrokenPipeError,
        ConnectionResetError,
        asyncssh.ChannelOpenError,
    ) as exc:
        raise BackupError("disconnected", str(exc) or type(exc).__name__) from None
    key = client.seen
    assert key is not None, "asyncssh validated no host key"
    return Capture(
        config=_join(target.profile, outputs),
        version=version,
        host_key=key.export_public_key("openssh").decode().strip(),
        host_key_type=key.algorithm.decode(),
        fingerprint=key.get_fingerprint("sha256"),
        timings={"connect": connected - started, "total": loop.time() - started},
    )


def _names(defaults: list[bytes], legacy: tuple[bytes, ...]) -> list[str]:
    """asyncssh's defaults followed by the legacy algorithms, as the names it accepts."""
    return [name.decode() for name in dict.fromkeys([*defaults, *legacy])]


def _join(profile: PlatformProfile, outputs: list[str]) -> str:
    if len(outputs) == 1:
        return outputs[0]
    return "".join(f"### {cmd}\n{out}" for cmd, out in zip(profile.commands, outputs, strict=True))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


NUDGE_AFTER = 2.0  # seconds without a prompt before we press enter once


class _Shell:
    """An interactive PTY shell driven by prompt detection."""

    def __init__(
        self, process: asyncssh.SSHClientProcess[str], profile: PlatformProfile, prompt_wait: float
    ) -> None:
        self.process = process
        self.profile = profile
        self.prompt_wait = prompt_wait
        self.buffer = ""
        self.prompt = ""
        self._generic = re.compile(profile.prompt)
        self._more = re.compile(profile.more, re.IGNORECASE)
        self._stem = ""

    async def start(self, enable_secret: str | None) -> None:
        """Find the prompt the device prints after login, then enable and paging off.

        Only if no prompt shows up by itself is a bare newline sent, once: sending it
        unasked would make a second prompt arrive later and shift every answer by one.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.prompt_wait
        nudged = False
        while True:
            wait = (
                min(NUDGE_AFTER, deadline - loop.time()) if not nudged else (deadline - loop.time())
            )
            try:
                await asyncio.wait_for(self._read_until_generic_prompt(), max(wait, 0.01))
                break
            except TimeoutError:
                if loop.time() >= deadline:
                    tail = strip_terminal_noise(self.buffer).strip().splitlines()[-1:]
                    raise BackupError(
                        "prompt_not_recognised",
                        f"last line seen: {(tail or ['nothing'])[0][:80]!r}",
                    ) from None
                if not nudged:
                    self.process.stdin.write("\n")
                    nudged = True
        if self.profile.enable_command and not re.search(self.profile.enabled_prompt, self.prompt):
            await self._enable(enable_secret)
        for command in self.profile.paging_off:
            await self.run(command)

    async def _enable(self, secret: str | None) -> None:
        self.process.stdin.write(self.profile.enable_command + "\n")
        password_prompt = re.compile(self.profile.enable_password_prompt)
        while True:
            await self._receive()
            tail = self._tail()
            if password_prompt.search(tail):
                self.process.stdin.write((secret or "") + "\n")
                self.buffer = ""
                await self._read_until_generic_prompt()
                break
            if self._generic.match(tail):
                self._learn_prompt()
                break
        if not re.search(self.profile.enabled_prompt, self.prompt):
            raise BackupError("enable_failed", "no enable secret stored" if not secret else "")

    async def run(self, command: str) -> str:
        """Send one command; return its output without the echo and the final prompt.

        The answer ends at a prompt of this device (the same hostname; config-mode
        variants such as `fw (console) #` count) seen only after the command's echo.
        """
        self.buffer = ""
        self.process.stdin.write(command + "\n")
        echo = command.strip()
        echoed = False  # found once, not searched for again in a growing buffer
        while True:
            await self._receive()
            tail = self._tail()
            if self._more.search(tail):
                self.buffer = self.buffer[: len(self.buffer) - len(tail)]
                self.process.stdin.write(" ")
                continue
            echoed = echoed or (echo in self.buffer and "\n" in self.buffer)
            if echoed and self._is_prompt(tail):
                break
        text = strip_terminal_noise(self.buffer)
        lines = text.split("\n")
        start = next((i + 1 for i, line in enumerate(lines) if echo in line), 0)
        self.prompt = lines[-1].rstrip()
        output = "\n".join(lines[start:-1])
        if _rejected(output):
            raise BackupError("command_failed", f"{command!r}: {output.strip()[:120]}")
        return output + "\n"

    def _is_prompt(self, tail: str) -> bool:
        return bool(self._generic.match(tail)) and tail.startswith(self._stem)

    async def _read_until_generic_prompt(self) -> None:
        while True:
            await self._receive()
            if self._generic.match(self._tail()):
                self._learn_prompt()
                return

    def _learn_prompt(self) -> None:
        self.prompt = self._tail().rstrip()
        # The hostname part that every prompt of this device starts with.
        self._stem = re.split(r"[\s>#$\]()]", self.prompt, maxsplit=1)[0] or self.prompt
        self.buffer = ""

    def _tail(self) -> str:
        """The unfinished last line: where a prompt or a --More-- appears."""
        return strip_terminal_noise(self.buffer.rsplit("\n", 1)[-1])

    async def _receive(self) -> None:
        data = await self.process.stdout.read(65536)
        if not data:
            raise asyncssh.ConnectionLost("the device closed the session")
        self.buffer += data


_REJECTIONS = re.compile(
    r"^\s*(?:% ?Invalid input|% ?Unknown command|% ?Incomplete command|unknown command|"
    r"Error: Unrecognized command|syntax error|Invalid command)",
    re.IGNORECASE | re.MULTILINE,
)


def _rejected(output: str) -> bool:
    """The device said the command does not exist (only in the first lines of output)."""
    return bool(_REJECTIONS.search("\n".join(output.splitlines()[:3])))


async def fetch_host_key(target: Target) -> tuple[str, str, str]:
    """The host key a device presents now: (algorithm, OpenSSH public key, fingerprint)."""
    legacy = (
        {"kex_algs": _names(get_default_kex_algs(), LEGACY_KEX)} if target.legacy_algorithms else {}
    )
    try:
        key = await asyncio.wait_for(
            asyncssh.get_server_host_key(target.host, target.port, config=None, **legacy),
            target.connect_timeout,
        )
    except TimeoutError:
        raise BackupError("timeout", f"while connecting to {target.host}:{target.port}") from None
    except OSError as exc:
        raise BackupError("unreachable", f"{target.host}:{target.port}: {_reason(exc)}") from None
    except asyncssh.Error as exc:
        raise BackupError("ssh_negotiation", exc.reason) from None
    if key is None:
        raise BackupError("ssh_negotiation", "the device presented no host key")
    return (
        key.algorithm.decode(),
        key.export_public_key("openssh").decode().strip(),
        key.get_fingerprint("sha256"),
    )
