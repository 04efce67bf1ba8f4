"""One SSH session to one device: login, find the prompt, paging off, enable, capture.

With a pinned host key a session accepts only that key, and a different key fails
*before* any password is sent. On first contact the caller's `pin_first_key` stores the
key the device presents inside the same connection, and every credential (password,
keyboard-interactive answer, private key) waits for that pin: one SSH handshake per new
device, and still no secret for a host whose key is not pinned. Output is bounded
(`Target.max_output`) and scanned once: a device that floods or never ends a line costs
memory and CPU in proportion to what the limit allows, no more.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field

import asyncssh

from .algorithms import algorithm_options
from .errors import BackupError
from .filters import strip_terminal_noise
from .profiles import PlatformProfile, rejected
from .transcript import Recorder

DEFAULT_MAX_OUTPUT = 64 * 2**20  # characters one session may print (backup.max_output_mb)
MAX_LINE = 512  # a last line longer than this (raw) is neither a prompt nor a pager


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
    # The pinned host key in OpenSSH format; None: accept any (a test login, not a backup).
    host_key: str | None = None
    max_output: int = DEFAULT_MAX_OUTPUT


@dataclass(frozen=True)
class HostKey:
    """A device's SSH host key as stored and shown: OpenSSH text, SHA256 fingerprint."""

    key_type: str
    public_key: str
    fingerprint: str


@dataclass
class Capture:
    """What a session brought back: raw output, the host key's fingerprint, and notes
    on set-up commands the device rejected (the backup went on without them)."""

    config: str
    version: str
    fingerprint: str
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# Pins the key a device presents at first contact; returns the key trusted now (OpenSSH
# text), which differs from the one offered if another run pinned a key meanwhile.
PinFirstKey = Callable[[HostKey], Awaitable[str]]


class _PinnedKey(asyncssh.SSHClient):
    """Accepts the pinned host key only, and hands out the login's secrets.

    Without a pinned key it accepts the key presented and, before the first secret
    leaves, awaits `pin_first_key` (asyncssh awaits its auth callbacks): a pin that
    fails or returns another key offers nothing, and the session fails with `failure`.
    """

    def __init__(
        self,
        target: Target,
        login: Login,
        pin_first_key: PinFirstKey | None,
        keys: Sequence[asyncssh.SSHKeyPair],
    ) -> None:
        self.where = f"{target.host}:{target.port}"
        self.pinned = asyncssh.import_public_key(target.host_key) if target.host_key else None
        self.pin_first_key = pin_first_key
        self.login = login
        self.keys = list(keys)
        self.seen: asyncssh.SSHKey | None = None
        self.failure: Exception | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.seen = key
        return self.pinned is None or key.public_data == self.pinned.public_data

    async def trusted(self) -> None:
        """Return once the key seen is pinned (at once if it was before); raise if not."""
        if self.failure is not None:
            raise self.failure
        if self.pinned is not None or self.pin_first_key is None:
            return
        assert self.seen is not None, "asyncssh authenticates only after the key exchange"
        try:
            trusted = asyncssh.import_public_key(await self.pin_first_key(host_key_of(self.seen)))
            if trusted.public_data != self.seen.public_data:
                raise _key_changed(self.where)
        except Exception as exc:
            self.failure = exc
            raise
        self.pinned = trusted

    async def password(self) -> str | None:
        """The password (asyncssh's `password` option: for both password methods)."""
        await self.trusted()
        return self.login.password

    async def public_key_auth_requested(self) -> Sequence[asyncssh.SSHKeyPair] | None:
        if not self.keys:
            return None
        await self.trusted()
        keys, self.keys = self.keys, []
        return keys


def _key_changed(where: str) -> BackupError:
    return BackupError("host_key_changed", f"{where} presented a different key")


def _algorithms(target: Target, pinned: asyncssh.SSHKey | None) -> dict[str, list[str]]:
    """The algorithm lists for this device; with a pinned key, only what it can sign."""
    signs = tuple(name.decode() for name in pinned.sig_algorithms) if pinned else ()
    options = algorithm_options(target.legacy_algorithms, signs)
    if not options["server_host_key_algs"]:
        raise BackupError(
            "ssh_negotiation",
            f"the pinned {pinned.algorithm.decode() if pinned else ''} host key needs "
            "legacy SSH algorithms",
        )
    return options


def _connect_options(target: Target, client: _PinnedKey) -> dict[str, object]:
    options: dict[str, object] = {
        "port": target.port,
        "username": client.login.username,
        "known_hosts": ([], [], []),  # every key goes through _PinnedKey
        "connect_timeout": target.connect_timeout,
        "login_timeout": target.connect_timeout,
        "agent_path": None,
        "config": None,  # the user's ~/.ssh/config must not change what we do
        "keepalive_interval": 15,
        "client_keys": None,  # the key file's pair comes from client.public_key_auth_requested
        **_algorithms(target, client.pinned),
    }
    if client.login.key_path:
        options["password"] = None
        options["preferred_auth"] = "publickey"
    else:
        options["password"] = client.password
        options["preferred_auth"] = "keyboard-interactive,password"
    return options


@contextlib.contextmanager
def _connect_errors(target: Target, username: str = "") -> Iterator[None]:
    """Turn what asyncssh raises while connecting into the BackupError a user can act on."""
    where = f"{target.host}:{target.port}"
    try:
        yield
    except asyncssh.HostKeyNotVerifiable:
        raise _key_changed(where) from None
    except asyncssh.PermissionDenied:
        raise BackupError("auth_failed", f"as {username!r}") from None
    except asyncssh.KeyExchangeFailed as exc:
        raise BackupError("ssh_negotiation", exc.reason) from None
    except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError) as exc:
        raise BackupError("auth_failed", f"cannot use the SSH key: {exc}") from None
    except TimeoutError:  # an OSError: caught first, a silent port is no unreachable one
        raise BackupError("timeout", f"while connecting to {where}") from None
    except OSError as exc:
        raise BackupError("unreachable", f"{where}: {_reason(exc)}") from None
    except asyncssh.ConnectionLost:
        raise BackupError("disconnected", f"while connecting to {where}") from None
    except asyncssh.DisconnectError as exc:
        raise BackupError("disconnected", exc.reason) from None


async def capture(
    target: Target,
    login: Login,
    recorder: Recorder | None = None,
    pin_first_key: PinFirstKey | None = None,
) -> Capture:
    """Log in, run the platform's commands and return their raw output.

    Every failure is a BackupError whose class says what a user can do about it. With a
    `recorder`, the session's traffic is written as a transcript, failed or not. With
    `pin_first_key` and no `target.host_key`, the key presented is pinned through it
    before any secret is offered (and before any command, if the device asks for none).
    """
    if recorder is None:
        return await _capture(target, login, None, pin_first_key)
    recorder.start()
    try:
        seen = await _capture(target, login, recorder, pin_first_key)
    except BackupError as exc:
        recorder.finish(str(exc))
        raise
    except asyncio.CancelledError:
        recorder.finish("cancelled")
        raise
    recorder.finish()
    return seen


async def _capture(
    target: Target,
    login: Login,
    recorder: Recorder | None,
    pin_first_key: PinFirstKey | None,
) -> Capture:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with _connect_errors(target, login.username):
        keys = await _load_key(login)
    client = _PinnedKey(target, login, pin_first_key, keys)
    try:
        with _connect_errors(target, login.username):
            conn, _ = await asyncssh.create_connection(
                lambda: client, target.host, **_connect_options(target, client)
            )
    except Exception:  # whatever asyncssh made of a failed pin, the pin's error is the cause
        if client.failure is None:
            raise
        raise client.failure from None
    connected = loop.time()
    try:
        async with conn:
            await client.trusted()  # a device that asked for no credential is pinned here
            shell = await conn.create_process(
                term_type="vt100", term_size=(511, 24), encoding="utf-8", errors="replace"
            )
            session = _Shell(
                shell, target.profile, target.connect_timeout, target.max_output, recorder
            )
            await session.start(login)
            outputs = [await session.run(command) for command in target.profile.commands]
            facts = (target.profile.version_command or "", *target.profile.facts_commands)
            version = "".join([await session.run(command) for command in facts if command])
            session.send("exit\n")
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
        fingerprint=key.get_fingerprint("sha256"),
        warnings=session.warnings,
        timings={"connect": connected - started, "total": loop.time() - started},
    )


async def _load_key(login: Login) -> Sequence[asyncssh.SSHKeyPair]:
    """The login's private key, read (and decrypted: slow for a strong KDF) off the loop."""
    if not login.key_path:
        return ()
    return await asyncio.to_thread(asyncssh.load_keypairs, [login.key_path], login.passphrase)


def _join(profile: PlatformProfile, outputs: list[str]) -> str:
    if len(outputs) == 1:
        return outputs[0]
    return "".join(f"### {cmd}\n{out}" for cmd, out in zip(profile.commands, outputs, strict=True))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


NUDGE_AFTER = 2.0  # seconds without a prompt before we press enter once


class _Shell:
    """An interactive PTY shell driven by prompt detection.

    Output since the last command is kept as chunks ending in a line break plus the
    unfinished last line; only that line (at most MAX_LINE characters) and each new
    chunk are ever scanned, so the work per received chunk does not grow with the output.
    """

    def __init__(
        self,
        process: asyncssh.SSHClientProcess[str],
        profile: PlatformProfile,
        prompt_wait: float,
        max_output: int = DEFAULT_MAX_OUTPUT,
        recorder: Recorder | None = None,
    ) -> None:
        self.process = process
        self.recorder = recorder
        self.profile = profile
        self.prompt_wait = prompt_wait
        self.max_output = max_output
        self.prompt = ""
        self.warnings: list[str] = []
        self._generic = re.compile(profile.prompt)
        self._more = re.compile(profile.more, re.IGNORECASE)
        self._shell_login = (
            (re.compile(profile.shell_user_prompt), re.compile(profile.shell_password_prompt))
            if profile.shell_user_prompt
            else None
        )
        self._password_sent = False  # the shell login's password: a second `User:` is a refusal
        self._stem = ""
        self._lines: list[str] = []  # raw output up to and including the last line break
        self._last = ""  # raw output after it: where a prompt or a pager appears
        self._long = False  # the last line outgrew MAX_LINE: no prompt, only its end kept
        self._received = 0  # characters in the whole session

    async def start(self, login: Login) -> None:
        """Find the prompt the device prints after login, then enable and paging off.

        A platform that logs in again inside the shell (the profile's `shell_*_prompt`)
        is answered with the credential's username and password on the way to the prompt.
        Only if no prompt shows up by itself is a bare newline sent, once (never to a
        shell login): sending it unasked would make a second prompt arrive later and
        shift every answer by one.
        Paging and terminal set-up commands are best effort: a device that rejects one
        is noted in `warnings` and backed up all the same.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.prompt_wait
        nudged = self._shell_login is not None  # a newline would be taken for a user name
        while True:
            wait = (
                min(NUDGE_AFTER, deadline - loop.time()) if not nudged else (deadline - loop.time())
            )
            try:
                await asyncio.wait_for(self._read_until_generic_prompt(login), max(wait, 0.01))
                break
            except TimeoutError:
                if loop.time() >= deadline:
                    raise self._no_prompt() from None
                if not nudged:
                    self.send("\n")
                    nudged = True
        if self.profile.enable_command and not re.search(self.profile.enabled_prompt, self.prompt):
            await self._enable(login.enable_secret)
        for command in self.profile.paging_off:
            try:
                await self.run(command)
            except BackupError as exc:
                if exc.error_class != "command_failed":
                    raise
                self.warnings.append(f"set-up command {exc.detail}")

    def _no_prompt(self) -> BackupError:
        if not self._received:
            return BackupError(
                "timeout", f"logged in, but the device sent nothing in {self.prompt_wait:g}s"
            )
        tail = self._text().strip().splitlines()[-1:]
        return BackupError(
            "prompt_not_recognised", f"last line seen: {(tail or ['nothing'])[0][:80]!r}"
        )

    async def _enable(self, secret: str | None) -> None:
        self.send(self.profile.enable_command + "\n")
        password_prompt = re.compile(self.profile.enable_password_prompt)
        while True:
            await self._receive()
            tail = self._tail()
            if password_prompt.search(tail):
                self.send((secret or "") + "\n", secret="enable")
                self._clear()
                await self._read_until_generic_prompt()
                break
            if self._at_generic_prompt(tail):
                self._learn_prompt(tail)
                break
        if not re.search(self.profile.enabled_prompt, self.prompt):
            raise BackupError("enable_failed", "no enable secret stored" if not secret else "")

    async def run(self, command: str) -> str:
        """Send one command; return its output without the echo and the final prompt.

        The answer ends at a prompt of this device (the same hostname; config-mode
        variants such as `fw (console) #` count) seen only after the command's echo.
        """
        self._clear()
        self.send(command + "\n")
        echo = command.strip()
        seen_echo = seen_break = False  # found once, never searched for again
        overlap = ""  # the end of the previous chunk, for an echo split across two
        while True:
            data = await self._receive()
            if not seen_echo:
                window = overlap + data
                seen_echo = echo in window
                overlap = window[-len(echo) :]
            seen_break = seen_break or "\n" in data
            tail = self._tail()
            if self._more.search(tail):
                self._last, self._long = "", False  # the pager line is no output
                self.send(self.profile.more_answer)
                continue
            if seen_echo and seen_break and self._is_prompt(tail):
                break
        lines = self._text().split("\n")
        start = next((i + 1 for i, line in enumerate(lines) if echo in line), 0)
        self.prompt = lines[-1].rstrip()
        output = "\n".join(lines[start:-1])
        if rejected(output, self.profile):
            raise BackupError("command_failed", f"{command!r}: {' '.join(output.split())[:120]}")
        return output + "\n"

    def send(self, text: str, secret: str | None = None) -> None:
        """Type `text`; a credential value typed is recorded by its name only."""
        self.process.stdin.write(text)
        if self.recorder is not None:
            self.recorder.sent(text, secret)

    def _at_generic_prompt(self, tail: str) -> bool:
        return not self._long and bool(self._generic.match(tail))

    def _is_prompt(self, tail: str) -> bool:
        return self._at_generic_prompt(tail) and tail.lstrip("* ").startswith(self._stem)

    async def _read_until_generic_prompt(self, login: Login | None = None) -> None:
        """Read up to a prompt; with `login`, answer a shell login on the way."""
        while True:
            await self._receive()
            tail = self._tail()
            if self._at_generic_prompt(tail):
                self._learn_prompt(tail)
                return
            if login is not None and self._shell_login is not None:
                self._answer_shell_login(tail, login, *self._shell_login)

    def _answer_shell_login(
        self,
        tail: str,
        login: Login,
        user_prompt: re.Pattern[str],
        password_prompt: re.Pattern[str],
    ) -> None:
        if user_prompt.search(tail):
            if self._password_sent:  # asked again: the password was refused
                raise BackupError("auth_failed", f"as {login.username!r} (in the shell)")
            self._clear()
            self.send(login.username + "\n")
        elif password_prompt.search(tail):
            self._clear()
            self.send((login.password or "") + "\n", secret="password")
            self._password_sent = True

    def _learn_prompt(self, tail: str) -> None:
        self.prompt = tail.rstrip()
        # The hostname part that every prompt of this device starts with, without what
        # changes between commands: a leading `*` (SR OS, EXOS) or a `*` before the `>`
        # (SAOS) for unsaved changes, and EXOS's command counter (`X460-48t.3 # `, then `.4`).
        bare = self.prompt.lstrip("* ")
        first = re.split(r"[\s>#$\]()*]", bare, maxsplit=1)[0]
        self._stem = re.sub(r"\.\d+$", "", first) or bare
        self._clear()

    def _tail(self) -> str:
        """The unfinished last line (its end, if long): where a prompt or a --More-- is."""
        return strip_terminal_noise(self._last)

    def _text(self) -> str:
        """Everything received since the last command, cleaned: read once per command."""
        return strip_terminal_noise("".join(self._lines) + self._last)

    def _clear(self) -> None:
        self._lines.clear()
        self._last, self._long = "", False

    async def _receive(self) -> str:
        """Read what has arrived; the session fails once it exceeds `max_output`."""
        data = await self.process.stdout.read(65536)
        if not data:
            raise asyncssh.ConnectionLost("the device closed the session")
        self._received += len(data)
        if self.recorder is not None:
            self.recorder.received(data)
        if self._received > self.max_output:
            raise BackupError(
                "output_too_large",
                f"more than {self.max_output / 2**20:g} MB received",
            )
        cut = data.rfind("\n")
        if cut < 0:
            self._last += data
        else:
            self._lines.append(self._last + data[: cut + 1])
            self._last, self._long = data[cut + 1 :], False
        if len(self._last) > MAX_LINE:
            self._lines.append(self._last[:-MAX_LINE])
            self._last, self._long = self._last[-MAX_LINE:], True
        return data


async def fetch_host_key(target: Target) -> HostKey:
    """The host key a device presents now, offering no credential at all."""
    with _connect_errors(target):
        key = await asyncio.wait_for(
            asyncssh.get_server_host_key(
                target.host,
                target.port,
                config=None,
                options=asyncssh.SSHClientConnectionOptions(
                    config=None,
                    connect_timeout=target.connect_timeout,
                    **algorithm_options(target.legacy_algorithms),
                ),
            ),
            target.connect_timeout,
        )
    if key is None:
        raise BackupError("ssh_negotiation", "the device presented no host key")
    return host_key_of(key)


def host_key_of(key: asyncssh.SSHKey) -> HostKey:
    """`key` as stored and shown."""
    return HostKey(
        key.algorithm.decode(),
        key.export_public_key("openssh").decode().strip(),
        key.get_fingerprint("sha256"),
    )
